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

// Run runs the whole conformance suite against the stores that newStore
// makes: RunUsers, RunGroups, RunPermissions and RunMemberships. U is the
// user type (auth.User or a struct embedding it by value) and P is
// inferred, so a call reads
//
//	storetest.Run(t, func(t *testing.T) auth.Store[auth.User] { ... })
//
// Every subtest calls newStore once, runs in parallel with the others
// (t.Parallel) and may write anything. newStore must therefore return an
// empty store (no users, groups, content types or permissions) that no
// other call shares, and should register its own cleanup with t.Cleanup.
// newStore reports its own failures through t (t.Fatal, or t.Skip when the
// backing service is not configured). Some subtests call one store from
// several goroutines at once; a store that is not safe for concurrent use
// runs RunSequential instead.
func Run[U any](t *testing.T, newStore func(t *testing.T) auth.Store[U]) {
	t.Helper()
	runAll[U](t, newStore, true)
}

// RunSequential runs the suite of Run without the checks that call one
// store from several goroutines at once (the Concurrent... subtests). It is
// for a store that is documented as not safe for concurrent use, such as a
// PostgreSQL store on a single *pgx.Conn or inside one pgx.Tx: those checks
// cannot be passed by such a store, so they are not registered at all
// rather than skipped. A store that is safe for concurrent use runs Run.
func RunSequential[U any](t *testing.T, newStore func(t *testing.T) auth.Store[U]) {
	t.Helper()
	runAll[U](t, newStore, false)
}

func runAll[U any](t *testing.T, newStore func(t *testing.T) auth.Store[U], concurrent bool) {
	t.Helper()
	var x suite[U]
	runTests(t, func(t *testing.T) auth.UserStore[U] { return newStore(t) }, x.userTests(), concurrent)
	runTests(t, func(t *testing.T) auth.GroupStore { return newStore(t) }, x.groupTests(), concurrent)
	runTests(t, func(t *testing.T) auth.PermissionStore { return newStore(t) }, x.permissionTests(), concurrent)
	runTests(t, newStore, x.membershipTests(), concurrent)
}

// RunUsers runs the checks of the auth.UserStore part of the contract:
// create, read, update and delete users, the one-column writes, listing,
// searching and counting, case-insensitive lookups, validation and copies.
// A store that holds only users runs it alone; newStore has the duties
// described at Run.
func RunUsers[U any](t *testing.T, newStore func(t *testing.T) auth.UserStore[U]) {
	t.Helper()
	runTests(t, newStore, suite[U]{}.userTests(), true)
}

// RunGroups runs the checks of the auth.GroupStore part of the contract:
// groups alone, without members or permissions. newStore has the duties
// described at Run.
func RunGroups(t *testing.T, newStore func(t *testing.T) auth.GroupStore) {
	t.Helper()
	// The group checks do not touch users; auth.User stands in for U.
	runTests(t, newStore, suite[auth.User]{}.groupTests(), true)
}

// RunPermissions runs the checks of the auth.PermissionStore part of the
// contract: content types, permissions and auth.Register, without grants.
// newStore has the duties described at Run.
func RunPermissions(t *testing.T, newStore func(t *testing.T) auth.PermissionStore) {
	t.Helper()
	runTests(t, newStore, suite[auth.User]{}.permissionTests(), true)
}

// RunMemberships runs the checks of the auth.MembershipStore part, which
// relates users, groups and permissions and so needs the whole store:
// grants and group memberships, permission sets and UsersWithPermission,
// deletes that cascade to memberships, and the checks that span parts
// (copies of returned users, canceled contexts, a concurrent mix of every
// kind of call). newStore has the duties described at Run.
func RunMemberships[U any](t *testing.T, newStore func(t *testing.T) auth.Store[U]) {
	t.Helper()
	runTests(t, newStore, suite[U]{}.membershipTests(), true)
}

// test is one named conformance check of a store of type S.
type test[S any] struct {
	name string
	run  func(t *testing.T, s S)
	// concurrent marks a check that calls the store from several
	// goroutines at once; RunSequential leaves it out.
	concurrent bool
}

// runTests registers one parallel subtest per test, leaving out the
// concurrent ones unless concurrent is set.
func runTests[S any](t *testing.T, newStore func(t *testing.T) S, tests []test[S], concurrent bool) {
	t.Helper()
	for _, tc := range tests {
		if tc.concurrent && !concurrent {
			continue // RunSequential: see its documentation.
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			require.NotNil(t, any(s), "newStore returned nil")
			tc.run(t, s)
		})
	}
}

// suite holds the checks as methods, so that they share U and P.
type suite[U any] struct{}

func (x suite[U]) userTests() []test[auth.UserStore[U]] {
	return []test[auth.UserStore[U]]{
		{name: "CreateAndGetUser", run: x.testCreateAndGetUser},
		{name: "CreateUserIDsIncrease", run: x.testCreateUserIDsIncrease},
		{name: "TimesRoundTrip", run: x.testTimesRoundTrip},
		{name: "UserNotFound", run: x.testUserNotFound},
		{name: "UsernameIsCaseSensitive", run: x.testUsernameIsCaseSensitive},
		{name: "GetUserByUsernameFold", run: x.testGetUserByUsernameFold},
		{name: "DuplicateUsername", run: x.testDuplicateUsername},
		{name: "UnicodeUsernames", run: x.testUnicodeUsernames},
		{name: "InvalidUserRejected", run: x.testInvalidUserRejected},
		{name: "UpdateUser", run: x.testUpdateUser},
		{name: "UpdateUserRejected", run: x.testUpdateUserRejected},
		{name: "ListUsersPaging", run: x.testListUsersPaging},
		{name: "ListUsersInvalidQuery", run: x.testListUsersInvalidQuery},
		{name: "ListUsersOrder", run: x.testListUsersOrder},
		{name: "InvalidTextUserLookups", run: x.testInvalidTextUserLookups},
		{name: "FoldUnicode", run: x.testFoldUnicode},
		{name: "ListUsersByEmailMany", run: x.testListUsersByEmailMany},
		{name: "SetLastLogin", run: x.testSetLastLogin},
		{name: "SetPassword", run: x.testSetPassword},
		{name: "PartialUpdatesRejected", run: x.testPartialUpdatesRejected},
		{name: "PartialUpdatesCopy", run: x.testPartialUpdatesCopy},
		{name: "ConcurrentCreateSameUsername", run: x.testConcurrentCreateSameUsername, concurrent: true},
		{name: "ConcurrentPartialUpdates", run: x.testConcurrentPartialUpdates, concurrent: true},
	}
}

func (x suite[U]) groupTests() []test[auth.GroupStore] {
	return []test[auth.GroupStore]{
		{name: "Groups", run: x.testGroups},
		{name: "DuplicateGroupName", run: x.testDuplicateGroupName},
		{name: "InvalidGroupRejected", run: x.testInvalidGroupRejected},
		{name: "InvalidTextGroupLookups", run: x.testInvalidTextGroupLookups},
		{name: "GroupOrder", run: x.testGroupOrder},
		{name: "ConcurrentCreateSameGroup", run: x.testConcurrentCreateSameGroup, concurrent: true},
	}
}

func (x suite[U]) permissionTests() []test[auth.PermissionStore] {
	return []test[auth.PermissionStore]{
		{name: "ContentTypes", run: x.testContentTypes},
		{name: "RegisterAuthModels", run: x.testRegisterAuthModels},
		{name: "RegisterIsIdempotent", run: x.testRegisterIsIdempotent},
		{name: "RegisterCustomModel", run: x.testRegisterCustomModel},
		{name: "EnsurePermissionsRejectsBadBatch", run: x.testEnsurePermissionsRejectsBadBatch},
		{name: "CreatePermission", run: x.testCreatePermission},
		{name: "GetPermission", run: x.testGetPermission},
		{name: "InvalidTextPermissionLookups", run: x.testInvalidTextPermissionLookups},
		{name: "PermissionOrder", run: x.testPermissionOrder},
		{name: "ConcurrentRegister", run: x.testConcurrentRegister, concurrent: true},
	}
}

func (x suite[U]) membershipTests() []test[auth.Store[U]] {
	return []test[auth.Store[U]]{
		// Users, groups and permissions together.
		{name: "DeleteUser", run: x.testDeleteUser},
		{name: "ListUsers", run: x.testListUsers},
		{name: "ListUsersByEmail", run: x.testListUsersByEmail},
		{name: "CopySemantics", run: x.testCopySemantics},
		{name: "NilArguments", run: x.testNilArguments},
		{name: "GroupNotFound", run: x.testGroupNotFound},
		{name: "DeleteGroupCascades", run: x.testDeleteGroupCascades},
		{name: "DeletePermission", run: x.testDeletePermission},
		{name: "SharedCodename", run: x.testSharedCodename},
		// Memberships and permission questions.
		{name: "UserGroups", run: x.testUserGroups},
		{name: "UserGroupOrder", run: x.testUserGroupOrder},
		{name: "UserPermissions", run: x.testUserPermissions},
		{name: "GroupPermissions", run: x.testGroupPermissions},
		{name: "MembershipWritesAreAtomic", run: x.testMembershipWritesAreAtomic},
		{name: "MembershipListsOfUnknown", run: x.testMembershipListsOfUnknown},
		{name: "PermissionSets", run: x.testPermissionSets},
		{name: "UsersWithPermission", run: x.testUsersWithPermission},
		{name: "InvalidTextMemberships", run: x.testInvalidTextMemberships},
		{name: "CanceledContext", run: x.testCanceledContext},
		// Concurrency across parts.
		{name: "ConcurrentMixed", run: x.testConcurrentMixed, concurrent: true},
		{name: "ConcurrentIdempotentWrites", run: x.testConcurrentIdempotentWrites, concurrent: true},
	}
}

// au returns the embedded auth.User of u.
func (suite[U]) au(u *U) *auth.User { return auth.UserOf(u) }

// newUser returns a user with Django's defaults (active, joined at a fixed
// microsecond-precise UTC time) and the username, after applying the
// edits.
func (x suite[U]) newUser(username string, edits ...func(*auth.User)) *U {
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
func (x suite[U]) create(t *testing.T, s auth.UserStore[U], username string, edits ...func(*auth.User)) *U {
	t.Helper()
	u := x.newUser(username, edits...)
	require.NoError(t, s.CreateUser(context.Background(), u), "create user %q", username)
	require.NotZero(t, x.au(u).ID, "CreateUser must set the ID")
	return u
}

// get reads a user back by ID.
func (x suite[U]) get(t *testing.T, s auth.UserStore[U], id int64) *U {
	t.Helper()
	u, err := s.GetUser(context.Background(), id)
	require.NoError(t, err, "get user %d", id)
	require.NotNil(t, u)
	return u
}

// requireSameUser checks that got equals want field by field, comparing
// the times with time.Equal.
func (x suite[U]) requireSameUser(t *testing.T, want, got *U, msgAndArgs ...any) {
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
func (x suite[U]) ids(users []*U) []int64 {
	out := make([]int64, len(users))
	for i, u := range users {
		out[i] = x.au(u).ID
	}
	return out
}

// usernames returns the usernames of users.
func (x suite[U]) usernames(users []*U) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = x.au(u).Username
	}
	return out
}

// count returns CountUsers of the zero query.
func (x suite[U]) count(t *testing.T, s auth.UserStore[U]) int {
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
