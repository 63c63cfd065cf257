package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

func (x suite[U]) testGroups(t *testing.T, s auth.GroupStore) {
	ctx := context.Background()
	empty, err := s.ListGroups(ctx)
	require.NoError(t, err)
	require.Empty(t, empty)

	editors := createGroup(t, s, "editors")
	admins := createGroup(t, s, "admins")
	viewers := createGroup(t, s, "viewers")
	unicode := createGroup(t, s, "rédacteurs")
	require.Greater(t, admins.ID, editors.ID, "IDs increase in creation order")

	got, err := s.GetGroup(ctx, editors.ID)
	require.NoError(t, err)
	require.Equal(t, editors, got)
	got, err = s.GetGroupByName(ctx, "admins")
	require.NoError(t, err)
	require.Equal(t, admins, got)
	got, err = s.GetGroupByName(ctx, "rédacteurs")
	require.NoError(t, err)
	require.Equal(t, unicode, got)
	_, err = s.GetGroupByName(ctx, "Admins")
	require.ErrorIs(t, err, auth.ErrGroupNotFound, "group names are case-sensitive")

	all, err := s.ListGroups(ctx)
	require.NoError(t, err)
	require.Equal(t, []auth.Group{admins, editors, unicode, viewers}, all, "ordered by name")

	// Rename, then the old name is free and the new one is found.
	renamed := auth.Group{ID: viewers.ID, Name: "auditors"}
	require.NoError(t, s.UpdateGroup(ctx, &renamed))
	_, err = s.GetGroupByName(ctx, "viewers")
	require.ErrorIs(t, err, auth.ErrGroupNotFound)
	got, err = s.GetGroupByName(ctx, "auditors")
	require.NoError(t, err)
	require.Equal(t, renamed, got)
	require.NoError(t, s.UpdateGroup(ctx, &renamed), "renaming to its own name")
	createGroup(t, s, "viewers")

	// The caller's value is not kept.
	renamed.Name = "changed-by-caller"
	got, err = s.GetGroup(ctx, viewers.ID)
	require.NoError(t, err)
	require.Equal(t, "auditors", got.Name)

	require.NoError(t, s.DeleteGroup(ctx, editors.ID))
	_, err = s.GetGroup(ctx, editors.ID)
	require.ErrorIs(t, err, auth.ErrGroupNotFound)
	_, err = s.GetGroupByName(ctx, "editors")
	require.ErrorIs(t, err, auth.ErrGroupNotFound)
	all, err = s.ListGroups(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"admins", "auditors", "rédacteurs", "viewers"}, groupNames(all))

	again := createGroup(t, s, "editors")
	require.NotEqual(t, editors.ID, again.ID, "IDs are not reused")
}

func (x suite[U]) testGroupNotFound(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	g := createGroup(t, s, "exists")
	u := x.create(t, s, "member")
	missing := g.ID + 1000
	tests := []struct {
		name string
		call func() error
	}{
		{"GetGroup", func() error { _, err := s.GetGroup(ctx, missing); return err }},
		{"GetGroupZero", func() error { _, err := s.GetGroup(ctx, 0); return err }},
		{"GetGroupByName", func() error { _, err := s.GetGroupByName(ctx, "nope"); return err }},
		{"UpdateGroup", func() error { return s.UpdateGroup(ctx, &auth.Group{ID: missing, Name: "ghost"}) }},
		{"DeleteGroup", func() error { return s.DeleteGroup(ctx, missing) }},
		{"ListGroupUsers", func() error { _, err := s.ListGroupUsers(ctx, missing); return err }},
		{"ListGroupPermissions", func() error { _, err := s.ListGroupPermissions(ctx, missing); return err }},
		{"AddGroupPermissions", func() error { return s.AddGroupPermissions(ctx, missing, "auth.add_user") }},
		{"RemoveGroupPermissions", func() error { return s.RemoveGroupPermissions(ctx, missing, "auth.add_user") }},
		{"SetGroupPermissions", func() error { return s.SetGroupPermissions(ctx, missing, []string{"auth.add_user"}) }},
		{"AddUserGroups", func() error { return s.AddUserGroups(ctx, x.au(u).ID, missing) }},
		{"RemoveUserGroups", func() error { return s.RemoveUserGroups(ctx, x.au(u).ID, missing) }},
		{"SetUserGroups", func() error { return s.SetUserGroups(ctx, x.au(u).ID, []int64{missing}) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.call(), auth.ErrGroupNotFound)
		})
	}
	all, err := s.ListGroups(ctx)
	require.NoError(t, err)
	require.Equal(t, []auth.Group{g}, all, "UpdateGroup of an unknown ID must not insert")
}

func (x suite[U]) testDuplicateGroupName(t *testing.T, s auth.GroupStore) {
	ctx := context.Background()
	first := createGroup(t, s, "team")
	other := createGroup(t, s, "other")

	dup := auth.Group{Name: "team"}
	err := s.CreateGroup(ctx, &dup)
	require.ErrorIs(t, err, auth.ErrDuplicateGroupName)
	assert.Zero(t, dup.ID, "a failed create must not set the ID")

	rename := auth.Group{ID: other.ID, Name: "team"}
	require.ErrorIs(t, s.UpdateGroup(ctx, &rename), auth.ErrDuplicateGroupName)

	all, err := s.ListGroups(ctx)
	require.NoError(t, err)
	require.Equal(t, []auth.Group{other, first}, all)

	// Names differing only in case are different groups, as in Django.
	createGroup(t, s, "Team")
}

func (x suite[U]) testInvalidGroupRejected(t *testing.T, s auth.GroupStore) {
	ctx := context.Background()
	kept := createGroup(t, s, "kept")
	tests := []struct {
		name, value string
	}{
		{"Empty", ""},
		{"TooLong", repeat("g", auth.MaxGroupNameLength+1)},
		{"TooLongMultiByte", repeat("ü", auth.MaxGroupNameLength+1)},
		{"NUL", "a\x00b"},
		{"InvalidUTF8", "\xc3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := auth.Group{Name: tc.value}
			require.ErrorIs(t, s.CreateGroup(ctx, &g), auth.ErrInvalid)
			assert.Zero(t, g.ID)
			bad := auth.Group{ID: kept.ID, Name: tc.value}
			require.ErrorIs(t, s.UpdateGroup(ctx, &bad), auth.ErrInvalid)
		})
	}
	t.Run("MaxLengthMultiByte", func(t *testing.T) {
		createGroup(t, s, repeat("ü", auth.MaxGroupNameLength))
	})
	got, err := s.GetGroup(ctx, kept.ID)
	require.NoError(t, err)
	require.Equal(t, kept, got, "rejected updates write nothing")
	all, err := s.ListGroups(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2, "rejected groups are not written")
}

func (x suite[U]) testDeleteGroupCascades(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	doomed := createGroup(t, s, "doomed")
	kept := createGroup(t, s, "kept")
	require.NoError(t, s.AddGroupPermissions(ctx, doomed.ID, "reports.publish_report", "auth.view_user"))
	require.NoError(t, s.AddGroupPermissions(ctx, kept.ID, "auth.view_user"))
	u := x.create(t, s, "member")
	id := x.au(u).ID
	require.NoError(t, s.AddUserGroups(ctx, id, doomed.ID, kept.ID))

	require.NoError(t, s.DeleteGroup(ctx, doomed.ID))
	groups, err := s.ListUserGroups(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []auth.Group{kept}, groups)
	set, err := s.GroupPermissionSet(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{"auth.view_user"}, set.Sorted())
	holders, err := s.UsersWithPermission(ctx, "reports.publish_report", auth.WithPermOptions{})
	require.NoError(t, err)
	require.Empty(t, holders)
	x.get(t, s, id) // the member stays
	_, err = s.GetPermission(ctx, "reports.publish_report")
	require.NoError(t, err, "the permission stays")
	require.ErrorIs(t, s.DeleteGroup(ctx, doomed.ID), auth.ErrGroupNotFound, "deleting twice")

	// A new group with the old name starts empty.
	again := createGroup(t, s, "doomed")
	members, err := s.ListGroupUsers(ctx, again.ID)
	require.NoError(t, err)
	require.Empty(t, members)
	perms, err := s.ListGroupPermissions(ctx, again.ID)
	require.NoError(t, err)
	require.Empty(t, perms)
}
