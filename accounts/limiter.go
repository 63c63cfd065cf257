package accounts

import (
	"context"
	"net/http"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/djauth/auth"
)

// Limiter scopes of the pages here (see auth.Limiter and package
// throttle, whose rules of the same names apply).
const (
	// LimitScopePasswordReset counts every password reset request, keyed
	// by the case-folded email (see emailKey) and by client address, whether or not the
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
	return m.limitAsk(w, r, l.Check, scope, key, refuse)
}

// limitAsk runs ask (a Limiter's Check or an AttemptReserver's Reserve)
// and answers a refusal as limitCheck does.
func (m *Manager[U]) limitAsk(w http.ResponseWriter, r *http.Request, ask func(context.Context, *http.Request, string, string) (time.Duration, bool, error), scope, key string, refuse func(msg string)) bool {
	return m.answerLimited(w, r, scope+": limiter", m.limitTry(r, ask, scope, key), refuse)
}

// limitBegin starts an attempt that costs a password hash: with a Limiter
// that is an auth.AttemptReserver the attempt is counted as a failure now,
// atomically with its check (Reserve), so that parallel attempts cannot
// overshoot a lockout, as on the login page; otherwise it is only checked.
// reserved tells limitEnd which; ok false means the request was answered
// (429 or 500).
func (m *Manager[U]) limitBegin(w http.ResponseWriter, r *http.Request, scope, key string, refuse func(msg string)) (reserved, ok bool) {
	l := m.auth.Limiter()
	if l == nil {
		return false, true
	}
	if res, isRes := l.(auth.AttemptReserver); isRes {
		return true, m.limitAsk(w, r, res.Reserve, scope, key, refuse)
	}
	return false, m.limitAsk(w, r, l.Check, scope, key, refuse)
}

// limitEnd ends an attempt that limitBegin started: a right password
// gives a reserved failure back and resets key's counter; a wrong one is
// counted (already, when reserved: only its lockout is asked); an
// attempt without a verdict (no hashing slot, the client gone before the
// hash) gives a reserved failure back. A failure that cannot be counted
// is an error, for the caller to fail closed.
func (m *Manager[U]) limitEnd(r *http.Request, scope, key string, reserved, verdict, good bool) error {
	l := m.auth.Limiter()
	if l == nil {
		return nil
	}
	ctx := context.WithoutCancel(r.Context())
	if reserved && (!verdict || good) {
		if err := l.(auth.AttemptReserver).Release(ctx, r, scope, key); err != nil {
			m.log.ErrorContext(r.Context(), "accounts: "+scope+": limiter", "error", err)
		}
	}
	if !verdict {
		return nil
	}
	if !reserved || good {
		return m.limitRecord(r, scope, key, good)
	}
	wait, locked, err := l.Check(ctx, r, scope, key)
	if err != nil {
		return err
	}
	if locked {
		m.auth.Signals().UserLockedOut.Send(r.Context(), auth.LockedOut{Request: r, Scope: scope, Key: key, RetryAfter: wait})
	}
	return nil
}

// limitRecord tells the Limiter how an attempt ended: a failure counts, a
// success resets key's counter. Both are recorded even when the client has
// gone (its context is cancelled: an uncounted failure would be a free
// guess). A failure that cannot be counted is an error, for the caller to
// fail closed; a success that cannot be recorded is only logged.
func (m *Manager[U]) limitRecord(r *http.Request, scope, key string, ok bool) error {
	l := m.auth.Limiter()
	if l == nil {
		return nil
	}
	ctx := context.WithoutCancel(r.Context())
	if ok {
		if err := l.Succeed(ctx, r, scope, key); err != nil {
			m.log.ErrorContext(r.Context(), "accounts: "+scope+": limiter", "error", err)
		}
		return nil
	}
	wait, locked, err := l.Fail(ctx, r, scope, key)
	if err != nil {
		return err
	}
	if locked {
		m.auth.Signals().UserLockedOut.Send(r.Context(), auth.LockedOut{Request: r, Scope: scope, Key: key, RetryAfter: wait})
	}
	return nil
}

// emailKey is the counter key of an email address: NFKC and full case
// folding, the comparison that decides which users a reset mails
// (EmailsMatch), so that no spelling of an address (a long s "ſ" for "s",
// full-width letters) gets a counter of its own for the same mailbox.
func emailKey(email string) string {
	return cases.Fold().String(norm.NFKC.String(email))
}
