package accounts

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/internal/mailqueue"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/passwordless"
	"github.com/djauth/auth/tokens"
	"github.com/djauth/auth/validation"
)

// Defaults of Config, Django's settings of the same meaning.
const (
	// DefaultFromEmail is Django's DEFAULT_FROM_EMAIL.
	DefaultFromEmail = "webmaster@localhost"
	// DefaultPasswordResetTimeout is Django's PASSWORD_RESET_TIMEOUT,
	// three days.
	DefaultPasswordResetTimeout = tokens.DefaultTimeout
	// SessionKeyResetToken is the session key under which the reset
	// confirmation page keeps the token once it has left the URL
	// (Django's INTERNAL_RESET_SESSION_TOKEN).
	SessionKeyResetToken = "_password_reset_token"
	// ResetURLToken replaces the token in the confirmation URL after the
	// first visit (Django's PasswordResetConfirmView.reset_url_token).
	ResetURLToken = "set-password"
)

// Config configures New. Its zero value is useful: Django's password
// validators, no password reset pages (there is no Mailer), links built
// from the request on a loopback host only.
type Config struct {
	// PasswordValidators check every password that a person chooses
	// through this package: CreateUser, ChangePassword and the password
	// change and reset pages (Django's AUTH_PASSWORD_VALIDATORS). Nil
	// means validation.Default(), Django's four validators; an empty
	// non-nil slice ([]validation.Validator{}) turns validation off.
	PasswordValidators []validation.Validator
	// Mailer sends the password reset emails. Nil means the password
	// reset pages are not mounted by Routes: there would be no way to
	// deliver the link. In development use &mail.Console{W: os.Stderr}.
	Mailer mail.Sender
	// DefaultFromEmail is the sender of the reset emails. Empty means
	// DefaultFromEmail, "webmaster@localhost", as Django.
	DefaultFromEmail string
	// PasswordResetTimeout is how long a reset link works (Django's
	// PASSWORD_RESET_TIMEOUT). Zero means three days.
	PasswordResetTimeout time.Duration
	// Tokens, when set, makes and checks the reset tokens instead of a
	// generator built from SecretKey, SecretKeyFallbacks and
	// PasswordResetTimeout: set it to share tokens with a Django site
	// whose TIME_ZONE is not UTC (tokens.Generator.Location), or to give
	// tests a fixed clock.
	Tokens *tokens.Generator
	// SiteURL is the scheme and host of the links in reset emails, such as
	// "https://example.com". Set it in production: the links then never
	// depend on the request's Host header, which a client chooses, and it
	// is the way to choose the scheme. Empty means the request's Host,
	// which must then be one of AllowedHosts, with https, except http for
	// a plain-HTTP request to a loopback host (localhost, 127.0.0.0/8,
	// [::1]): behind a proxy that ends TLS the request reaching the app is
	// plain HTTP, and an http link would send the token in clear text.
	SiteURL string
	// SiteName names the site in the reset email ("Password reset on
	// <SiteName>"). Empty means the host of the link, as Django's
	// RequestSite.
	SiteName string
	// Templates replaces pages and the reset email; nil, and any nil
	// field, means the embedded default.
	Templates *Templates
	// MailWorkers is the number of goroutines that send reset mails. A
	// reset request only queues its mail, so that its answer does not
	// wait for the Mailer (and its timing does not tell which addresses
	// have accounts). Zero means DefaultMailWorkers. The workers run
	// until Manager.Close.
	MailWorkers int
	// MailQueueSize is how many reset mails may wait for a worker. A mail
	// that finds the queue full is dropped and logged (with the user's
	// ID, never the address or the link), and the request still gets the
	// usual answer. Zero means DefaultMailQueueSize.
	MailQueueSize int
	// MailSendTimeout bounds each call of Mailer.Send through its context.
	// Zero means DefaultMailSendTimeout.
	MailSendTimeout time.Duration
	// MailDrainTimeout is how long Manager.Close waits for the queued
	// mails to be sent. Zero means DefaultMailDrainTimeout.
	MailDrainTimeout time.Duration
	// StepUpMaxAge applies when auth.Config.SecondFactor is an
	// *mfa.Flow: the password change page, and adding or removing a
	// second factor or generating recovery codes on the management pages,
	// then need a verification of the session's user within this time
	// (mfa.Flow.StepUpRequired), a second factor for a user who has one. Zero means
	// DefaultStepUpMaxAge; a negative value turns the step-up off.
	StepUpMaxAge time.Duration
	// Passkeys, when set, adds passkeys to the pages: Routes mounts
	// package mfa/passkey's JSON routes at prefix+"passkey/", the
	// passkey management page (see PasskeysURL), "Sign in with a
	// passkey" and passkey autofill on the login page and, with an
	// *mfa.Flow whose Factors include it, "Use a passkey" on the
	// challenge and verification pages. Nil takes the *passkey.Passkeys
	// among the Factors of the Auth's *mfa.Flow, if there is one.
	Passkeys *passkey.Passkeys
	// Emails, when set, holds the users' email addresses (package emails,
	// allauth's account_emailaddress): a password reset then goes only to
	// VERIFIED addresses (Manager.VerifiedUsers), at the address that was
	// verified, never to an unverified one nor to the user table's email
	// column alone. Nil means Django's behaviour: the user's email column.
	Emails *emails.Manager
	// Signup configures the sign-up page (mounted with Emails and a
	// Mailer) and Manager.SignUp; its zero value is allauth's defaults.
	Signup SignupConfig
	// SocialLogins are the "Log in with ..." buttons of the login page
	// (package social's Social.Buttons); nil shows none.
	SocialLogins []auth.LoginButton
	// Passwordless mounts the passwordless login pages (see
	// Manager.Routes) and links "Email me a login link" from the login
	// page. They use the *passwordless.Backend among the Auth's backends
	// (auth.Config.Backends), which holds every setting of the login
	// (its own Mailer, timeout, binding); New fails without one.
	Passwordless bool
}

// DefaultStepUpMaxAge is the default Config.StepUpMaxAge.
const DefaultStepUpMaxAge = 15 * time.Minute

// LogValue implements slog.LogValuer.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("PasswordValidators", len(c.PasswordValidators)),
		slog.Bool("Mailer", c.Mailer != nil),
		slog.String("DefaultFromEmail", c.DefaultFromEmail),
		slog.Duration("PasswordResetTimeout", c.PasswordResetTimeout),
		slog.String("SiteURL", c.SiteURL),
		slog.Int("MailWorkers", c.MailWorkers),
		slog.Int("MailQueueSize", c.MailQueueSize),
		slog.Duration("StepUpMaxAge", c.StepUpMaxAge),
		slog.Bool("Emails", c.Emails != nil),
		slog.Bool("SignupDisabled", c.Signup.Disabled),
		slog.String("SignupMethod", string(c.Signup.Method)),
		slog.Bool("Passwordless", c.Passwordless),
	)
}

// Manager runs the account flows of one auth.Auth: validated user creation
// and password changes, and the password change and reset pages. Create
// one with New and Close it when done (it owns the goroutines that send
// reset mails); it is safe for concurrent use.
type Manager[U any] struct {
	auth       *auth.Auth[U]
	validators []validation.Validator
	mailer     mail.Sender
	from       string
	tokens     *tokens.Generator
	siteScheme string
	siteHost   string
	siteName   string
	templates  *Templates
	pages      *i18n.Pages // templates localized per language
	log        *slog.Logger
	queue      *mailqueue.Queue[resetJob] // nil without a Mailer
	stepUp     time.Duration
	mfaChanged auth.Signal[MFAChange]
	// passwordChanged is the hub of PasswordChanged.
	passwordChanged auth.Signal[PasswordChange]
	passkeys        *passkey.Passkeys
	// social are Config.SocialLogins.
	social []auth.LoginButton
	// passkeyPrefix is the prefix of the passkey routes, set by Routes.
	passkeyPrefix string
	emails        *emails.Manager
	signup        *signup
	// prefix is the prefix of the pages, set by Routes, for mail links.
	prefix string
	// passwordless is the Auth's passwordless backend when
	// Config.Passwordless is set.
	passwordless *passwordless.Backend[U]
}

// New returns a Manager for a. It signs reset tokens with a's secret keys
// (auth.Config.SecretKey and SecretKeyFallbacks), checks passwords with
// a's hashers and builds links only for a's AllowedHosts. When
// Config.Mailer is set it starts the goroutines that send reset mails;
// stop them with Close. It returns an error wrapping auth.ErrConfig when a
// is nil, when Mailer is set and a's store cannot list users by email
// (ListUsers), when SiteURL is not an absolute http(s) URL without a path,
// or when a mail queue setting is negative.
func New[U any](a *auth.Auth[U], cfg Config) (*Manager[U], error) {
	bad := func(format string, args ...any) (*Manager[U], error) {
		return nil, fmt.Errorf("%w: accounts: "+format, append([]any{auth.ErrConfig}, args...)...)
	}
	if a == nil {
		return bad("nil *auth.Auth")
	}
	m := &Manager[U]{
		auth:       a,
		validators: cfg.PasswordValidators,
		mailer:     cfg.Mailer,
		from:       cfg.DefaultFromEmail,
		tokens:     cfg.Tokens,
		siteName:   cfg.SiteName,
		log:        a.Logger(),
		stepUp:     cmp.Or(cfg.StepUpMaxAge, DefaultStepUpMaxAge),
		passkeys:   cfg.Passkeys,
		emails:     cfg.Emails,
		social:     append([]auth.LoginButton(nil), cfg.SocialLogins...),
	}
	if m.passkeys == nil {
		if f, ok := a.SecondFactor().(*mfa.Flow[U]); ok {
			m.passkeys, _ = f.Factor(passkey.Kind).(*passkey.Passkeys)
		}
	}
	if cfg.Passwordless {
		m.passwordless, _ = a.Backend(passwordless.Name).(*passwordless.Backend[U])
		if m.passwordless == nil {
			return bad("Config.Passwordless needs a *passwordless.Backend in auth.Config.Backends")
		}
	}
	if m.validators == nil {
		m.validators = validation.Default()
	} else {
		m.validators = append([]validation.Validator{}, m.validators...)
	}
	for i, v := range m.validators {
		if v == nil {
			return bad("Config.PasswordValidators[%d] is nil", i)
		}
	}
	if m.from == "" {
		m.from = DefaultFromEmail
	}
	if cfg.PasswordResetTimeout < 0 {
		return bad("Config.PasswordResetTimeout is negative")
	}
	if m.tokens == nil {
		m.tokens = &tokens.Generator{
			Secret:    a.SecretKey(),
			Fallbacks: a.SecretKeyFallbacks(),
			Timeout:   cfg.PasswordResetTimeout,
		}
	}
	if _, ok := a.Store().(userLister[U]); cfg.Mailer != nil && cfg.Emails == nil && !ok {
		return bad("password reset needs a store with ListUsers to find users by email; %T has none", a.Store())
	}
	if cfg.SiteURL != "" {
		u, err := url.Parse(cfg.SiteURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return bad("Config.SiteURL %q must be an absolute http(s) URL without a path, such as https://example.com", cfg.SiteURL)
		}
		m.siteScheme, m.siteHost = u.Scheme, u.Host
	}
	var err error
	if m.signup, err = newSignup(cfg.Signup); err != nil {
		return bad("%v", err)
	}
	if m.signup.emailIsIdentifier() && a.Backend(EmailBackendName) == nil {
		m.log.Warn("accounts: Config.Signup.Method uses email addresses to log in, but no accounts.EmailBackend is among auth.Config.Backends")
	}
	if _, ok := a.LoginGate().(*emails.Gate[U]); ok {
		// Mandatory verification: an account without an address could
		// never log in.
		m.signup.cfg.EmailRequired = true
	}
	m.templates = cfg.Templates.withDefaults(a.Look())
	t := m.templates
	if m.pages, err = a.I18n().LocalizePages(t.PasswordChange, t.PasswordChangeDone, t.PasswordReset, t.PasswordResetDone,
		t.PasswordResetConfirm, t.PasswordResetComplete, t.Sessions, t.MFAChallenge, t.MFAVerify, t.MFALater,
		t.MFAOverview, t.MFATOTPAdd, t.MFATOTPDevice, t.MFARecovery, t.Passkeys, t.Signup, t.VerifyEmail,
		t.VerifyCode, t.ConfirmEmail, t.Emails, t.PasswordlessStart, t.PasswordlessCode, t.PasswordlessLink); err != nil {
		return bad("Config.Templates: %w", err)
	}
	for _, n := range []struct {
		name  string
		value int64
	}{
		{"MailWorkers", int64(cfg.MailWorkers)},
		{"MailQueueSize", int64(cfg.MailQueueSize)},
		{"MailSendTimeout", int64(cfg.MailSendTimeout)},
		{"MailDrainTimeout", int64(cfg.MailDrainTimeout)},
	} {
		if n.value < 0 {
			return bad("Config.%s is negative", n.name)
		}
	}
	if m.mailer != nil {
		m.queue = mailqueue.New(mailqueue.Config{
			Workers:      cfg.MailWorkers,
			Size:         cfg.MailQueueSize,
			SendTimeout:  cfg.MailSendTimeout,
			DrainTimeout: cfg.MailDrainTimeout,
			NotDrained:   ErrMailNotDrained,
		}, m.sendMailJob)
	}
	return m, nil
}

// Auth returns the auth.Auth the Manager works with.
func (m *Manager[U]) Auth() *auth.Auth[U] { return m.auth }

// Validators returns the password validators in use.
func (m *Manager[U]) Validators() []validation.Validator {
	return append([]validation.Validator(nil), m.validators...)
}

// Routes mounts every account page on mux under prefix ("" means
// auth.DefaultRoutePrefix, "/accounts/"): the pages of auth.Auth.Routes
// (login/, with a "Forgotten your password?" link when the reset pages are
// mounted, logout/ and profile/), and
//
//	password_change/               PasswordChangeView (login required)
//	password_change/done/          PasswordChangeDoneView (login required)
//	sessions/                      the user's sessions, to log them out (login required)
//	password_reset/                PasswordResetView
//	password_reset/done/           PasswordResetDoneView
//	reset/{uidb64}/{token}/        PasswordResetConfirmView
//	reset/done/                    PasswordResetCompleteView
//	passkey/                       mfa/passkey's JSON routes and passkey.js (Config.Passkeys)
//	passwordless/                  "Email me a login link" (Config.Passwordless)
//	passwordless/code/             "Check your email": the code of the mail
//	passwordless/link/{id}/{token}/  the link of the mail: GET confirms, POST logs in
//
// With Config.Passkeys the passkey management page is mounted at
// PasskeysURL (login required; step-up required with an *mfa.Flow).
// When auth.Config.SecondFactor is an *mfa.Flow, its pages are mounted at
// its URLs too: the second step of a login (ChallengeURL), the
// verification and step-up page (VerifyURL) and the grace period's
// reminder (ReminderURL); and the password change page needs a recent
// verification (Config.StepUpMaxAge). The management pages of the second
// factors are mounted below its EnrolURL (login required):
//
//	EnrolURL                       the user's factors and what the policy requires
//	EnrolURL totp/add/             add an authenticator app (a *totp.Factor is configured)
//	EnrolURL totp/{id}/            rename or remove an authenticator app
//	EnrolURL recovery/             recovery codes (a *recovery.Factor is configured)
//
// Adding or removing a factor and generating recovery codes need a recent
// verification too; see Manager.MFAChanged for an audit hook.
//
// With Config.Emails and a Mailer the sign-up and email pages are
// mounted too (the sign-up page is linked from the login page, unless
// SignupConfig.Disabled, and email/ from the profile page):
//
//	signup/                        sign-up (allauth's SignupView)
//	confirm-email/                 verify your address; resend (VerificationRequiredURL)
//	confirm-email/code/            type the code of a verification mail
//	confirm-email/{key}/           a verification link: GET shows, POST confirms
//	email/                         the user's addresses (login required)
//
// The passwordless pages log in through auth.Auth.Login, so that the
// second step of an *mfa.Flow and the LoginGate still apply; they answer
// alike for addresses with and without an account, and 429 with
// Retry-After when the Auth's Limiter refuses.
//
// The sessions page is mounted, and linked from the profile page, only
// when the session store indexes sessions by user
// (auth.Auth.SessionsIndexed). The four reset pages are mounted only when
// Config.Mailer is set. Every
// page refuses cross-origin POSTs (http.CrossOriginProtection), is not
// cached (Cache-Control: no-store) and runs inside auth.Auth.Middleware.
// The reset and passwordless pages are marked auth.LoginNotRequired.
func (m *Manager[U]) Routes(mux *http.ServeMux, prefix string) {
	if prefix == "" {
		prefix = auth.DefaultRoutePrefix
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	p := paths{prefix: prefix}
	m.prefix = prefix
	resetURL := ""
	if m.mailer != nil {
		resetURL = p.passwordReset()
	}
	links := auth.RouteLinks{PasswordResetURL: resetURL, PasswordChangeURL: p.passwordChange(), SocialLogins: m.social}
	flow, _ := m.auth.SecondFactor().(*mfa.Flow[U])
	if m.passkeys != nil {
		links.PasskeyURL = p.passkeyAPI()
		m.passkeyPrefix = p.passkeyAPI()
		m.passkeyRoutes(mux, p, flow)
	}
	if m.passwordless != nil {
		links.PasswordlessURL = p.passwordless()
		m.passwordlessRoutes(mux, p)
	}
	if m.auth.SessionsIndexed() {
		links.SessionsURL = p.sessions()
		mux.Handle(p.sessions()+"{$}", m.auth.Protect(m.auth.LoginRequired(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.serveSessions(w, r, p)
		}))))
	}
	if m.emails != nil && m.mailer != nil {
		links.EmailsURL = p.emailManage()
		if !m.signup.cfg.Disabled {
			links.SignupURL = p.signup()
		}
		m.emailRoutes(mux, p)
	}
	m.auth.RoutesWithLinks(mux, prefix, links)
	var passwordChange http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.servePasswordChange(w, r, p)
	})
	if f := flow; f != nil {
		m.mfaRoutes(mux, f)
		m.mfaEnrolRoutes(mux, f, p)
		if m.stepUp > 0 {
			passwordChange = f.StepUpRequired(m.stepUp)(passwordChange)
		}
	}
	mux.Handle(p.passwordChange()+"{$}", m.auth.Protect(m.auth.LoginRequired(m.auth.RefuseWhileImpersonating(passwordChange))))
	mux.Handle(p.passwordChangeDone()+"{$}", m.auth.Protect(m.auth.LoginRequired(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serveStatic(w, r, m.templates.PasswordChangeDone, &DonePage{LoginURL: m.auth.LoginURL(), HomeURL: "/"})
	}))))
	if m.mailer == nil {
		return
	}
	mux.Handle(p.passwordReset()+"{$}", auth.LoginNotRequired(m.auth.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.servePasswordReset(w, r, p)
	}))))
	mux.Handle(p.passwordResetDone()+"{$}", auth.LoginNotRequired(m.auth.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serveStatic(w, r, m.templates.PasswordResetDone, &DonePage{LoginURL: m.auth.LoginURL(), HomeURL: "/"})
	}))))
	mux.Handle(p.resetConfirmPattern()+"{$}", auth.LoginNotRequired(m.auth.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.servePasswordResetConfirm(w, r, p)
	}))))
	mux.Handle(p.resetComplete()+"{$}", auth.LoginNotRequired(m.auth.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serveStatic(w, r, m.templates.PasswordResetComplete, &DonePage{LoginURL: m.auth.LoginURL(), HomeURL: "/"})
	}))))
}

// paths are the URLs of the pages under one prefix.
type paths struct{ prefix string }

func (p paths) passwordChange() string      { return p.prefix + "password_change/" }
func (p paths) sessions() string            { return p.prefix + "sessions/" }
func (p paths) passkeyAPI() string          { return p.prefix + "passkey/" }
func (p paths) passwordChangeDone() string  { return p.prefix + "password_change/done/" }
func (p paths) passwordReset() string       { return p.prefix + "password_reset/" }
func (p paths) passwordResetDone() string   { return p.prefix + "password_reset/done/" }
func (p paths) resetConfirmPattern() string { return p.prefix + "reset/{uidb64}/{token}/" }
func (p paths) resetComplete() string       { return p.prefix + "reset/done/" }
func (p paths) resetConfirm(uidb64, token string) string {
	return p.prefix + "reset/" + uidb64 + "/" + token + "/"
}

// maxFormBytes bounds the body of every form.
const maxFormBytes = 64 << 10

// serveStatic answers GET and HEAD with a page that has no form.
func (m *Manager[U]) serveStatic(w http.ResponseWriter, r *http.Request, t *template.Template, data any) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	m.render(w, r, http.StatusOK, t, data)
}

// parseForm reads a POST body of at most maxFormBytes; it answers 405 for
// other methods than GET, HEAD and POST and 400 for an unreadable body,
// and reports whether the handler should go on with a POST.
func parseForm(w http.ResponseWriter, r *http.Request) (post, ok bool) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return false, true
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return false, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
		return false, false
	}
	return true, true
}

// render executes t's "base" template into a buffer first, so that a
// template error gives a clean 500 instead of half a page.
func (m *Manager[U]) render(w http.ResponseWriter, r *http.Request, code int, t *template.Template, data any) {
	t = m.pages.Template(m.auth.Translator(r), t)
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		m.log.ErrorContext(r.Context(), "accounts: render page", "template", t.Name(), "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// serverError logs err and answers 500, or 503 with Retry-After when err
// wraps hashers.ErrBusy (see serveBusy).
func (m *Manager[U]) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	if isBusy(err) {
		m.serveBusy(w, r, what, err)
		return
	}
	m.log.ErrorContext(r.Context(), "accounts: "+what, "error", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}
