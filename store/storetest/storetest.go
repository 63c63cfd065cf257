package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// Run runs the conformance suite against the stores that newStore makes.
// U is the user type (auth.User or a struct embedding it by value) and P is
// inferred, so a call reads
//
//	storetest.Run(t, func(t *testing.T) auth.Store[auth.User] { ... })
//
// Every subtest calls newStore once, runs in parallel with the others
// (t.Parallel) and may write anything. newStore must therefore return an
// empty store (no users, groups, content types or permissions) that no
// other call shares, and should register its own cleanup with t.Cleanup.
// newStore reports its own failures through t (t.Fatal, or t.Skip when the
// backing service is not configured).
func Run[U any, P auth.UserPtr[U]](t *testing.T, newStore func(t *testing.T) auth.Store[U]) {
	t.Helper()
	runTests(t, newStore, suite[U, P]{}.tests())
}

// test is one named conformance check.
type test[U any] struct {
	name string
	run  func(t *testing.T, s auth.Store[U])
}

func runTests[U any](t *testing.T, newStore func(t *testing.T) auth.Store[U], tests []test[U]) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			tc.run(t, s)
		})
	}
}

// suite holds the checks of Run as methods, so that they share U and P.
type suite[U any, P auth.UserPtr[U]] struct{}

func (x suite[U, P]) tests() []test[U] {
	return []test[U]{
		// Users.
		{"CreateAndGetUser", x.testCreateAndGetUser},
		{"CreateUserIDsIncrease", x.testCreateUserIDsIncrease},
		{"TimesRoundTrip", x.testTimesRoundTrip},
		{"UserNotFound", x.testUserNotFound},
		{"UsernameIsCaseSensitive", x.testUsernameIsCaseSensitive},
		{"GetUserByUsernameFold", x.testGetUserByUsernameFold},
		{"DuplicateUsername", x.testDuplicateUsername},
		{"UnicodeUsernames", x.testUnicodeUsernames},
		{"InvalidUserRejected", x.testInvalidUserRejected},
		{"UpdateUser", x.testUpdateUser},
		{"UpdateUserRejected", x.testUpdateUserRejected},
		{"DeleteUser", x.testDeleteUser},
		{"ListUsers", x.testListUsers},
		{"ListUsersPaging", x.testListUsersPaging},
		{"ListUsersInvalidQuery", x.testListUsersInvalidQuery},
		{"InvalidTextUserLookups", x.testInvalidTextUserLookups},
		{"ListUsersByEmail", x.testListUsersByEmail},
		{"ListUsersByEmailMany", x.testListUsersByEmailMany},
		{"CopySemantics", x.testCopySemantics},
		{"NilArguments", x.testNilArguments},
		{"SetLastLogin", x.testSetLastLogin},
		{"SetPassword", x.testSetPassword},
		{"PartialUpdatesRejected", x.testPartialUpdatesRejected},
		{"PartialUpdatesCopy", x.testPartialUpdatesCopy},
		// Groups.
		{"Groups", x.testGroups},
		{"GroupNotFound", x.testGroupNotFound},
		{"DuplicateGroupName", x.testDuplicateGroupName},
		{"InvalidGroupRejected", x.testInvalidGroupRejected},
		{"InvalidTextGroupLookups", x.testInvalidTextGroupLookups},
		{"DeleteGroupCascades", x.testDeleteGroupCascades},
		// Content types and permissions.
		{"ContentTypes", x.testContentTypes},
		{"RegisterAuthModels", x.testRegisterAuthModels},
		{"RegisterIsIdempotent", x.testRegisterIsIdempotent},
		{"RegisterCustomModel", x.testRegisterCustomModel},
		{"EnsurePermissionsRejectsBadBatch", x.testEnsurePermissionsRejectsBadBatch},
		{"CreatePermission", x.testCreatePermission},
		{"GetPermission", x.testGetPermission},
		{"DeletePermission", x.testDeletePermission},
		{"SharedCodename", x.testSharedCodename},
		{"InvalidTextPermissionLookups", x.testInvalidTextPermissionLookups},
		// Memberships and permission questions.
		{"UserGroups", x.testUserGroups},
		{"UserPermissions", x.testUserPermissions},
		{"GroupPermissions", x.testGroupPermissions},
		{"MembershipWritesAreAtomic", x.testMembershipWritesAreAtomic},
		{"MembershipListsOfUnknown", x.testMembershipListsOfUnknown},
		{"PermissionSets", x.testPermissionSets},
		{"UsersWithPermission", x.testUsersWithPermission},
		{"InvalidTextMemberships", x.testInvalidTextMemberships},
		// Concurrency and context.
		{"ConcurrentCreateSameUsername", x.testConcurrentCreateSameUsername},
		{"ConcurrentCreateSameGroup", x.testConcurrentCreateSameGroup},
		{"ConcurrentMixed", x.testConcurrentMixed},
		{"ConcurrentRegister", x.testConcurrentRegister},
		{"ConcurrentIdempotentWrites", x.testConcurrentIdempotentWrites},
		{"ConcurrentPartialUpdates", x.testConcurrentPartialUpdates},
		{"CanceledContext", x.testCanceledContext},
	}
}

// au returns the embedded auth.User of u.
func (suite[U, P]) au(u *U) *auth.User { return P(u).AuthUser() }

// newUser returns a user with Django's defaults (active, joined at a fixed
// microsecond-precise UTC time) and the username, after applying the
// edits.
func (x suite[U, P]) newUser(username string, edits ...func(*auth.User)) *U {
	u := new(U)
	a := x.au(u)
	*a = auth.NewUser(username)
	a.Username = username // keep it exactly, without NFKC
	a.DateJoined = time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	for _, e := range edits {
		e(a)
	}
	return u
}

// create stores a new user and returns it with its ID set.
func (x suite[U, P]) create(t *testing.T, s auth.Store[U], username string, edits ...func(*auth.User)) *U {
	t.Helper()
	u := x.newUser(username, edits...)
	require.NoError(t, s.CreateUser(context.Background(), u), "create user %q", username)
	require.NotZero(t, x.au(u).ID, "CreateUser must set the ID")
	return u
}

// get reads a user back by ID.
func (x suite[U, P]) get(t *testing.T, s auth.Store[U], id int64) *U {
	t.Helper()
	u, err := s.GetUser(context.Background(), id)
	require.NoError(t, err, "get user %d", id)
	require.NotNil(t, u)
	return u
}

// requireSameUser checks that got equals want field by field, comparing
// the times with time.Equal.
func (x suite[U, P]) requireSameUser(t *testing.T, want, got *U, msgAndArgs ...any) {
	t.Helper()
	require.NotNil(t, got, msgAndArgs...)
	w, g := *want, *got
	wa, ga := x.au(&w), x.au(&g)
	requireTimeEqual(t, wa.DateJoined, ga.DateJoined, msgAndArgs...)
	requireTimePtrEqual(t, wa.LastLogin, ga.LastLogin, msgAndArgs...)
	wa.DateJoined, ga.DateJoined = time.Time{}, time.Time{}
	wa.LastLogin, ga.LastLogin = nil, nil
	require.Equal(t, w, g, msgAndArgs...)
}

// ids returns the IDs of users.
func (x suite[U, P]) ids(users []*U) []int64 {
	out := make([]int64, len(users))
	for i, u := range users {
		out[i] = x.au(u).ID
	}
	return out
}

// usernames returns the usernames of users.
func (x suite[U, P]) usernames(users []*U) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = x.au(u).Username
	}
	return out
}

// count returns CountUsers of the zero query.
func (x suite[U, P]) count(t *testing.T, s auth.Store[U]) int {
	t.Helper()
	n, err := s.CountUsers(context.Background(), auth.UserQuery{})
	require.NoError(t, err)
	return n
}

// requireTimeEqual checks that got is want as an instant, in UTC.
func requireTimeEqual(t *testing.T, want, got time.Time, msgAndArgs ...any) {
	t.Helper()
	require.Truef(t, want.Equal(got), "time: want %s, got %s %v", want, got, msgAndArgs)
	require.Equalf(t, time.UTC, got.Location(), "stores return times in UTC; got %s %v", got, msgAndArgs)
}

func requireTimePtrEqual(t *testing.T, want, got *time.Time, msgAndArgs ...any) {
	t.Helper()
	if want == nil || got == nil {
		require.Equalf(t, want == nil, got == nil, "LastLogin: want %v, got %v %v", want, got, msgAndArgs)
		return
	}
	requireTimeEqual(t, *want, *got, msgAndArgs...)
}

// groupNames returns the names of groups.
func groupNames(gs []auth.Group) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.Name
	}
	return out
}

// permKeys returns the keys of perms.
func permKeys(ps []auth.Permission) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Key()
	}
	return out
}

// reportModel is the custom model the permission tests register: the
// default permissions named after "report" plus two custom ones.
func reportModel() auth.ModelSpec {
	return auth.ModelSpec{
		AppLabel: "reports",
		Model:    "Report",
		Custom: []auth.PermissionSpec{
			{Codename: "publish_report", Name: "Can publish report"},
			{Codename: "archive_report", Name: "Can archive report"},
		},
	}
}

// register creates the permissions of auth.AuthModels and reportModel.
func register(t *testing.T, s auth.PermissionEnsurer) []auth.Permission {
	t.Helper()
	perms, err := auth.Register(context.Background(), s, append(auth.AuthModels(), reportModel())...)
	require.NoError(t, err)
	return perms
}

// createGroup stores a group with the name and returns it.
func createGroup(t *testing.T, s auth.GroupStore, name string) auth.Group {
	t.Helper()
	g := auth.Group{Name: name}
	require.NoError(t, s.CreateGroup(context.Background(), &g), "create group %q", name)
	require.NotZero(t, g.ID, "CreateGroup must set the ID")
	return g
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// repeat returns s repeated n times.
func repeat(s string, n int) string { return strings.Repeat(s, n) }

// sortedCopy returns a sorted copy of ids.
func sortedCopy(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
