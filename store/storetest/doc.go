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
//   - Passwords: CreateUser, UpdateUser and SetPassword store the Password
//     as given, so they refuse plain text: only what
//     auth.ValidateEncodedPassword accepts ("", an unusable "!..." value or
//     an encoded hash such as "pbkdf2_sha256$...") is written; "s3cret"
//     is a *auth.ValidationError with the code "not_hashed".
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
//   - Case-insensitive matching and order: see the next two sections.
//   - Copies: changing a *U after CreateUser or UpdateUser, or changing a
//     *U or PermSet a store returned, does not change stored state.
//   - Times: stores return DateJoined and LastLogin in UTC, truncated to
//     microseconds (PostgreSQL's precision); the suite compares instants
//     with time.Time.Equal.
//   - Concurrency: parallel creates of one username or group name let
//     exactly one succeed; parallel Registers of the same models all
//     succeed and agree; parallel adds of the same membership all succeed;
//     and a mix of parallel reads and writes of every kind succeeds and
//     adds up (run with -race to check locking).
//   - Context: a canceled context fails calls with an error matching
//     context.Canceled and writes nothing.
//
// # Case-insensitive matching, for any database
//
// GetUserByUsernameFold (Django's username__iexact), auth.UserQuery.Email
// (email__iexact) and auth.UserQuery.Search (icontains over username,
// email, first and last name) compare strings as Django does on
// PostgreSQL: both sides upper-cased one code point at a time, then
// compared exactly (Fold, Email) or as a literal substring (Search). The
// upper case of a code point is its simple Unicode mapping, Go's
// unicode.ToUpper, which PostgreSQL's upper() agrees with under a UTF-8
// LC_CTYPE; the memory store compares strings.ToUpper of both sides, and
// keeps an index of the upper-cased usernames and emails. The suite pins
// the cases where this differs from other comparisons (FoldUnicode,
// ListUsersByEmail):
//
//   - a dotless "ı" matches "I", "ſ" matches "S", and "ς", "σ" and "Σ"
//     match each other, because each upper-cases to that letter;
//   - "ß" does not match "SS" (its full upper case is two letters, which a
//     one-code-point mapping cannot give), nor does the Kelvin sign match
//     "k" or "İ" match "i" (each upper-cases to itself), although full case
//     folding or an accent- and case-insensitive collation equates them;
//   - nothing is normalised: "é" and "e" + U+0301 differ; nothing is
//     trimmed; "%" and "_" are literal.
//
// A new store must reproduce exactly this, not its database's notion of
// case: SQLite's upper() and LIKE fold ASCII only, so a SQLite store
// upper-cases in Go (a column holding the upper-cased value, or a Go
// function registered with the driver); MySQL's _ci collations compare by
// collation weight (ß equals ss under utf8mb4_0900_ai_ci, and accents are
// ignored), so a MySQL store compares UPPER() of both sides under a binary
// collation (utf8mb4_bin), or upper-cases in Go. Text with a NUL byte or
// invalid UTF-8 matches nothing and must never be upper-cased lossily
// (Go's strings.ToUpper turns an invalid byte into U+FFFD, which would
// then match a stored U+FFFD).
//
// # Order, for any database
//
// Users come back ordered by ID, which the store assigns in increasing
// order of creation (CreateUserIDsIncrease, ListUsersPaging), and paging
// with Offset and Limit walks that order. Groups (ListGroups,
// ListUserGroups) are ordered by name, content types by app label and
// model, permissions by app label, model and codename, and every string is
// compared bytewise: the byte order of UTF-8, which is code point order,
// Go's string comparison and PostgreSQL's COLLATE "C". The suite requires
// byte order, not a linguistic or case-insensitive collation (GroupOrder,
// UserGroupOrder, PermissionOrder): "Zulu" < "alpha" < "zulu" < "Äpfel" <
// "Émile" < "ärger" < "émile". The PostgreSQL store says COLLATE "C" in
// every ORDER BY, so the database's default collation does not matter;
// SQLite's default BINARY collation is byte order; a MySQL store orders by
// a binary collation (utf8mb4_bin or COLLATE utf8mb4_bin in the query).
package storetest
