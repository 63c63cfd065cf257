package backends

import (
	"errors"
	"net/http"

	auth "github.com/djauth/auth"
)

// RemoteUserFactor names, in auth.LoggedIn.Factor, a login that
// RemoteUserMiddleware made: the front server, not a second factor of
// djauth's, vouched for the user.
const RemoteUserFactor = "remote_user"

// DefaultRemoteUserHeader is the request header RemoteUserMiddleware reads
// by default, the name of Django's REMOTE_USER.
const DefaultRemoteUserHeader = "REMOTE_USER"

// RemoteUserMiddleware logs in the user named by a trusted request header,
// Django's RemoteUserMiddleware; with Persistent set it is Django's
// PersistentRemoteUserMiddleware. Configure a RemoteUser backend in the
// Auth and put this middleware inside Auth.Middleware.
//
// The header must be set by a proxy that replaces (or strips) any value
// the client sent: whoever can set it can log in as anyone. A request
// carrying the header more than once is refused with 400, since a proxy
// that appends its line instead of replacing leaves the client's first.
// Name the header with hyphens, such as "X-Remote-User": nginx drops
// request headers with underscores by default, REMOTE_USER included.
type RemoteUserMiddleware[U any] struct {
	// Auth is the Auth whose session and backends are used. Required.
	Auth *auth.Auth[U]
	// Header is the request header that holds the username. Empty means
	// DefaultRemoteUserHeader, REMOTE_USER, which nginx drops by default
	// (underscores_in_headers off): set a name such as "X-Remote-User".
	Header string
	// Persistent keeps the user logged in when a request arrives without
	// the header (Django's PersistentRemoteUserMiddleware, for setups that
	// authenticate externally only on a login URL). Otherwise a session
	// that a RemoteUser backend logged in ends when the header is missing.
	Persistent bool
}

// Handler wraps next:
//
//   - Header present more than once: 400 Bad Request, and a warning is
//     logged with the header's name and count (never its values).
//   - Header missing: unless Persistent, a user logged in by a RemoteUser
//     backend (or by a backend that is no longer configured) is logged out;
//     other logins are left alone.
//   - Header present and naming the logged-in user (after the session's
//     backend cleans it): nothing to do.
//   - Otherwise the current remote login, if any, ends and the header's
//     user is authenticated with the "remote_user" credential and logged
//     in; when no backend accepts it, the request continues anonymous.
//
// A store failure answers 500.
func (m *RemoteUserMiddleware[U]) Handler(next http.Handler) http.Handler {
	header := m.Header
	if header == "" {
		header = DefaultRemoteUserHeader
	}
	a := m.Auth
	if a == nil {
		panic("backends: RemoteUserMiddleware.Auth is nil")
	}
	fail := func(w http.ResponseWriter, r *http.Request, msg string, err error) {
		a.Logger().ErrorContext(r.Context(), msg, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ru := a.User(r)
		values, present := r.Header[http.CanonicalHeaderKey(header)]
		if !present {
			if !m.Persistent && ru.IsAuthenticated() {
				if err := m.removeInvalidUser(r, ru); err != nil {
					fail(w, r, "backends: remote user: logout", err)
					return
				}
			}
			// A user that could not be loaded is anonymous already.
			next.ServeHTTP(w, r)
			return
		}
		if len(values) > 1 {
			// A proxy that appends rather than replaces leaves the
			// client's value first: no value can be trusted.
			a.Logger().WarnContext(r.Context(), "backends: remote user: header sent more than once; the proxy must replace the client's header, not add to it",
				"header", header, "count", len(values))
			http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
			return
		}
		username := ""
		if len(values) > 0 {
			username = values[0]
		}
		if ru.IsAuthenticated() {
			if ru.Username() == m.clean(ru.Backend(), username) {
				next.ServeHTTP(w, r)
				return
			}
			if err := m.removeInvalidUser(r, ru); err != nil {
				fail(w, r, "backends: remote user: logout", err)
				return
			}
		} else if err := ru.Err(); err != nil {
			fail(w, r, "backends: remote user: load user", err)
			return
		}
		user, backend, err := a.Authenticate(r.Context(), r, auth.Credentials{auth.CredentialRemoteUser: username})
		switch {
		case errors.Is(err, auth.ErrInvalidCredentials):
		case err != nil:
			fail(w, r, "backends: remote user: authenticate", err)
			return
		default:
			// The front server authenticated the user on every request:
			// a pending second step here would start again on the next
			// request and never end. The login goes through without it
			// (auth.Config.SecondFactor is not asked); djauth's own
			// factors are still demanded where they count, by
			// mfa.Flow.MFARequired and StepUpRequired, which send a user
			// with a device to verify it on the session.
			if err := a.LoginVerified(r, user, backend, auth.Verification{Factor: RemoteUserFactor}); err != nil {
				fail(w, r, "backends: remote user: login", err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// clean applies the session backend's username cleaning, if it has one
// (Django's RemoteUserMiddleware.clean_username).
func (m *RemoteUserMiddleware[U]) clean(backendName, username string) string {
	if c, ok := m.Auth.Backend(backendName).(interface{ Clean(string) string }); ok {
		return c.Clean(username)
	}
	return username
}

// removeInvalidUser logs out a user whom a RemoteUser backend, or a
// backend no longer configured, logged in (Django's _remove_invalid_user).
func (m *RemoteUserMiddleware[U]) removeInvalidUser(r *http.Request, ru *auth.RequestUser[U]) error {
	b := m.Auth.Backend(ru.Backend())
	if _, remote := b.(*RemoteUser[U]); b == nil || remote {
		return m.Auth.Logout(r)
	}
	return nil
}
