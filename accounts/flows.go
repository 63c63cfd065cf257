package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/passwordless"
	"github.com/djauth/auth/validation"
)

// The flows of the pages as functions, for callers that are not pages
// (package api's JSON endpoints): each checks its input, throttles as the
// page does and returns a *FormError, a *ThrottledError or a sentinel
// where the page shows a message. The pages call them too.

// ErrThrottled is what a *ThrottledError is: the Limiter refused the
// attempt.
var ErrThrottled = errors.New("accounts: too many attempts")

// ThrottledError reports an attempt that the Auth's Limiter refused, with
// how long to wait. It is ErrThrottled.
type ThrottledError struct {
	// Scope is the Limiter scope that refused; RetryAfter how long until
	// it lets an attempt through.
	Scope      string
	RetryAfter time.Duration
}

// Error implements error.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("accounts: %s: too many attempts; try again in %s", e.Scope, e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// Message is the English text of the refusal, auth.ThrottledMessage;
// the pages show auth.ThrottledMsg in the request's language.
func (e *ThrottledError) Message() string { return auth.ThrottledMessage(e.RetryAfter) }

// FormError lists the problems of a form by field name (the HTML form's
// field names: "old_password", "new_password1", "email", "code"), each
// with the messages the page shows. It is auth.ErrInvalid.
type FormError struct {
	Fields map[string][]string
}

// Error implements error.
func (e *FormError) Error() string {
	var all []string
	for k, msgs := range e.Fields {
		all = append(all, k+": "+strings.Join(msgs, " "))
	}
	return "accounts: invalid form: " + strings.Join(all, "; ")
}

// Is makes errors.Is(err, auth.ErrInvalid) true.
func (e *FormError) Is(target error) bool { return target == auth.ErrInvalid }

func (e *FormError) add(field string, msgs ...string) {
	if len(msgs) == 0 {
		return
	}
	if e.Fields == nil {
		e.Fields = map[string][]string{}
	}
	e.Fields[field] = append(e.Fields[field], msgs...)
}

func (e *FormError) orNil() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// ErrWrongCode is returned by VerifyEmailCode for a code that verifies no
// address (wrong, used or expired); the page shows MsgWrongCode.
var ErrWrongCode = errors.New("accounts: wrong or expired verification code")

// ErrInvalidResetLink is returned by ResetPassword for a reset link that
// does not check: an unknown or inactive user, a wrong, used or expired
// token.
var ErrInvalidResetLink = errors.New("accounts: invalid password reset link")

// ErrDisallowedHost is returned by RequestPasswordReset when no mail link
// can be built: the request's Host is not in auth.Config.AllowedHosts and
// Config.SiteURL is not set (Django's DisallowedHost).
var ErrDisallowedHost = errors.New("accounts: Host not allowed for mail links")

// ErrNoMailer is returned by RequestPasswordReset of a Manager without
// Config.Mailer: no reset mail can go.
var ErrNoMailer = errors.New("accounts: no mailer configured")

// ErrNoEmails is returned by the email flows of a Manager without
// Config.Emails.
var ErrNoEmails = errors.New("accounts: email addresses are not configured")

// limitTry asks ask (a Limiter's Check or an AttemptReserver's Reserve)
// about an attempt: a refusal is a *ThrottledError (and UserLockedOut is
// sent when it locks out), a failing Limiter an error. Without a Limiter
// it returns nil.
func (m *Manager[U]) limitTry(r *http.Request, ask func(context.Context, *http.Request, string, string) (time.Duration, bool, error), scope, key string) error {
	wait, locked, err := ask(r.Context(), r, scope, key)
	if err != nil {
		return fmt.Errorf("accounts: %s: limiter: %w", scope, err)
	}
	if wait <= 0 {
		return nil
	}
	if locked {
		m.auth.Signals().UserLockedOut.Send(r.Context(), auth.LockedOut{Request: r, Scope: scope, Key: key, RetryAfter: wait})
	}
	return &ThrottledError{Scope: scope, RetryAfter: wait}
}

// limitGate checks an attempt of scope for key with the Limiter, nil
// without one.
func (m *Manager[U]) limitGate(r *http.Request, scope, key string) error {
	l := m.auth.Limiter()
	if l == nil {
		return nil
	}
	return m.limitTry(r, l.Check, scope, key)
}

// answerLimited answers err from a flow on a page: a *ThrottledError
// sets Retry-After and calls refuse with its message; any other error is
// a server error. It reports whether err was nil.
func (m *Manager[U]) answerLimited(w http.ResponseWriter, r *http.Request, what string, err error, refuse func(string)) bool {
	if err == nil {
		return true
	}
	var te *ThrottledError
	if errors.As(err, &te) {
		auth.SetRetryAfter(w, te.RetryAfter)
		refuse(m.auth.Translator(r).Translate(auth.ThrottledMsg(te.RetryAfter)))
		return false
	}
	m.serverError(w, r, what, err)
	return false
}

// VerifyEmailCode verifies an address with the code of its verification
// mail, as the code page does: the address email, or, when email is ""
// and the request has a user, any unverified address of that user. Every
// attempt is checked and counted by the Limiter (LimitScopeEmailCode,
// keyed by the address or "user:<id>"). It returns the verified address;
// ErrWrongCode for a code that verifies nothing; a *FormError ("email",
// "code") for a missing code or a malformed address; a *ThrottledError;
// ErrNoEmails without Config.Emails. Nobody is logged in.
func (m *Manager[U]) VerifyEmailCode(r *http.Request, email, code string) (emails.Address, error) {
	if m.emails == nil {
		return emails.Address{}, ErrNoEmails
	}
	fe := &FormError{}
	code = strings.TrimSpace(code)
	if code == "" {
		fe.add("code", auth.MsgRequired)
	}
	var candidates []string
	key := ""
	raw := strings.TrimSpace(email)
	user := m.auth.UserFromContext(r.Context()).User()
	switch {
	case raw != "" || user == nil:
		clean, errs := cleanEmail(raw)
		fe.add("email", errs...)
		candidates, key = []string{clean}, emailKey(clean)
	default:
		id := auth.UserOf(user).ID
		key = "user:" + strconv.FormatInt(id, 10)
		as, err := m.emails.Store().UserAddresses(r.Context(), id)
		if err != nil {
			return emails.Address{}, fmt.Errorf("accounts: verify code: %w", err)
		}
		for _, a := range as {
			if !a.Verified {
				candidates = append(candidates, a.Email)
			}
		}
	}
	if err := fe.orNil(); err != nil {
		return emails.Address{}, err
	}
	if err := m.limitGate(r, LimitScopeEmailCode, key); err != nil {
		return emails.Address{}, err
	}
	var confirmed emails.Address
	for _, e := range candidates {
		a, err := m.emails.ConfirmCode(r.Context(), e, code)
		if errors.Is(err, emails.ErrInvalidKey) {
			continue
		}
		if err != nil {
			return emails.Address{}, fmt.Errorf("accounts: verify code: %w", err)
		}
		confirmed = a
		break
	}
	if err := m.limitRecord(r, LimitScopeEmailCode, key, confirmed.ID != 0); err != nil {
		return emails.Address{}, fmt.Errorf("accounts: %s: limiter: %w", LimitScopeEmailCode, err)
	}
	if confirmed.ID == 0 {
		return emails.Address{}, ErrWrongCode
	}
	return confirmed, nil
}

// ResendVerification is the resend of the verification-required page: it
// checks the address, counts the request (LimitScopeEmailSend, every
// request counts) and calls Resend. It answers alike whether or not the
// address has an account. Errors: a *FormError ("email"), a
// *ThrottledError, ErrNoEmails.
func (m *Manager[U]) ResendVerification(r *http.Request, email string) error {
	if m.emails == nil {
		return ErrNoEmails
	}
	clean, errs := cleanEmail(email)
	if len(errs) > 0 {
		return &FormError{Fields: map[string][]string{"email": errs}}
	}
	key := emailKey(clean)
	if err := m.limitGate(r, LimitScopeEmailSend, key); err != nil {
		return err
	}
	if err := m.limitRecord(r, LimitScopeEmailSend, key, false); err != nil {
		return fmt.Errorf("accounts: %s: limiter: %w", LimitScopeEmailSend, err)
	}
	return m.Resend(r.Context(), r, clean)
}

// checkNewPasswords is Django's SetPasswordForm check of new_password1
// and new_password2 for user, into fe. err is a validator that could not
// run.
func (m *Manager[U]) checkNewPasswords(r *http.Request, fe *FormError, user *U, p1, p2 string) error {
	p1Errs, p2Errs := passwordFieldErrors(p1), passwordFieldErrors(p2)
	switch {
	case p2Errs != nil:
	case p1Errs == nil && p1 != p2:
		p2Errs = append(p2Errs, MsgPasswordMismatch)
	default:
		if verr := m.ValidatePassword(p2, user); verr != nil {
			var errs validation.Errors
			if !errors.As(verr, &errs) {
				return verr
			}
			p2Errs = append(p2Errs, errs.Translate(m.auth.Translator(r))...)
		}
	}
	fe.add("new_password1", p1Errs...)
	fe.add("new_password2", p2Errs...)
	return nil
}

// ChangeOwnPassword is the password change page's POST for the request's
// user (Django's PasswordChangeForm): old must be the current password,
// checked under the Limiter as the page does (LimitScopePasswordChange,
// reserved before the hash); new1 and new2 must match and pass the
// validators. On success the password is saved and this session keeps
// its login (auth.Auth.UpdateSessionAuthHash, a new token) while the
// user's other sessions end. Errors: a *FormError ("old_password",
// "new_password1", "new_password2"), a *ThrottledError, auth.ErrNoSession
// for an anonymous request.
func (m *Manager[U]) ChangeOwnPassword(r *http.Request, old, new1, new2 string) error {
	user := m.auth.UserFromContext(r.Context()).User()
	if user == nil {
		return auth.ErrNoSession
	}
	au := auth.UserOf(user)
	fe := &FormError{}
	if errs := passwordFieldErrors(old); errs != nil {
		fe.add("old_password", errs...)
	} else {
		key := strconv.FormatInt(au.ID, 10)
		reserved := false
		if l := m.auth.Limiter(); l != nil {
			ask := l.Check
			if res, ok := l.(auth.AttemptReserver); ok {
				ask, reserved = res.Reserve, true
			}
			if err := m.limitTry(r, ask, LimitScopePasswordChange, key); err != nil {
				return err
			}
		}
		good, _, err := m.auth.Hashers().Check(r.Context(), old, au.Password)
		if err != nil && (isBusy(err) || r.Context().Err() != nil) {
			if lerr := m.limitEnd(r, LimitScopePasswordChange, key, reserved, false, false); lerr != nil {
				m.log.ErrorContext(r.Context(), "accounts: password change: limiter", "error", lerr)
			}
			return fmt.Errorf("accounts: password change: check old password: %w", err)
		}
		if !good {
			fe.add("old_password", MsgPasswordIncorrect)
		}
		if err := m.limitEnd(r, LimitScopePasswordChange, key, reserved, true, good); err != nil {
			return fmt.Errorf("accounts: password change: limiter: %w", err)
		}
	}
	if err := m.checkNewPasswords(r, fe, user, new1, new2); err != nil {
		return fmt.Errorf("accounts: password change: validate: %w", err)
	}
	if err := fe.orNil(); err != nil {
		return err
	}
	if err := m.auth.SetPassword(r.Context(), user, new1); err != nil {
		return fmt.Errorf("accounts: password change: save: %w", err)
	}
	validation.PasswordChanged(new1, au, m.validators...)
	if err := m.auth.UpdateSessionAuthHash(r, user); err != nil {
		return fmt.Errorf("accounts: password change: update session: %w", err)
	}
	m.passwordChanged.Send(r.Context(), PasswordChange{Request: r, UserID: au.ID, Action: PasswordActionChanged})
	return nil
}

// RequestPasswordReset is the password reset page's POST: it checks the
// address, counts the request (LimitScopePasswordReset, every request
// counts) and queues a reset mail to each user with that address, linking
// to the reset confirm page. It answers alike whether the address has
// accounts. Errors: a *FormError ("email"), a *ThrottledError,
// ErrDisallowedHost, ErrNoMailer without a Mailer.
func (m *Manager[U]) RequestPasswordReset(r *http.Request, email string) error {
	if m.queue == nil {
		return ErrNoMailer
	}
	clean, errs := cleanEmail(email)
	if len(errs) > 0 {
		return &FormError{Fields: map[string][]string{"email": errs}}
	}
	key := emailKey(clean)
	if err := m.limitGate(r, LimitScopePasswordReset, key); err != nil {
		return err
	}
	if err := m.limitRecord(r, LimitScopePasswordReset, key, false); err != nil {
		return fmt.Errorf("accounts: %s: limiter: %w", LimitScopePasswordReset, err)
	}
	scheme, host, ok := m.site(r)
	if !ok {
		m.log.WarnContext(r.Context(), "accounts: password reset: Host not in AllowedHosts; set accounts.Config.SiteURL or auth.Config.AllowedHosts",
			"host", r.Host)
		return ErrDisallowedHost
	}
	users, err := m.usersWithEmail(r.Context(), clean)
	if err != nil {
		return fmt.Errorf("accounts: password reset: %w", err)
	}
	for _, rc := range users {
		job := resetJob{user: *auth.UserOf(rc.user), to: rc.to, scheme: scheme, host: host, p: m.paths(), tr: m.mailTranslator(r)}
		if !m.queue.Enqueue(job) {
			m.log.ErrorContext(r.Context(), "accounts: password reset: mail queue full or closed, mail dropped; raise Config.MailQueueSize or MailWorkers",
				"user_id", job.user.ID)
		}
	}
	return nil
}

// ResetPassword sets a new password with the uidb64 and token of a reset
// link, the reset confirm page's two steps in one: the user must exist
// and be active and the token must check; new1 and new2 must match and
// pass the validators. Afterwards the token no longer checks and every
// session of the user ends; nobody is logged in. Errors:
// ErrInvalidResetLink, a *FormError ("new_password1", "new_password2").
func (m *Manager[U]) ResetPassword(ctx context.Context, uidb64, token, new1, new2 string) error {
	r := (&http.Request{}).WithContext(ctx)
	user, err := m.resetUser(r, uidb64)
	if err != nil {
		return fmt.Errorf("accounts: password reset confirm: load user: %w", err)
	}
	if user == nil || !auth.UserOf(user).IsActive || token == ResetURLToken || !m.tokens.Check(auth.UserOf(user), token) {
		return ErrInvalidResetLink
	}
	fe := &FormError{}
	if err := m.checkNewPasswords(r, fe, user, new1, new2); err != nil {
		return fmt.Errorf("accounts: password reset confirm: validate: %w", err)
	}
	if err := fe.orNil(); err != nil {
		return err
	}
	if err := m.auth.SetPassword(ctx, user, new1); err != nil {
		return fmt.Errorf("accounts: password reset confirm: save: %w", err)
	}
	validation.PasswordChanged(new1, auth.UserOf(user), m.validators...)
	m.passwordChanged.Send(ctx, PasswordChange{UserID: auth.UserOf(user).ID, Action: PasswordActionReset})
	return nil
}

// ErrPasswordlessOff is returned by StartPasswordless of a Manager
// without Config.Passwordless.
var ErrPasswordlessOff = errors.New("accounts: passwordless login is not configured")

// StartPasswordless is the "Email me a login link" form's POST: it checks
// the address and starts a passwordless login for it in the request's
// session (passwordless.Backend.Start: every valid address gets the same
// answer and counts in the Limiter), with links to the passwordless link
// page. The code of the mail is then given to auth.Auth.Authenticate as
// passwordless.CredentialCode, on the same session. Errors: a *FormError
// ("email"), a *ThrottledError, ErrDisallowedHost, ErrPasswordlessOff.
func (m *Manager[U]) StartPasswordless(r *http.Request, email string) error {
	if m.passwordless == nil {
		return ErrPasswordlessOff
	}
	clean, errs := cleanEmail(email)
	if len(errs) > 0 {
		return &FormError{Fields: map[string][]string{"email": errs}}
	}
	scheme, host, ok := m.site(r)
	if !ok {
		m.log.WarnContext(r.Context(), "accounts: passwordless: Host not in AllowedHosts; set accounts.Config.SiteURL or auth.Config.AllowedHosts",
			"host", r.Host)
		return ErrDisallowedHost
	}
	err := m.passwordless.Start(r.Context(), r, clean, scheme+"://"+host+m.paths().passwordlessLink())
	if throttled := (*passwordless.ThrottledError)(nil); errors.As(err, &throttled) {
		return &ThrottledError{Scope: passwordless.ScopeRequest, RetryAfter: throttled.RetryAfter}
	}
	return err
}

// SignupMethod returns Config.Signup.Method (AuthUsername when unset): a
// sign-up with a method other than AuthUsername never logs in by itself,
// it asks to verify the address first, as the sign-up page does.
func (m *Manager[U]) SignupMethod() AuthMethod { return m.signup.cfg.Method }

// VerifyWithNewDevice records dev, a device the request's user has just
// confirmed, as the session's verification when that keeps the session
// verified (the enrolment pages do so after a first code): a session
// verified with another device, or with none while dev is the user's
// only one. It does nothing without an *mfa.Flow.
func (m *Manager[U]) VerifyWithNewDevice(r *http.Request, dev mfa.Device) error {
	f := m.flowOf()
	if f == nil {
		return nil
	}
	return m.verifyWithNewDevice(r, f, dev)
}
