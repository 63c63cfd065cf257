package mfa

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"

	auth "github.com/djauth/auth"
)

// Session keys of the flow. The pending login lives under the
// SessionKeyPending* keys until its second step; a completed login, or a
// verification of a logged-in session, sets DeviceSessionKey (django-otp's
// otp_device_id) and SessionKeyVerifiedAt. All values are strings.
const (
	// SessionKeyPendingUserID, SessionKeyPendingBackend and
	// SessionKeyPendingHash are the user, backend and session auth hash
	// of a login waiting for its second step (the auth hash voids it when
	// the password changes meanwhile).
	SessionKeyPendingUserID  = "_mfa_pending_user_id"
	SessionKeyPendingBackend = "_mfa_pending_backend"
	SessionKeyPendingHash    = "_mfa_pending_hash"
	// SessionKeyPendingStarted is when the password was accepted, in
	// Unix nanoseconds; SessionKeyPendingAttempts the number of wrong
	// codes given since.
	SessionKeyPendingStarted  = "_mfa_pending_started"
	SessionKeyPendingAttempts = "_mfa_pending_attempts"
	// SessionKeyVerifiedAt is when the session's user last proved who
	// they are (the login, a second factor, or a password re-entered on
	// the verification page), in Unix nanoseconds, and
	// SessionKeyVerifiedBy how: a factor's Kind, VerifiedByPassword or
	// VerifiedByLogin.
	SessionKeyVerifiedAt = "_mfa_verified_at"
	SessionKeyVerifiedBy = "_mfa_verified_by"
	// SessionKeyEnrolLater records that the user chose, during the grace
	// period, to enrol later; it lasts for the session.
	SessionKeyEnrolLater = "_mfa_enrol_later"
)

// Values of SessionKeyVerifiedBy besides factor kinds.
const (
	// VerifiedByPassword is a password re-entered on the verification
	// page by a user without a device.
	VerifiedByPassword = "password"
	// VerifiedByLogin is a login without a second step.
	VerifiedByLogin = "login"
)

// RecoveryKind is the Kind of the recovery code factor (package
// mfa/recovery). Enrolment is complete only with recovery codes when a
// factor of this kind is configured.
const RecoveryKind = "recovery"

// Defaults of FlowConfig.
const (
	DefaultPendingTimeout = 5 * time.Minute
	DefaultMaxAttempts    = 5
	DefaultChallengeURL   = "/accounts/mfa/challenge/"
	DefaultVerifyURL      = "/accounts/mfa/verify/"
	DefaultReminderURL    = "/accounts/mfa/later/"
	DefaultEnrolURL       = "/accounts/mfa/"
	// LimitScopeVerify is the auth.Limiter scope of the verification
	// page of a logged-in user; its key is the user's ID.
	LimitScopeVerify = "mfa_verify"
)

// Errors of the flow.
var (
	// ErrNoPendingLogin reports that the session holds no login waiting
	// for a second step: none was started, it expired, its user's
	// password changed, or it was dropped after too many wrong codes.
	ErrNoPendingLogin = errors.New("mfa: no pending login")
	// ErrTooManyAttempts reports the wrong code that used up the pending
	// login's attempts; the pending login is gone.
	ErrTooManyAttempts = errors.New("mfa: too many wrong codes; log in again")
	// ErrUnknownFactor reports a factor kind that is not configured, or
	// not a CodeFactor where a code was given.
	ErrUnknownFactor = errors.New("mfa: unknown factor")
	// ErrWrongUser reports a device that is not the user's.
	ErrWrongUser = errors.New("mfa: device of another user")
	// ErrInvalidPassword reports a wrong password on the verification
	// page.
	ErrInvalidPassword = errors.New("mfa: invalid password")
	// ErrFactorRequired reports a password offered as re-authentication
	// by a user who has a device and must use it.
	ErrFactorRequired = errors.New("mfa: verify with a second factor")
	// ErrNotBound reports a Flow that no auth.New has bound.
	ErrNotBound = errors.New("mfa: flow not bound to an auth.Auth (set it as auth.Config.SecondFactor)")
)

// FlowConfig configures NewFlow. Only Factors is required.
type FlowConfig struct {
	// Factors are the configured second factors, each Kind once. A user
	// with a confirmed device of any of them gets the two-step login.
	Factors []Factor
	// Policy holds who must use a second factor (see Policy). Nil means
	// nobody must: the two-step login still applies to users who
	// enrolled, and MFARequired lets everyone through.
	Policy PolicyStore
	// PendingTimeout is how long a pending login waits for its second
	// step. Zero means DefaultPendingTimeout, five minutes.
	PendingTimeout time.Duration
	// MaxAttempts is how many wrong codes a pending login takes before
	// it is dropped. Zero means DefaultMaxAttempts. The factors also
	// throttle each device.
	MaxAttempts int
	// ChallengeURL, VerifyURL and ReminderURL are the paths of the
	// second step of a login, of the verification (and step-up) page of
	// a logged-in user, and of the "enrol now or later" page of the grace
	// period; package accounts mounts its pages there. EnrolURL is the
	// enrolment page of the factors. Empty means the Default*URL.
	ChallengeURL string
	VerifyURL    string
	ReminderURL  string
	EnrolURL     string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Flow is the two-step login, the enforcement of the Policy and step-up
// for the user type U. Create it with NewFlow, set it as
// auth.Config.SecondFactor (auth.New binds it) and mount its pages with
// package accounts. It is safe for concurrent use.
type Flow[U any] struct {
	factors        []Factor
	byKind         map[string]Factor
	policy         PolicyStore
	pendingTimeout time.Duration
	maxAttempts    int
	challengeURL   string
	verifyURL      string
	reminderURL    string
	enrolURL       string
	now            func() time.Time

	mu sync.RWMutex
	a  *auth.Auth[U]
}

var (
	_ auth.SecondFactor[auth.User] = (*Flow[auth.User])(nil)
	_ auth.Binder[auth.User]       = (*Flow[auth.User])(nil)
)

// NewFlow checks cfg and returns a Flow. It returns an error wrapping
// auth.ErrConfig when there is no factor, a factor is nil, has an empty
// Kind or a Kind given twice, a URL is not a path, or a number is
// negative.
func NewFlow[U any](cfg FlowConfig) (*Flow[U], error) {
	bad := func(format string, args ...any) (*Flow[U], error) {
		return nil, fmt.Errorf("%w: mfa: "+format, append([]any{auth.ErrConfig}, args...)...)
	}
	if err := auth.CheckUserType[U](); err != nil {
		return nil, err
	}
	if len(cfg.Factors) == 0 {
		return bad("FlowConfig.Factors is empty")
	}
	f := &Flow[U]{
		factors:        append([]Factor(nil), cfg.Factors...),
		byKind:         make(map[string]Factor, len(cfg.Factors)),
		policy:         cfg.Policy,
		pendingTimeout: cfg.PendingTimeout,
		maxAttempts:    cfg.MaxAttempts,
		challengeURL:   cfg.ChallengeURL,
		verifyURL:      cfg.VerifyURL,
		reminderURL:    cfg.ReminderURL,
		enrolURL:       cfg.EnrolURL,
		now:            cfg.Now,
	}
	for i, fa := range f.factors {
		if fa == nil {
			return bad("FlowConfig.Factors[%d] is nil", i)
		}
		k := fa.Kind()
		if k == "" {
			return bad("FlowConfig.Factors[%d] (%T) has an empty Kind", i, fa)
		}
		if _, dup := f.byKind[k]; dup {
			return bad("factor kind %q is configured twice", k)
		}
		f.byKind[k] = fa
	}
	if f.pendingTimeout < 0 || f.maxAttempts < 0 {
		return bad("FlowConfig.PendingTimeout and MaxAttempts must not be negative")
	}
	if f.pendingTimeout == 0 {
		f.pendingTimeout = DefaultPendingTimeout
	}
	if f.maxAttempts == 0 {
		f.maxAttempts = DefaultMaxAttempts
	}
	for _, u := range []struct {
		name string
		val  *string
		def  string
	}{
		{"ChallengeURL", &f.challengeURL, DefaultChallengeURL},
		{"VerifyURL", &f.verifyURL, DefaultVerifyURL},
		{"ReminderURL", &f.reminderURL, DefaultReminderURL},
		{"EnrolURL", &f.enrolURL, DefaultEnrolURL},
	} {
		if *u.val == "" {
			*u.val = u.def
		}
		if !strings.HasPrefix(*u.val, "/") || strings.HasPrefix(*u.val, "//") || strings.ContainsAny(*u.val, "?#\\") {
			return bad("FlowConfig.%s %q must be a path starting with a single \"/\"", u.name, *u.val)
		}
	}
	if f.now == nil {
		f.now = time.Now
	}
	return f, nil
}

// Bind implements auth.Binder: auth.New calls it when the Flow is
// Config.SecondFactor. A Flow serves one Auth; binding it to a second
// one fails. Through the UserLoggedIn signal it records every login's
// time in the session (SessionKeyVerifiedAt) and drops the session's
// pending login, if any.
func (f *Flow[U]) Bind(a *auth.Auth[U]) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.a != nil && f.a != a {
		return errors.New("mfa: the Flow is already bound to another auth.Auth")
	}
	if f.a == a {
		return nil
	}
	for _, fa := range f.factors {
		if sb, ok := fa.(SessionBinder); ok {
			if err := sb.BindAuth(a.Sessions(), UserActive(a)); err != nil {
				return fmt.Errorf("mfa: bind factor %s: %w", fa.Kind(), err)
			}
		}
	}
	f.a = a
	a.Signals().UserLoggedIn.Connect(func(ctx context.Context, ev auth.LoggedIn[U]) {
		// An impersonation is no verification of the target: their
		// step-up pages stay closed to it (an impersonator must not enrol
		// or regenerate the target's factors).
		if ev.Impersonator == nil {
			by := ev.Factor
			if by == "" {
				by = VerifiedByLogin
			}
			f.markVerified(ctx, by)
		}
		// Any login ends a pending one on the session: a code typed
		// later must not switch the session to the pending user.
		f.clearPending(ctx, a)
	})
	return nil
}

// A SessionBinder is a Factor that keeps state in the Auth's sessions
// and checks that users are active (package mfa/passkey's Passkeys):
// Bind hands it the Auth's session manager and that check, so that the
// factor can be made, and given to NewFlow, before auth.New.
type SessionBinder interface {
	BindAuth(sessions *scs.SessionManager, userActive func(ctx context.Context, userID int64) (bool, error)) error
}

// UserActive returns a check of whether the user userID exists and is
// active in a's store (false, not an error, for a user who is gone).
func UserActive[U any](a *auth.Auth[U]) func(ctx context.Context, userID int64) (bool, error) {
	return func(ctx context.Context, userID int64) (bool, error) {
		u, err := a.Store().GetUser(ctx, userID)
		if errors.Is(err, auth.ErrUserNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return auth.UserOf(u).IsActive, nil
	}
}

// auth returns the bound Auth, or ErrNotBound.
func (f *Flow[U]) auth() (*auth.Auth[U], error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.a == nil {
		return nil, ErrNotBound
	}
	return f.a, nil
}

// Factors returns the configured factors in order.
func (f *Flow[U]) Factors() []Factor { return append([]Factor(nil), f.factors...) }

// Factor returns the configured factor of the kind, or nil.
func (f *Flow[U]) Factor(kind string) Factor { return f.byKind[kind] }

// Policy returns FlowConfig.Policy (nil when none).
func (f *Flow[U]) Policy() PolicyStore { return f.policy }

// ChallengeURL implements auth.SecondFactor: the page of the second step.
func (f *Flow[U]) ChallengeURL() string { return f.challengeURL }

// VerifyURL is the verification (and step-up) page of a logged-in user.
func (f *Flow[U]) VerifyURL() string { return f.verifyURL }

// ReminderURL is the "enrol now or later" page of the grace period.
func (f *Flow[U]) ReminderURL() string { return f.reminderURL }

// EnrolURL is the enrolment page of the factors.
func (f *Flow[U]) EnrolURL() string { return f.enrolURL }

// Now returns the Flow's clock's time.
func (f *Flow[U]) Now() time.Time { return f.now() }

// Devices returns the confirmed devices of the user of every factor, in
// the order of the factors. An error of any factor is returned: the
// answer would be incomplete.
func (f *Flow[U]) Devices(ctx context.Context, userID int64) ([]Device, error) {
	var out []Device
	for _, fa := range f.factors {
		ds, err := fa.Devices(ctx, userID)
		if err != nil {
			return nil, fmt.Errorf("mfa: devices of factor %s: %w", fa.Kind(), err)
		}
		out = append(out, ds...)
	}
	return out, nil
}

// CodeKinds returns the kinds of the CodeFactors of which the user has a
// device, in the order of the factors: the choices of the challenge page.
func (f *Flow[U]) CodeKinds(ctx context.Context, userID int64) ([]string, error) {
	var out []string
	for _, fa := range f.factors {
		if _, ok := fa.(CodeFactor); !ok {
			continue
		}
		ds, err := fa.Devices(ctx, userID)
		if err != nil {
			return nil, fmt.Errorf("mfa: devices of factor %s: %w", fa.Kind(), err)
		}
		if len(ds) > 0 {
			out = append(out, fa.Kind())
		}
	}
	return out, nil
}

// Required implements auth.SecondFactor: a user with a confirmed device of
// any factor needs the second step.
func (f *Flow[U]) Required(ctx context.Context, user *U) (bool, error) {
	id := auth.UserOf(user).ID
	for _, fa := range f.factors {
		ds, err := fa.Devices(ctx, id)
		if err != nil {
			return false, fmt.Errorf("mfa: devices of factor %s: %w", fa.Kind(), err)
		}
		if len(ds) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// Begin implements auth.SecondFactor: it stores the pending login.
func (f *Flow[U]) Begin(r *http.Request, user *U, backend string) error {
	a, err := f.auth()
	if err != nil {
		return err
	}
	au := auth.UserOf(user)
	s, ctx := a.Sessions(), r.Context()
	s.Put(ctx, SessionKeyPendingUserID, strconv.FormatInt(au.ID, 10))
	s.Put(ctx, SessionKeyPendingBackend, backend)
	s.Put(ctx, SessionKeyPendingHash, a.SessionAuthHash(au.Password))
	s.Put(ctx, SessionKeyPendingStarted, strconv.FormatInt(f.now().UnixNano(), 10))
	s.Put(ctx, SessionKeyPendingAttempts, "0")
	return nil
}

// PendingLogin is a login waiting for its second step.
type PendingLogin[U any] struct {
	// User is the user whose password was accepted, as the backend loads
	// them now.
	User *U
	// Backend is the backend that authenticated the user.
	Backend string
	// Started is when the password was accepted; Expires when the
	// pending login ends.
	Started, Expires time.Time
	// Attempts is the number of wrong codes given so far; Remaining how
	// many more the pending login takes.
	Attempts, Remaining int
}

// clockSkew is how far in the future a pending login's start may lie:
// the instances of a site that share sessions may disagree on the time
// by that much.
const clockSkew = time.Minute

var pendingKeys = []string{SessionKeyPendingUserID, SessionKeyPendingBackend, SessionKeyPendingHash,
	SessionKeyPendingStarted, SessionKeyPendingAttempts}

// Pending returns the request's pending login. It returns
// ErrNoPendingLogin, and clears what is left of the state, when there is
// none, it expired, its user no longer exists or may not log in, or the
// user's password changed since; other errors mean the user could not be
// loaded. The pending state gives no access: the request's user stays
// anonymous.
func (f *Flow[U]) Pending(r *http.Request) (*PendingLogin[U], error) {
	a, err := f.auth()
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	s := a.Sessions()
	idStr := s.GetString(ctx, SessionKeyPendingUserID)
	if idStr == "" {
		f.clearPending(ctx, a)
		return nil, ErrNoPendingLogin
	}
	id, err1 := strconv.ParseInt(idStr, 10, 64)
	started, err2 := strconv.ParseInt(s.GetString(ctx, SessionKeyPendingStarted), 10, 64)
	attempts, err3 := strconv.Atoi(s.GetString(ctx, SessionKeyPendingAttempts))
	backend := s.GetString(ctx, SessionKeyPendingBackend)
	b := a.Backend(backend)
	now := f.now()
	p := &PendingLogin[U]{Backend: backend, Started: time.Unix(0, started), Attempts: attempts}
	p.Expires = p.Started.Add(f.pendingTimeout)
	p.Remaining = f.maxAttempts - attempts
	if err1 != nil || err2 != nil || err3 != nil || id <= 0 || b == nil || attempts < 0 || p.Remaining <= 0 ||
		!now.Before(p.Expires) || p.Started.After(now.Add(clockSkew)) {
		f.clearPending(ctx, a)
		return nil, ErrNoPendingLogin
	}
	user, err := b.GetUser(ctx, id)
	if errors.Is(err, auth.ErrUserNotFound) || err == nil && user == nil {
		f.clearPending(ctx, a)
		return nil, ErrNoPendingLogin
	}
	if err != nil {
		return nil, fmt.Errorf("mfa: load user of pending login: %w", err)
	}
	want := a.SessionAuthHash(auth.UserOf(user).Password)
	if subtle.ConstantTimeCompare([]byte(want), []byte(s.GetString(ctx, SessionKeyPendingHash))) != 1 {
		f.clearPending(ctx, a)
		return nil, ErrNoPendingLogin
	}
	p.User = user
	return p, nil
}

// Abandon drops the request's pending login, if any ("cancel" on the
// challenge page).
func (f *Flow[U]) Abandon(r *http.Request) error {
	a, err := f.auth()
	if err != nil {
		return err
	}
	f.clearPending(r.Context(), a)
	return nil
}

func (f *Flow[U]) clearPending(ctx context.Context, a *auth.Auth[U]) {
	s := a.Sessions()
	for _, k := range pendingKeys {
		if s.Exists(ctx, k) {
			s.Remove(ctx, k)
		}
	}
}

// VerifyCode is the second step with a code: it checks code with the
// CodeFactor of the kind against the pending user's devices and, when a
// device accepts it, completes the login (see Complete). A wrong code
// (ErrInvalidCode) counts against the pending login's attempts and sends
// auth's UserLoginFailed signal; the wrong code that uses up the attempts
// drops the pending login and returns ErrTooManyAttempts. A throttled
// device (ErrThrottled) or a factor without a device of the user
// (ErrNoDevice) is not counted: no code was tried. ErrNoPendingLogin
// means there is nothing to complete; ErrUnknownFactor that kind is no
// configured CodeFactor.
func (f *Flow[U]) VerifyCode(r *http.Request, kind, code string) (Device, error) {
	a, err := f.auth()
	if err != nil {
		return Device{}, err
	}
	ctx := r.Context()
	p, err := f.Pending(r)
	if err != nil {
		return Device{}, err
	}
	cf, ok := f.byKind[kind].(CodeFactor)
	if !ok {
		return Device{}, fmt.Errorf("%w: %q", ErrUnknownFactor, kind)
	}
	au := auth.UserOf(p.User)
	// The attempts counted in the session are per pending login and can
	// be overshot by concurrent requests on one cookie; the Limiter (per
	// user, shared with the verification page) and the factors' own
	// throttles are counted atomically in their stores.
	if err := f.limitCheck(r, a, au.ID); err != nil {
		return Device{}, err
	}
	dev, err := cf.VerifyCode(ctx, au.ID, code)
	switch {
	case errors.Is(err, ErrInvalidCode):
		f.sendFailed(r, a, au.Username, kind)
		if lerr := f.limitFail(r, a, au.ID); lerr != nil {
			return Device{}, lerr
		}
		attempts := p.Attempts + 1
		if attempts >= f.maxAttempts {
			f.clearPending(ctx, a)
			return Device{}, fmt.Errorf("%w (%w)", ErrTooManyAttempts, err)
		}
		a.Sessions().Put(ctx, SessionKeyPendingAttempts, strconv.Itoa(attempts))
		return Device{}, err
	case err != nil:
		return Device{}, err
	}
	if err := f.complete(r, a, p, dev); err != nil {
		return Device{}, err
	}
	f.limitSucceed(r, a, au.ID)
	return dev, nil
}

// Complete ends the pending login with dev, a device that has just
// passed its factor's own ceremony (a passkey's assertion): it logs the
// pending user in through auth.Auth.LoginVerified (the session token is
// renewed and UserLoggedIn names the factor), records the device under
// DeviceSessionKey, as django-otp's login does, and the time under
// SessionKeyVerifiedAt, and drops the pending state. It returns
// ErrNoPendingLogin when there is no pending login, ErrWrongUser when
// dev is another user's and ErrUnknownFactor when dev's factor is not
// configured. Code factors are completed by VerifyCode.
func (f *Flow[U]) Complete(r *http.Request, dev Device) error {
	a, err := f.auth()
	if err != nil {
		return err
	}
	p, err := f.Pending(r)
	if err != nil {
		return err
	}
	return f.complete(r, a, p, dev)
}

func (f *Flow[U]) complete(r *http.Request, a *auth.Auth[U], p *PendingLogin[U], dev Device) error {
	ctx := r.Context()
	if _, ok := f.byKind[dev.Factor]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownFactor, dev.Factor)
	}
	if dev.UserID != auth.UserOf(p.User).ID {
		return ErrWrongUser
	}
	s := a.Sessions()
	s.Put(ctx, DeviceSessionKey, dev.PersistentID)
	if err := a.LoginVerified(r, p.User, p.Backend, auth.Verification{Factor: dev.Factor, Device: dev.PersistentID}); err != nil {
		s.Remove(ctx, DeviceSessionKey)
		return fmt.Errorf("mfa: complete login: %w", err)
	}
	f.clearPending(ctx, a)
	s.Remove(ctx, SessionKeyEnrolLater)
	return nil
}

// sendFailed sends UserLoginFailed for a wrong code; the code itself is
// never sent.
func (f *Flow[U]) sendFailed(r *http.Request, a *auth.Auth[U], username, kind string) {
	a.Signals().UserLoginFailed.Send(r.Context(), auth.LoginFailed{
		Request:     r,
		Credentials: auth.Credentials{auth.CredentialUsername: username, "otp_token": ""}.Cleansed(),
		Factor:      kind,
	})
}

// markVerified records a verification of the session's user now.
func (f *Flow[U]) markVerified(ctx context.Context, by string) {
	a, err := f.auth()
	if err != nil {
		return
	}
	a.Sessions().Put(ctx, SessionKeyVerifiedAt, strconv.FormatInt(f.now().UnixNano(), 10))
	a.Sessions().Put(ctx, SessionKeyVerifiedBy, by)
}

// VerifiedAt returns when the session's user last proved who they are
// and how (a factor's Kind, VerifiedByPassword or VerifiedByLogin); ok is
// false when the session records nothing.
func (f *Flow[U]) VerifiedAt(r *http.Request) (at time.Time, by string, ok bool) {
	a, err := f.auth()
	if err != nil {
		return time.Time{}, "", false
	}
	ctx := r.Context()
	n, err := strconv.ParseInt(a.Sessions().GetString(ctx, SessionKeyVerifiedAt), 10, 64)
	if err != nil {
		return time.Time{}, "", false
	}
	return time.Unix(0, n), a.Sessions().GetString(ctx, SessionKeyVerifiedBy), true
}
