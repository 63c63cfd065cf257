package throttle

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a Store in the memory of one process, for tests and
// single-instance sites. It sweeps expired counters itself: each time the
// number of counters has doubled since the last sweep, Fail deletes those
// of its key's scope and kind whose last failure is before its
// expireBefore, so that many made-up usernames cannot grow it without
// bound. The zero value is not ready;
// use NewMemoryStore.
type MemoryStore struct {
	mu        sync.Mutex
	records   map[Key]Record
	sweepSize int
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{records: map[Key]Record{}, sweepSize: 64}
}

var _ Store = (*MemoryStore)(nil)

// Get implements Store.
func (s *MemoryStore) Get(ctx context.Context, key Key) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[key]
	if !ok {
		return Record{}, fmt.Errorf("%w: %s %s %q", ErrNotFound, key.Scope, key.Kind, key.Value)
	}
	return r, nil
}

// Fail implements Store.
func (s *MemoryStore) Fail(ctx context.Context, key Key, now, expireBefore time.Time) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failLocked(key, now, expireBefore), nil
}

// failLocked is Fail; the caller holds mu.
func (s *MemoryStore) failLocked(key Key, now, expireBefore time.Time) Record {
	r, ok := s.records[key]
	if !ok || r.Last.Before(expireBefore) {
		r = Record{Key: key}
	}
	r.Failures++
	r.Last = now
	s.records[key] = r
	if len(s.records) >= s.sweepSize {
		// Only counters of this scope and kind are known to share
		// expireBefore; another scope's may have a longer cool-off.
		for k, old := range s.records {
			if k.Scope == key.Scope && k.Kind == key.Kind && old.Last.Before(expireBefore) {
				delete(s.records, k)
			}
		}
		s.sweepSize = max(64, 2*len(s.records))
	}
	return r
}

// Reserve implements Store.
func (s *MemoryStore) Reserve(ctx context.Context, key Key, now, expireBefore time.Time, limit int) (Record, bool, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.records[key]; ok && limit > 0 && !r.Last.Before(expireBefore) && r.Failures >= limit {
		return r, false, nil
	}
	return s.failLocked(key, now, expireBefore), true, nil
}

// Release implements Store.
func (s *MemoryStore) Release(ctx context.Context, key Key) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.records[key]; ok {
		if r.Failures <= 1 {
			delete(s.records, key)
		} else {
			r.Failures--
			s.records[key] = r
		}
	}
	return nil
}

// Reset implements Store.
func (s *MemoryStore) Reset(ctx context.Context, key Key) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, key)
	return nil
}

// List implements Store.
func (s *MemoryStore) List(ctx context.Context, since time.Time) ([]Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	out := make([]Record, 0, len(s.records))
	for _, r := range s.records {
		if !r.Last.Before(since) {
			out = append(out, r)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Record) int {
		return cmp.Or(cmp.Compare(a.Scope, b.Scope), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Value, b.Value))
	})
	return out, nil
}

// Prune implements Store.
func (s *MemoryStore) Prune(ctx context.Context, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prune(before), nil
}

func (s *MemoryStore) prune(before time.Time) int {
	n := 0
	for k, r := range s.records {
		if r.Last.Before(before) {
			delete(s.records, k)
			n++
		}
	}
	return n
}

// Len returns the number of counters held, expired or not.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}
