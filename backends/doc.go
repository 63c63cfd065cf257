// Package backends holds Django's remote-user authentication backends for
// the request side of package auth: they authenticate a username that a
// proxy vouches for, load the user of a session and grant permissions. Put
// them, in order, in auth.Config.Backends.
//
// # Model backends
//
// Django's ModelBackend and AllowAllUsersModelBackend are
// auth.ModelBackend, the default of auth.Config.Backends, in package auth
// itself: auth defaults to it, and this package imports auth, so it could
// not live here. Put it in the list beside the backends of this package:
//
//	Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, remote}
//
// auth.New binds every backend to the Auth (auth.Binder): they use its
// store and hashers, given once in auth.Config.
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
//	remote := backends.NewRemoteUser[auth.User]()
//	remote.CleanUsername = func(u string) string { name, _, _ := strings.Cut(u, "@"); return name }
//	a, _ := auth.New(auth.Config[auth.User]{Store: store, SecretKey: key,
//		Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, remote}})
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
