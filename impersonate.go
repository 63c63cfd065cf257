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

// Session keys of an impersonation ("log in as", django-hijack's
// hijack_history): while a superuser acts as another user, the session's
// SessionKeyUserID is the target's and these hold the impersonator's ID,
// backend and session auth hash, so that StopImpersonation can log the
// impersonator back in only while the impersonator's password is
// unchanged. All values are strings.
const (
	SessionKeyImpersonatorID      = "_auth_impersonator_id"
	SessionKeyImpersonatorBackend = "_auth_impersonator_backend"
	SessionKeyImpersonatorHash    = "_auth_impersonator_hash"
	// SessionKeyImpersonationReturn is the safe page the stop goes back
	// to (the page the impersonation was started from, usually the
	// dashboard's user page).
	SessionKeyImpersonationReturn = "_auth_impersonation_return"
)

// ImpersonationStepUpMaxAge is how recent the impersonator's last
// verification must be when Config.SecondFactor implements StepUpChecker
// (package mfa's Flow does): impersonation hands over a whole account, so
// it needs what a password change needs.
const ImpersonationStepUpMaxAge = 15 * time.Minute

// Errors of impersonation. A refusal matches both ErrImpersonationRefused
// and ErrPermissionDenied, so that Deny answers it with 403.
var (
	// ErrImpersonationRefused reports that Impersonate refused: the
	// request's user is not an active superuser, or the target is
	// inactive, a superuser, the user themselves, or unknown.
	ErrImpersonationRefused = errors.New("auth: impersonation refused")
	// ErrImpersonating reports that the request's session is an
	// impersonation and the action is one the target's own person must
	// do (a password, MFA, email or identity change, or starting another
	// impersonation). See CheckNotImpersonating.
	ErrImpersonating = errors.New("auth: not allowed while impersonating another user")
	// ErrNotImpersonating is returned by StopImpersonation for a session
	// that is not an impersonation.
	ErrNotImpersonating = errors.New("auth: the session is not an impersonation")
	// ErrImpersonatorRevoked is returned by StopImpersonation when the
	// impersonator may no longer come back (no longer an active
	// superuser, password changed, deleted): the session was logged out.
	ErrImpersonatorRevoked = errors.New("auth: the impersonator can no longer log in; the session was logged out")
)

// StepUpChecker is the ability of Config.SecondFactor to demand a recent
// verification of the session's user (package mfa's Flow.CheckStepUp):
// nil when the user proved who they are within maxAge. Impersonate asks
// it, so that the core needs no import of package mfa. An error that has a
// RedirectURL() string method names the verification page, where
// ImpersonateHandler sends the browser.
type StepUpChecker interface {
	CheckStepUp(r *http.Request, maxAge time.Duration) error
}

// Impersonated is sent by Impersonate after the session was handed to the
// target (ImpersonationStarted), and by StopImpersonation and by Logout
// of an impersonated session (ImpersonationEnded).
type Impersonated[U any] struct {
	// Request is the request that started or ended the impersonation.
	Request *http.Request
	// Impersonator is the superuser who acts as User. When an
	// impersonation ends because the impersonator may no longer come
	// back, it is the impersonator as the store holds them now, or nil
	// when they no longer exist.
	Impersonator *U
	// ImpersonatorID is the impersonator's ID, also when Impersonator is
	// nil.
	ImpersonatorID int64
	// User is the impersonated user; nil when the session's user could no
	// longer be loaded at the end.
	User *U
	// Restored reports, for ImpersonationEnded, whether the impersonator
	// was logged back in (false: the session was logged out).
	Restored bool
}

// Impersonating reports whether the request's session is an
// impersonation. It reads the session only.
func (a *Auth[U]) Impersonating(r *http.Request) bool {
	ctx := r.Context()
	return a.hasSession(ctx) && a.sessions.GetString(ctx, SessionKeyImpersonatorID) != ""
}

// CheckNotImpersonating is the one check of the pages that change what
// only the account's own person may change (a password, second factors,
// emails, social identities): it returns an error wrapping
// ErrImpersonating and ErrPermissionDenied while the session is an
// impersonation, and nil otherwise. RefuseWhileImpersonating is the guard
// built on it.
func (a *Auth[U]) CheckNotImpersonating(r *http.Request) error {
	if a.Impersonating(r) {
		return fmt.Errorf("%w: %w", ErrPermissionDenied, ErrImpersonating)
	}
	return nil
}

// RefuseWhileImpersonating guards a sensitive page: while the session is
// an impersonation, requests other than GET and HEAD get 403 (JSON for a
// request that asks for it), so that an impersonator can look at the
// target's page but change nothing there. It applies Middleware (harmless
// when already applied).
func (a *Auth[U]) RefuseWhileImpersonating(next http.Handler) http.Handler {
	return a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := a.CheckNotImpersonating(r); err != nil {
				if wantsJSON(r) {
					writeJSONError(w, http.StatusForbidden, "not allowed while impersonating", "")
					return
				}
				a.Deny(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	}))
}

// refused wraps a refusal reason so that it matches ErrImpersonationRefused
// and ErrPermissionDenied.
func refused(reason string) error {
	return fmt.Errorf("%w: %w: %s", ErrPermissionDenied, ErrImpersonationRefused, reason)
}

// Impersonate logs the request's session in as target on behalf of the
// request's user, django-hijack's hijack. It is allowed only when:
//
//   - the request's user is an active superuser (checked here, against
//     the user as the session loaded it);
//   - the session is not already an impersonation (no nesting);
//   - target, read again through the impersonator's backend, exists, is
//     active, is not a superuser (a superuser acting as another superuser
//     would gain nothing but a less accountable trail) and is not the
//     impersonator;
//   - Config.SecondFactor, when it implements StepUpChecker, accepts a
//     verification of the impersonator within ImpersonationStepUpMaxAge;
//   - Config.LoginGate lets target in.
//
// A refusal matches ErrImpersonationRefused (and ErrPermissionDenied);
// the step-up's own error is returned as it is. On success the session
// is emptied and given a new token (no fixation), holds target's login
// and the impersonator's ID, backend and session auth hash, the request
// user becomes target, and UserLoggedIn (with Impersonator set) and
// ImpersonationStarted are sent. target's LastLogin is not changed, as
// django-hijack leaves it, and no second factor is asked of target.
func (a *Auth[U]) Impersonate(r *http.Request, target *U) error {
	return a.impersonate(r, target, "")
}

func (a *Auth[U]) impersonate(r *http.Request, target *U, returnTo string) error {
	ctx := r.Context()
	if !a.hasSession(ctx) {
		return ErrNoSession
	}
	if target == nil {
		return fmt.Errorf("auth: impersonate: nil target")
	}
	if a.Impersonating(r) {
		return refused("already impersonating; stop first")
	}
	ru := a.User(r)
	actor := ru.User()
	if actor == nil {
		if err := ru.Err(); err != nil {
			return fmt.Errorf("auth: impersonate: %w", err)
		}
		return ErrLoginRequired
	}
	aau := authUserOf(actor)
	if !aau.IsActive || !aau.IsSuperuser {
		return refused("only an active superuser may impersonate")
	}
	backend := ru.Backend()
	i, ok := a.byName[backend]
	if !ok {
		return refused("the session's backend is not configured")
	}
	tid := authUserOf(target).ID
	if tid <= 0 {
		return refused("the target has no ID")
	}
	if tid == aau.ID {
		return refused("a user cannot impersonate themselves")
	}
	fresh, err := a.backends[i].GetUser(ctx, tid)
	if errors.Is(err, ErrUserNotFound) || (err == nil && fresh == nil) {
		return refused("the target does not exist or is inactive")
	}
	if err != nil {
		return fmt.Errorf("auth: impersonate: load target %d: %w", tid, err)
	}
	tau := authUserOf(fresh)
	if !tau.IsActive {
		return refused("the target is inactive")
	}
	if tau.IsSuperuser {
		return refused("a superuser cannot be impersonated")
	}
	if sc, ok := a.secondFactor.(StepUpChecker); ok {
		if err := sc.CheckStepUp(r, ImpersonationStepUpMaxAge); err != nil {
			return err
		}
	}
	if err := a.checkLoginGate(ctx, fresh); err != nil {
		return err
	}
	impHash := a.SessionAuthHash(aau.Password)
	if err := a.freshSession(ctx); err != nil {
		return fmt.Errorf("auth: impersonate: %w", err)
	}
	s := a.sessions
	s.Put(ctx, SessionKeyUserID, strconv.FormatInt(tau.ID, 10))
	s.Put(ctx, SessionKeyBackend, backend)
	s.Put(ctx, SessionKeyHash, a.SessionAuthHash(tau.Password))
	s.Put(ctx, SessionKeyImpersonatorID, strconv.FormatInt(aau.ID, 10))
	s.Put(ctx, SessionKeyImpersonatorBackend, backend)
	s.Put(ctx, SessionKeyImpersonatorHash, impHash)
	if returnTo != "" {
		s.Put(ctx, SessionKeyImpersonationReturn, returnTo)
	}
	a.recordLoginMetadata(r)
	if ru := a.UserFromContext(ctx); ru != nil {
		ru.set(fresh, backend)
	}
	a.signals.UserLoggedIn.Send(ctx, LoggedIn[U]{Request: r, User: fresh, Backend: backend, Impersonator: actor})
	a.signals.ImpersonationStarted.Send(ctx, Impersonated[U]{Request: r, Impersonator: actor, ImpersonatorID: aau.ID, User: fresh})
	return nil
}

// freshSession empties the session and gives it a new token, deleting a
// token renewed earlier in the request, as Login does.
func (a *Auth[U]) freshSession(ctx context.Context) error {
	s := a.sessions
	if err := s.Clear(ctx); err != nil {
		return fmt.Errorf("flush session: %w", err)
	}
	if ru := a.UserFromContext(ctx); ru != nil {
		if old := ru.renewal.take(); old != "" {
			if err := a.deleteSession(ctx, old); err != nil {
				return fmt.Errorf("delete renewed session: %w", err)
			}
		}
	}
	if err := s.RenewToken(ctx); err != nil {
		return fmt.Errorf("renew session token: %w", err)
	}
	return nil
}

// impersonator loads the impersonator that the session names. valid is
// false (with a nil error) when the session is no impersonation, the
// backend is gone, the user is gone or inactive, is no longer a
// superuser, or changed password. user is the stored impersonator when
// one was found, valid or not.
func (a *Auth[U]) impersonator(ctx context.Context) (user *U, id int64, backend string, valid bool, err error) {
	s := a.sessions
	idStr := s.GetString(ctx, SessionKeyImpersonatorID)
	if idStr == "" {
		return nil, 0, "", false, nil
	}
	id, perr := strconv.ParseInt(idStr, 10, 64)
	if perr != nil || id <= 0 {
		return nil, 0, "", false, nil
	}
	backend = s.GetString(ctx, SessionKeyImpersonatorBackend)
	i, ok := a.byName[backend]
	if !ok {
		return nil, id, "", false, nil
	}
	user, err = a.backends[i].GetUser(ctx, id)
	if errors.Is(err, ErrUserNotFound) || (err == nil && user == nil) {
		return nil, id, backend, false, nil
	}
	if err != nil {
		return nil, id, backend, false, fmt.Errorf("auth: load impersonator %d: %w", id, err)
	}
	au := authUserOf(user)
	valid = au.IsActive && au.IsSuperuser &&
		djcrypto.ConstantTimeEqual(s.GetString(ctx, SessionKeyImpersonatorHash), a.SessionAuthHash(au.Password))
	return user, id, backend, valid, nil
}

// Impersonator returns the superuser on whose behalf the request's
// session acts, when the session is an impersonation and that superuser
// may still come back (active, still a superuser, same password); ok is
// false otherwise, also when the user could not be loaded.
func (a *Auth[U]) Impersonator(r *http.Request) (*U, bool) {
	u, _, _, valid, err := a.impersonator(r.Context())
	if err != nil || !valid {
		return nil, false
	}
	return u, true
}

// StopImpersonation ends the session's impersonation, django-hijack's
// release: when the impersonator is still an active superuser whose
// password is unchanged, the session is emptied, given a new token and
// logged in as the impersonator again; otherwise the session is logged
// out and the error wraps ErrImpersonatorRevoked. ImpersonationEnded is
// sent in both cases, before the logout's UserLoggedOut. A session that
// is no impersonation gives ErrNotImpersonating and is left alone; a
// store failure leaves the session as it was.
func (a *Auth[U]) StopImpersonation(r *http.Request) error {
	ctx := r.Context()
	if !a.hasSession(ctx) {
		return ErrNoSession
	}
	if !a.Impersonating(r) {
		return ErrNotImpersonating
	}
	imp, id, backend, valid, err := a.impersonator(ctx)
	if err != nil {
		return fmt.Errorf("auth: stop impersonation: %w", err)
	}
	target := a.User(r).User()
	a.signals.ImpersonationEnded.Send(ctx, Impersonated[U]{Request: r, Impersonator: imp, ImpersonatorID: id, User: target, Restored: valid})
	if !valid {
		a.sessions.Remove(ctx, SessionKeyImpersonatorID)
		if err := a.Logout(r); err != nil {
			return fmt.Errorf("auth: stop impersonation: %w", err)
		}
		return ErrImpersonatorRevoked
	}
	au := authUserOf(imp)
	if err := a.freshSession(ctx); err != nil {
		return fmt.Errorf("auth: stop impersonation: %w", err)
	}
	s := a.sessions
	s.Put(ctx, SessionKeyUserID, strconv.FormatInt(au.ID, 10))
	s.Put(ctx, SessionKeyBackend, backend)
	s.Put(ctx, SessionKeyHash, a.SessionAuthHash(au.Password))
	a.recordLoginMetadata(r)
	if ru := a.UserFromContext(ctx); ru != nil {
		ru.set(imp, backend)
	}
	return nil
}

// endImpersonationOnLogout sends ImpersonationEnded for a Logout of an
// impersonated session; Logout then ends both logins.
func (a *Auth[U]) endImpersonationOnLogout(r *http.Request, user *U) {
	ctx := r.Context()
	if !a.Impersonating(r) {
		return
	}
	imp, id, _, _, _ := a.impersonator(ctx)
	a.signals.ImpersonationEnded.Send(ctx, Impersonated[U]{Request: r, Impersonator: imp, ImpersonatorID: id, User: user})
}

// endImpersonationOnLogin sends ImpersonationEnded when a real login
// replaces an impersonation of the session (the audit trail's end of it).
func (a *Auth[U]) endImpersonationOnLogin(r *http.Request) {
	if !a.Impersonating(r) {
		return
	}
	var target *U
	if ru := a.UserFromContext(r.Context()); ru != nil {
		target = ru.User()
	}
	a.endImpersonationOnLogout(r, target)
}

// dropImpersonation removes the impersonation keys: a real login on the
// session is nobody's impersonation.
func (a *Auth[U]) dropImpersonation(ctx context.Context) {
	for _, k := range []string{SessionKeyImpersonatorID, SessionKeyImpersonatorBackend, SessionKeyImpersonatorHash, SessionKeyImpersonationReturn} {
		a.sessions.Remove(ctx, k)
	}
}
