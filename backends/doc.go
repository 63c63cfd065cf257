// Package backends holds Django's authentication backends for the request
// side of package auth: they authenticate credentials, load the user of a
// session and grant permissions. Put them, in order, in
// auth.Config.Backends.
//
// # Model backends
//
// NewModel is Django's ModelBackend: a username and password checked
// against the users of an auth.Store with a hashers.Registry. Its rules
// are Django's:
//
//   - The username is compared exactly (case-sensitively).
//   - A username that matches no user still costs one run of the preferred
//     hasher, so response times do not reveal which usernames exist.
//   - The password is checked before the inactive check, and an inactive
//     user is refused both at login and when its session is loaded.
//   - A right password stored with an outdated hasher or work factor is
//     re-hashed with the preferred hasher and saved.
//   - Permissions are the user's own plus its groups'; an active superuser
//     has every permission in the store; an inactive user has none; there
//     are no object permissions (any non-nil obj gives none).
//   - Loading a session's user also loads its permissions, in one store
//     round trip (auth.UserPermissionsLoader).
//
// NewAllowAllUsersModel is AllowAllUsersModelBackend: the same, but
// inactive users may authenticate and stay logged in. auth's login handler
// still refuses them, with Django's "This account is inactive." message.
//
//	store := memory.New[auth.User]()
//	h := hashers.Default()
//	a, err := auth.New(auth.Config[auth.User]{
//		Store:     store,
//		Hashers:   h,
//		Backends:  []auth.Backend[auth.User]{backends.NewModel(store, h)},
//		SecretKey: os.Getenv("SECRET_KEY"),
//	})
//
// Package auth cannot default to the model backend itself: this package
// imports auth, so auth importing it back would be a cycle.
//
// # Remote user
//
// NewRemoteUser is Django's RemoteUserBackend, for apps behind a proxy
// that authenticates users (single sign-on, Kerberos, client
// certificates) and passes the username in a header. RemoteUserMiddleware
// reads the header (REMOTE_USER by default), logs the user in, and logs
// them out when the header disappears, unless Persistent is set
// (PersistentRemoteUserMiddleware). Unknown users are created unless
// CreateUnknownUser is false; CleanUsername and ConfigureUser are Django's
// clean_username and configure_user hooks.
//
//	remote := backends.NewRemoteUser(store)
//	remote.CleanUsername = func(u string) string { name, _, _ := strings.Cut(u, "@"); return name }
//	a, _ := auth.New(auth.Config[auth.User]{Store: store, SecretKey: key,
//		Backends: []auth.Backend[auth.User]{backends.NewModel(store, h), remote}})
//	mw := &backends.RemoteUserMiddleware[auth.User]{Auth: a, Header: "X-Remote-User"}
//	http.ListenAndServe(addr, a.Middleware(mw.Handler(mux)))
//
// The header must come from the proxy only: configure it to replace (or
// strip) any value the client sends, or anyone can log in as anyone. With
// nginx that is proxy_set_header, which replaces; with Apache use
// "RequestHeader set" or "unset", not "add"; with HAProxy "http-request
// set-header" or "del-header", not "add-header". A request in which the
// header appears more than once is refused with 400 Bad Request and a
// warning is logged (with the header's name, never its values): a proxy
// that appends its line leaves the client's first, and neither can be
// trusted.
//
// Name the header: the default, REMOTE_USER (Django's WSGI variable), has
// an underscore, and nginx drops request headers with underscores unless
// underscores_in_headers is on, so behind nginx it never arrives. Hyphens
// and underscores also collide in CGI-style gateways that turn both into
// underscores. Use a hyphenated name such as X-Remote-User, in the proxy
// and in RemoteUserMiddleware.Header.
//
// # Names
//
// Each backend's Name is the Python import path of its Django class
// (ModelBackendName and so on), which is what a session stores as
// _auth_user_backend.
package backends
