package social

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a Store in memory, for tests and single-process
// programs. The zero value is not usable; call NewMemoryStore. It is safe
// for concurrent use.
type MemoryStore struct {
	mu       sync.Mutex
	now      func() time.Time
	accounts map[int64]Account
	apps     map[int64]App
	tokens   map[int64]Token
	nextID   int64
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		now:      time.Now,
		accounts: map[int64]Account{},
		apps:     map[int64]App{},
		tokens:   map[int64]Token{},
	}
}

func (s *MemoryStore) id() int64 { s.nextID++; return s.nextID }

func cloneAccount(a Account) Account {
	a.ExtraData = slices.Clone(a.ExtraData)
	return a
}

// CreateAccount implements Store.
func (s *MemoryStore) CreateAccount(ctx context.Context, a Account) (Account, error) {
	if err := ValidateAccount(a); err != nil {
		return Account{}, fmt.Errorf("social: create account: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.accounts {
		if o.Provider == a.Provider && o.UID == a.UID {
			return Account{}, fmt.Errorf("social: create account %s/%s: %w", a.Provider, a.UID, ErrDuplicateAccount)
		}
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if a.DateJoined.IsZero() {
		a.DateJoined = now
	}
	if a.LastLogin.IsZero() {
		a.LastLogin = now
	}
	a.DateJoined = a.DateJoined.UTC().Truncate(time.Microsecond)
	a.LastLogin = a.LastLogin.UTC().Truncate(time.Microsecond)
	if a.ExtraData == nil {
		a.ExtraData = []byte("{}")
	}
	a.ID = s.id()
	s.accounts[a.ID] = cloneAccount(a)
	return cloneAccount(a), nil
}

// GetAccount implements Store.
func (s *MemoryStore) GetAccount(ctx context.Context, provider, uid string) (Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.accounts {
		if a.Provider == provider && a.UID == uid {
			return cloneAccount(a), nil
		}
	}
	return Account{}, fmt.Errorf("social: account %s/%s: %w", provider, uid, ErrAccountNotFound)
}

// ListAccounts implements Store.
func (s *MemoryStore) ListAccounts(ctx context.Context, userID int64) ([]Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Account
	for _, a := range s.accounts {
		if a.UserID == userID {
			out = append(out, cloneAccount(a))
		}
	}
	slices.SortFunc(out, func(a, b Account) int { return int(a.ID - b.ID) })
	return out, nil
}

// TouchAccount implements Store.
func (s *MemoryStore) TouchAccount(ctx context.Context, id int64, extraData []byte, lastLogin time.Time) error {
	if err := ValidateExtraData(extraData); err != nil {
		return fmt.Errorf("social: touch account %d: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	if !ok {
		return fmt.Errorf("social: account %d: %w", id, ErrAccountNotFound)
	}
	if extraData == nil {
		extraData = []byte("{}")
	}
	a.ExtraData = slices.Clone(extraData)
	a.LastLogin = lastLogin.UTC().Truncate(time.Microsecond)
	s.accounts[id] = a
	return nil
}

// DeleteAccount implements Store.
func (s *MemoryStore) DeleteAccount(ctx context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[id]; !ok {
		return fmt.Errorf("social: account %d: %w", id, ErrAccountNotFound)
	}
	delete(s.accounts, id)
	for tid, t := range s.tokens {
		if t.AccountID == id {
			delete(s.tokens, tid)
		}
	}
	return nil
}

// AddApp inserts an app with its sites, as an administrator does in
// Django's admin; it is not part of Store.
func (s *MemoryStore) AddApp(ctx context.Context, a App) (App, error) {
	if err := ValidateApp(a); err != nil {
		return App{}, fmt.Errorf("social: add app: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a.ID = s.id()
	a.SiteIDs = slices.Clone(a.SiteIDs)
	s.apps[a.ID] = a
	return a, nil
}

// Apps implements Store.
func (s *MemoryStore) Apps(ctx context.Context, siteID int64) ([]App, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []App
	for _, a := range s.apps {
		if slices.Contains(a.SiteIDs, siteID) {
			a.SiteIDs = slices.Clone(a.SiteIDs)
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b App) int { return int(a.ID - b.ID) })
	return out, nil
}

// EnsureApp implements Store.
func (s *MemoryStore) EnsureApp(ctx context.Context, a App) (App, error) {
	if err := ValidateApp(a); err != nil {
		return App{}, fmt.Errorf("social: ensure app: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var found *App
	for _, o := range s.apps {
		if o.Provider == a.Provider && o.ClientID == a.ClientID && (found == nil || o.ID < found.ID) {
			found = &o
		}
	}
	if found != nil {
		out := *found
		out.SiteIDs = slices.Clone(out.SiteIDs)
		return out, nil
	}
	a.ID = s.id()
	a.SiteIDs = nil
	s.apps[a.ID] = a
	return a, nil
}

// SaveToken implements Store.
func (s *MemoryStore) SaveToken(ctx context.Context, t Token) (Token, error) {
	if err := ValidateToken(t); err != nil {
		return Token{}, fmt.Errorf("social: save token: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[t.AppID]; !ok {
		return Token{}, fmt.Errorf("social: save token: app %d: %w", t.AppID, ErrAppNotFound)
	}
	if _, ok := s.accounts[t.AccountID]; !ok {
		return Token{}, fmt.Errorf("social: save token: account %d: %w", t.AccountID, ErrAccountNotFound)
	}
	if !t.ExpiresAt.IsZero() {
		t.ExpiresAt = t.ExpiresAt.UTC().Truncate(time.Microsecond)
	}
	t.ID = 0
	for id, o := range s.tokens {
		if o.AppID == t.AppID && o.AccountID == t.AccountID {
			t.ID = id
		}
	}
	if t.ID == 0 {
		t.ID = s.id()
	}
	s.tokens[t.ID] = t
	return t, nil
}

// GetToken implements Store.
func (s *MemoryStore) GetToken(ctx context.Context, appID, accountID int64) (Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.AppID == appID && t.AccountID == accountID {
			return t, nil
		}
	}
	return Token{}, fmt.Errorf("social: token of app %d, account %d: %w", appID, accountID, ErrTokenNotFound)
}
