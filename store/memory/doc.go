// Package memory is the embedded, in-process auth.Store: users, groups,
// content types, permissions and their memberships kept in maps behind a
// read-write mutex. It needs no setup, passes the conformance suite in
// store/storetest, and suits tests, examples, command-line tools and
// single-process services that load their users at start-up. Nothing is
// persisted: the data lives as long as the Store.
//
// # User types
//
// New takes the user type as its type parameter, either auth.User or a
// struct that embeds it by value:
//
//	users := memory.New[auth.User]()
//
//	type MyUser struct {
//		auth.User
//		PhoneNumber string `db:"phone_number"`
//		Tags        []string
//	}
//	custom := memory.New[MyUser]()
//
// The zero Store is an empty store as well, so a Store can be a field of a
// larger struct without a constructor call:
//
//	var users memory.Store[auth.User]
//
// # Copies
//
// The Store keeps its own deep copies. CreateUser and UpdateUser copy the
// value they are given, and every method that returns users returns fresh
// copies, so callers may change what they pass in or get back. The copy
// follows pointers, slices, maps and interfaces in exported fields
// (including LastLogin and any such fields of a custom type, with aliasing
// and cycles preserved); unexported fields of a custom type are copied
// shallowly, because reflection cannot set them.
//
// # Behaviour shared with PostgreSQL
//
// IDs start at 1 and increase, one sequence per table, and are never
// reused, like PostgreSQL serials. Times are stored in UTC truncated to
// microseconds, as a timestamptz column stores them. Usernames and group
// names are unique and compared exactly; GetUserByUsernameFold and the
// Search and Email filters of ListUsers compare upper-cased text, as
// Django's iexact and icontains do on PostgreSQL (Go's unicode.ToUpper and
// PostgreSQL's upper() under C.UTF-8 agree on every code point), and the
// case-insensitive username lookup and the Email filter go through
// indexes. Lists are in byte order, which is
// PostgreSQL's under the C and C.UTF-8 collations.
//
// # Atomicity
//
// Each method holds the lock for its whole run and validates everything it
// was given (field limits, referenced users, groups and permissions)
// before changing anything, so a call that fails writes nothing and other
// goroutines never observe half of a write.
package memory
