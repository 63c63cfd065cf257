package passwordless

import (
	"context"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a Store in memory, for tests and single-process sites.
// It is safe for concurrent use.
type MemoryStore struct {
	mu   sync.Mutex
	reqs map[string]Request
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{reqs: map[string]Request{}} }

func clone(r Request) Request {
	r.LinkHash = slices.Clone(r.LinkHash)
	r.CodeHash = slices.Clone(r.CodeHash)
	r.BindingHash = slices.Clone(r.BindingHash)
	return r
}

// Create implements Store.
func (s *MemoryStore) Create(ctx context.Context, r Request, voidOlder bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.reqs[r.ID]; ok {
		return ErrDuplicate
	}
	if voidOlder && r.UserID != 0 {
		for id, old := range s.reqs {
			if old.UserID == r.UserID {
				delete(s.reqs, id)
			}
		}
	}
	s.reqs[r.ID] = clone(r)
	return nil
}

// Get implements Store.
func (s *MemoryStore) Get(ctx context.Context, id string) (Request, error) {
	return s.with(ctx, id, func(r Request) (Request, error) {
		return clone(r), nil
	})
}

// Attempt implements Store.
func (s *MemoryStore) Attempt(ctx context.Context, id string, max int) (Request, error) {
	return s.with(ctx, id, func(r Request) (Request, error) {
		if r.Attempts >= max {
			delete(s.reqs, id)
			return Request{}, ErrTooManyAttempts
		}
		r.Attempts++
		s.reqs[id] = r
		return clone(r), nil
	})
}

// Consume implements Store.
func (s *MemoryStore) Consume(ctx context.Context, id string) (Request, error) {
	return s.with(ctx, id, func(r Request) (Request, error) {
		delete(s.reqs, id)
		return r, nil
	})
}

// with runs fn on request id while holding s.mu, after checking ctx; it
// returns ErrNotFound, without calling fn, when there is no such request.
func (s *MemoryStore) with(ctx context.Context, id string, fn func(Request) (Request, error)) (Request, error) {
	if err := ctx.Err(); err != nil {
		return Request{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.reqs[id]
	if !ok {
		return Request{}, ErrNotFound
	}
	return fn(r)
}

// DeleteExpired implements Store.
func (s *MemoryStore) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, r := range s.reqs {
		if !r.Expires.After(now) {
			delete(s.reqs, id)
			n++
		}
	}
	return n, nil
}
