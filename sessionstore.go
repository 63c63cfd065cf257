package auth

import (
	"sync"
	"time"
)

// memSessionStore is the in-memory scs.Store that New uses when
// Config.Sessions is nil. Unlike scs's memstore, its cleanup goroutine is
// started with its stop channel already made, so stopping it is race-free.
type memSessionStore struct {
	mu    sync.RWMutex
	items map[string]memSession
	now   func() time.Time

	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

type memSession struct {
	data   []byte
	expiry time.Time
}

// newMemSessionStore starts a store that drops expired sessions every
// interval. now is the clock; nil means time.Now.
func newMemSessionStore(interval time.Duration, now func() time.Time) *memSessionStore {
	if now == nil {
		now = time.Now
	}
	m := &memSessionStore{
		items: make(map[string]memSession),
		now:   now,
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go m.cleanup(interval)
	return m
}

func (m *memSessionStore) cleanup(interval time.Duration) {
	defer close(m.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			m.deleteExpired()
		case <-m.stop:
			return
		}
	}
}

// Close stops the cleanup goroutine and waits for it to end.
func (m *memSessionStore) Close() {
	m.stopOnce.Do(func() { close(m.stop) })
	<-m.done
}

func (m *memSessionStore) deleteExpired() {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for token, it := range m.items {
		if !now.Before(it.expiry) {
			delete(m.items, token)
		}
	}
}

// Find implements scs.Store; an expired session is not found.
func (m *memSessionStore) Find(token string) ([]byte, bool, error) {
	m.mu.RLock()
	it, ok := m.items[token]
	m.mu.RUnlock()
	if !ok || !m.now().Before(it.expiry) {
		return nil, false, nil
	}
	return it.data, true, nil
}

// Commit implements scs.Store.
func (m *memSessionStore) Commit(token string, b []byte, expiry time.Time) error {
	m.mu.Lock()
	m.items[token] = memSession{data: b, expiry: expiry}
	m.mu.Unlock()
	return nil
}

// Delete implements scs.Store.
func (m *memSessionStore) Delete(token string) error {
	m.mu.Lock()
	delete(m.items, token)
	m.mu.Unlock()
	return nil
}

// len returns the number of stored sessions, expired or not.
func (m *memSessionStore) len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.items)
}
