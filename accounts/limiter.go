package accounts

import (
	"net/http"
	"strings"

	"github.com/djauth/auth"
)

// Limiter scopes of the pages here (see auth.Limiter and package
// throttle, whose rules of the same names apply).
const (
	// LimitScopePasswordReset counts every password reset request, keyed
	// by the lower-cased email and by client address, whether or not the
	// email has an account, so that a refusal tells nothing about
	// accounts and one address cannot have thousands of mails sent.
	LimitScopePasswordReset = "password_reset"
	// LimitScopePasswordChange counts wrong old passwords on the password
	// change page, keyed by user id.
	LimitScopePasswordChange = "password_change"
)

// limitCheck asks the Auth's Limiter whether an attempt of scope for key
// may go ahead. When it may not, it sets Retry-After, calls refuse with
// the message to show (refuse renders the 429 page) and returns false; a
// failing Limiter is a server error. Without a Limiter it returns true.
func (m *Manager[U]) limitCheck(w http.ResponseWriter, r *http.Request, scope, key string, refuse func(msg string)) bool {
	l := m.auth.Limiter()
	if l == nil {
		return true
	}
	wait, locked, err := l.Check(r.Context(), r, scope, key)
	if err != nil {
		m.serverError(w, r, scope+": limiter", err)
		return false
	}
	if wait <= 0 {
		return true
	}
	if locked {
		m.auth.Signals().UserLockedOut.Send(r.Context(), auth.LockedOut{Request: r, Scope: scope, Key: key, RetryAfter: wait})
	}
	auth.SetRetryAfter(w, wait)
	refuse(auth.ThrottledMessage(wait))
	return false
}

// limitRecord tells the Limiter how an attempt ended: a failure counts, a
// success resets key's counter. Errors are logged: the attempt is over.
func (m *Manager[U]) limitRecord(r *http.Request, scope, key string, ok bool) {
	l := m.auth.Limiter()
	if l == nil {
		return
	}
	if ok {
		if err := l.Succeed(r.Context(), r, scope, key); err != nil {
			m.log.ErrorContext(r.Context(), "accounts: "+scope+": limiter", "error", err)
		}
		return
	}
	wait, locked, err := l.Fail(r.Context(), r, scope, key)
	if err != nil {
		m.log.ErrorContext(r.Context(), "accounts: "+scope+": limiter", "error", err)
		return
	}
	if locked {
		m.auth.Signals().UserLockedOut.Send(r.Context(), auth.LockedOut{Request: r, Scope: scope, Key: key, RetryAfter: wait})
	}
}

// limitReset checks and counts a password reset request for email: every
// request counts, as each may send mails. It returns false, having
// answered 429, when the request is refused.
func (m *Manager[U]) limitReset(w http.ResponseWriter, r *http.Request, page *PasswordResetPage, email string) bool {
	key := strings.ToLower(email)
	if !m.limitCheck(w, r, LimitScopePasswordReset, key, func(msg string) {
		page.EmailErrors = []string{msg}
		m.render(w, r, http.StatusTooManyRequests, m.templates.PasswordReset, page)
	}) {
		return false
	}
	m.limitRecord(r, LimitScopePasswordReset, key, false)
	return true
}
