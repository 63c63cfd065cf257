package emails

import (
	"context"
	"fmt"
	"sync"
)

// MemoryStore is a Store in memory, for tests and development. Its zero
// value is not usable; create it with NewMemoryStore.
type MemoryStore struct {
	mu       sync.Mutex
	unique   bool
	setEmail func(ctx context.Context, userID int64, email string) error
	next     int64
	rows     []Address
}

// NewMemoryStore returns an empty MemoryStore. unique keeps every
// address to one user (allauth's ACCOUNT_UNIQUE_EMAIL). setEmail, when not
// nil, is called by VerifyAddress and SetPrimary to set the user's email
// to the new primary address (auth_user.email); an error from it undoes
// the change.
func NewMemoryStore(unique bool, setEmail func(ctx context.Context, userID int64, email string) error) *MemoryStore {
	return &MemoryStore{unique: unique, setEmail: setEmail}
}

// AddAddress implements Store.
func (s *MemoryStore) AddAddress(ctx context.Context, userID int64, email string) (Address, bool, error) {
	if err := ctx.Err(); err != nil {
		return Address{}, false, err
	}
	if userID <= 0 || email == "" || len(email) > EmailMaxLength {
		return Address{}, false, fmt.Errorf("%w: user %d, %d characters", ErrInvalidEmail, userID, len(email))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.rows {
		if !SameEmail(a.Email, email) {
			continue
		}
		if a.UserID == userID {
			return a, false, nil
		}
		if s.unique {
			return Address{}, false, ErrEmailTaken
		}
	}
	s.next++
	a := Address{ID: s.next, UserID: userID, Email: email}
	s.rows = append(s.rows, a)
	return a, true, nil
}

// GetAddress implements Store.
func (s *MemoryStore) GetAddress(ctx context.Context, id int64) (Address, error) {
	if err := ctx.Err(); err != nil {
		return Address{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.index(id); i >= 0 {
		return s.rows[i], nil
	}
	return Address{}, ErrNotFound
}

// UserAddresses implements Store.
func (s *MemoryStore) UserAddresses(ctx context.Context, userID int64) ([]Address, error) {
	return s.filter(ctx, func(a Address) bool { return a.UserID == userID })
}

// FindAddresses implements Store.
func (s *MemoryStore) FindAddresses(ctx context.Context, email string) ([]Address, error) {
	return s.filter(ctx, func(a Address) bool { return SameEmail(a.Email, email) })
}

// VerifyAddress implements Store.
func (s *MemoryStore) VerifyAddress(ctx context.Context, id int64) (Address, error) {
	if err := ctx.Err(); err != nil {
		return Address{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(id)
	if i < 0 {
		return Address{}, ErrNotFound
	}
	a := s.rows[i]
	a.Verified = true
	if s.primaryOf(a.UserID) < 0 {
		if err := s.sync(ctx, a.UserID, a.Email); err != nil {
			return Address{}, err
		}
		a.Primary = true
	}
	s.rows[i] = a
	return a, nil
}

// SetPrimary implements Store.
func (s *MemoryStore) SetPrimary(ctx context.Context, userID, id int64) (Address, error) {
	if err := ctx.Err(); err != nil {
		return Address{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(id)
	if i < 0 || s.rows[i].UserID != userID {
		return Address{}, ErrNotFound
	}
	if err := s.sync(ctx, userID, s.rows[i].Email); err != nil {
		return Address{}, err
	}
	var old Address
	if p := s.primaryOf(userID); p >= 0 {
		old = s.rows[p]
		s.rows[p].Primary = false
	}
	s.rows[i].Primary = true
	return old, nil
}

// DeleteAddress implements Store.
func (s *MemoryStore) DeleteAddress(ctx context.Context, userID, id int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(id)
	if i < 0 || s.rows[i].UserID != userID {
		return ErrNotFound
	}
	if s.rows[i].Primary {
		return ErrPrimary
	}
	s.rows = append(s.rows[:i], s.rows[i+1:]...)
	return nil
}

func (s *MemoryStore) sync(ctx context.Context, userID int64, email string) error {
	if s.setEmail == nil {
		return nil
	}
	if err := s.setEmail(ctx, userID, email); err != nil {
		return fmt.Errorf("emails: set the email of user %d: %w", userID, err)
	}
	return nil
}

func (s *MemoryStore) index(id int64) int {
	for i, a := range s.rows {
		if a.ID == id {
			return i
		}
	}
	return -1
}

func (s *MemoryStore) primaryOf(userID int64) int {
	for i, a := range s.rows {
		if a.UserID == userID && a.Primary {
			return i
		}
	}
	return -1
}

func (s *MemoryStore) filter(ctx context.Context, keep func(Address) bool) ([]Address, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Address
	for _, a := range s.rows {
		if keep(a) {
			out = append(out, a)
		}
	}
	return out, nil
}
