package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"
)

// Signal is a typed hub of receivers, the counterpart of a Django signal.
// Send calls every connected receiver synchronously, in the order they were
// connected. A receiver that panics is recovered and logged, and the
// remaining receivers still run: a broken receiver never breaks a login.
//
// The zero Signal is ready to use and logs panics to slog.Default(); the
// hubs of an Auth log to its Config.Logger. A Signal is safe for concurrent
// use and must not be copied after first use.
type Signal[T any] struct {
	name   string
	logger *slog.Logger

	mu        sync.RWMutex
	nextID    uint64
	receivers []signalReceiver[T]
}

type signalReceiver[T any] struct {
	id uint64
	fn func(context.Context, T)
}

// Connect adds fn to the receivers and returns a function that removes it
// again; calling that function more than once is harmless. A nil fn is
// ignored.
func (s *Signal[T]) Connect(fn func(ctx context.Context, event T)) (disconnect func()) {
	if fn == nil {
		return func() {}
	}
	s.mu.Lock()
	s.nextID++
	id := s.nextID
	s.receivers = append(s.receivers, signalReceiver[T]{id: id, fn: fn})
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, r := range s.receivers {
			if r.id == id {
				// Copy so that a Send in progress keeps its snapshot.
				rs := make([]signalReceiver[T], 0, len(s.receivers)-1)
				rs = append(rs, s.receivers[:i]...)
				s.receivers = append(rs, s.receivers[i+1:]...)
				return
			}
		}
	}
}

// Len returns the number of connected receivers.
func (s *Signal[T]) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.receivers)
}

// Send calls every receiver with event. Receivers connected or disconnected
// during Send take effect from the next Send.
func (s *Signal[T]) Send(ctx context.Context, event T) {
	s.mu.RLock()
	rs := s.receivers
	s.mu.RUnlock()
	for _, r := range rs {
		s.call(ctx, r.fn, event)
	}
}

func (s *Signal[T]) call(ctx context.Context, fn func(context.Context, T), event T) {
	defer func() {
		if v := recover(); v != nil {
			logger := s.logger
			if logger == nil {
				logger = slog.Default()
			}
			name := s.name
			if name == "" {
				name = fmt.Sprintf("%T", event)
			}
			logger.ErrorContext(ctx, "auth: signal receiver panicked",
				slog.String("signal", name),
				slog.String("panic", fmt.Sprint(v)),
				slog.String("stack", string(debug.Stack())))
		}
	}()
	fn(ctx, event)
}

// LoggedIn is sent after a user has logged in (Django's user_logged_in).
type LoggedIn[U any] struct {
	// Request is the request of the login; it may be nil.
	Request *http.Request
	// User is the user who logged in.
	User *U
	// Backend is the name of the backend that authenticated the user.
	Backend string
	// Factor is the Kind of the second factor that completed the login
	// ("totp", "recovery", "passkey"), and Device the PersistentID of its
	// device; both are empty for a login without a second step.
	Factor string
	Device string
	// Impersonator is the superuser on whose behalf User was logged in by
	// Auth.Impersonate; nil for a user's own login. A receiver that
	// tells users about new logins should skip impersonations (the audit
	// trail records them through ImpersonationStarted).
	Impersonator *U
}

// LoggedOut is sent before the session of a logout is destroyed (Django's
// user_logged_out).
type LoggedOut[U any] struct {
	// Request is the request of the logout; it may be nil.
	Request *http.Request
	// User is the user who logged out, or nil when the request was
	// anonymous.
	User *U
}

// LoginFailed is sent when no backend accepted the credentials given to
// Authenticate (Django's user_login_failed).
type LoginFailed struct {
	// Request is the request of the attempt; it may be nil.
	Request *http.Request
	// Credentials are the credentials tried, cleansed: the values of
	// sensitive keys such as "password" are CleansedSubstitute.
	Credentials Credentials
	// Factor is the Kind of the second factor whose code was refused
	// after a right password (package mfa); empty for a failed password.
	Factor string
}

// LockedOut is sent when a Limiter locks a key out: by the failure that
// locks it and by every attempt that the lockout refuses (django-axes'
// user_locked_out).
type LockedOut struct {
	// Request is the request of the attempt; it may be nil.
	Request *http.Request
	// Scope is the kind of attempt (LimitScopeLogin, "password_reset",
	// "password_change").
	Scope string
	// Key is what was locked out: the normalised username of a login,
	// the email of a password reset, the user id of a password change.
	// The lockout may be of the client address instead (see the Limiter).
	Key string
	// RetryAfter is how long the lockout still lasts.
	RetryAfter time.Duration
}

// Signals are the hubs of an Auth instance. Connect receivers to them
// before serving requests or at any time later.
type Signals[U any] struct {
	// UserLoggedIn is sent after a successful Login.
	UserLoggedIn Signal[LoggedIn[U]]
	// UserLoggedOut is sent by Logout before the session is destroyed.
	UserLoggedOut Signal[LoggedOut[U]]
	// UserLoginFailed is sent when Authenticate fails.
	UserLoginFailed Signal[LoginFailed]
	// UserLockedOut is sent when Config.Limiter locks a key out.
	UserLockedOut Signal[LockedOut]
	// ImpersonationStarted is sent by Impersonate after the session was
	// handed to the target.
	ImpersonationStarted Signal[Impersonated[U]]
	// ImpersonationEnded is sent when an impersonation ends: by
	// StopImpersonation and by Logout of an impersonated session.
	ImpersonationEnded Signal[Impersonated[U]]
}

func newSignals[U any](logger *slog.Logger) *Signals[U] {
	s := &Signals[U]{}
	s.UserLoggedIn.name, s.UserLoggedIn.logger = "user_logged_in", logger
	s.UserLoggedOut.name, s.UserLoggedOut.logger = "user_logged_out", logger
	s.UserLoginFailed.name, s.UserLoginFailed.logger = "user_login_failed", logger
	s.UserLockedOut.name, s.UserLockedOut.logger = "user_locked_out", logger
	s.ImpersonationStarted.name, s.ImpersonationStarted.logger = "impersonation_started", logger
	s.ImpersonationEnded.name, s.ImpersonationEnded.logger = "impersonation_ended", logger
	return s
}
