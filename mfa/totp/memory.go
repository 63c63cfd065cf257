package totp

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/djauth/auth/mfa"
)

// MemoryStore is a Store in a map, for tests and single-process apps: its
// devices are gone when the process ends. One mutex makes each method
// atomic. The zero value is not usable; call NewMemoryStore.
type MemoryStore struct {
	mu     sync.Mutex
	nextID int64
	devs   map[int64]Device
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{devs: map[int64]Device{}}
}

// Create implements Store.
func (s *MemoryStore) Create(_ context.Context, d Device) (Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	d.ID = s.nextID
	s.devs[d.ID] = d
	return d, nil
}

// Get implements Store.
func (s *MemoryStore) Get(_ context.Context, id int64) (Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devs[id]
	if !ok {
		return Device{}, fmt.Errorf("totp: memory: device %d: %w", id, mfa.ErrNoDevice)
	}
	return d, nil
}

// List implements Store.
func (s *MemoryStore) List(_ context.Context, userID int64) ([]Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Device
	for _, d := range s.devs {
		if d.UserID == userID {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b Device) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// CountFailure implements Store.
func (s *MemoryStore) CountFailure(_ context.Context, id int64, seen Throttle, at time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devs[id]
	if !ok {
		return false, fmt.Errorf("totp: memory: device %d: %w", id, mfa.ErrNoDevice)
	}
	if !d.Throttle.Equal(seen) {
		return false, nil
	}
	d.Throttle = Throttle{Failures: d.Throttle.Failures + 1, Last: at}
	s.devs[id] = d
	return true, nil
}

// Succeed implements Store.
func (s *MemoryStore) Succeed(_ context.Context, id int64, r Success) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devs[id]
	if !ok {
		return false, fmt.Errorf("totp: memory: device %d: %w", id, mfa.ErrNoDevice)
	}
	if d.LastT >= r.T {
		return false, nil
	}
	d.LastT, d.Drift, d.Throttle = r.T, r.Drift, Throttle{}
	d.Confirmed = d.Confirmed || r.Confirm
	s.devs[id] = d
	return true, nil
}

// Rename implements Store.
func (s *MemoryStore) Rename(_ context.Context, userID, id int64, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devs[id]
	if !ok || d.UserID != userID {
		return fmt.Errorf("totp: memory: device %d: %w", id, mfa.ErrNoDevice)
	}
	d.Name = name
	s.devs[id] = d
	return nil
}

// Delete implements Store.
func (s *MemoryStore) Delete(_ context.Context, userID, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devs[id]
	if !ok || d.UserID != userID {
		return fmt.Errorf("totp: memory: device %d: %w", id, mfa.ErrNoDevice)
	}
	delete(s.devs, id)
	return nil
}
