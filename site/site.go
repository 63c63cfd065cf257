package site

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/alexedwards/scs/v2"

	"github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/api"
	"github.com/djauth/auth/audit"
	"github.com/djauth/auth/dashboard"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/mfa/recovery"
	"github.com/djauth/auth/mfa/totp"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/throttle"
)

// DefaultOrigin is the Origin of a Config that names none.
const DefaultOrigin = "http://localhost:8000"

// Stores are where a site keeps its data. A nil field means a store in
// memory; Postgres returns them all over one database.
type Stores[U any] struct {
	Users     auth.Store[U]
	Sessions  scs.Store
	Throttle  throttle.Store
	Emails    emails.Store
	TOTP      totp.Store
	Recovery  recovery.Store
	Passkeys  passkey.Store
	MFAPolicy mfa.PolicyStore
	Social    social.Store
	Orgs      orgs.Store
	Audit     audit.Store

	// closers release what Postgres started (the session store's
	// cleanup goroutine); Close runs them.
	closers []func()
}

// Close stops what Postgres started with the stores (the session store's
// cleanup goroutine), for stores never given to New; Site.Close does it
// for a site's. It is safe to call more than once.
func (st Stores[U]) Close() {
	for _, c := range st.closers {
		c()
	}
}

// Config configures New. Only SecretKey is required.
type Config[U any] struct {
	// SecretKey signs sessions, reset links and verification keys:
	// Django's SECRET_KEY (auth.Config.SecretKey). Required.
	SecretKey string
	// Origin is the site's address as browsers see it
	// ("https://example.com"): the start of mail links and social
	// callbacks, and the origin passkeys are bound to. Empty means
	// DefaultOrigin. A plain-http Origin leaves Secure off the session
	// cookie.
	Origin string
	// Name names the site in authenticator apps and passkey prompts;
	// empty means Origin's host.
	Name string
	// Stores keep the data; nil fields mean stores in memory.
	Stores Stores[U]
	// Mailer sends verification, reset and invitation mails. Nil prints
	// them to standard error, which New allows only for a loopback
	// Origin (development): they hold codes and links.
	Mailer mail.Sender
	// Providers are the social logins ("Log in with …"); none means no
	// social login pages.
	Providers []social.Provider
	// Models are the app's models: New registers their permissions
	// (auth.Register, as Django's post-migrate step) and makes them
	// assignable to organization roles.
	Models []auth.ModelSpec
	// Signup configures the sign-up page; the zero value logs in by
	// username, as Django (accounts.SignupConfig).
	Signup accounts.SignupConfig
	// UI themes the pages and replaces their blocks (auth.Config.UI,
	// docs/ui.md); I18n chooses their languages (auth.Config.I18n,
	// package i18n). The zero values are the default look, in English.
	UI   auth.UI
	I18n i18n.Config
	// Hashers makes and checks passwords; nil means hashers.Default().
	Hashers *hashers.Registry
	// Logger receives the library's warnings; nil means slog.Default().
	Logger *slog.Logger
}

// Site is every piece New built. The fields are for the app's own use
// (guards, signals, management calls); do not replace them.
type Site[U any] struct {
	Auth      *auth.Auth[U]
	Accounts  *accounts.Manager[U]
	Emails    *emails.Manager
	Flow      *mfa.Flow[U]
	Limiter   *throttle.Limiter
	Social    *social.Social[U] // nil without Config.Providers
	Orgs      *orgs.Orgs[U]
	Dashboard *dashboard.Dashboard[U]
	API       *api.API[U]
	Audit     *audit.Recorder[U]
	// AuditLog is the store the Recorder writes, for listing entries.
	AuditLog audit.Store

	users    auth.Store[U]
	orgStore orgs.Store
	orgPages *http.ServeMux // the organization pages under /orgs/
	closers  []func() error
}

// ErrConfig wraps the errors of New about its Config (and matches
// auth.ErrConfig).
var ErrConfig = fmt.Errorf("site: %w", auth.ErrConfig)

// New builds the site of cfg and registers the permissions of its Models
// (and django.contrib.auth's own). On error, whatever it had started is
// released. The site's goroutines (mail queues, session cleanup) stop
// with Close.
func New[U any](ctx context.Context, cfg Config[U]) (_ *Site[U], err error) {
	origin, rpID, loopback, err := parseOrigin(cfg.Origin)
	if err != nil {
		return nil, err
	}
	st := cfg.Stores
	s := &Site[U]{}
	s.closers = append(s.closers, func() error { st.Close(); return nil })
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()
	mailer := cfg.Mailer
	if mailer == nil && !loopback {
		return nil, fmt.Errorf("%w: Mailer is required for Origin %q (the console mailer would log codes)",
			ErrConfig, origin)
	}
	if mailer == nil {
		mailer = &mail.Console{W: os.Stderr}
	}
	name := cfg.Name
	if name == "" {
		name = rpID
	}
	if st.Users == nil {
		st.Users = memory.New[U]()
	}
	s.users = st.Users
	if st.Emails == nil {
		users := st.Users
		// The memory store sets auth_user.email itself, as the
		// PostgreSQL one does in SQL.
		st.Emails = emails.NewMemoryStore(true, func(ctx context.Context, id int64, email string) error {
			u, err := users.GetUser(ctx, id)
			if err != nil {
				return err
			}
			auth.UserOf(u).Email = email
			return users.UpdateUser(ctx, u)
		})
	}
	if st.Throttle == nil {
		st.Throttle = throttle.NewMemoryStore()
	}
	s.Limiter, err = throttle.New(throttle.Config{Store: st.Throttle})
	if err != nil {
		return nil, err
	}
	s.Emails, err = emails.NewManager(emails.Config{Store: st.Emails, SecretKey: cfg.SecretKey})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if s.Flow, err = newFlow[U](st, name, rpID, origin); err != nil {
		return nil, err
	}
	// EmailBackend has allauth's backend name, as social.NewBackend: like
	// allauth's one AuthenticationBackend in Django, it also loads the
	// users of social logins' sessions.
	backends := []auth.Backend[U]{&auth.ModelBackend[U]{}, &accounts.EmailBackend[U]{Emails: s.Emails}}
	s.Auth, err = auth.New(auth.Config[U]{
		Store: st.Users, SecretKey: cfg.SecretKey, Hashers: cfg.Hashers, Logger: cfg.Logger,
		UI: cfg.UI, I18n: cfg.I18n,
		Backends: backends, Limiter: s.Limiter, SecondFactor: s.Flow,
		LoginGate:    &emails.Gate[U]{Manager: s.Emails, URL: accounts.VerificationRequiredURL("")},
		AllowedHosts: allowedHosts(rpID, loopback),
		// HeaderTokens: the API's clients without cookies send the
		// session token as a bearer token.
		Sessions: auth.SessionConfig{Store: st.Sessions, InsecureCookie: strings.HasPrefix(origin, "http://"),
			HeaderTokens: true},
	})
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Auth.Close)
	if st.Social == nil {
		st.Social = social.NewMemoryStore()
	}
	var buttons []auth.LoginButton
	if len(cfg.Providers) > 0 {
		s.Social, err = social.New(s.Auth, social.Config[U]{Store: st.Social, BaseURL: origin,
			Providers: cfg.Providers, SignUp: true, Emails: st.Emails})
		if err != nil {
			return nil, err
		}
		buttons = s.Social.Buttons()
	}
	s.Accounts, err = accounts.New(s.Auth, accounts.Config{Mailer: mailer, SiteURL: origin, SiteName: name,
		Emails: s.Emails, Signup: cfg.Signup, SocialLogins: buttons})
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Accounts.Close)
	if st.Orgs == nil {
		st.Orgs = orgs.NewMemoryStore()
	}
	s.orgStore = st.Orgs
	// Roles may hold the permissions of the app's Models only, never the
	// site's own (auth.change_user and the like), which would let an
	// organization's admin hand out site-wide rights through a group.
	assignable := []string{}
	for _, m := range cfg.Models {
		ps, err := m.Permissions()
		if err != nil {
			return nil, fmt.Errorf("%w: Models: %w", ErrConfig, err)
		}
		for _, p := range ps {
			assignable = append(assignable, p.Key())
		}
	}
	s.Orgs, err = orgs.New(orgs.Config[U]{Auth: s.Auth, Store: st.Orgs, Mailer: mailer, BaseURL: origin,
		EmailVerified: verifiedAddress(s.Emails), AssignablePermissions: assignable})
	if err != nil {
		return nil, err
	}
	s.orgPages = http.NewServeMux()
	if err := s.Orgs.Routes(s.orgPages, "/orgs/"); err != nil {
		return nil, err
	}
	if st.Audit == nil {
		st.Audit = &audit.MemoryStore{}
	}
	s.Dashboard, err = dashboard.New(dashboard.Config[U]{Auth: s.Auth, PasswordValidators: s.Accounts.Validators(),
		MFA: dashboard.FlowDevices(s.Flow), Identities: st.Social, Lockouts: s.Limiter, PasswordReset: s.Accounts,
		Orgs: st.Orgs, Audit: st.Audit, ImpersonateURL: auth.DefaultImpersonateURL})
	if err != nil {
		return nil, err
	}
	if s.API, err = api.New(api.Config[U]{Accounts: s.Accounts, Social: s.Social, Orgs: s.Orgs}); err != nil {
		return nil, err
	}
	s.AuditLog = st.Audit
	if s.Audit, err = audit.NewRecorder(s.Auth, st.Audit, audit.RecorderConfig{}); err != nil {
		return nil, err
	}
	unsubscribe := []func(){s.Audit.Subscribe(), s.Audit.SubscribeAccounts(s.Accounts), s.Dashboard.SubscribeAudit(s.Audit)}
	if s.Social != nil {
		unsubscribe = append(unsubscribe, s.Audit.SubscribeSocial(s.Social))
	}
	for _, u := range unsubscribe {
		s.closers = append(s.closers, func() error { u(); return nil })
	}
	if err := s.Register(ctx, append(append(auth.AuthModels(), dashboard.Models()...), cfg.Models...)...); err != nil {
		return nil, fmt.Errorf("site: register permissions: %w", err)
	}
	return s, nil
}

// newFlow builds the second factors: TOTP, recovery codes and passkeys
// bound to origin.
func newFlow[U any](st Stores[U], name, rpID, origin string) (*mfa.Flow[U], error) {
	if st.TOTP == nil {
		st.TOTP = totp.NewMemoryStore()
	}
	if st.Recovery == nil {
		st.Recovery = recovery.NewMemoryStore()
	}
	if st.Passkeys == nil {
		st.Passkeys = passkey.NewMemoryStore()
	}
	if st.MFAPolicy == nil {
		st.MFAPolicy = mfa.NewMemoryPolicyStore()
	}
	tf, err := totp.New(totp.Config{Store: st.TOTP, Issuer: name})
	if err != nil {
		return nil, err
	}
	rf, err := recovery.New(recovery.Config{Store: st.Recovery})
	if err != nil {
		return nil, err
	}
	pf, err := passkey.New(passkey.Config{RPID: rpID, RPDisplayName: name, RPOrigins: []string{origin},
		Store: st.Passkeys})
	if err != nil {
		return nil, err
	}
	return mfa.NewFlow[U](mfa.FlowConfig{Factors: []mfa.Factor{tf, rf, pf}, Policy: st.MFAPolicy})
}

// verifiedAddress answers orgs.Config.EmailVerified from the site's
// addresses: an invitation is accepted only at a verified address.
func verifiedAddress(m *emails.Manager) func(ctx context.Context, userID int64, email string) (bool, error) {
	return func(ctx context.Context, userID int64, email string) (bool, error) {
		as, err := m.Store().UserAddresses(ctx, userID)
		if err != nil {
			return false, err
		}
		for _, a := range as {
			if a.Verified && emails.SameEmail(a.Email, email) {
				return true, nil
			}
		}
		return false, nil
	}
}

// parseOrigin checks an Origin and returns it without a trailing slash,
// with its host name (the passkeys' relying party ID) and whether the host
// is this machine.
func parseOrigin(o string) (origin, host string, loopback bool, err error) {
	if o == "" {
		o = DefaultOrigin
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", "", false, fmt.Errorf("%w: Origin %q: want scheme://host[:port], e.g. https://example.com",
			ErrConfig, o)
	}
	host = strings.ToLower(u.Hostname())
	ip := net.ParseIP(host)
	loopback = host == "localhost" || (ip != nil && ip.IsLoopback())
	return u.Scheme + "://" + strings.ToLower(u.Host), host, loopback, nil
}

// allowedHosts is auth.Config.AllowedHosts for the Origin's host: nil (the
// loopback defaults) on this machine.
func allowedHosts(host string, loopback bool) []string {
	if loopback {
		return nil
	}
	return []string{host}
}

// Routes mounts the site's pages on mux: the accounts pages (login,
// sign-up, email, password, sessions, second factors, passkeys) under
// /accounts/, the social logins under /accounts/social/ (with
// Providers), the organization pages under /orgs/ (with the invitation
// links), impersonation under /accounts/impersonate/, the dashboard
// at /admin/ (behind Flow.MFARequired) and the JSON API at /api/auth/
// (openapi.json describes it).
func (s *Site[U]) Routes(mux *http.ServeMux) {
	s.Accounts.Routes(mux, "")
	if s.Social != nil {
		mux.Handle("/accounts/social/", s.Social.Handler())
	}
	mux.Handle("/orgs/", s.orgPages)
	s.Auth.ImpersonationRoutes(mux, "")
	// Behind the second factor of the users the MFA policy covers
	// (django-otp's otp_required), as the site's own sensitive pages
	// should be: s.Flow.MFARequired.
	mux.Handle(s.Dashboard.Prefix(), s.Flow.MFARequired(s.Dashboard.Handler()))
	s.API.Routes(mux)
}

// Handler wraps the app's handler (the mux Routes mounted on) in the
// Auth's Middleware and the impersonation banner, which also logs out an
// impersonation whose superuser may no longer come back.
func (s *Site[U]) Handler(h http.Handler) http.Handler {
	return s.Auth.ImpersonationBanner(auth.DefaultStopImpersonationURL)(h)
}

// Register creates the permissions of more models (auth.Register) and
// makes them known to the organizations store, so that roles can be given
// them; New does it for Config.Models.
func (s *Site[U]) Register(ctx context.Context, models ...auth.ModelSpec) error {
	perms, err := auth.Register(ctx, s.users, models...)
	if err != nil {
		return err
	}
	// The PostgreSQL store reads auth_permission; the memory one must
	// be told.
	if ms, ok := s.orgStore.(*orgs.MemoryStore); ok {
		for _, p := range perms {
			ms.AddPermissions(p.Key())
		}
	}
	return nil
}

// CreateSuperuser creates an active superuser (staff too) with a
// validated, hashed password and email as its verified primary address,
// so that the mandatory verification lets it in: authctl createsuperuser
// for a site in memory. The password must pass the site's validators.
func (s *Site[U]) CreateSuperuser(ctx context.Context, username, email, password string) (*U, error) {
	if email == "" {
		return nil, fmt.Errorf("site: superuser %q: an email is required (logins need a verified one)", username)
	}
	u := new(U)
	au := auth.UserOf(u)
	*au = auth.NewUser(username)
	au.Email = auth.NormalizeEmail(email)
	au.IsStaff, au.IsSuperuser = true, true
	if err := s.Accounts.CreateUser(ctx, u, password); err != nil {
		return nil, err
	}
	a, _, err := s.Emails.Store().AddAddress(ctx, au.ID, au.Email)
	if err == nil {
		_, err = s.Emails.Store().VerifyAddress(ctx, a.ID)
	}
	if err == nil {
		_, err = s.Emails.MakePrimary(ctx, au.ID, a.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("site: superuser %q: verify %s: %w", username, au.Email, err)
	}
	return u, nil
}

// Close stops the site: it drains the queued mails, disconnects the audit
// log and closes the Auth and the stores Postgres opened (not the pool).
func (s *Site[U]) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	return errors.Join(errs...)
}
