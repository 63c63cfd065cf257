package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/djauth/auth/internal/djcrypto"
)

// Session keys of a logged-in session, Django's SESSION_KEY,
// BACKEND_SESSION_KEY and HASH_SESSION_KEY. All three values are strings.
const (
	SessionKeyUserID  = "_auth_user_id"
	SessionKeyBackend = "_auth_user_backend"
	SessionKeyHash    = "_auth_user_hash"
)

// hasSession reports whether ctx carries session data of a's manager.
func (a *Auth[U]) hasSession(ctx context.Context) bool {
	if a.UserFromContext(ctx) != nil {
		return true
	}
	// Load returns ctx itself when it already holds the session data.
	loaded, err := a.sessions.Load(ctx, "")
	return err == nil && loaded == ctx
}

// userFromSession is Django's get_user: the user whose ID the session
// holds, if its backend is still configured, the backend still lets the
// user in and the session auth hash still matches the password. A hash made
// with a fallback key is accepted and re-signed; any other mismatch flushes
// the session. It returns a nil user for an anonymous session, and an error
// only when the user could not be checked (the caller fails closed).
func (a *Auth[U]) userFromSession(ctx context.Context) (user *U, backend string, perms *UserPermissions, err error) {
	s := a.sessions
	idStr := s.GetString(ctx, SessionKeyUserID)
	backend = s.GetString(ctx, SessionKeyBackend)
	if idStr == "" || backend == "" {
		return nil, "", nil, nil
	}
	id, perr := strconv.ParseInt(idStr, 10, 64)
	if perr != nil || id <= 0 || strconv.FormatInt(id, 10) != idStr {
		return nil, "", nil, nil
	}
	i, ok := a.byName[backend]
	if !ok {
		return nil, "", nil, nil
	}
	user, perms, err = a.loadSessionUser(ctx, a.backends[i], id)
	if errors.Is(err, ErrUserNotFound) {
		return nil, "", nil, nil
	}
	if err != nil {
		return nil, "", nil, fmt.Errorf("auth: load user of session: backend %s: %w", backend, err)
	}
	if user == nil {
		return nil, "", nil, nil
	}
	password := authUserOf(user).Password
	sessionHash := s.GetString(ctx, SessionKeyHash)
	current := a.SessionAuthHash(password)
	if sessionHash != "" && djcrypto.ConstantTimeEqual(sessionHash, current) {
		return user, backend, perms, nil
	}
	if sessionHash != "" {
		for _, fb := range a.fallbackAuthHashes(password) {
			if djcrypto.ConstantTimeEqual(sessionHash, fb) {
				if err := a.renewKeepingDeadline(ctx); err != nil {
					return nil, "", nil, fmt.Errorf("auth: re-sign session: %w", err)
				}
				s.Put(ctx, SessionKeyHash, current)
				return user, backend, perms, nil
			}
		}
	}
	// The password changed (or the hash is missing or forged): this
	// session is over.
	if err := s.Destroy(ctx); err != nil {
		return nil, "", nil, fmt.Errorf("auth: flush session: %w", err)
	}
	return nil, "", nil, nil
}

// loadSessionUser asks backend b for the user of a session. A ModelBackend
// of a takes the user that the session store read with the session, when
// Middleware's slot holds one for id from a's store (see SessionUserSlot),
// and applies to it what its GetUserWithPermissions applies; otherwise,
// and for every other backend, the backend loads the user.
func (a *Auth[U]) loadSessionUser(ctx context.Context, b Backend[U], id int64) (*U, *UserPermissions, error) {
	if m, ok := b.(*ModelBackend[U]); ok && m.a == a {
		if user, perms, ok := a.prefetchedUser(ctx, id); ok {
			return m.withStoredPermissions(user, perms, id)
		}
	}
	if l, ok := b.(UserPermissionsLoader[U]); ok {
		return l.GetUserWithPermissions(ctx, id)
	}
	user, err := b.GetUser(ctx, id)
	return user, nil, err
}

// Login records user in the request's session, Django's login: the
// session token is always renewed (no session fixation), and when the
// session belonged to another user, or to this user with another password,
// its data is dropped first. It stores the user's ID, the backend name and
// the session auth hash, the login's metadata for the session list
// (SessionKeyCreated and its companions: see UserSessions), sets the
// user's LastLogin through the store,
// replaces the request user, and sends UserLoggedIn.
//
// backend names the backend that authenticated the user, as returned by
// Authenticate; it may be empty when exactly one backend is configured. r
// must have passed through Auth.Middleware (or the session manager's
// LoadAndSave); Login must run before the response is written.
//
// When Config.SecondFactor requires a second step for the user, Login
// logs nobody in: it empties the session of any earlier login, renews its
// token, lets the SecondFactor store its pending state and returns
// ErrSecondFactorRequired. The second step ends with LoginVerified.
//
// When Config.LoginGate refuses the user, Login changes nothing and
// returns the gate's *LoginRefusedError (wrapping ErrLoginRefused).
func (a *Auth[U]) Login(r *http.Request, user *U, backend string) error {
	return a.login(r, user, backend, nil)
}

// login is Login, and LoginVerified when v is not nil.
func (a *Auth[U]) login(r *http.Request, user *U, backend string, v *Verification) error {
	ctx := r.Context()
	if user == nil {
		return fmt.Errorf("auth: login: nil user")
	}
	if !a.hasSession(ctx) {
		return ErrNoSession
	}
	if backend == "" {
		if len(a.backends) != 1 {
			return fmt.Errorf("auth: login: %d backends are configured, so the backend name is required", len(a.backends))
		}
		backend = a.backends[0].Name()
	}
	if _, ok := a.byName[backend]; !ok {
		return fmt.Errorf("auth: login: %w: %q", ErrUnknownBackend, backend)
	}
	au := authUserOf(user)
	if au.ID <= 0 {
		return fmt.Errorf("auth: login: user %q has no ID; create it in the store first", au.Username)
	}
	if err := a.checkLoginGate(ctx, user); err != nil {
		return err
	}
	if v == nil {
		pending, err := a.beginSecondFactor(r, user, backend)
		if err != nil {
			return err
		}
		if pending {
			return ErrSecondFactorRequired
		}
	}
	// Django's update_last_login receiver, done first so that a store
	// failure leaves the session untouched.
	if err := a.updateLastLogin(ctx, user); err != nil {
		return fmt.Errorf("auth: login: update last login: %w", err)
	}
	s := a.sessions
	hash := a.SessionAuthHash(au.Password)
	// A real login on an impersonated session ends the impersonation,
	// told as a Logout tells it, before the session changes hands.
	a.endImpersonationOnLogin(r)
	if idStr := s.GetString(ctx, SessionKeyUserID); idStr != "" {
		if idStr != strconv.FormatInt(au.ID, 10) ||
			!djcrypto.ConstantTimeEqual(s.GetString(ctx, SessionKeyHash), hash) {
			if err := s.Clear(ctx); err != nil {
				return fmt.Errorf("auth: login: flush session: %w", err)
			}
		}
	}
	// A real login ends any impersonation of the session.
	a.dropImpersonation(ctx)
	// A new authentication: a renewal earlier in the request has nothing
	// left to protect, and its old token goes now.
	if ru := a.UserFromContext(ctx); ru != nil {
		if old := ru.renewal.take(); old != "" {
			if err := a.deleteSession(ctx, old); err != nil {
				return fmt.Errorf("auth: login: delete renewed session: %w", err)
			}
		}
	}
	if err := s.RenewToken(ctx); err != nil {
		return fmt.Errorf("auth: login: renew session token: %w", err)
	}
	s.Put(ctx, SessionKeyUserID, strconv.FormatInt(au.ID, 10))
	s.Put(ctx, SessionKeyBackend, backend)
	s.Put(ctx, SessionKeyHash, hash)
	a.recordLoginMetadata(r)
	if ru := a.UserFromContext(ctx); ru != nil {
		ru.set(user, backend)
	}
	a.warnPlainHTTPLogin(r)
	ev := LoggedIn[U]{Request: r, User: user, Backend: backend}
	if v != nil {
		ev.Factor, ev.Device = v.Factor, v.Device
	}
	a.signals.UserLoggedIn.Send(ctx, ev)
	return nil
}

// updateLastLogin is Django's update_last_login receiver: it writes
// last_login alone (save(update_fields=["last_login"])), so that a login
// never writes back other fields it read earlier.
func (a *Auth[U]) updateLastLogin(ctx context.Context, user *U) error {
	au := authUserOf(user)
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := a.store.SetLastLogin(ctx, au.ID, now); err != nil {
		return err
	}
	au.LastLogin = &now
	return nil
}

// Logout ends the request's session, Django's logout: it sends
// UserLoggedOut with the current user (nil when anonymous), deletes the
// session from the store, so that a copy of the old cookie is anonymous,
// expires the cookie and makes the request user anonymous.
func (a *Auth[U]) Logout(r *http.Request) error {
	ctx := r.Context()
	if !a.hasSession(ctx) {
		return ErrNoSession
	}
	var user *U
	ru := a.UserFromContext(ctx)
	if ru != nil {
		user = ru.User()
	} else {
		user, _, _, _ = a.userFromSession(ctx)
	}
	a.endImpersonationOnLogout(r, user)
	a.signals.UserLoggedOut.Send(ctx, LoggedOut[U]{Request: r, User: user})
	if err := a.sessions.Destroy(ctx); err != nil {
		return fmt.Errorf("auth: logout: destroy session: %w", err)
	}
	if ru != nil {
		ru.set(nil, "")
	}
	return nil
}

// UpdateSessionAuthHash keeps the request's session logged in after user
// changed their own password (Django's update_session_auth_hash): it
// renews the session token and, when user is the request's user, stores
// the hash of the new password. Other sessions of the user end on their
// next request. Call it after the new password has been saved.
func (a *Auth[U]) UpdateSessionAuthHash(r *http.Request, user *U) error {
	ctx := r.Context()
	if !a.hasSession(ctx) {
		return ErrNoSession
	}
	if user == nil {
		return fmt.Errorf("auth: update session auth hash: nil user")
	}
	if err := a.renewKeepingDeadline(ctx); err != nil {
		return fmt.Errorf("auth: update session auth hash: %w", err)
	}
	au := authUserOf(user)
	if a.sessions.GetString(ctx, SessionKeyUserID) == strconv.FormatInt(au.ID, 10) {
		a.sessions.Put(ctx, SessionKeyHash, a.SessionAuthHash(au.Password))
		if ru := a.UserFromContext(ctx); ru != nil {
			ru.set(user, a.sessions.GetString(ctx, SessionKeyBackend))
		}
	}
	return nil
}

// renewKeepingDeadline gives the session a new token without extending its
// life: scs's RenewToken starts a new Lifetime, so the old absolute
// deadline is put back. Only Login, a new authentication, starts a new
// lifetime.
//
// Inside Middleware, when the session still has the token it was loaded
// with, that token is not deleted here but at the save, and only if it
// still exists then (SessionRenewer): a logout elsewhere during the
// request is not undone by the renewed copy.
func (a *Auth[U]) renewKeepingDeadline(ctx context.Context) error {
	deadline := a.sessions.Deadline(ctx)
	rctx := ctx
	if ru := a.UserFromContext(ctx); ru != nil && ru.loadedToken != "" && a.sessions.Token(ctx) == ru.loadedToken {
		rctx = context.WithValue(ctx, deferDeleteKey{}, &ru.renewal)
	}
	if err := a.sessions.RenewToken(rctx); err != nil {
		return err
	}
	a.sessions.SetDeadline(ctx, deadline)
	return nil
}

// deleteSession deletes token from the session store now.
func (a *Auth[U]) deleteSession(ctx context.Context, token string) error {
	return a.sessions.Store.(*guardedSessionStore).deleteNow(ctx, token)
}
