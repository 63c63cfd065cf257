package auth

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Limiter throttles attempts that guess a secret: Check is asked before
// an attempt, Fail or Succeed told its outcome after. scope names the
// kind of attempt (LimitScopeLogin here; package accounts uses
// "password_reset" and "password_change") and key what is attacked (the
// normalised username); the Limiter takes the client address from r
// itself. A positive retryAfter refuses the attempt for that long; locked
// says the refusal is a lockout rather than a delay. Package throttle's
// Limiter implements it; the interface lives here so that auth does not
// depend on it.
type Limiter interface {
	Check(ctx context.Context, r *http.Request, scope, key string) (retryAfter time.Duration, locked bool, err error)
	Fail(ctx context.Context, r *http.Request, scope, key string) (retryAfter time.Duration, locked bool, err error)
	Succeed(ctx context.Context, r *http.Request, scope, key string) error
}

// AttemptReserver is implemented by Limiters that count an attempt as a
// failure before it is made, atomically with their check, so that
// concurrent attempts cannot overshoot a lockout (package throttle's
// Limiter does). The login page then calls Reserve instead of Check; a
// wrong password needs nothing more (Check tells whether the account is
// now locked), a right one calls Release and Succeed, and an attempt
// without a verdict (no hashing slot, a store error) calls Release.
type AttemptReserver interface {
	Reserve(ctx context.Context, r *http.Request, scope, key string) (retryAfter time.Duration, locked bool, err error)
	Release(ctx context.Context, r *http.Request, scope, key string) error
}

// LimitScopeLogin is the Limiter scope of the login page; its key is the
// username as the login form cleans it.
const LimitScopeLogin = "login"

// MsgThrottled is the login form's error when the Limiter refuses an
// attempt; %s is the wait ("30 seconds").
const MsgThrottled = "Too many failed attempts. Please try again in %s."

// Limiter returns Config.Limiter, or nil when attempts are not throttled.
// Package accounts guards its forms with it.
func (a *Auth[U]) Limiter() Limiter { return a.limiter }

// RetryAfterSeconds is the Retry-After value of a wait: whole seconds,
// rounded up, at least 1.
func RetryAfterSeconds(wait time.Duration) int {
	return max(1, int((wait+time.Second-1)/time.Second))
}

// ThrottledMessage formats MsgThrottled for a wait.
func ThrottledMessage(wait time.Duration) string {
	n := RetryAfterSeconds(wait)
	unit := "seconds"
	if n == 1 {
		unit = "second"
	}
	return fmt.Sprintf(MsgThrottled, strconv.Itoa(n)+" "+unit)
}

// SetRetryAfter sets the Retry-After header of a 429 response for wait.
func SetRetryAfter(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds(wait)))
}

// sendLockedOut sends UserLockedOut.
func (a *Auth[U]) sendLockedOut(ctx context.Context, r *http.Request, scope, key string, wait time.Duration) {
	a.signals.UserLockedOut.Send(ctx, LockedOut{Request: r, Scope: scope, Key: key, RetryAfter: wait})
}
