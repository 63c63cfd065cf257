package recovery

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"strconv"
	"sync"
	"time"

	"github.com/djauth/auth/mfa"
)

// PersistentLabel is the model label of the devices of the hashed layout
// (MemoryStore, and store/postgres's RecoveryStore), the first part of
// their PersistentID ("djauth.recoverydevice/7"). Devices of the django-otp
// layout have django-otp's "otp_static.staticdevice".
const PersistentLabel = "djauth.recoverydevice"

// MemoryStore is a Store in memory, in the hashed layout: it keeps the
// digests of the codes, never the codes, and compares digests in constant
// time. For tests and single-process programs. The zero value is not
// usable; call NewMemoryStore. It is safe for concurrent use.
type MemoryStore struct {
	mu      sync.Mutex
	nextID  int64
	devices map[int64]*memDevice // by user ID; one per user
}

type memDevice struct {
	id       int64
	name     string
	failures int
	last     time.Time
	digests  [][sha256.Size]byte
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{devices: map[int64]*memDevice{}}
}

func (s *MemoryStore) device(userID int64, d *memDevice) mfa.Device {
	return mfa.Device{
		Factor: Kind, ID: d.id, UserID: userID, Name: d.name,
		PersistentID: PersistentLabel + "/" + strconv.FormatInt(d.id, 10),
	}
}

// Devices implements Store.
func (s *MemoryStore) Devices(ctx context.Context, userID int64) ([]mfa.Device, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[userID]
	if !ok {
		return nil, nil
	}
	return []mfa.Device{s.device(userID, d)}, nil
}

// Replace implements Store.
func (s *MemoryStore) Replace(ctx context.Context, userID int64, name string, codes []Code) (mfa.Device, error) {
	if err := ctx.Err(); err != nil {
		return mfa.Device{}, err
	}
	digests := make([][sha256.Size]byte, len(codes))
	for i, c := range codes {
		digests[i] = c.Digest
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[userID]
	if !ok {
		s.nextID++
		d = &memDevice{id: s.nextID, name: name}
		s.devices[userID] = d
	}
	d.digests = digests
	return s.device(userID, d), nil
}

// Use implements Store.
func (s *MemoryStore) Use(ctx context.Context, userID int64, a Attempt) (mfa.Device, error) {
	if err := ctx.Err(); err != nil {
		return mfa.Device{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[userID]
	if !ok {
		return mfa.Device{}, mfa.ErrNoDevice
	}
	if wait := RetryAfter(d.failures, d.last, a.Now); wait > 0 {
		return mfa.Device{}, &mfa.ThrottledError{RetryAfter: wait}
	}
	// Every stored digest is compared with every form, without stopping
	// at a match, so that the time taken does not say which matched.
	match := -1
	for i := range d.digests {
		for _, c := range a.Codes {
			if subtle.ConstantTimeCompare(d.digests[i][:], c.Digest[:]) == 1 && match < 0 {
				match = i
			}
		}
	}
	if match < 0 {
		d.failures++
		d.last = a.Now
		return mfa.Device{}, mfa.ErrInvalidCode
	}
	d.digests = append(d.digests[:match:match], d.digests[match+1:]...)
	d.failures, d.last = 0, time.Time{}
	return s.device(userID, d), nil
}

// Remaining implements Store.
func (s *MemoryStore) Remaining(ctx context.Context, userID int64) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.devices[userID]; ok {
		return len(d.digests), nil
	}
	return 0, nil
}

// Remove implements Store.
func (s *MemoryStore) Remove(ctx context.Context, userID int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.devices, userID)
	return nil
}
