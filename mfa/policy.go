package mfa

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	auth "github.com/djauth/auth"
)

// A Policy says who must use a second factor. It is data, kept in a
// PolicyStore, so that a dashboard or authctl can change it while the
// site runs. The zero Policy requires nobody (users who enrolled a device
// still get the two-step login).
type Policy struct {
	// Everyone requires a second factor of every user.
	Everyone bool `json:"everyone"`
	// Superusers and Staff require it of users with is_superuser or
	// is_staff.
	Superusers bool `json:"superusers"`
	Staff      bool `json:"staff"`
	// Groups require it of the members of these groups, by name.
	Groups []string `json:"groups"`
	// Grace is how long a user whom the policy newly covers may postpone
	// enrolment, counted from the moment the user was first found
	// covered (PolicyStore.RequiredSince). Zero means no postponing.
	Grace time.Duration `json:"grace"`
}

// MaxGroupNameLength is the length of auth_group.name.
const MaxGroupNameLength = 150

// ErrInvalidPolicy reports a Policy that Validate refuses.
var ErrInvalidPolicy = errors.New("mfa: invalid policy")

// Validate returns an error wrapping ErrInvalidPolicy for a negative
// Grace and for group names that are empty, repeated, longer than
// MaxGroupNameLength or not text a store can hold.
func (p Policy) Validate() error {
	if p.Grace < 0 {
		return fmt.Errorf("%w: negative grace period %s", ErrInvalidPolicy, p.Grace)
	}
	seen := make(map[string]bool, len(p.Groups))
	for i, g := range p.Groups {
		switch {
		case g == "":
			return fmt.Errorf("%w: Groups[%d] is empty", ErrInvalidPolicy, i)
		case auth.InvalidTextMessage(g) != "":
			return fmt.Errorf("%w: Groups[%d]: %s", ErrInvalidPolicy, i, auth.InvalidTextMessage(g))
		case utf8.RuneCountInString(g) > MaxGroupNameLength:
			return fmt.Errorf("%w: Groups[%d] is longer than %d characters", ErrInvalidPolicy, i, MaxGroupNameLength)
		case seen[g]:
			return fmt.Errorf("%w: group %q is named twice", ErrInvalidPolicy, g)
		}
		seen[g] = true
	}
	return nil
}

// CoversAnyone reports whether the policy requires a second factor of
// anyone at all.
func (p Policy) CoversAnyone() bool {
	return p.Everyone || p.Superusers || p.Staff || len(p.Groups) > 0
}

// Covers reports whether the policy requires a second factor of u, a
// member of the groups named groups.
func (p Policy) Covers(u *auth.User, groups []string) bool {
	switch {
	case u == nil:
		return false
	case p.Everyone, p.Superusers && u.IsSuperuser, p.Staff && u.IsStaff:
		return true
	}
	for _, g := range groups {
		if slices.Contains(p.Groups, g) {
			return true
		}
	}
	return false
}

// needsGroups reports whether Covers may depend on the user's groups.
func (p Policy) needsGroups(u *auth.User) bool {
	return len(p.Groups) > 0 && !p.Everyone && !(p.Superusers && u.IsSuperuser) && !(p.Staff && u.IsStaff)
}

// PolicyStore keeps the Policy and, per user, when the policy first
// covered them (the start of their grace period). The suite in package
// mfatest checks an implementation; NewMemoryPolicyStore and package
// store/postgres's MFAPolicyStore pass it. Methods fail closed: an error
// means the answer is unknown, and the guards then refuse the request.
type PolicyStore interface {
	// Policy returns the stored policy; the zero Policy when none was
	// ever set.
	Policy(ctx context.Context) (Policy, error)
	// SetPolicy validates p (Policy.Validate) and replaces the stored
	// policy with it; an invalid p changes nothing.
	SetPolicy(ctx context.Context, p Policy) error
	// RequiredSince returns when the user userID was first found
	// covered, recording now (truncated to microseconds) when nothing is
	// recorded yet. Concurrent first calls agree on one time.
	RequiredSince(ctx context.Context, userID int64, now time.Time) (time.Time, error)
	// ResetRequiredSince forgets the user's time, so that the next
	// RequiredSince starts a new grace period (authctl mfa reset does,
	// with the user's factors). Forgetting a user with none is not an
	// error.
	ResetRequiredSince(ctx context.Context, userID int64) error
}

// MemoryPolicyStore is a PolicyStore in memory, for tests and single
// instance development servers. It is safe for concurrent use.
type MemoryPolicyStore struct {
	mu     sync.Mutex
	policy Policy
	since  map[int64]time.Time
}

var _ PolicyStore = (*MemoryPolicyStore)(nil)

// NewMemoryPolicyStore returns an empty MemoryPolicyStore.
func NewMemoryPolicyStore() *MemoryPolicyStore {
	return &MemoryPolicyStore{since: map[int64]time.Time{}}
}

// Policy implements PolicyStore.
func (s *MemoryPolicyStore) Policy(ctx context.Context) (Policy, error) {
	if err := ctx.Err(); err != nil {
		return Policy{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.policy
	p.Groups = slices.Clone(p.Groups)
	return p, nil
}

// SetPolicy implements PolicyStore.
func (s *MemoryPolicyStore) SetPolicy(ctx context.Context, p Policy) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	p.Groups = slices.Clone(p.Groups)
	s.mu.Lock()
	s.policy = p
	s.mu.Unlock()
	return nil
}

// RequiredSince implements PolicyStore.
func (s *MemoryPolicyStore) RequiredSince(ctx context.Context, userID int64, now time.Time) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	if userID <= 0 {
		return time.Time{}, fmt.Errorf("mfa: required since: bad user ID %d", userID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.since[userID]; ok {
		return t, nil
	}
	t := now.UTC().Truncate(time.Microsecond)
	s.since[userID] = t
	return t, nil
}

// ResetRequiredSince implements PolicyStore.
func (s *MemoryPolicyStore) ResetRequiredSince(ctx context.Context, userID int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.since, userID)
	s.mu.Unlock()
	return nil
}
