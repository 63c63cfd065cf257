package audit

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a Store in memory, for tests and single-process
// development. The zero value is ready to use; it is safe for concurrent
// use. Now, when set, is its clock.
type MemoryStore struct {
	// Now returns the time given to entries without one; nil means
	// time.Now.
	Now func() time.Time

	mu      sync.Mutex
	nextID  int64
	entries []Entry
}

var _ Store = (*MemoryStore)(nil)

func (s *MemoryStore) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func clone(e Entry) Entry {
	if e.Meta != nil {
		e.Meta = maps.Clone(e.Meta)
	}
	return e
}

// Record implements Store.
func (s *MemoryStore) Record(ctx context.Context, e Entry) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	e, err := e.Normalize(s.now())
	if err != nil {
		return Entry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	e.ID = s.nextID
	s.entries = append(s.entries, clone(e))
	return e, nil
}

// List implements Store.
func (s *MemoryStore) List(ctx context.Context, q Query) ([]Entry, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	q, err := q.Check()
	if err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	var out []Entry
	for _, e := range s.entries {
		if q.Matches(e) {
			out = append(out, clone(e))
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Entry) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	total := len(out)
	if q.Offset >= total {
		return []Entry{}, total, nil
	}
	out = out[q.Offset:]
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, total, nil
}

// Prune implements Store.
func (s *MemoryStore) Prune(ctx context.Context, before time.Time) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.entries[:0]
	var n int64
	for _, e := range s.entries {
		if e.Time.Before(before) {
			n++
			continue
		}
		kept = append(kept, e)
	}
	clear(s.entries[len(kept):])
	s.entries = kept
	return n, nil
}
