package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
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

var (
	_ SessionUpdater = (*memSessionStore)(nil)
	_ SessionRenewer = (*memSessionStore)(nil)
)

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

// UpdateCtx implements SessionUpdater: it replaces the data and expiry of
// token only while that session exists and has not expired.
func (m *memSessionStore) UpdateCtx(_ context.Context, token string, b []byte, expiry time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[token]
	if !ok || !m.now().Before(it.expiry) {
		return false, nil
	}
	m.items[token] = memSession{data: b, expiry: expiry}
	return true, nil
}

// RenewCtx implements SessionRenewer in one critical section.
func (m *memSessionStore) RenewCtx(_ context.Context, oldToken, newToken string, b []byte, expiry time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[oldToken]
	if !ok || !m.now().Before(it.expiry) {
		return false, nil
	}
	delete(m.items, oldToken)
	m.items[newToken] = memSession{data: b, expiry: expiry}
	return true, nil
}

// SessionUpdater is an optional ability of an scs session store: saving a
// session only if it still exists. The store/postgres session store and the
// in-memory store that New creates have it.
//
// Middleware saves a session that the request loaded from the store, and
// whose token it did not change, with UpdateCtx instead of CommitCtx. A
// request that started before a logout (or before the session expired) thus
// cannot write the old session back: Django saves existing sessions with
// force_update for the same reason. UpdateCtx must change nothing and
// report found false, with a nil error, when token is unknown or its
// session has expired, and must check and write in one atomic step (one
// UPDATE … WHERE statement, or one critical section).
//
// A store without UpdateCtx gets a lookup and then a commit, which narrows
// the window for the race but cannot close it.
type SessionUpdater interface {
	UpdateCtx(ctx context.Context, token string, b []byte, expiry time.Time) (found bool, err error)
}

// SessionRenewer is an optional ability of an scs session store: moving a
// session to a new token only if the old one still exists. The
// store/postgres session store and the in-memory store that New creates
// have it.
//
// When a request that loaded a session gives it a new token without a new
// login (the re-signing of a session made with a SecretKeyFallbacks key,
// and UpdateSessionAuthHash after a password change), Middleware keeps the
// old token in the store until the end of the request and then saves with
// RenewCtx. A logout in another tab while the request runs deletes the old
// token, so the new one is never written and the logout holds. RenewCtx
// must, in one atomic step, delete oldToken and store b under newToken
// when oldToken exists and has not expired, and otherwise change nothing
// and report found false with a nil error.
//
// A store without RenewCtx gets a lookup, a delete and a commit, which
// narrows the window for the race but cannot close it.
type SessionRenewer interface {
	RenewCtx(ctx context.Context, oldToken, newToken string, b []byte, expiry time.Time) (found bool, err error)
}

// pendingRenewal records, for one request, the token its session was
// loaded with when a renewal has given the session a new one: its delete
// is deferred to the save at the end of the request. Its zero value has
// nothing pending.
type pendingRenewal struct {
	mu  sync.Mutex
	old string
}

// take returns the pending old token and forgets it.
func (p *pendingRenewal) take() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.old
	p.old = ""
	return old
}

// deferDeleteKey marks the context of a renewal whose delete of the
// current token is to be deferred into the *pendingRenewal it holds.
type deferDeleteKey struct{}

// renewFromKey marks the context of the save of a renewed session with
// the old token, for an atomic move (SessionRenewer).
type renewFromKey struct{}

// errSessionGone is returned by an update-only save whose session no
// longer exists.
var errSessionGone = errors.New("auth: session no longer exists; not saved")

// updateOnlyKey marks a context whose session save must not recreate a
// vanished session.
type updateOnlyKey struct{}

// withUpdateOnly returns ctx marked so that the save of the session made
// with it (scs's Commit) updates the stored session and never creates it.
func withUpdateOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, updateOnlyKey{}, true)
}

func isUpdateOnly(ctx context.Context) bool {
	v, _ := ctx.Value(updateOnlyKey{}).(bool)
	return v
}

// guardedSessionStore is the store New puts under every session manager,
// around the store it was given. It forwards every call, with its context
// when the store takes one, and turns the commit of a context marked by
// withUpdateOnly into an update-only save: UpdateCtx when the store is a
// SessionUpdater, otherwise a lookup followed by a commit.
type guardedSessionStore struct {
	store scs.Store
}

var (
	_ scs.CtxStore         = (*guardedSessionStore)(nil)
	_ scs.IterableCtxStore = (*guardedSessionStore)(nil)
	_ scs.IterableStore    = (*guardedSessionStore)(nil)
)

// guardSessionStore wraps store, unless it is wrapped already.
func guardSessionStore(store scs.Store) scs.Store {
	if _, ok := store.(*guardedSessionStore); ok {
		return store
	}
	return &guardedSessionStore{store: store}
}

// Unwrap returns the store under the guard.
func (g *guardedSessionStore) Unwrap() scs.Store { return g.store }

// FindCtx forwards to the store.
func (g *guardedSessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	if c, ok := g.store.(interface {
		FindCtx(context.Context, string) ([]byte, bool, error)
	}); ok {
		return c.FindCtx(ctx, token)
	}
	return g.store.Find(token)
}

// CommitCtx forwards to the store, or saves update-only when ctx is
// marked, or moves the session from its old token when ctx carries one
// (renewFromKey).
func (g *guardedSessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if old, ok := ctx.Value(renewFromKey{}).(string); ok && old != "" {
		return g.renew(ctx, old, token, b, expiry)
	}
	if !isUpdateOnly(ctx) {
		return g.commit(ctx, token, b, expiry)
	}
	if u, ok := g.store.(SessionUpdater); ok {
		found, err := u.UpdateCtx(ctx, token, b, expiry)
		if err != nil {
			return err
		}
		if !found {
			return errSessionGone
		}
		return nil
	}
	// Without UpdateCtx the session may still vanish between these two
	// calls; this only makes the window small.
	_, found, err := g.FindCtx(ctx, token)
	if err != nil {
		return err
	}
	if !found {
		return errSessionGone
	}
	return g.commit(ctx, token, b, expiry)
}

// renew stores b under newToken only while oldToken still exists, and
// deletes oldToken: atomically with a SessionRenewer, otherwise with a
// lookup first.
func (g *guardedSessionStore) renew(ctx context.Context, oldToken, newToken string, b []byte, expiry time.Time) error {
	if r, ok := g.store.(SessionRenewer); ok {
		found, err := r.RenewCtx(ctx, oldToken, newToken, b, expiry)
		if err != nil {
			return err
		}
		if !found {
			return errSessionGone
		}
		return nil
	}
	_, found, err := g.FindCtx(ctx, oldToken)
	if err != nil {
		return err
	}
	if !found {
		return errSessionGone
	}
	if err := g.deleteNow(ctx, oldToken); err != nil {
		return err
	}
	return g.commit(ctx, newToken, b, expiry)
}

func (g *guardedSessionStore) commit(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if c, ok := g.store.(interface {
		CommitCtx(context.Context, string, []byte, time.Time) error
	}); ok {
		return c.CommitCtx(ctx, token, b, expiry)
	}
	return g.store.Commit(token, b, expiry)
}

// DeleteCtx forwards to the store. In a renewal marked by deferDeleteKey
// the first delete, that of the token the session was loaded with, is
// recorded instead, for the save to perform (see SessionRenewer).
func (g *guardedSessionStore) DeleteCtx(ctx context.Context, token string) error {
	if p, ok := ctx.Value(deferDeleteKey{}).(*pendingRenewal); ok {
		p.mu.Lock()
		deferred := p.old == ""
		if deferred {
			p.old = token
		}
		p.mu.Unlock()
		if deferred {
			return nil
		}
	}
	return g.deleteNow(ctx, token)
}

func (g *guardedSessionStore) deleteNow(ctx context.Context, token string) error {
	if c, ok := g.store.(interface {
		DeleteCtx(context.Context, string) error
	}); ok {
		return c.DeleteCtx(ctx, token)
	}
	return g.store.Delete(token)
}

// AllCtx forwards to the store. A store that cannot list its sessions
// gives an error where scs would panic.
func (g *guardedSessionStore) AllCtx(ctx context.Context) (map[string][]byte, error) {
	switch s := g.store.(type) {
	case scs.IterableCtxStore:
		return s.AllCtx(ctx)
	case scs.IterableStore:
		return s.All()
	}
	return nil, fmt.Errorf("auth: session store %T does not support iteration", g.store)
}

// Find is FindCtx with context.Background().
func (g *guardedSessionStore) Find(token string) ([]byte, bool, error) {
	return g.FindCtx(context.Background(), token)
}

// Commit is CommitCtx with context.Background(): a plain commit.
func (g *guardedSessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return g.commit(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx with context.Background().
func (g *guardedSessionStore) Delete(token string) error {
	return g.deleteNow(context.Background(), token)
}

// All is AllCtx with context.Background().
func (g *guardedSessionStore) All() (map[string][]byte, error) {
	return g.AllCtx(context.Background())
}
