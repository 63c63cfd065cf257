// Package storetest is the conformance suite for implementations of
// auth.Store, in the manner of testing/slogtest: the behaviour that the
// Store contract promises is written once here, and every store runs it
// from its own tests.
//
// # Running the suite
//
// A store's test calls Run with a factory, once for auth.User and, through
// RunCustom, once for a custom user type with extra columns:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) auth.Store[auth.User] {
//			return memory.New[auth.User]()
//		})
//	}
//
//	func TestConformanceCustomUser(t *testing.T) {
//		storetest.RunCustom(t, func(t *testing.T) auth.Store[storetest.CustomUser] {
//			return memory.New[storetest.CustomUser]()
//		})
//	}
//
// # Running it part by part
//
// A store that implements only part of auth.Store proves that part alone:
//
//	storetest.RunUsers(t, func(t *testing.T) auth.UserStore[auth.User] { ... })
//	storetest.RunGroups(t, func(t *testing.T) auth.GroupStore { ... })
//	storetest.RunPermissions(t, func(t *testing.T) auth.PermissionStore { ... })
//	storetest.RunMemberships(t, func(t *testing.T) auth.Store[auth.User] { ... })
//
// RunMemberships needs the whole store, since memberships relate the other
// three parts; it also holds the checks that span parts. Run runs all
// four.
//
// # Stores that are not safe for concurrent use
//
// Some checks (the Concurrent... subtests) call one store from several
// goroutines at once. A store that is documented as not safe for
// concurrent use, such as the PostgreSQL store on a single *pgx.Conn or
// inside one pgx.Tx, runs RunSequential: the whole suite without those
// checks, which are not registered at all, so nothing is skipped.
//
// # What the factory must provide
//
// The factory is called once per subtest, and the subtests run in parallel
// (t.Parallel). Each call must return a store that is:
//
//   - empty: no users, groups, content types or permissions. The suite
//     registers what it needs itself, with auth.Register.
//   - private: no other call of the factory sees its writes. A database
//     store can give each call its own schema or database, and drop it in
//     t.Cleanup.
//   - complete: for RunCustom, able to store CustomUser's extra fields in
//     the columns phone_number (text, NOT NULL) and age (integer, NOT
//     NULL).
//   - Unicode-aware: case-insensitive comparisons must upper-case
//     non-ASCII letters ("émile" matches "ÉMILE"), which for PostgreSQL
//     means a database whose LC_CTYPE is a UTF-8 locale such as C.UTF-8.
//
// The factory reports its own setup failures through t: t.Fatal when
// setup breaks, t.Skip (with a message saying how to enable it) when an
// optional backing service is not configured.
//
// # What the suite checks
//
// Every method of auth.Store is exercised, with these rules made concrete:
//
//   - Not found and duplicates: every lookup of an unknown ID, username,
//     group, content type or permission returns its sentinel error
//     (auth.ErrUserNotFound and so on), wrapped; list methods of an
//     unknown user or group (ListUserGroups, ListGroupUsers, ...) do too,
//     while UserPermissionSet and GroupPermissionSet of an unknown user
//     return an empty set. Duplicate usernames, group names and
//     permission codenames return their sentinels.
//   - Bad input: values beyond Django's column limits (counted in
//     characters, so 150 two-byte characters are a valid username), empty
//     required fields, NUL bytes, invalid UTF-8 and malformed permission
//     names are rejected by writes with a *auth.ValidationError (matching
//     auth.ErrInvalid), and nothing is written.
//   - Text no store can hold: a lookup by a string with a NUL byte or
//     invalid UTF-8 (GetUserByUsername, GetUserByUsernameFold,
//     GetGroupByName, GetContentType, GetPermission, UsersWithPermission)
//     returns its not-found sentinel, never a database error, and a
//     ListUsers or CountUsers Search or Email, or a ListPermissions app
//     label, holding one matches nothing. Such text must not be decoded
//     lossily either: "a\xff" does not match a stored "a\uFFFD". A
//     database store should answer these without a round trip (PostgreSQL
//     fails them with SQLSTATE 22021 or 22P05).
//   - Atomic writes: a membership write that names one unknown user, group
//     or permission fails whole; for instance
//     AddUserPermissions(id, "auth.add_user", "nope.nope") grants nothing
//     and SetUserGroups with an unknown group keeps the old groups.
//   - Shared codenames: Django makes codenames unique per content type,
//     so two models of one app may share one and "app_label.codename"
//     then names both. Grants, revokes, deletes and UsersWithPermission
//     by that key cover all of them; GetPermission returns the first in
//     ListPermissions order.
//   - One-column writes: SetLastLogin and SetPassword change their column
//     and nothing else, so an UpdateUser made after the caller read the
//     user survives them, also when they run concurrently with it; a bad
//     value or an unknown ID changes nothing.
//   - Case-insensitive matching: GetUserByUsernameFold and
//     auth.UserQuery.Email compare the strings upper-cased one code point
//     at a time, as PostgreSQL's upper() does, and match whole values
//     ("%" and "_" are literal, nothing is trimmed, a substring is no
//     match). The suite pins the cases where this differs from full case
//     folding: a dotless "ı" matches "I", "ſ" matches "S" and "ς" matches
//     "σ", while "ß" does not match "SS", the Kelvin sign does not match
//     "k" and "İ" does not match "i". Search is a literal substring match
//     under the same upper-casing.
//   - Copies: changing a *U after CreateUser or UpdateUser, or changing a
//     *U or PermSet a store returned, does not change stored state.
//   - Times: stores return DateJoined and LastLogin in UTC, truncated to
//     microseconds (PostgreSQL's precision); the suite compares instants
//     with time.Time.Equal.
//   - Order: users come back ordered by ID, groups by name, content types
//     by app label and model, permissions by app label, model and
//     codename. Names in the suite are chosen so that byte order and the
//     usual database collations agree.
//   - Concurrency: parallel creates of one username or group name let
//     exactly one succeed; parallel Registers of the same models all
//     succeed and agree; parallel adds of the same membership all succeed;
//     and a mix of parallel reads and writes of every kind succeeds and
//     adds up (run with -race to check locking).
//   - Context: a canceled context fails calls with an error matching
//     context.Canceled and writes nothing.
package storetest
