package memory

import (
	"context"
	"fmt"
	"slices"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/store/internal/valid"
)

// checkUser returns auth.ErrUserNotFound, wrapped, unless the user exists.
// A lock is held.
func (s *Store[U]) checkUser(op string, id int64) error {
	if _, ok := s.users[id]; !ok {
		return fmt.Errorf("memory: %s: user %d: %w", op, id, auth.ErrUserNotFound)
	}
	return nil
}

// checkGroups returns auth.ErrGroupNotFound, wrapped, for the first group
// that does not exist. A lock is held.
func (s *Store[U]) checkGroups(op string, ids []int64) error {
	for _, id := range ids {
		if _, ok := s.groups[id]; !ok {
			return fmt.Errorf("memory: %s: group %d: %w", op, id, auth.ErrGroupNotFound)
		}
	}
	return nil
}

// resolvePerms returns the IDs of the permissions named by perms. A
// malformed name gives a *auth.ValidationError and an unknown one
// auth.ErrPermissionNotFound. A lock is held.
func (s *Store[U]) resolvePerms(op string, perms []string) ([]int64, error) {
	var ids []int64
	for _, perm := range perms {
		if _, _, err := auth.ParsePermission(perm); err != nil {
			return nil, fmt.Errorf("memory: %s: %w", op, err)
		}
		matched := s.permByKey[perm]
		if len(matched) == 0 {
			return nil, fmt.Errorf("memory: %s: permission %q: %w", op, perm, auth.ErrPermissionNotFound)
		}
		for id := range matched {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// link adds the pairs (owner, id) to a relation kept in both directions.
func link(forward, backward idSetMap[int64], owner int64, ids []int64) {
	for _, id := range ids {
		forward.add(owner, id)
		backward.add(id, owner)
	}
}

// unlink removes the pairs (owner, id) from a relation kept in both
// directions.
func unlink(forward, backward idSetMap[int64], owner int64, ids []int64) {
	for _, id := range ids {
		forward.remove(owner, id)
		backward.remove(id, owner)
	}
}

// unlinkAll removes owner and all its pairs from a relation kept in both
// directions.
func unlinkAll(forward, backward idSetMap[int64], owner int64) {
	for id := range forward[owner] {
		backward.remove(id, owner)
	}
	delete(forward, owner)
}

// relink makes ids the only partners of owner in a relation kept in both
// directions.
func relink(forward, backward idSetMap[int64], owner int64, ids []int64) {
	keep := make(idSet, len(ids))
	for _, id := range ids {
		keep[id] = struct{}{}
	}
	var drop []int64
	for id := range forward[owner] {
		if _, ok := keep[id]; !ok {
			drop = append(drop, id)
		}
	}
	unlink(forward, backward, owner, drop)
	link(forward, backward, owner, ids)
}

// AddUserGroups puts the user in the groups. An unknown user or group fails
// the call before anything is written.
func (s *Store[U]) AddUserGroups(ctx context.Context, userID int64, groupIDs ...int64) error {
	return s.writeUserGroups(ctx, "add user groups", userID, groupIDs, link)
}

// RemoveUserGroups takes the user out of the groups. An unknown user or
// group fails the call before anything is written.
func (s *Store[U]) RemoveUserGroups(ctx context.Context, userID int64, groupIDs ...int64) error {
	return s.writeUserGroups(ctx, "remove user groups", userID, groupIDs, unlink)
}

// SetUserGroups makes groupIDs the user's only groups. An unknown user or
// group fails the call before anything is written.
func (s *Store[U]) SetUserGroups(ctx context.Context, userID int64, groupIDs []int64) error {
	return s.writeUserGroups(ctx, "set user groups", userID, groupIDs, relink)
}

func (s *Store[U]) writeUserGroups(ctx context.Context, op string, userID int64, groupIDs []int64,
	apply func(forward, backward idSetMap[int64], owner int64, ids []int64)) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUser(op, userID); err != nil {
		return err
	}
	if err := s.checkGroups(op, groupIDs); err != nil {
		return err
	}
	apply(s.userGroups, s.groupUsers, userID, groupIDs)
	return nil
}

// ListUserGroups returns the user's groups ordered by name, or
// auth.ErrUserNotFound.
func (s *Store[U]) ListUserGroups(ctx context.Context, userID int64) ([]auth.Group, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkUser("list user groups", userID); err != nil {
		return nil, err
	}
	return s.groupsOf(userID), nil
}

// groupsOf returns the groups of user id ordered by name; the caller
// holds mu.
func (s *Store[U]) groupsOf(id int64) []auth.Group {
	out := make([]auth.Group, 0, len(s.userGroups[id]))
	for g := range s.userGroups[id] {
		out = append(out, s.groups[g])
	}
	sortGroups(out)
	return out
}

// ListGroupUsers returns copies of the group's members ordered by ID, or
// auth.ErrGroupNotFound.
func (s *Store[U]) ListGroupUsers(ctx context.Context, groupID int64) ([]*U, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkGroups("list group users", []int64{groupID}); err != nil {
		return nil, err
	}
	return s.cloneUsers(s.groupUsers[groupID]), nil
}

// cloneUsers returns copies of the users with the ids, ordered by ID. A
// lock is held.
func (s *Store[U]) cloneUsers(ids idSet) []*U {
	sorted := make([]int64, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	slices.Sort(sorted)
	out := make([]*U, len(sorted))
	for i, id := range sorted {
		out[i] = s.clone(s.users[id])
	}
	return out
}

// AddUserPermissions grants the permissions to the user directly. An
// unknown user or permission fails the call before anything is written.
func (s *Store[U]) AddUserPermissions(ctx context.Context, userID int64, perms ...string) error {
	return s.writeUserPerms(ctx, "add user permissions", userID, perms, link)
}

// RemoveUserPermissions revokes direct grants. An unknown user or
// permission fails the call before anything is written.
func (s *Store[U]) RemoveUserPermissions(ctx context.Context, userID int64, perms ...string) error {
	return s.writeUserPerms(ctx, "remove user permissions", userID, perms, unlink)
}

// SetUserPermissions makes perms the user's only direct permissions. An
// unknown user or permission fails the call before anything is written.
func (s *Store[U]) SetUserPermissions(ctx context.Context, userID int64, perms []string) error {
	return s.writeUserPerms(ctx, "set user permissions", userID, perms, relink)
}

func (s *Store[U]) writeUserPerms(ctx context.Context, op string, userID int64, perms []string,
	apply func(forward, backward idSetMap[int64], owner int64, ids []int64)) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUser(op, userID); err != nil {
		return err
	}
	ids, err := s.resolvePerms(op, perms)
	if err != nil {
		return err
	}
	apply(s.userPerms, s.permUsers, userID, ids)
	return nil
}

// ListUserPermissions returns the user's direct permissions ordered by app
// label, model and codename, or auth.ErrUserNotFound.
func (s *Store[U]) ListUserPermissions(ctx context.Context, userID int64) ([]auth.Permission, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkUser("list user permissions", userID); err != nil {
		return nil, err
	}
	return s.permList(s.userPerms[userID]), nil
}

// AddGroupPermissions grants the permissions to the group. An unknown group
// or permission fails the call before anything is written.
func (s *Store[U]) AddGroupPermissions(ctx context.Context, groupID int64, perms ...string) error {
	return s.writeGroupPerms(ctx, "add group permissions", groupID, perms, link)
}

// RemoveGroupPermissions revokes grants from the group. An unknown group or
// permission fails the call before anything is written.
func (s *Store[U]) RemoveGroupPermissions(ctx context.Context, groupID int64, perms ...string) error {
	return s.writeGroupPerms(ctx, "remove group permissions", groupID, perms, unlink)
}

// SetGroupPermissions makes perms the group's only permissions. An unknown
// group or permission fails the call before anything is written.
func (s *Store[U]) SetGroupPermissions(ctx context.Context, groupID int64, perms []string) error {
	return s.writeGroupPerms(ctx, "set group permissions", groupID, perms, relink)
}

func (s *Store[U]) writeGroupPerms(ctx context.Context, op string, groupID int64, perms []string,
	apply func(forward, backward idSetMap[int64], owner int64, ids []int64)) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkGroups(op, []int64{groupID}); err != nil {
		return err
	}
	ids, err := s.resolvePerms(op, perms)
	if err != nil {
		return err
	}
	apply(s.groupPerms, s.permGroups, groupID, ids)
	return nil
}

// ListGroupPermissions returns the group's permissions ordered by app
// label, model and codename, or auth.ErrGroupNotFound.
func (s *Store[U]) ListGroupPermissions(ctx context.Context, groupID int64) ([]auth.Permission, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkGroups("list group permissions", []int64{groupID}); err != nil {
		return nil, err
	}
	return s.permList(s.groupPerms[groupID]), nil
}

// permList returns the permissions with the ids, sorted. A lock is held.
func (s *Store[U]) permList(ids idSet) []auth.Permission {
	out := make([]auth.Permission, 0, len(ids))
	for id := range ids {
		out = append(out, s.perms[id])
	}
	sortPermissions(out)
	return out
}

// UserPermissionSet returns the keys of the user's direct permissions. An
// unknown user has an empty set.
func (s *Store[U]) UserPermissionSet(ctx context.Context, userID int64) (auth.PermSet, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.userPermSet(userID), nil
}

// GroupPermissionSet returns the keys of the permissions the user holds
// through its groups. An unknown user has an empty set.
func (s *Store[U]) GroupPermissionSet(ctx context.Context, userID int64) (auth.PermSet, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.groupPermSet(userID), nil
}

func (s *Store[U]) userPermSet(userID int64) auth.PermSet {
	set := make(auth.PermSet, len(s.userPerms[userID]))
	for id := range s.userPerms[userID] {
		set[s.perms[id].Key()] = struct{}{}
	}
	return set
}

func (s *Store[U]) groupPermSet(userID int64) auth.PermSet {
	set := make(auth.PermSet)
	for g := range s.userGroups[userID] {
		for id := range s.groupPerms[g] {
			set[s.perms[id].Key()] = struct{}{}
		}
	}
	return set
}

// GetUserWithPermissions returns a copy of the user with its direct and
// group permission sets and its group names (ordered as ListUserGroups
// orders them), read under one lock, or auth.ErrUserNotFound.
func (s *Store[U]) GetUserWithPermissions(ctx context.Context, id int64) (*U, auth.UserPermissions, error) {
	if err := s.start(ctx); err != nil {
		return nil, auth.UserPermissions{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[id]
	if !ok {
		return nil, auth.UserPermissions{}, fmt.Errorf("memory: get user %d with permissions: %w", id, auth.ErrUserNotFound)
	}
	gs := s.groupsOf(id)
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name
	}
	return s.clone(u), auth.UserPermissions{User: s.userPermSet(id), Group: s.groupPermSet(id), Groups: names}, nil
}

// UsersWithPermission returns copies of the users that hold perm directly,
// through a group or (unless opts.ExcludeSuperusers) as superusers,
// ordered by ID, as Django's UserManager.with_perm does. Only active users
// are returned unless opts.IncludeInactive. A malformed name gives a
// *auth.ValidationError and an unknown one (or one with a NUL byte or
// invalid UTF-8) auth.ErrPermissionNotFound.
func (s *Store[U]) UsersWithPermission(ctx context.Context, perm string, opts auth.WithPermOptions) ([]*U, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	if !valid.Text(perm) {
		return nil, fmt.Errorf("memory: users with permission %q: %w", perm, auth.ErrPermissionNotFound)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	permIDs, err := s.resolvePerms("users with permission", []string{perm})
	if err != nil {
		return nil, err
	}
	holders := make(idSet)
	for _, p := range permIDs {
		for u := range s.permUsers[p] {
			holders[u] = struct{}{}
		}
		for g := range s.permGroups[p] {
			for u := range s.groupUsers[g] {
				holders[u] = struct{}{}
			}
		}
	}
	if !opts.ExcludeSuperusers {
		for id, u := range s.users {
			if auth.UserOf(u).IsSuperuser {
				holders[id] = struct{}{}
			}
		}
	}
	if !opts.IncludeInactive {
		for id := range holders {
			if !auth.UserOf(s.users[id]).IsActive {
				delete(holders, id)
			}
		}
	}
	return s.cloneUsers(holders), nil
}
