package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/store/internal/valid"
)

// CreateGroup validates g, stores it under a new ID and sets g.ID. A name
// that exists gives auth.ErrDuplicateGroupName.
func (s *Store[U]) CreateGroup(ctx context.Context, g *auth.Group) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	if g == nil {
		return &auth.ValidationError{Field: "Group", Code: "required", Message: "group is nil"}
	}
	if err := g.Validate(); err != nil {
		return fmt.Errorf("memory: create group: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groupByName[g.Name]; ok {
		return fmt.Errorf("memory: create group %q: %w", g.Name, auth.ErrDuplicateGroupName)
	}
	s.lastGroupID++
	stored := auth.Group{ID: s.lastGroupID, Name: g.Name}
	s.groups[stored.ID] = stored
	s.groupByName[stored.Name] = stored.ID
	g.ID = stored.ID
	return nil
}

// GetGroup returns the group with the id, or auth.ErrGroupNotFound.
func (s *Store[U]) GetGroup(ctx context.Context, id int64) (auth.Group, error) {
	if err := s.start(ctx); err != nil {
		return auth.Group{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.groups[id]
	if !ok {
		return auth.Group{}, fmt.Errorf("memory: get group %d: %w", id, auth.ErrGroupNotFound)
	}
	return g, nil
}

// GetGroupByName returns the group with exactly that name, or
// auth.ErrGroupNotFound.
func (s *Store[U]) GetGroupByName(ctx context.Context, name string) (auth.Group, error) {
	if err := s.start(ctx); err != nil {
		return auth.Group{}, err
	}
	if !valid.Text(name) {
		return auth.Group{}, fmt.Errorf("memory: get group %q: %w", name, auth.ErrGroupNotFound)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.groupByName[name]
	if !ok {
		return auth.Group{}, fmt.Errorf("memory: get group %q: %w", name, auth.ErrGroupNotFound)
	}
	return s.groups[id], nil
}

// UpdateGroup renames the group with g's ID, or returns
// auth.ErrGroupNotFound. A name another group has gives
// auth.ErrDuplicateGroupName.
func (s *Store[U]) UpdateGroup(ctx context.Context, g *auth.Group) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	if g == nil {
		return &auth.ValidationError{Field: "Group", Code: "required", Message: "group is nil"}
	}
	if err := g.Validate(); err != nil {
		return fmt.Errorf("memory: update group %d: %w", g.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.groups[g.ID]
	if !ok {
		return fmt.Errorf("memory: update group %d: %w", g.ID, auth.ErrGroupNotFound)
	}
	if other, ok := s.groupByName[g.Name]; ok && other != g.ID {
		return fmt.Errorf("memory: update group %d to %q: %w", g.ID, g.Name, auth.ErrDuplicateGroupName)
	}
	delete(s.groupByName, old.Name)
	s.groups[g.ID] = auth.Group{ID: g.ID, Name: g.Name}
	s.groupByName[g.Name] = g.ID
	return nil
}

// DeleteGroup deletes the group and its user and permission memberships,
// or returns auth.ErrGroupNotFound.
func (s *Store[U]) DeleteGroup(ctx context.Context, id int64) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[id]
	if !ok {
		return fmt.Errorf("memory: delete group %d: %w", id, auth.ErrGroupNotFound)
	}
	delete(s.groups, id)
	delete(s.groupByName, g.Name)
	unlinkAll(s.groupUsers, s.userGroups, id)
	unlinkAll(s.groupPerms, s.permGroups, id)
	return nil
}

// ListGroups returns every group ordered by name.
func (s *Store[U]) ListGroups(ctx context.Context) ([]auth.Group, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]auth.Group, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g)
	}
	sortGroups(out)
	return out, nil
}

// sortGroups orders groups by name, as PostgreSQL does under the C
// collation (byte order).
func sortGroups(gs []auth.Group) {
	slices.SortFunc(gs, func(a, b auth.Group) int { return cmp.Compare(a.Name, b.Name) })
}
