package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// ErrSecondFactorRequired is returned by Login when Config.SecondFactor
// says that the user must still prove a second factor: the session then
// holds only the second factor's pending state, nobody is logged in, and
// the caller sends the browser to SecondFactor.ChallengeURL (LoginHandler
// does).
var ErrSecondFactorRequired = errors.New("auth: second factor required")

// SecondFactor is the hook through which Login asks for a second step
// (package mfa's Flow implements it). Every login goes through Login, so
// no login path (the login page, a JSON API, a passwordless backend) can
// skip it; the second step ends with LoginVerified.
//
// When the SecondFactor also implements Binder, New binds it to the Auth.
type SecondFactor[U any] interface {
	// Required reports whether user must prove a second factor before
	// being logged in. An error makes Login fail: a login is never let
	// through because the answer is unknown.
	Required(ctx context.Context, user *U) (bool, error)
	// Begin stores the pending second step of user, authenticated by the
	// backend named backend, in the request's session. Login calls it
	// after Required said yes, on a session it has emptied of any earlier
	// login and given a new token.
	Begin(r *http.Request, user *U, backend string) error
	// ChallengeURL is the page of the second step, where LoginHandler
	// sends the browser (with the login's "next").
	ChallengeURL() string
}

// A Verification is the second factor that completed a login, given to
// LoginVerified and reported in LoggedIn.
type Verification struct {
	// Factor is the Kind of the factor ("totp", "recovery", "passkey").
	Factor string
	// Device is the PersistentID of the device that was used.
	Device string
}

// SecondFactor returns Config.SecondFactor, or nil.
func (a *Auth[U]) SecondFactor() SecondFactor[U] { return a.secondFactor }

// LoginRedirectURL returns Config.LoginRedirectURL (or its default), where
// a login without a safe "next" ends.
func (a *Auth[U]) LoginRedirectURL() string { return a.loginRedirectURL }

// LoginVerified is Login for a user who has just passed the second step
// that Login asked for: it logs the user in without asking
// Config.SecondFactor again, and reports v in the UserLoggedIn signal.
// Only the code that checked the second factor calls it (package mfa's
// Flow); v.Factor must not be empty.
func (a *Auth[U]) LoginVerified(r *http.Request, user *U, backend string, v Verification) error {
	if v.Factor == "" {
		return fmt.Errorf("auth: login verified: empty factor")
	}
	return a.login(r, user, backend, &v)
}

// beginSecondFactor is Login's second step branch: it reports whether
// Config.SecondFactor wants one and, if so, has stored its pending state
// on a session that no longer holds any login.
func (a *Auth[U]) beginSecondFactor(r *http.Request, user *U, backend string) (bool, error) {
	if a.secondFactor == nil {
		return false, nil
	}
	ctx := r.Context()
	need, err := a.secondFactor.Required(ctx, user)
	if err != nil {
		return false, fmt.Errorf("auth: login: second factor: %w", err)
	}
	if !need {
		return false, nil
	}
	s := a.sessions
	// Whoever was logged in on this session is not any more: until the
	// second step, the session belongs to nobody.
	if s.GetString(ctx, SessionKeyUserID) != "" {
		if err := s.Clear(ctx); err != nil {
			return false, fmt.Errorf("auth: login: flush session: %w", err)
		}
	}
	ru := a.UserFromContext(ctx)
	if ru != nil {
		if old := ru.renewal.take(); old != "" {
			if err := a.deleteSession(ctx, old); err != nil {
				return false, fmt.Errorf("auth: login: delete renewed session: %w", err)
			}
		}
	}
	if err := s.RenewToken(ctx); err != nil {
		return false, fmt.Errorf("auth: login: renew session token: %w", err)
	}
	if ru != nil {
		ru.set(nil, "")
	}
	if err := a.secondFactor.Begin(r, user, backend); err != nil {
		return false, fmt.Errorf("auth: login: second factor: %w", err)
	}
	return true, nil
}
