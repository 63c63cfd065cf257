package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

func (x suite[U]) testUserGroups(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	writers := createGroup(t, s, "writers")
	admins := createGroup(t, s, "admins")
	readers := createGroup(t, s, "readers")
	u := x.create(t, s, "member")
	other := x.create(t, s, "other")
	id := x.au(u).ID

	list := func() []string {
		t.Helper()
		gs, err := s.ListUserGroups(ctx, id)
		require.NoError(t, err)
		return groupNames(gs)
	}
	require.Empty(t, list())

	require.NoError(t, s.AddUserGroups(ctx, id, writers.ID, admins.ID))
	require.Equal(t, []string{"admins", "writers"}, list(), "ordered by name")
	require.NoError(t, s.AddUserGroups(ctx, id, admins.ID, admins.ID), "adding a membership twice is a no-op")
	require.Equal(t, []string{"admins", "writers"}, list())
	require.NoError(t, s.AddUserGroups(ctx, id), "an empty list is a no-op")
	require.Equal(t, []string{"admins", "writers"}, list())

	require.NoError(t, s.AddUserGroups(ctx, x.au(other).ID, writers.ID))
	members, err := s.ListGroupUsers(ctx, writers.ID)
	require.NoError(t, err)
	require.Equal(t, []int64{id, x.au(other).ID}, x.ids(members), "ordered by ID")
	x.requireSameUser(t, u, members[0], "ListGroupUsers returns whole users")
	members, err = s.ListGroupUsers(ctx, readers.ID)
	require.NoError(t, err)
	require.Empty(t, members)

	require.NoError(t, s.RemoveUserGroups(ctx, id, writers.ID, readers.ID), "removing a missing membership is a no-op")
	require.Equal(t, []string{"admins"}, list())

	require.NoError(t, s.SetUserGroups(ctx, id, []int64{readers.ID, writers.ID}))
	require.Equal(t, []string{"readers", "writers"}, list())
	require.NoError(t, s.SetUserGroups(ctx, id, []int64{writers.ID, writers.ID}), "duplicates in a set")
	require.Equal(t, []string{"writers"}, list())
	require.NoError(t, s.SetUserGroups(ctx, id, nil))
	require.Empty(t, list())

	// The other user was never touched.
	gs, err := s.ListUserGroups(ctx, x.au(other).ID)
	require.NoError(t, err)
	require.Equal(t, []string{"writers"}, groupNames(gs))
}

func (x suite[U]) testUserPermissions(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	u := x.create(t, s, "granted")
	other := x.create(t, s, "other")
	id := x.au(u).ID

	list := func() []string {
		t.Helper()
		ps, err := s.ListUserPermissions(ctx, id)
		require.NoError(t, err)
		return permKeys(ps)
	}
	set := func() []string {
		t.Helper()
		ps, err := s.UserPermissionSet(ctx, id)
		require.NoError(t, err)
		return ps.Sorted()
	}
	require.Empty(t, list())
	require.Empty(t, set())

	require.NoError(t, s.AddUserPermissions(ctx, id, "reports.publish_report", "auth.view_user", "auth.add_group"))
	require.Equal(t, []string{"auth.add_group", "auth.view_user", "reports.publish_report"}, list(),
		"ordered by app label, model and codename")
	require.Equal(t, []string{"auth.add_group", "auth.view_user", "reports.publish_report"}, set())
	require.NoError(t, s.AddUserPermissions(ctx, id, "auth.view_user", "auth.view_user"), "granting twice is a no-op")
	require.Len(t, list(), 3)
	require.NoError(t, s.AddUserPermissions(ctx, id), "an empty list is a no-op")
	require.Len(t, list(), 3)

	require.NoError(t, s.RemoveUserPermissions(ctx, id, "auth.view_user", "auth.delete_user"),
		"revoking a missing grant is a no-op")
	require.Equal(t, []string{"auth.add_group", "reports.publish_report"}, list())

	require.NoError(t, s.SetUserPermissions(ctx, id, []string{"reports.view_report", "auth.add_group"}))
	require.Equal(t, []string{"auth.add_group", "reports.view_report"}, list())
	require.NoError(t, s.SetUserPermissions(ctx, id, []string{}))
	require.Empty(t, list())
	require.Empty(t, set())

	// Full rows come back.
	require.NoError(t, s.AddUserPermissions(ctx, id, "reports.archive_report"))
	ps, err := s.ListUserPermissions(ctx, id)
	require.NoError(t, err)
	want, err := s.GetPermission(ctx, "reports.archive_report")
	require.NoError(t, err)
	require.Equal(t, []auth.Permission{want}, ps)

	others, err := s.ListUserPermissions(ctx, x.au(other).ID)
	require.NoError(t, err)
	require.Empty(t, others, "grants are per user")
}

func (x suite[U]) testGroupPermissions(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	g := createGroup(t, s, "editors")
	other := createGroup(t, s, "other")

	list := func() []string {
		t.Helper()
		ps, err := s.ListGroupPermissions(ctx, g.ID)
		require.NoError(t, err)
		return permKeys(ps)
	}
	require.Empty(t, list())
	require.NoError(t, s.AddGroupPermissions(ctx, g.ID, "reports.change_report", "auth.view_group"))
	require.Equal(t, []string{"auth.view_group", "reports.change_report"}, list())
	require.NoError(t, s.AddGroupPermissions(ctx, g.ID, "auth.view_group"), "granting twice is a no-op")
	require.Len(t, list(), 2)
	require.NoError(t, s.RemoveGroupPermissions(ctx, g.ID, "auth.view_group", "auth.add_user"))
	require.Equal(t, []string{"reports.change_report"}, list())
	require.NoError(t, s.SetGroupPermissions(ctx, g.ID, []string{"reports.add_report", "reports.view_report"}))
	require.Equal(t, []string{"reports.add_report", "reports.view_report"}, list())

	ps, err := s.ListGroupPermissions(ctx, other.ID)
	require.NoError(t, err)
	require.Empty(t, ps, "grants are per group")
	require.NoError(t, s.SetGroupPermissions(ctx, g.ID, nil))
	require.Empty(t, list())
}

func (x suite[U]) testMembershipWritesAreAtomic(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	u := x.create(t, s, "subject")
	id := x.au(u).ID
	old := createGroup(t, s, "old")
	fresh := createGroup(t, s, "fresh")
	g := createGroup(t, s, "granted")
	require.NoError(t, s.AddUserGroups(ctx, id, old.ID))
	require.NoError(t, s.AddUserPermissions(ctx, id, "auth.view_user"))
	require.NoError(t, s.AddGroupPermissions(ctx, g.ID, "auth.view_group"))
	missingUser := id + 1000
	missingGroup := g.ID + 1000

	tests := []struct {
		name string
		call func() error
		err  error
	}{
		{"AddUserPermissionsUnknownPerm", func() error {
			return s.AddUserPermissions(ctx, id, "auth.add_user", "nope.nope")
		}, auth.ErrPermissionNotFound},
		{"AddUserPermissionsMalformedPerm", func() error {
			return s.AddUserPermissions(ctx, id, "auth.add_user", "malformed")
		}, auth.ErrInvalid},
		{"AddUserPermissionsUnknownUser", func() error {
			return s.AddUserPermissions(ctx, missingUser, "auth.add_user")
		}, auth.ErrUserNotFound},
		{"RemoveUserPermissionsUnknownPerm", func() error {
			return s.RemoveUserPermissions(ctx, id, "auth.view_user", "nope.nope")
		}, auth.ErrPermissionNotFound},
		{"SetUserPermissionsUnknownPerm", func() error {
			return s.SetUserPermissions(ctx, id, []string{"auth.add_user", "nope.nope"})
		}, auth.ErrPermissionNotFound},
		{"SetUserPermissionsUnknownUser", func() error {
			return s.SetUserPermissions(ctx, missingUser, []string{"auth.add_user"})
		}, auth.ErrUserNotFound},
		{"AddUserGroupsUnknownGroup", func() error {
			return s.AddUserGroups(ctx, id, fresh.ID, missingGroup)
		}, auth.ErrGroupNotFound},
		{"AddUserGroupsUnknownUser", func() error {
			return s.AddUserGroups(ctx, missingUser, fresh.ID)
		}, auth.ErrUserNotFound},
		{"RemoveUserGroupsUnknownGroup", func() error {
			return s.RemoveUserGroups(ctx, id, old.ID, missingGroup)
		}, auth.ErrGroupNotFound},
		{"RemoveUserGroupsUnknownUser", func() error {
			return s.RemoveUserGroups(ctx, missingUser, old.ID)
		}, auth.ErrUserNotFound},
		{"SetUserGroupsUnknownGroup", func() error {
			return s.SetUserGroups(ctx, id, []int64{fresh.ID, missingGroup})
		}, auth.ErrGroupNotFound},
		{"SetUserGroupsUnknownUser", func() error {
			return s.SetUserGroups(ctx, missingUser, []int64{fresh.ID})
		}, auth.ErrUserNotFound},
		{"AddGroupPermissionsUnknownPerm", func() error {
			return s.AddGroupPermissions(ctx, g.ID, "auth.add_group", "nope.nope")
		}, auth.ErrPermissionNotFound},
		{"RemoveGroupPermissionsUnknownPerm", func() error {
			return s.RemoveGroupPermissions(ctx, g.ID, "auth.view_group", "nope.nope")
		}, auth.ErrPermissionNotFound},
		{"SetGroupPermissionsUnknownPerm", func() error {
			return s.SetGroupPermissions(ctx, g.ID, []string{"auth.add_group", "nope.nope"})
		}, auth.ErrPermissionNotFound},
		{"SetGroupPermissionsMalformedPerm", func() error {
			return s.SetGroupPermissions(ctx, g.ID, []string{"auth.add_group", "a.b\x00"})
		}, auth.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.call(), tc.err)

			groups, err := s.ListUserGroups(ctx, id)
			require.NoError(t, err)
			require.Equal(t, []string{"old"}, groupNames(groups), "the user's groups are unchanged")
			direct, err := s.UserPermissionSet(ctx, id)
			require.NoError(t, err)
			require.Equal(t, []string{"auth.view_user"}, direct.Sorted(), "the user's grants are unchanged")
			viaGroup, err := s.ListGroupPermissions(ctx, g.ID)
			require.NoError(t, err)
			require.Equal(t, []string{"auth.view_group"}, permKeys(viaGroup), "the group's grants are unchanged")
			members, err := s.ListGroupUsers(ctx, fresh.ID)
			require.NoError(t, err)
			require.Empty(t, members)
		})
	}
	assert.Equal(t, 1, x.count(t, s))
}

func (x suite[U]) testMembershipListsOfUnknown(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	u := x.create(t, s, "someone")
	g := createGroup(t, s, "somegroup")
	missingUser := x.au(u).ID + 1000
	missingGroup := g.ID + 1000

	_, err := s.ListUserGroups(ctx, missingUser)
	require.ErrorIs(t, err, auth.ErrUserNotFound)
	got, _, err := s.GetUserWithPermissions(ctx, missingUser)
	require.ErrorIs(t, err, auth.ErrUserNotFound)
	require.Nil(t, got)
	_, err = s.ListUserPermissions(ctx, missingUser)
	require.ErrorIs(t, err, auth.ErrUserNotFound)
	_, err = s.ListGroupUsers(ctx, missingGroup)
	require.ErrorIs(t, err, auth.ErrGroupNotFound)
	_, err = s.ListGroupPermissions(ctx, missingGroup)
	require.ErrorIs(t, err, auth.ErrGroupNotFound)

	// The permission sets of an unknown user are empty, not an error.
	set, err := s.UserPermissionSet(ctx, missingUser)
	require.NoError(t, err)
	require.Empty(t, set)
	set, err = s.GroupPermissionSet(ctx, missingUser)
	require.NoError(t, err)
	require.Empty(t, set)
}

func (x suite[U]) testPermissionSets(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	editors := createGroup(t, s, "editors")
	viewers := createGroup(t, s, "viewers")
	require.NoError(t, s.AddGroupPermissions(ctx, editors.ID, "reports.change_report", "reports.view_report"))
	require.NoError(t, s.AddGroupPermissions(ctx, viewers.ID, "reports.view_report", "auth.view_user"))

	both := x.create(t, s, "both")
	require.NoError(t, s.AddUserGroups(ctx, x.au(both).ID, editors.ID, viewers.ID))
	require.NoError(t, s.AddUserPermissions(ctx, x.au(both).ID, "reports.publish_report", "reports.view_report"))
	bare := x.create(t, s, "bare")
	// The stored sets ignore the active and superuser rules.
	inactiveSuper := x.create(t, s, "inactive_super", func(a *auth.User) {
		a.IsActive, a.IsSuperuser = false, true
	})
	require.NoError(t, s.AddUserGroups(ctx, x.au(inactiveSuper).ID, viewers.ID))

	tests := []struct {
		name      string
		user      *U
		wantUser  []string
		wantGroup []string
		groups    []string
	}{
		{"DirectAndTwoGroups", both,
			[]string{"reports.publish_report", "reports.view_report"},
			[]string{"auth.view_user", "reports.change_report", "reports.view_report"},
			[]string{"editors", "viewers"}},
		{"NoPermissions", bare, []string{}, []string{}, []string{}},
		{"InactiveSuperuser", inactiveSuper, []string{}, []string{"auth.view_user", "reports.view_report"}, []string{"viewers"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := x.au(tc.user).ID
			direct, err := s.UserPermissionSet(ctx, id)
			require.NoError(t, err)
			require.Equal(t, tc.wantUser, direct.Sorted())
			viaGroup, err := s.GroupPermissionSet(ctx, id)
			require.NoError(t, err)
			require.Equal(t, tc.wantGroup, viaGroup.Sorted())

			got, perms, err := s.GetUserWithPermissions(ctx, id)
			require.NoError(t, err)
			x.requireSameUser(t, tc.user, got)
			require.Equal(t, tc.wantUser, perms.User.Sorted())
			require.Equal(t, tc.wantGroup, perms.Group.Sorted())
			require.Equal(t, tc.groups, perms.Groups, "the group names are read with the user, empty not nil")
		})
	}
}

func (x suite[U]) testUsersWithPermission(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	// Another app with the same codename must not count.
	_, err := auth.Register(ctx, s, auth.ModelSpec{AppLabel: "archive", Model: "report",
		Custom: []auth.PermissionSpec{{Codename: "publish_report", Name: "Can publish archived report"}}})
	require.NoError(t, err)
	publishers := createGroup(t, s, "publishers")
	require.NoError(t, s.AddGroupPermissions(ctx, publishers.ID, "reports.publish_report"))
	const perm = "reports.publish_report"

	direct := x.create(t, s, "direct")
	require.NoError(t, s.AddUserPermissions(ctx, x.au(direct).ID, perm))
	viaGroup := x.create(t, s, "via_group")
	require.NoError(t, s.AddUserGroups(ctx, x.au(viaGroup).ID, publishers.ID))
	directAndGroup := x.create(t, s, "direct_and_group")
	require.NoError(t, s.AddUserPermissions(ctx, x.au(directAndGroup).ID, perm))
	require.NoError(t, s.AddUserGroups(ctx, x.au(directAndGroup).ID, publishers.ID))
	super := x.create(t, s, "super", func(a *auth.User) { a.IsSuperuser = true })
	superDirect := x.create(t, s, "super_direct", func(a *auth.User) { a.IsSuperuser = true })
	require.NoError(t, s.AddUserPermissions(ctx, x.au(superDirect).ID, perm))
	inactive := x.create(t, s, "inactive", func(a *auth.User) { a.IsActive = false })
	require.NoError(t, s.AddUserPermissions(ctx, x.au(inactive).ID, perm))
	inactiveGroup := x.create(t, s, "inactive_group", func(a *auth.User) { a.IsActive = false })
	require.NoError(t, s.AddUserGroups(ctx, x.au(inactiveGroup).ID, publishers.ID))
	inactiveSuper := x.create(t, s, "inactive_super", func(a *auth.User) { a.IsActive, a.IsSuperuser = false, true })
	x.create(t, s, "nobody")
	otherApp := x.create(t, s, "other_app")
	require.NoError(t, s.AddUserPermissions(ctx, x.au(otherApp).ID, "archive.publish_report", "reports.view_report"))

	id := func(us ...*U) []int64 { return sortedCopy(x.ids(us)) }
	tests := []struct {
		name string
		perm string
		opts auth.WithPermOptions
		want []int64
	}{
		{"Defaults", perm, auth.WithPermOptions{},
			id(direct, viaGroup, directAndGroup, super, superDirect)},
		{"IncludeInactive", perm, auth.WithPermOptions{IncludeInactive: true},
			id(direct, viaGroup, directAndGroup, super, superDirect, inactive, inactiveGroup, inactiveSuper)},
		{"ExcludeSuperusers", perm, auth.WithPermOptions{ExcludeSuperusers: true},
			id(direct, viaGroup, directAndGroup, superDirect)},
		{"IncludeInactiveExcludeSuperusers", perm, auth.WithPermOptions{IncludeInactive: true, ExcludeSuperusers: true},
			id(direct, viaGroup, directAndGroup, superDirect, inactive, inactiveGroup)},
		{"OtherApp", "archive.publish_report", auth.WithPermOptions{ExcludeSuperusers: true}, id(otherApp)},
		{"NoHolders", "auth.delete_user", auth.WithPermOptions{ExcludeSuperusers: true}, id()},
		{"OnlySuperusers", "auth.delete_user", auth.WithPermOptions{}, id(super, superDirect)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.UsersWithPermission(ctx, tc.perm, tc.opts)
			require.NoError(t, err)
			require.Equal(t, tc.want, x.ids(got), "got %v", x.usernames(got))
		})
	}
	t.Run("ReturnsWholeUsers", func(t *testing.T) {
		got, err := s.UsersWithPermission(ctx, perm, auth.WithPermOptions{ExcludeSuperusers: true})
		require.NoError(t, err)
		require.NotEmpty(t, got)
		x.requireSameUser(t, direct, got[0])
	})
	errs := []struct {
		name, perm string
		err        error
	}{
		{"UnknownPermission", "nope.nope", auth.ErrPermissionNotFound},
		{"UnknownCodename", "reports.fly_report", auth.ErrPermissionNotFound},
		{"Malformed", "publish_report", auth.ErrInvalid},
		{"Empty", "", auth.ErrInvalid},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.UsersWithPermission(ctx, tc.perm, auth.WithPermOptions{})
			require.ErrorIs(t, err, tc.err)
			require.Nil(t, got)
		})
	}
}
