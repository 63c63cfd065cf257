package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// invalidTexts are strings that no store can hold: PostgreSQL rejects a NUL
// byte in text (SQLSTATE 22021 or 22P05) and invalid UTF-8 (22021). A
// lookup by such a string finds nothing, and a store must say so itself,
// without sending it to the database.
//
// "a\xff" and "\xef\xbf" sit beside stored names that contain U+FFFD, the
// rune that Go's strings.ToUpper and a lossy decoder turn an invalid byte
// into: a store that upper-cases or decodes before comparing would match
// them.
func invalidTexts() []struct{ name, value string } {
	return []struct{ name, value string }{
		{"NUL", "a\x00"},
		{"OnlyNUL", "\x00"},
		{"InvalidUTF8", "a\xff"},
		{"TruncatedRune", "\xef\xbf"},
		{"Surrogate", "\xed\xa0\x80"},
	}
}

// replacementNames are valid names whose U+FFFD invalidTexts must not match.
var replacementNames = []string{"a\uFFFD", "\uFFFD", "A\uFFFD"}

// testInvalidTextUserLookups: every user lookup by text treats a NUL byte
// or invalid UTF-8 as "no such user" (never a database error), and a
// filter of ListUsers or CountUsers holding one matches no user.
func (x suite[U]) testInvalidTextUserLookups(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	for _, name := range replacementNames {
		x.create(t, s, name, func(a *auth.User) {
			a.Email = name + "@example.com"
			a.FirstName = name
		})
	}
	x.create(t, s, "a")
	for _, tc := range invalidTexts() {
		t.Run(tc.name, func(t *testing.T) {
			u, err := s.GetUserByUsername(ctx, tc.value)
			require.ErrorIs(t, err, auth.ErrUserNotFound, "GetUserByUsername")
			require.NotErrorIs(t, err, auth.ErrInvalid)
			require.Nil(t, u)

			u, err = s.GetUserByUsernameFold(ctx, tc.value)
			require.ErrorIs(t, err, auth.ErrUserNotFound, "GetUserByUsernameFold")
			require.Nil(t, u)

			for _, q := range []auth.UserQuery{
				{Search: tc.value},
				{Email: tc.value},
				{Email: tc.value + "@example.com"},
				{Search: "a", Email: tc.value},
			} {
				users, err := s.ListUsers(ctx, q)
				require.NoError(t, err, "ListUsers %+v", q)
				require.Empty(t, users, "ListUsers %+v matches nothing", q)
				require.NotNil(t, users, "ListUsers returns an empty slice, not nil")
				n, err := s.CountUsers(ctx, q)
				require.NoError(t, err, "CountUsers %+v", q)
				require.Zero(t, n, "CountUsers %+v", q)
			}
		})
	}
	assert.Equal(t, len(replacementNames)+1, x.count(t, s))
}

// testInvalidTextGroupLookups: GetGroupByName of a NUL byte or invalid
// UTF-8 is ErrGroupNotFound; writing one is a *ValidationError (see
// testInvalidGroupRejected).
func (x suite[U]) testInvalidTextGroupLookups(t *testing.T, s auth.GroupStore) {
	ctx := context.Background()
	for _, name := range replacementNames {
		createGroup(t, s, name)
	}
	for _, tc := range invalidTexts() {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.GetGroupByName(ctx, tc.value)
			require.ErrorIs(t, err, auth.ErrGroupNotFound)
			require.NotErrorIs(t, err, auth.ErrInvalid)
		})
	}
}

// testInvalidTextPermissionLookups: content type and permission lookups of
// a NUL byte or invalid UTF-8 find nothing, while writes of one are
// rejected with a *ValidationError and write nothing.
func (x suite[U]) testInvalidTextPermissionLookups(t *testing.T, s auth.PermissionStore) {
	ctx := context.Background()
	register(t, s)
	_, err := auth.Register(ctx, s, auth.ModelSpec{AppLabel: "a\uFFFD", Model: "\uFFFD"})
	require.NoError(t, err)
	before, err := s.ListPermissions(ctx, "")
	require.NoError(t, err)
	beforeCTs, err := s.ListContentTypes(ctx)
	require.NoError(t, err)

	for _, tc := range invalidTexts() {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.GetContentType(ctx, tc.value, "user")
			require.ErrorIs(t, err, auth.ErrContentTypeNotFound, "GetContentType app label")
			_, err = s.GetContentType(ctx, "auth", tc.value)
			require.ErrorIs(t, err, auth.ErrContentTypeNotFound, "GetContentType model")
			_, err = s.GetContentType(ctx, tc.value, tc.value)
			require.ErrorIs(t, err, auth.ErrContentTypeNotFound, "GetContentType both")

			for _, perm := range []string{"auth." + tc.value, tc.value + ".add_user", tc.value + "." + tc.value} {
				_, err = s.GetPermission(ctx, perm)
				require.ErrorIs(t, err, auth.ErrPermissionNotFound, "GetPermission %q", perm)
				require.NotErrorIs(t, err, auth.ErrInvalid, "GetPermission %q", perm)
			}

			perms, err := s.ListPermissions(ctx, tc.value)
			require.NoError(t, err, "ListPermissions")
			require.Empty(t, perms, "ListPermissions of an app label no store can hold")

			// Writes are rejected.
			_, err = s.GetOrCreateContentType(ctx, "blog", tc.value)
			requireInvalid(t, err, "GetOrCreateContentType")
			_, err = s.EnsurePermissions(ctx, tc.value, "thing", nil)
			requireInvalid(t, err, "EnsurePermissions app label")
			_, err = s.EnsurePermissions(ctx, "things", "thing",
				[]auth.Permission{{Codename: "ok", Name: tc.value}})
			requireInvalid(t, err, "EnsurePermissions name")
			p := auth.Permission{Codename: tc.value, Name: "Can x", AppLabel: "auth", Model: "user"}
			requireInvalid(t, s.CreatePermission(ctx, &p), "CreatePermission")
			requireInvalid(t, s.DeletePermission(ctx, "auth."+tc.value), "DeletePermission")
		})
	}
	after, err := s.ListPermissions(ctx, "")
	require.NoError(t, err)
	require.Equal(t, before, after, "rejected writes write nothing")
	afterCTs, err := s.ListContentTypes(ctx)
	require.NoError(t, err)
	require.Equal(t, beforeCTs, afterCTs, "rejected writes create no content type")
}

// testInvalidTextMemberships: UsersWithPermission of a permission name
// with a NUL byte or invalid UTF-8 is ErrPermissionNotFound, and a grant or
// revoke naming one is a *ValidationError and writes nothing.
func (x suite[U]) testInvalidTextMemberships(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	u := x.create(t, s, "member")
	id := x.au(u).ID
	g := createGroup(t, s, "team")
	require.NoError(t, s.AddUserPermissions(ctx, id, "auth.view_user"))
	require.NoError(t, s.AddGroupPermissions(ctx, g.ID, "auth.view_group"))
	for _, tc := range invalidTexts() {
		t.Run(tc.name, func(t *testing.T) {
			for _, perm := range []string{"auth." + tc.value, tc.value + ".add_user"} {
				users, err := s.UsersWithPermission(ctx, perm, auth.WithPermOptions{})
				require.ErrorIs(t, err, auth.ErrPermissionNotFound, "UsersWithPermission %q", perm)
				require.NotErrorIs(t, err, auth.ErrInvalid, "UsersWithPermission %q", perm)
				require.Nil(t, users)
			}
			bad := "auth." + tc.value
			requireInvalid(t, s.AddUserPermissions(ctx, id, "auth.add_user", bad), "AddUserPermissions")
			requireInvalid(t, s.RemoveUserPermissions(ctx, id, "auth.view_user", bad), "RemoveUserPermissions")
			requireInvalid(t, s.SetUserPermissions(ctx, id, []string{bad}), "SetUserPermissions")
			requireInvalid(t, s.AddGroupPermissions(ctx, g.ID, "auth.add_group", bad), "AddGroupPermissions")
			requireInvalid(t, s.RemoveGroupPermissions(ctx, g.ID, "auth.view_group", bad), "RemoveGroupPermissions")
			requireInvalid(t, s.SetGroupPermissions(ctx, g.ID, []string{bad}), "SetGroupPermissions")
		})
	}
	set, err := s.UserPermissionSet(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{"auth.view_user"}, set.Sorted(), "rejected writes change no grant")
	set, err = s.GroupPermissionSet(ctx, id)
	require.NoError(t, err)
	require.Empty(t, set)
	gp, err := s.ListGroupPermissions(ctx, g.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"auth.view_group"}, permKeys(gp))
}

// requireInvalid checks that err is a *ValidationError.
func requireInvalid(t *testing.T, err error, msgAndArgs ...any) {
	t.Helper()
	require.ErrorIs(t, err, auth.ErrInvalid, msgAndArgs...)
	var ve *auth.ValidationError
	require.ErrorAs(t, err, &ve, msgAndArgs...)
}
