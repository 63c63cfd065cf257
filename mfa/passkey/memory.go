package passkey

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
)

// MemoryStore is a Store in memory, for tests and single-process
// development. It is safe for concurrent use. The zero value is not
// usable; call NewMemoryStore.
type MemoryStore struct {
	mu      sync.Mutex
	handles map[int64][]byte
	creds   []Credential // ordered by ID
	nextID  int64
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{handles: map[int64][]byte{}}
}

// UserHandle implements Store.
func (s *MemoryStore) UserHandle(_ context.Context, userID int64, candidate []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.handles[userID]; ok {
		return bytes.Clone(h), nil
	}
	if len(candidate) == 0 {
		return nil, fmt.Errorf("passkey: memory: empty user handle")
	}
	for _, h := range s.handles {
		if bytes.Equal(h, candidate) {
			return nil, fmt.Errorf("passkey: memory: user handle already in use")
		}
	}
	s.handles[userID] = bytes.Clone(candidate)
	return bytes.Clone(candidate), nil
}

// UserByHandle implements Store.
func (s *MemoryStore) UserByHandle(_ context.Context, handle []byte) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, h := range s.handles {
		if bytes.Equal(h, handle) {
			return id, nil
		}
	}
	return 0, fmt.Errorf("passkey: memory: user handle: %w", ErrNotFound)
}

// AddCredential implements Store.
func (s *MemoryStore) AddCredential(_ context.Context, c *Credential) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(c.CredentialID) == 0 {
		return fmt.Errorf("passkey: memory: empty credential ID")
	}
	for _, o := range s.creds {
		if bytes.Equal(o.CredentialID, c.CredentialID) {
			return fmt.Errorf("passkey: memory: add credential: %w", ErrDuplicateCredential)
		}
	}
	s.nextID++
	c.ID = s.nextID
	s.creds = append(s.creds, clone(*c))
	return nil
}

// Credentials implements Store.
func (s *MemoryStore) Credentials(_ context.Context, userID int64) ([]Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Credential
	for _, c := range s.creds {
		if c.UserID == userID {
			out = append(out, clone(c))
		}
	}
	return out, nil
}

// CredentialByCredentialID implements Store.
func (s *MemoryStore) CredentialByCredentialID(_ context.Context, credID []byte) (Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.creds {
		if bytes.Equal(c.CredentialID, credID) {
			return clone(c), nil
		}
	}
	return Credential{}, fmt.Errorf("passkey: memory: credential: %w", ErrNotFound)
}

// RecordUse implements Store.
func (s *MemoryStore) RecordUse(_ context.Context, id int64, u Use) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(0, id)
	if i < 0 {
		return fmt.Errorf("passkey: memory: record use of %d: %w", id, ErrNotFound)
	}
	c := &s.creds[i]
	c.SignCount, c.CloneWarning, c.UserVerified, c.BackupState, c.LastUsedAt = u.SignCount, u.CloneWarning, u.UserVerified, u.BackupState, u.At
	return nil
}

// RenameCredential implements Store.
func (s *MemoryStore) RenameCredential(_ context.Context, userID, id int64, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(userID, id)
	if i < 0 {
		return fmt.Errorf("passkey: memory: rename %d: %w", id, ErrNotFound)
	}
	s.creds[i].Name = name
	return nil
}

// DeleteCredential implements Store.
func (s *MemoryStore) DeleteCredential(_ context.Context, userID, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(userID, id)
	if i < 0 {
		return fmt.Errorf("passkey: memory: delete %d: %w", id, ErrNotFound)
	}
	s.creds = slices.Delete(s.creds, i, i+1)
	return nil
}

// find returns the index of credential id, of the user userID unless
// userID is 0, or -1.
func (s *MemoryStore) find(userID, id int64) int {
	return slices.IndexFunc(s.creds, func(c Credential) bool {
		return c.ID == id && (userID == 0 || c.UserID == userID)
	})
}

func clone(c Credential) Credential {
	c.CredentialID = bytes.Clone(c.CredentialID)
	c.PublicKey = bytes.Clone(c.PublicKey)
	c.AAGUID = bytes.Clone(c.AAGUID)
	c.Transports = slices.Clone(c.Transports)
	return c
}
