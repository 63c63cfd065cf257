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
//	srv := &http.Server{Addr: ":8000", Handler: a.Middleware(mux), ReadHeaderTimeout: 5 * time.Second}
//	log.Fatal(srv.ListenAndServe())
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
// Permissions are named "app_label.codename" everywhere; Register creates
// a model's default and custom ones, idempotently.
//
// # Stores
//
// store/memory and store/postgres (Django's own schema) implement Store
// and pass the conformance suite in store/storetest. An Auth needs only
// RequestStore, the few methods that serving requests uses.
//
// # Requests
//
// Backends are tried in order by Authenticate; the default is ModelBackend
// (package backends has the remote-user ones). Login and Logout keep
// Django's session contract (_auth_user_id, _auth_user_backend,
// _auth_user_hash; a new token at login; a password change ends the other
// sessions). Middleware puts a lazily loaded RequestUser in the request;
// guards (LoginRequired, PermissionRequired, UserPassesTest) each have a
// Check beside them; signals live on the Auth.
//
// # Impersonation
//
// Impersonate lets an active superuser act as another active,
// non-superuser account (django-hijack), and StopImpersonation comes
// back; ImpersonationRoutes mounts the POST handlers and
// ImpersonationBanner marks every HTML page while it lasts:
//
//	stop := a.ImpersonationRoutes(mux, "")
//	handler := a.ImpersonationBanner(stop)(mux)
//
// Pages that only the account's own person may use call
// CheckNotImpersonating or sit behind RefuseWhileImpersonating.
//
// # Pages
//
// The handlers' pages share one layout (Layout, templates/base.html) that
// packages accounts and social use too. Config.UI themes all of them
// through CSS custom properties (Theme, Palette) and replaces single
// template blocks everywhere (UI.Blocks); Auth.Look builds an app's own
// page with the same look. See docs/ui.md.
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
