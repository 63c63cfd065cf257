package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrThrottled is what a *ThrottledError is: the Limiter refused an
// attempt.
var ErrThrottled = errors.New("auth: too many attempts")

// ErrInactiveUser is returned by AuthenticateLogin when the password was
// right for an inactive account that a backend let through (the login
// page shows MsgInactive).
var ErrInactiveUser = errors.New("auth: inactive user")

// ThrottledError reports an attempt that Config.Limiter refused without
// trying it. It is ErrThrottled.
type ThrottledError struct {
	// Scope and Key are the Limiter's; RetryAfter is how long until it
	// lets an attempt through.
	Scope, Key string
	RetryAfter time.Duration
}

// Error implements error.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("auth: %s: too many attempts; try again in %s", e.Scope, e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// LoginFormError lists the field errors of a login form that no
// authentication was tried for (Django's AuthenticationForm field
// validation). It is ErrInvalid.
type LoginFormError struct {
	// Username is the username as cleaned; UsernameErrors and
	// PasswordErrors the messages of each field.
	Username       string
	UsernameErrors []string
	PasswordErrors []string
}

// Error implements error.
func (e *LoginFormError) Error() string {
	return "auth: login form: " + strings.Join(append(append([]string(nil), e.UsernameErrors...), e.PasswordErrors...), " ")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *LoginFormError) Is(target error) bool { return target == ErrInvalid }

// AuthenticateLogin is the check of the login page's POST, for every
// client of a username and password (the page, a JSON API): the username
// is cleaned as Django's UsernameField does, the password taken as it is;
// the Limiter is asked first (LimitScopeLogin, keyed by the cleaned
// username; with an AttemptReserver the attempt is reserved before the
// hash, so that parallel guesses cannot overshoot a lockout), then the
// backends authenticate, and the outcome is recorded. It logs nobody in:
// call Login with the user and backend.
//
// Errors: a *LoginFormError for an empty or unstorable field (nothing
// tried, nothing counted), a *ThrottledError when the Limiter refuses
// (UserLockedOut sent on a lockout), ErrInvalidCredentials for a wrong
// username or password (counted), ErrInactiveUser for a right password
// of an inactive account, ErrBusy-like errors of the hashers when no
// hashing slot was free (see ServeBusy), other errors for failures.
func (a *Auth[U]) AuthenticateLogin(r *http.Request, rawUsername, password string) (user *U, backend string, err error) {
	// Django's AuthenticationForm: the username is cleaned by
	// UsernameField, the password taken as it is (strip=False); both
	// refuse text that no store can hold, and a field error means no
	// authentication at all.
	username, msg := cleanUsername(rawUsername)
	fe := &LoginFormError{Username: username}
	if msg != "" {
		fe.UsernameErrors = append(fe.UsernameErrors, msg)
	}
	if password == "" {
		fe.PasswordErrors = append(fe.PasswordErrors, MsgRequired)
	} else if msg := InvalidTextMessage(password); msg != "" {
		fe.PasswordErrors = append(fe.PasswordErrors, msg)
	}
	if fe.UsernameErrors != nil || fe.PasswordErrors != nil {
		return nil, "", fe
	}
	// With an AttemptReserver the attempt is counted as a failure before
	// the password is hashed, so that parallel guesses cannot overshoot
	// the lockout; it is given back only after a right password or when
	// no password was hashed.
	reserver, reserved := a.limiter.(AttemptReserver)
	if a.limiter != nil {
		check := a.limiter.Check
		if reserved {
			check = reserver.Reserve
		}
		wait, locked, err := check(r.Context(), r, LimitScopeLogin, username)
		if err != nil {
			return nil, "", fmt.Errorf("auth: login: limiter: %w", err)
		}
		if wait > 0 {
			if locked {
				a.sendLockedOut(r.Context(), r, LimitScopeLogin, username, wait)
			}
			return nil, "", &ThrottledError{Scope: LimitScopeLogin, Key: username, RetryAfter: wait}
		}
	}
	user, backend, err = a.Authenticate(r.Context(), r, Credentials{CredentialUsername: username, CredentialPassword: password})
	if reserved && (err == nil || isBusy(err)) {
		// A right password, or no hash made (no hashing slot free): the
		// reserved failure goes. Any other error keeps it: a backend that
		// fails after another refused the password must not turn wrong
		// guesses into uncounted 500s.
		if rerr := reserver.Release(context.WithoutCancel(r.Context()), r, LimitScopeLogin, username); rerr != nil {
			a.logger.ErrorContext(r.Context(), "auth: login: limiter", "error", rerr)
		}
	}
	if errors.Is(err, ErrInvalidCredentials) {
		if a.limiter != nil {
			// Counted even when the client has gone (a half-closed
			// connection cancels the request's context while the hash
			// runs: an uncounted failure would be a free guess), and a
			// failure that cannot be counted fails closed. A reserved
			// attempt is counted already: only its lockout is asked.
			record := a.limiter.Fail
			if reserved {
				record = a.limiter.Check
			}
			wait, locked, lerr := record(context.WithoutCancel(r.Context()), r, LimitScopeLogin, username)
			if lerr != nil {
				return nil, "", fmt.Errorf("auth: login: limiter: %w", lerr)
			}
			if locked {
				a.sendLockedOut(r.Context(), r, LimitScopeLogin, username, wait)
			}
		}
		return nil, "", err
	}
	if err != nil {
		return nil, "", err
	}
	if a.limiter != nil {
		// The password was right (also for an inactive account): the
		// account's failures end here; the address's are kept.
		if err := a.limiter.Succeed(context.WithoutCancel(r.Context()), r, LimitScopeLogin, username); err != nil {
			a.logger.ErrorContext(r.Context(), "auth: login: limiter", "error", err)
		}
	}
	if !authUserOf(user).IsActive {
		return nil, "", ErrInactiveUser
	}
	return user, backend, nil
}

// CheckCrossOrigin is the check of Protect's http.CrossOriginProtection
// (configured by Config.CSRF) alone, for handlers that apply it only to
// some requests (package api skips it for bearer-token requests, which
// browsers never send on their own): nil when r is safe or same-origin.
func (a *Auth[U]) CheckCrossOrigin(r *http.Request) error { return a.csrf.Check(r) }
