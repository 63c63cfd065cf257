// Package auth is a Go port of Django's django.contrib.auth: users, groups
// and permissions with Django's fields and semantics, password hashing in
// Django's formats, pluggable authentication backends, sessions, middleware
// and handlers. A Go service can share a live Django database with it.
//
// # Models
//
// User mirrors Django's AbstractUser and maps to the auth_user table. Apps
// extend it by embedding it by value; every generic API of the library
// takes the app's own type:
//
//	type MyUser struct {
//		auth.User
//		PhoneNumber string `db:"phone_number"`
//	}
//
// Group and Permission mirror auth_group and auth_permission. A permission
// is named "app_label.codename" everywhere, as in Django's has_perm.
// Register creates the default add/change/delete/view permissions of a
// model and its custom ones, idempotently.
//
// # Stores
//
// A Store persists the models. store/memory is the embedded default and
// store/postgres uses Django's own schema, so it can read and write a
// database that Django migrated. Both pass the conformance suite in
// store/storetest.
//
// # Requests
//
// Auth (see New) is the request side. Backends (package backends) are tried
// in order by Authenticate. Login, Logout and UpdateSessionAuthHash keep
// Django's session contract on an scs session: the keys _auth_user_id,
// _auth_user_backend and _auth_user_hash, a new token at login, and a
// password change ending every other session. Middleware loads the session
// and a lazily loaded RequestUser whose permissions are cached for one
// request only. The guards LoginRequired, PermissionRequired,
// UserPassesTest and LoginRequiredMiddleware each have a Check beside them
// for use inside a handler. Signals (UserLoggedIn, UserLoggedOut,
// UserLoginFailed) live on the Auth value. Routes mounts the login and
// logout pages under /accounts/, protected against cross-origin POSTs,
// with Django's safe-redirect rules (URLHasAllowedHostAndScheme).
//
// # Errors
//
// Failures are reported with sentinel errors such as ErrUserNotFound and
// ErrDuplicateUsername, checked with errors.Is. Rejected input is a
// *ValidationError, which matches ErrInvalid.
package auth
