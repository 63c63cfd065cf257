// Package auth is Django's django.contrib.auth for Go: users, groups and
// permissions with Django's fields and rules, password hashes in Django's
// formats, authentication backends, sessions, middleware, guards and the
// login pages. A Go service can share a live Django database with it.
//
// A store and a secret key give a working site:
//
//	store := memory.New[auth.User]() // or postgres.New over Django's tables
//	a, err := auth.New(auth.Config[auth.User]{Store: store, SecretKey: os.Getenv("SECRET_KEY")})
//	mux := http.NewServeMux()
//	a.Routes(mux, "/accounts/") // login/, logout/, profile/
//	mux.Handle("/reports/", a.PermissionRequired("reports.view_report")(reports))
//	http.ListenAndServe(":8000", a.Middleware(mux))
//
// New, Config and Middleware are the place to start; package accounts adds
// the password change and reset pages (accounts.Manager.Routes mounts them
// and these in one call).
//
// # Models
//
// User mirrors Django's AbstractUser and maps to the auth_user table. Apps
// extend it by embedding it by value, and every API of the library then
// takes and returns the app's own type, with no casts:
//
//	type MyUser struct {
//		auth.User
//		PhoneNumber string `db:"phone_number"`
//	}
//	a, err := auth.New(auth.Config[MyUser]{Store: memory.New[MyUser](), SecretKey: key})
//	u := a.User(r).User() // *MyUser, nil when anonymous
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
// store/storetest. An Auth needs only RequestStore, the handful of
// methods that serving requests uses; the whole Store is the contract of
// the admin side (authctl, user management).
//
// # Requests
//
// Auth is the request side. Backends are tried in order by Authenticate;
// the default is ModelBackend, Django's ModelBackend, bound to the Auth's
// store and hashers (package backends has the remote-user backends).
// Login, Logout and UpdateSessionAuthHash keep Django's session contract:
// the keys _auth_user_id, _auth_user_backend and _auth_user_hash, a new
// token at login, and a password change ending every other session.
// Middleware loads the session and a lazily loaded RequestUser whose
// permissions are cached for one request only. The guards LoginRequired,
// PermissionRequired, UserPassesTest and LoginRequiredMiddleware each have
// a Check beside them for use inside a handler. Signals (UserLoggedIn,
// UserLoggedOut, UserLoginFailed) live on the Auth value. Routes mounts
// the login, logout and profile pages, protected against cross-origin
// POSTs (Config.CSRF), with Django's safe-redirect rules
// (URLHasAllowedHostAndScheme).
//
// # Local development
//
// The session cookie is Secure by default, so a browser drops it on a
// plain-HTTP site and every login seems to do nothing. Over http://
// locally, set Config.Sessions.InsecureCookie; never in production.
//
// # Errors
//
// Failures are reported with sentinel errors such as ErrUserNotFound and
// ErrDuplicateUsername, checked with errors.Is. Rejected input is a
// *ValidationError, which matches ErrInvalid.
package auth
