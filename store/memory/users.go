package memory

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/store/internal/valid"
)

// CreateUser validates u, stores a copy of it under a new ID and sets u.ID.
// Times are stored in UTC truncated to microseconds; u itself keeps its
// times. A username that exists gives auth.ErrDuplicateUsername.
func (s *Store[U]) CreateUser(ctx context.Context, u *U) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	if u == nil {
		return &auth.ValidationError{Field: "User", Code: "required", Message: "user is nil"}
	}
	stored := s.normalized(u)
	au := auth.UserOf(stored)
	if err := au.Validate(); err != nil {
		return fmt.Errorf("memory: create user: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byUsername[au.Username]; ok {
		return fmt.Errorf("memory: create user %q: %w", au.Username, auth.ErrDuplicateUsername)
	}
	s.lastUserID++
	au.ID = s.lastUserID
	s.insertUser(stored)
	auth.UserOf(u).ID = au.ID
	return nil
}

// normalized returns a deep copy of u with its times normalised.
func (s *Store[U]) normalized(u *U) *U {
	cp := s.clone(u)
	au := auth.UserOf(cp)
	au.DateJoined = normTime(au.DateJoined)
	if au.LastLogin != nil {
		t := normTime(*au.LastLogin)
		au.LastLogin = &t
	}
	return cp
}

// insertUser indexes stored, which the Store owns. The write lock is held.
func (s *Store[U]) insertUser(stored *U) {
	au := auth.UserOf(stored)
	s.users[au.ID] = stored
	s.byUsername[au.Username] = au.ID
	s.byFold.add(foldKey(au.Username), au.ID)
	if au.Email != "" {
		s.byEmail.add(foldKey(au.Email), au.ID)
	}
}

// unindexUser removes the username and email indexes of the stored user.
// The write lock is held.
func (s *Store[U]) unindexUser(au *auth.User) {
	delete(s.byUsername, au.Username)
	s.byFold.remove(foldKey(au.Username), au.ID)
	if au.Email != "" {
		s.byEmail.remove(foldKey(au.Email), au.ID)
	}
}

// GetUser returns a copy of the user with the id, or auth.ErrUserNotFound.
func (s *Store[U]) GetUser(ctx context.Context, id int64) (*U, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[id]
	if !ok {
		return nil, fmt.Errorf("memory: get user %d: %w", id, auth.ErrUserNotFound)
	}
	return s.clone(u), nil
}

// GetUserByUsername returns a copy of the user whose username equals
// username exactly, or auth.ErrUserNotFound.
func (s *Store[U]) GetUserByUsername(ctx context.Context, username string) (*U, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	if !valid.Text(username) {
		return nil, fmt.Errorf("memory: get user %q: %w", username, auth.ErrUserNotFound)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byUsername[username]
	if !ok {
		return nil, fmt.Errorf("memory: get user %q: %w", username, auth.ErrUserNotFound)
	}
	return s.clone(s.users[id]), nil
}

// GetUserByUsernameFold returns a copy of the one user whose username
// equals username when both are upper-cased, as Django's username__iexact
// compares on PostgreSQL. It returns auth.ErrMultipleUsers when several
// match and auth.ErrUserNotFound when none does.
func (s *Store[U]) GetUserByUsernameFold(ctx context.Context, username string) (*U, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	if !valid.Text(username) {
		// strings.ToUpper would turn an invalid byte into U+FFFD and match
		// a username that holds one.
		return nil, fmt.Errorf("memory: get user %q (case-insensitive): %w", username, auth.ErrUserNotFound)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := s.byFold[foldKey(username)]
	switch len(ids) {
	case 0:
		return nil, fmt.Errorf("memory: get user %q (case-insensitive): %w", username, auth.ErrUserNotFound)
	case 1:
		for id := range ids {
			return s.clone(s.users[id]), nil
		}
	}
	return nil, fmt.Errorf("memory: get user %q (case-insensitive): %d users match: %w",
		username, len(ids), auth.ErrMultipleUsers)
}

// UpdateUser validates u and replaces the stored user with u's ID by a copy
// of u, or returns auth.ErrUserNotFound. Renaming to a username another
// user has gives auth.ErrDuplicateUsername.
func (s *Store[U]) UpdateUser(ctx context.Context, u *U) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	if u == nil {
		return &auth.ValidationError{Field: "User", Code: "required", Message: "user is nil"}
	}
	stored := s.normalized(u)
	au := auth.UserOf(stored)
	if err := au.Validate(); err != nil {
		return fmt.Errorf("memory: update user %d: %w", au.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.users[au.ID]
	if !ok {
		return fmt.Errorf("memory: update user %d: %w", au.ID, auth.ErrUserNotFound)
	}
	if other, ok := s.byUsername[au.Username]; ok && other != au.ID {
		return fmt.Errorf("memory: update user %d to %q: %w", au.ID, au.Username, auth.ErrDuplicateUsername)
	}
	s.unindexUser(auth.UserOf(old))
	s.insertUser(stored)
	return nil
}

// SetLastLogin sets the stored user's LastLogin to t, in UTC truncated to
// microseconds, and changes nothing else; a concurrent UpdateUser is
// never undone. It returns auth.ErrUserNotFound for an unknown id and a
// *auth.ValidationError for a time auth.NormalizeLastLogin rejects.
func (s *Store[U]) SetLastLogin(ctx context.Context, id int64, t time.Time) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	t, err := auth.NormalizeLastLogin(t)
	if err != nil {
		return fmt.Errorf("memory: set last login of user %d: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return fmt.Errorf("memory: set last login of user %d: %w", id, auth.ErrUserNotFound)
	}
	// A fresh pointer: the stored user owns it alone.
	auth.UserOf(u).LastLogin = &t
	return nil
}

// SetPassword sets the stored user's encoded password and changes nothing
// else; a concurrent UpdateUser is never undone. It returns
// auth.ErrUserNotFound for an unknown id and a *auth.ValidationError for a
// value auth.ValidateEncodedPassword rejects.
func (s *Store[U]) SetPassword(ctx context.Context, id int64, encoded string) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	if err := auth.ValidateEncodedPassword(encoded); err != nil {
		return fmt.Errorf("memory: set password of user %d: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return fmt.Errorf("memory: set password of user %d: %w", id, auth.ErrUserNotFound)
	}
	auth.UserOf(u).Password = encoded
	return nil
}

// DeleteUser deletes the user and its group and permission memberships, or
// returns auth.ErrUserNotFound.
func (s *Store[U]) DeleteUser(ctx context.Context, id int64) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return fmt.Errorf("memory: delete user %d: %w", id, auth.ErrUserNotFound)
	}
	s.unindexUser(auth.UserOf(u))
	delete(s.users, id)
	unlinkAll(s.userGroups, s.groupUsers, id)
	unlinkAll(s.userPerms, s.permUsers, id)
	return nil
}

// ListUsers returns copies of the users that match q, ordered by q.Order
// (by ID when it is empty).
func (s *Store[U]) ListUsers(ctx context.Context, q auth.UserQuery) ([]*U, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	limit, err := q.Validate()
	if err != nil {
		return nil, fmt.Errorf("memory: list users: %w", err)
	}
	if matchesNothing(q) {
		return []*U{}, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := s.matching(q)
	if q.Offset >= len(ids) {
		return []*U{}, nil
	}
	ids = ids[q.Offset:]
	if len(ids) > limit {
		ids = ids[:limit]
	}
	out := make([]*U, len(ids))
	for i, id := range ids {
		out[i] = s.clone(s.users[id])
	}
	return out, nil
}

// CountUsers returns how many users match q, ignoring its Offset and Limit.
func (s *Store[U]) CountUsers(ctx context.Context, q auth.UserQuery) (int, error) {
	if err := s.start(ctx); err != nil {
		return 0, err
	}
	q.Offset, q.Limit = 0, 0
	if _, err := q.Validate(); err != nil {
		return 0, fmt.Errorf("memory: count users: %w", err)
	}
	if matchesNothing(q) {
		return 0, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.matching(q)), nil
}

// matchesNothing reports whether q's Search or Email is text no user can
// hold (a NUL byte or invalid UTF-8), which strings.ToUpper would
// otherwise turn into U+FFFD and match.
func matchesNothing(q auth.UserQuery) bool {
	return !valid.Text(q.Search) || !valid.Text(q.Email)
}

// matching returns the sorted IDs of the users that match q's filters. The
// read lock is held. The candidates are the users with q.Email's key in
// the email index when Email is set, else the group's members when GroupID
// is set, else every user; each candidate is then checked against every
// filter.
func (s *Store[U]) matching(q auth.UserQuery) []int64 {
	search := foldKey(q.Search)
	email := foldKey(q.Email)
	var candidates iter.Seq[int64]
	switch {
	case q.Email != "":
		candidates = maps.Keys(s.byEmail[email])
	case q.GroupID != 0:
		candidates = maps.Keys(s.groupUsers[q.GroupID])
	default:
		candidates = maps.Keys(s.users)
	}
	keep := func(id int64) bool {
		u := auth.UserOf(s.users[id])
		switch {
		case q.IsActive != nil && u.IsActive != *q.IsActive,
			q.IsStaff != nil && u.IsStaff != *q.IsStaff,
			q.IsSuperuser != nil && u.IsSuperuser != *q.IsSuperuser:
			return false
		}
		if email != "" && foldKey(u.Email) != email {
			return false
		}
		if q.GroupID != 0 {
			if _, ok := s.groupUsers[q.GroupID][id]; !ok {
				return false
			}
		}
		return search == "" ||
			strings.Contains(foldKey(u.Username), search) ||
			strings.Contains(foldKey(u.Email), search) ||
			strings.Contains(foldKey(u.FirstName), search) ||
			strings.Contains(foldKey(u.LastName), search)
	}
	var ids []int64
	for id := range candidates {
		if keep(id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	switch field, desc, _ := q.OrderField(); {
	case field == "id" && desc:
		slices.Reverse(ids)
	case field != "id":
		s.orderIDs(ids, field, desc)
	}
	return ids
}

// orderIDs sorts ids, sorted by ID, stably by the users' field (one of
// auth.UserOrderFields), descending when desc: text byte by byte, false
// before true, a nil last login after every time (before, descending).
// The read lock is held.
func (s *Store[U]) orderIDs(ids []int64, field string, desc bool) {
	cmpBool := func(a, b bool) int {
		switch {
		case a == b:
			return 0
		case b:
			return -1
		}
		return 1
	}
	cmpUsers := func(a, b *auth.User) int {
		switch field {
		case "username":
			return strings.Compare(a.Username, b.Username)
		case "email":
			return strings.Compare(a.Email, b.Email)
		case "first_name":
			return strings.Compare(a.FirstName, b.FirstName)
		case "last_name":
			return strings.Compare(a.LastName, b.LastName)
		case "is_staff":
			return cmpBool(a.IsStaff, b.IsStaff)
		case "is_active":
			return cmpBool(a.IsActive, b.IsActive)
		case "is_superuser":
			return cmpBool(a.IsSuperuser, b.IsSuperuser)
		case "date_joined":
			return a.DateJoined.Compare(b.DateJoined)
		case "last_login":
			switch {
			case a.LastLogin == nil && b.LastLogin == nil:
				return 0
			case a.LastLogin == nil:
				return 1
			case b.LastLogin == nil:
				return -1
			}
			return a.LastLogin.Compare(*b.LastLogin)
		}
		return 0
	}
	slices.SortStableFunc(ids, func(x, y int64) int {
		c := cmpUsers(auth.UserOf(s.users[x]), auth.UserOf(s.users[y]))
		if desc {
			c = -c
		}
		return c
	})
}
