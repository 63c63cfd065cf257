package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	goredis "github.com/redis/go-redis/v9"

	"github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/api"
	"github.com/djauth/auth/audit"
	"github.com/djauth/auth/dashboard"
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
	"github.com/djauth/auth/store/postgres"
	redisstore "github.com/djauth/auth/store/redis"
	"github.com/djauth/auth/throttle"
)

// Permissions of the example's "reports" app.
const (
	permViewReport    = "reports.view_report"
	permPublishReport = "reports.publish_report"
)

// reportModel is the reports app's report model: Django's four default
// permissions plus the custom "publish_report".
var reportModel = auth.ModelSpec{
	AppLabel: "reports",
	Model:    "report",
	Custom:   []auth.PermissionSpec{{Codename: "publish_report", Name: "Can publish report"}},
}

// config is what newApp needs; main fills it from flags and the
// environment, tests fill it directly.
type config struct {
	// DatabaseURL selects PostgreSQL for users and sessions; empty means
	// the in-memory store and in-memory sessions.
	DatabaseURL string
	// RedisURL, when not empty, puts the sessions in Redis (a
	// redis:// or rediss:// URL, as redis.ParseURL reads it), whatever
	// holds the users.
	RedisURL string
	// DjangoSessions keeps the sessions in Django's django_session table
	// (postgres.DjangoSessionStore), shared with a Django site on the
	// same database; it needs DatabaseURL and no RedisURL.
	DjangoSessions bool
	// RedisPrefix starts the keys of the sessions in Redis; empty means
	// the store's default, "djauth:session:".
	RedisPrefix string
	// SecretKey signs the session auth hash. Empty is allowed only in
	// memory mode without Redis, where a random key is generated.
	SecretKey string
	// InsecureCookies leaves Secure off the session cookie, so that the
	// cookie works over plain http://127.0.0.1.
	InsecureCookies bool
	// Demo creates the demo users admin and alice, but only when the store
	// has no users at all.
	Demo bool
	// Store, when not nil, replaces the in-memory store of the memory mode
	// (tests use it to set up groups); it is ignored with DatabaseURL.
	Store auth.Store[auth.User]
	// DjangoVersion, such as "3.2", makes the app hash passwords as that
	// Django release does (hashers.ForDjango), so that a Django site
	// sharing the database and the app never re-hash each other's
	// passwords and so end each other's sessions. Empty means
	// hashers.Default(), Django 6.0's settings.
	DjangoVersion string
	// CPUProfile, when not empty, is the file that run writes a CPU
	// profile of the whole run to (main's -cpuprofile); newApp ignores it.
	CPUProfile string
	// Hashers checks and makes passwords; nil means the registry
	// DjangoVersion picks. Tests set it to cheap hashers.
	Hashers *hashers.Registry
	// Logger receives the library's warnings; nil means slog.Default().
	Logger *slog.Logger
	// Out receives the start-up notes (demo credentials, generated key);
	// nil means io.Discard.
	Out io.Writer
	// Mailer sends the password reset mails; nil prints them to standard
	// error (development only: they hold the reset links).
	Mailer mail.Sender
	// MFARequired is who must use a second factor: "none", "superusers",
	// "staff" (staff and superusers) or "everyone". Empty leaves the
	// stored policy as it is: with PostgreSQL, what "authctl mfa policy
	// set" or an earlier run stored; in memory, nobody.
	MFARequired string
	// MFAGrace is how long a user the policy newly covers may postpone
	// enrolment; it applies when MFARequired is set.
	MFAGrace time.Duration
	// Origin is the site's origin as browsers see it
	// ("https://example.com"), which passkeys are bound to; run derives
	// it from the listen address when -origin is not given. Empty means
	// no passkeys.
	Origin string
	// TOTPStore, when not nil, replaces the in-memory TOTP device store
	// of the memory mode (tests enrol devices in it); ignored with
	// DatabaseURL.
	TOTPStore totp.Store
	// Now is the clock of the second factors; nil means time.Now. Tests
	// move it on by a TOTP step between enrolment and login.
	Now func() time.Time
	// OIDCIssuer, OIDCClientID and OIDCClientSecret configure a generic
	// OpenID Connect provider (any conformant one), named from the
	// issuer's host, shown as "Log in with <host>" on the login page. Its
	// callback is Origin + "/accounts/social/<id>/callback/": register
	// that at the provider. Empty OIDCIssuer means no social login.
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
}

// oidcProvider returns the generic provider of the -oidc-* flags: its id
// and name come from the issuer's host ("accounts.example.com" is the
// provider "accounts-example-com", named "accounts.example.com").
func oidcProvider(issuer, clientID, clientSecret string) (social.Provider, error) {
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("-oidc-issuer %q: want an issuer URL such as https://accounts.example.com", issuer)
	}
	if clientID == "" || clientSecret == "" {
		return nil, errors.New("-oidc-issuer needs -oidc-client-id and -oidc-client-secret (or OIDC_CLIENT_ID and OIDC_CLIENT_SECRET)")
	}
	var id strings.Builder
	for _, c := range strings.ToLower(u.Host) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			id.WriteRune(c)
		} else {
			id.WriteByte('-')
		}
	}
	pid := strings.Trim(id.String(), "-")
	if len(pid) > social.MaxProviderLength {
		pid = strings.Trim(pid[:social.MaxProviderLength], "-")
	}
	return social.NewOIDC(social.OIDCConfig{ID: pid, Name: u.Host, Issuer: issuer, ClientID: clientID, ClientSecret: clientSecret})
}

// mfaPolicy turns the -mfa-required and -mfa-grace flags into a policy.
func mfaPolicy(required string, grace time.Duration) (mfa.Policy, error) {
	p := mfa.Policy{Grace: grace}
	switch required {
	case "none":
		p.Grace = 0
	case "superusers":
		p.Superusers = true
	case "staff":
		// Superusers are administrators whether or not is_staff is set.
		p.Staff, p.Superusers = true, true
	case "everyone":
		p.Everyone = true
	default:
		return mfa.Policy{}, fmt.Errorf("-mfa-required %q: want none, superusers, staff or everyone", required)
	}
	return p, p.Validate()
}

// passkeyOrigin returns the origin passkeys are bound to: origin when
// given, else, for an address on this machine (127.0.0.1, ::1, localhost
// or all interfaces), http://localhost with the port of addr, since a
// WebAuthn relying party ID is a host name, never an IP address. It
// returns "" when no origin can be derived: passkeys are then off.
func passkeyOrigin(origin, addr string) (string, error) {
	if origin != "" {
		u, err := url.Parse(origin)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return "", fmt.Errorf("-origin %q: want scheme://host[:port], e.g. https://example.com", origin)
		}
		return u.Scheme + "://" + u.Host, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", nil
	}
	switch strings.ToLower(host) {
	case "", "localhost", "127.0.0.1", "::1", "0.0.0.0", "::":
		return "http://localhost:" + port, nil
	}
	return "", nil
}

// registryFor returns the hashers of Django release version, or
// hashers.Default() for "".
func registryFor(version string) (*hashers.Registry, error) {
	if version == "" {
		return hashers.Default(), nil
	}
	return hashers.ForDjango(version)
}

// app is the example site for one user store.
type app struct {
	auth *auth.Auth[auth.User]
	// accounts serves the password change and reset pages.
	accounts *accounts.Manager[auth.User]
	// flow is the two-step login and the second factor policy; the
	// accounts pages serve its challenge, verification and enrolment.
	flow *mfa.Flow[auth.User]
	// social is the "Log in with ..." of the -oidc-* flags, or nil.
	social *social.Social[auth.User]
	// dashboard is the staff pages at /admin/.
	dashboard *dashboard.Dashboard[auth.User]
	// api is the JSON API of every flow under /api/auth/.
	api *api.API[auth.User]
	// orgs is the organizations: their pages at /orgs/ and the
	// organization-scoped permissions of /o/{org}/reports/.
	orgs  *orgs.Orgs[auth.User]
	store auth.Store[auth.User]
	log   *slog.Logger
}

// newApp builds the site described by cfg and returns its handler and a
// cleanup function that releases the database pool, the session store's
// cleanup goroutine and the Auth. On error everything already opened has
// been released.
func newApp(ctx context.Context, cfg config) (http.Handler, func(), error) {
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Hashers == nil {
		var err error
		if cfg.Hashers, err = registryFor(cfg.DjangoVersion); err != nil {
			return nil, nil, err
		}
	}
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	fail := func(err error) (http.Handler, func(), error) {
		cleanup()
		return nil, nil, err
	}

	var (
		store        auth.Store[auth.User]
		sessionStore scs.Store
		// Failed logins, reset mails and password changes are throttled;
		// with PostgreSQL the counters are shared by every instance.
		counters throttle.Store = throttle.NewMemoryStore()
		// The second factors and the policy; PostgreSQL replaces them.
		totpStore     totp.Store      = totp.NewMemoryStore()
		recoveryStore recovery.Store  = recovery.NewMemoryStore()
		passkeyStore  passkey.Store   = passkey.NewMemoryStore()
		policyStore   mfa.PolicyStore = mfa.NewMemoryPolicyStore()
		socialStore   social.Store    = social.NewMemoryStore()
		orgStore      orgs.Store
		// The audit log, shown by the dashboard.
		auditStore audit.Store = &audit.MemoryStore{}
	)
	var providers []social.Provider
	if cfg.OIDCIssuer != "" {
		if cfg.Origin == "" {
			return fail(errors.New("-oidc-issuer needs the site's origin for its callback URL: give -origin (e.g. https://example.com)"))
		}
		p, err := oidcProvider(cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret)
		if err != nil {
			return fail(err)
		}
		providers = append(providers, p)
	}
	if cfg.TOTPStore != nil && cfg.DatabaseURL == "" {
		totpStore = cfg.TOTPStore
	}
	switch {
	case cfg.DjangoSessions && cfg.DatabaseURL == "":
		return fail(errors.New("-django-sessions needs -database-url: the sessions live in its django_session table"))
	case cfg.DjangoSessions && cfg.RedisURL != "":
		return fail(errors.New("-django-sessions and -redis-url both choose where sessions live; give one"))
	}
	if cfg.DatabaseURL == "" {
		store = cfg.Store
		if store == nil {
			store = memory.New[auth.User]()
		}
		if cfg.SecretKey == "" && cfg.RedisURL != "" {
			return fail(errors.New("Redis sessions need -secret-key or SECRET_KEY: every instance sharing them must sign sessions with the same key"))
		}
		if cfg.SecretKey == "" {
			cfg.SecretKey = hashers.RandomString(50)
			fmt.Fprintln(cfg.Out, "No -secret-key or SECRET_KEY given: using a random key for this run (sessions end when the process stops).")
		}
	} else {
		if cfg.SecretKey == "" {
			return fail(errors.New("PostgreSQL mode needs -secret-key or SECRET_KEY: every instance sharing the database must sign sessions with the same key"))
		}
		pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
		if err != nil {
			return fail(fmt.Errorf("connect to PostgreSQL: %w", err))
		}
		cleanups = append(cleanups, pool.Close)
		// TOTP devices live in django-otp's otp_totp_totpdevice, the one
		// layout there is, so a Django site that adds django-otp later
		// finds them (and Migrate records its migrations for it).
		// Recovery codes have two layouts: djauth's djauth_recovery_*
		// tables keep only SHA-256 digests, so a database leak gives away
		// no usable code; django-otp's otp_static keeps them in plain
		// text, but Django's StaticDevice can then verify them. The app
		// picks the hashed layout, unless it shares its sessions with a
		// Django site (-django-sessions): there the Django side must
		// accept the same codes, so it uses otp_static.
		apps := []postgres.DjangoApp{postgres.DjangoOTPTOTP}
		if len(providers) > 0 {
			// django-allauth's socialaccount tables (and django_site).
			apps = append(apps, postgres.DjangoSocialAccount)
		}
		if cfg.DjangoSessions {
			apps = append(apps, postgres.DjangoSessions, postgres.DjangoOTPStatic)
		}
		// django-organizations' tables, with djauth's roles beside them
		// (djauth_audit comes with djauth's own migrations).
		apps = append(apps, postgres.DjangoOrganizations)
		rep, err := postgres.Migrate(ctx, pool, apps...)
		if err != nil {
			return fail(fmt.Errorf("migrate: %w", err))
		}
		for _, l := range rep.Lines() {
			cfg.Logger.Info("migrate", "report", l)
		}
		pg, err := postgres.New[auth.User](pool, postgres.Options{})
		if err != nil {
			return fail(err)
		}
		store = pg
		if orgStore, err = postgres.NewOrgStore(pool, postgres.OrgOptions{}); err != nil {
			return fail(err)
		}
		if cfg.DjangoSessions {
			ds, err := postgres.NewDjangoSessionStore(pool, postgres.SessionStoreOptions{Logger: cfg.Logger})
			if err != nil {
				return fail(err)
			}
			cleanups = append(cleanups, ds.Close)
			sessionStore = ds
		} else {
			// Tied to the user store: an authenticated request reads its
			// session, user and permissions in one statement.
			ss, err := pg.NewSessionStore(postgres.SessionStoreOptions{Logger: cfg.Logger})
			if err != nil {
				return fail(err)
			}
			cleanups = append(cleanups, ss.Close)
			sessionStore = ss
		}
		ts, err := postgres.NewThrottleStore(pool)
		if err != nil {
			return fail(err)
		}
		counters = ts
		if totpStore, err = postgres.NewTOTPStore(pool); err != nil {
			return fail(err)
		}
		if cfg.DjangoSessions {
			recoveryStore, err = postgres.NewDjangoStaticStore(pool)
		} else {
			recoveryStore, err = postgres.NewRecoveryStore(pool)
		}
		if err != nil {
			return fail(err)
		}
		if passkeyStore, err = postgres.NewPasskeyStore(pool); err != nil {
			return fail(err)
		}
		if policyStore, err = postgres.NewMFAPolicyStore(pool); err != nil {
			return fail(err)
		}
		if auditStore, err = postgres.NewAuditStore(pool); err != nil {
			return fail(err)
		}
		if socialStore, err = postgres.NewSocialStore(pool); err != nil {
			return fail(err)
		}
	}
	if cfg.RedisURL != "" {
		opts, err := goredis.ParseURL(cfg.RedisURL)
		if err != nil {
			return fail(fmt.Errorf("-redis-url: %w", err))
		}
		client := goredis.NewClient(opts)
		cleanups = append(cleanups, func() { _ = client.Close() })
		if err := client.Ping(ctx).Err(); err != nil {
			return fail(fmt.Errorf("connect to Redis: %w", err))
		}
		rs, err := redisstore.NewSessionStore(client, redisstore.Options{Prefix: cfg.RedisPrefix})
		if err != nil {
			return fail(err)
		}
		sessionStore = rs
	}

	// Django creates the permissions of its own models and of every app's
	// models after migrating; Register does the same, idempotently, so on
	// a database that Django filled it only adds the reports ones.
	perms, err := auth.Register(ctx, store, append(append(auth.AuthModels(), dashboard.Models()...), reportModel)...)
	if err != nil {
		return fail(fmt.Errorf("register permissions: %w", err))
	}
	if orgStore == nil {
		// Roles in memory may be given the registered permissions.
		ms := orgs.NewMemoryStore()
		for _, p := range perms {
			ms.AddPermissions(p.Key())
		}
		orgStore = ms
	}
	limiter, err := throttle.New(throttle.Config{Store: counters})
	if err != nil {
		return fail(err)
	}
	if cfg.MFARequired != "" {
		p, err := mfaPolicy(cfg.MFARequired, cfg.MFAGrace)
		if err != nil {
			return fail(err)
		}
		if err := policyStore.SetPolicy(ctx, p); err != nil {
			return fail(fmt.Errorf("set the MFA policy: %w", err))
		}
	}
	origin, err := passkeyOrigin(cfg.Origin, "")
	if err != nil {
		return fail(err)
	}
	tf, err := totp.New(totp.Config{Store: totpStore, Issuer: "djauth example", Now: cfg.Now})
	if err != nil {
		return fail(err)
	}
	rf, err := recovery.New(recovery.Config{Store: recoveryStore, Now: cfg.Now})
	if err != nil {
		return fail(err)
	}
	factors := []mfa.Factor{tf, rf}
	if origin != "" {
		// The Flow binds the Passkeys to the Auth's sessions in auth.New.
		rp, _ := url.Parse(origin)
		p, err := passkey.New(passkey.Config{
			RPID: rp.Hostname(), RPDisplayName: "djauth example", RPOrigins: []string{origin},
			Store: passkeyStore, Now: cfg.Now,
		})
		if err != nil {
			return fail(err)
		}
		factors = append(factors, p)
	}
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: factors, Policy: policyStore, Now: cfg.Now})
	if err != nil {
		return fail(err)
	}
	a, err := auth.New(auth.Config[auth.User]{
		SecondFactor: flow,
		// Passwords, and identities of the social login.
		Backends:  []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, social.NewBackend[auth.User]("")},
		Limiter:   limiter,
		Store:     store,
		SecretKey: cfg.SecretKey,
		Hashers:   cfg.Hashers,
		// HeaderTokens: the JSON API's clients without cookies send the
		// session token as a bearer token.
		Sessions: auth.SessionConfig{Store: sessionStore, InsecureCookie: cfg.InsecureCookies, HeaderTokens: true},
		Logger:   cfg.Logger,
		// The impersonation banner's rules, in every page's stylesheet.
		UI: auth.UI{Blocks: `{{define "styles"}}` + auth.ImpersonationBannerCSS + `{{end}}`},
		// English and French: the pages follow the browser's language
		// (or the language chosen in the footer's switcher).
		I18n: i18n.Config{Languages: []string{"en", "fr"}, Default: "en"},
	})
	if err != nil {
		return fail(err)
	}
	cleanups = append(cleanups, func() { _ = a.Close() })
	if origin != "" {
		fmt.Fprintf(cfg.Out, "Passkeys are bound to %s: open the site there to use them.\n", origin)
	}
	// Password change and reset pages; reset mails are printed to stderr
	// (development only: they hold the reset links).
	mailer := cfg.Mailer
	if mailer == nil {
		mailer = &mail.Console{W: os.Stderr}
	}
	var soc *social.Social[auth.User]
	var buttons []auth.LoginButton
	if len(providers) > 0 {
		// Users who log in with the provider for the first time get an
		// account; an address that an account has already is linked
		// only after that account's own login.
		soc, err = social.New(a, social.Config[auth.User]{Store: socialStore, BaseURL: cfg.Origin, Providers: providers, SignUp: true})
		if err != nil {
			return fail(err)
		}
		buttons = soc.Buttons()
		for _, p := range providers {
			fmt.Fprintf(cfg.Out, "Log in with %s: register the callback %s at the provider.\n", p.Name(), soc.CallbackURL(p.ID()))
		}
	}
	acc, err := accounts.New(a, accounts.Config{Mailer: mailer, SocialLogins: buttons})
	if err != nil {
		return fail(err)
	}
	cleanups = append(cleanups, func() { _ = acc.Close() })
	dash, err := dashboard.New(dashboard.Config[auth.User]{Auth: a, PasswordValidators: acc.Validators(),
		MFA: dashboard.FlowDevices(flow), Identities: socialStore, Lockouts: limiter, PasswordReset: acc,
		Orgs: orgStore, Audit: auditStore, ImpersonateURL: auth.DefaultImpersonateURL})
	if err != nil {
		return fail(err)
	}
	// The audit log: logins, failures, lockouts and impersonations (the
	// Auth's signals), password and second-factor changes (accounts),
	// linked identities (social) and every change made in the dashboard.
	rec, err := audit.NewRecorder(a, auditStore, audit.RecorderConfig{Logger: cfg.Logger})
	if err != nil {
		return fail(err)
	}
	cleanups = append(cleanups, rec.Subscribe(), rec.SubscribeAccounts(acc), dash.SubscribeAudit(rec))
	if soc != nil {
		cleanups = append(cleanups, rec.SubscribeSocial(soc))
	}
	// Organizations; invitations are mailed with links to the origin
	// (without one, the Go API returns the links but nothing is mailed).
	// Roles hold the reports app's permissions only, never the site's own.
	reportPerms, err := reportModel.Permissions()
	if err != nil {
		return fail(err)
	}
	assignable := []string{}
	for _, p := range reportPerms {
		assignable = append(assignable, p.Key())
	}
	orgCfg := orgs.Config[auth.User]{Auth: a, Store: orgStore, Now: cfg.Now, AssignablePermissions: assignable}
	if origin != "" {
		orgCfg.Mailer, orgCfg.BaseURL = mailer, origin
	}
	og, err := orgs.New(orgCfg)
	if err != nil {
		return fail(err)
	}
	jsonAPI, err := api.New(api.Config[auth.User]{Accounts: acc, Social: soc, Orgs: og})
	if err != nil {
		return fail(err)
	}

	if cfg.Demo {
		created, err := createDemoUsers(ctx, store, cfg.Hashers, cfg.Out)
		if err == nil && created {
			err = createDemoOrg(ctx, og, store, cfg.Out)
		}
		if err != nil {
			return fail(err)
		}
	}

	s := &app{auth: a, accounts: acc, flow: flow, social: soc, dashboard: dash, api: jsonAPI, orgs: og, store: store, log: cfg.Logger}
	h, err := s.routes()
	if err != nil {
		return fail(err)
	}
	return h, cleanup, nil
}

// createDemoUsers creates a superuser "admin" and a user "alice" who holds
// reports.view_report only, each with a random password, and prints how
// to log in. It does nothing when the store has users already, so a
// database that Django (or an earlier run) filled is left alone; created
// reports whether it made them.
func createDemoUsers(ctx context.Context, store auth.Store[auth.User], h *hashers.Registry, out io.Writer) (created bool, err error) {
	n, err := store.CountUsers(ctx, auth.UserQuery{})
	if err != nil {
		return false, fmt.Errorf("count users: %w", err)
	}
	if n > 0 {
		fmt.Fprintf(out, "The store has %d users already: no demo users created.\n", n)
		return false, nil
	}
	type demo struct {
		username, email string
		superuser       bool
		perms           []string
		note            string
	}
	demos := []demo{
		{username: "admin", email: "admin@example.com", superuser: true, note: "superuser: every page"},
		{username: "alice", email: "alice@example.com", perms: []string{permViewReport}, note: permViewReport + " only"},
	}
	fmt.Fprintln(out, "Demo users (passwords are random, new on every run):")
	for _, d := range demos {
		password := hashers.RandomString(16)
		encoded, err := h.Make(ctx, password)
		if err != nil {
			return false, fmt.Errorf("hash the password of %s: %w", d.username, err)
		}
		u := auth.NewUser(d.username)
		u.Email = d.email
		u.Password = encoded
		u.IsSuperuser = d.superuser
		u.IsStaff = d.superuser
		if err := store.CreateUser(ctx, &u); err != nil {
			return false, fmt.Errorf("create demo user %s: %w", d.username, err)
		}
		if len(d.perms) > 0 {
			if err := store.AddUserPermissions(ctx, u.ID, d.perms...); err != nil {
				return false, fmt.Errorf("grant %v to %s: %w", d.perms, d.username, err)
			}
		}
		fmt.Fprintf(out, "  username %-6s password %s  (%s)\n", d.username, password, d.note)
	}
	return true, nil
}

// createDemoOrg creates the organization "Demo" (slug demo) owned by the
// demo admin, with alice a member holding its role "Publishers", which
// gives reports.publish_report in that organization only: alice may open
// /o/demo/reports/ but not /reports/publish/.
func createDemoOrg(ctx context.Context, og *orgs.Orgs[auth.User], store auth.Store[auth.User], out io.Writer) error {
	admin, err := store.GetUserByUsername(ctx, "admin")
	if err != nil {
		return fmt.Errorf("demo organization: %w", err)
	}
	alice, err := store.GetUserByUsername(ctx, "alice")
	if err != nil {
		return fmt.Errorf("demo organization: %w", err)
	}
	org, err := og.CreateOrganization(ctx, admin, "Demo", "demo")
	if err != nil {
		return fmt.Errorf("demo organization: %w", err)
	}
	role, err := og.CreateRole(ctx, admin, org.ID, "Publishers")
	if err == nil {
		err = og.SetRolePermissions(ctx, admin, org.ID, role.ID, []string{permPublishReport})
	}
	if err == nil {
		_, err = og.AddMember(ctx, admin, org.ID, alice.ID, false)
	}
	if err == nil {
		err = og.AssignRole(ctx, admin, org.ID, alice.ID, role.ID)
	}
	if err != nil {
		return fmt.Errorf("demo organization: %w", err)
	}
	fmt.Fprintf(out, "Demo organization %q: admin owns it, alice holds its role Publishers (%s there only).\n", org.Slug, permPublishReport)
	return nil
}

// routes returns the site: /healthz outside the auth middleware, every
// other page inside it.
func (s *app) routes() (http.Handler, error) {
	a := s.auth
	mux := http.NewServeMux()
	// Login, logout, profile, password change and reset, and, with the
	// Flow, the second step of a login, verification, the grace period's
	// reminder and the enrolment pages (the Flow's EnrolURL).
	s.accounts.Routes(mux, "")
	if s.social != nil {
		// The provider's login and callback, and the identities page.
		mux.Handle("/accounts/social/", s.social.Handler())
	}
	mux.HandleFunc("GET /{$}", s.home)
	// The site's own pages need a verified second factor of the users
	// the policy covers (django-otp's otp_required); the accounts pages
	// that let a user verify or enrol are not behind it.
	mfaRequired := s.flow.MFARequired
	// A richer profile page than the default: GET with the exact path is
	// more specific than the pattern Routes registers, so it wins.
	mux.Handle("GET /accounts/profile/{$}", mfaRequired(a.LoginRequired(http.HandlerFunc(s.profile))))
	mux.Handle("GET /reports/", mfaRequired(a.PermissionRequired(permViewReport)(http.HandlerFunc(s.reports))))
	mux.Handle("GET /reports/publish/", mfaRequired(a.PermissionRequired(permPublishReport)(http.HandlerFunc(s.publish))))
	mux.HandleFunc("GET /api/me", s.me)
	// The staff dashboard (Django's admin for users and groups), behind
	// the second factor like the site's own pages.
	mux.Handle(s.dashboard.Prefix(), mfaRequired(s.dashboard.Handler()))
	// The JSON API for SPAs and mobile apps (openapi.json describes it).
	s.api.Routes(mux)
	// Organizations: the user's list and switcher, members, roles,
	// invitations; and a page that needs a permission in the
	// organization of its URL (global permissions count too).
	if err := s.orgs.Routes(mux, "/orgs/"); err != nil {
		return nil, err
	}
	mux.Handle("GET /o/{org}/reports/{$}", mfaRequired(s.orgs.PermissionRequired(permPublishReport)(http.HandlerFunc(s.orgReports))))
	// "Log in as" from the dashboard (superusers only) and its stop; the
	// banner marks every page while it lasts.
	stop := a.ImpersonationRoutes(mux, "")

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", healthz)
	root.Handle("/", a.ImpersonationBanner(stop)(mux))
	return root, nil
}

// healthz reports that the process serves requests. It runs outside the
// auth middleware: no session is read or written, no cookie is set.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, `{"ok": true}`+"\n")
}

// meResponse is the body of /api/me for a logged-in user.
type meResponse struct {
	Authenticated bool     `json:"authenticated"`
	ID            int64    `json:"id"`
	Username      string   `json:"username"`
	Email         string   `json:"email"`
	IsStaff       bool     `json:"is_staff"`
	IsSuperuser   bool     `json:"is_superuser"`
	Groups        []string `json:"groups"`
	Permissions   []string `json:"permissions"`
}

// me answers /api/me: the request's user, its group names and every
// permission it holds, both sorted; {"authenticated": false} for an
// anonymous visitor. A user that could not be loaded (the store is down)
// gives 500, never an anonymous answer.
func (s *app) me(w http.ResponseWriter, r *http.Request) {
	ru := s.auth.UserFromContext(r.Context())
	w.Header().Set("Cache-Control", "no-store")
	if err := ru.Err(); err != nil {
		s.serverError(w, r, err)
		return
	}
	if ru.IsAnonymous() {
		writeJSON(w, map[string]bool{"authenticated": false})
		return
	}
	perms := ru.AllPermissions()
	// Read with the user: on PostgreSQL the whole answer costs the one
	// statement that reads the session.
	names := ru.GroupNames()
	if err := ru.Err(); err != nil {
		s.serverError(w, r, err)
		return
	}
	u := ru.AuthUser()
	writeJSON(w, meResponse{
		Authenticated: true,
		ID:            u.ID,
		Username:      u.Username,
		Email:         u.Email,
		IsStaff:       u.IsStaff,
		IsSuperuser:   u.IsSuperuser,
		Groups:        names,
		Permissions:   append([]string{}, perms.Sorted()...),
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *app) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// page is the data of every HTML page.
type page struct {
	Title   string
	User    *auth.User // nil when anonymous
	Message string
	// ShowPerms shows Perms under a "Your permissions" heading (the
	// profile page), with a sentence when there are none.
	ShowPerms bool
	Perms     []string
	LoginURL  string
	// MFAURL is the page of the user's second factors.
	MFAURL string
}

func (s *app) render(w http.ResponseWriter, r *http.Request, p page) {
	ru := s.auth.UserFromContext(r.Context())
	if err := ru.Err(); err != nil {
		s.serverError(w, r, err)
		return
	}
	p.User = ru.AuthUser()
	p.LoginURL = s.auth.LoginURL()
	p.MFAURL = s.flow.EnrolURL()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := pageTemplate.Execute(w, p); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "path", r.URL.Path, "err", err)
	}
}

func (s *app) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, page{Title: "djauth example"})
}

func (s *app) profile(w http.ResponseWriter, r *http.Request) {
	ru := s.auth.UserFromContext(r.Context())
	perms := ru.AllPermissions().Sorted()
	s.render(w, r, page{Title: "Profile", ShowPerms: true, Perms: perms})
}

func (s *app) reports(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, page{Title: "Reports", Message: "You hold " + permViewReport + ": here are the reports."})
}

func (s *app) orgReports(w http.ResponseWriter, r *http.Request) {
	org, _, _ := s.orgs.Current(r)
	s.render(w, r, page{Title: "Reports of " + org.Name, Message: "You hold " + permPublishReport + " in " + org.Name + ": you may publish its reports."})
}

func (s *app) publish(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, page{Title: "Publish", Message: "You hold " + permPublishReport + ": you may publish reports."})
}

// pageTemplate is the layout of the example's own pages. Its look (the
// system font, the accent and error colours, the bordered card, light and
// dark through color-scheme) is the library's login page's, from
// templates/base.html, so that moving between the site and the login,
// logout and password pages looks like one site. It has a viewport, so a
// phone shows it at its own width.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · djauth example</title>
<style>
  :root { color-scheme: light dark; --accent: #2563eb; --line: color-mix(in srgb, CanvasText 15%, transparent); }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
         background: Canvas; color: CanvasText; }
  header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between;
           padding: .75rem max(1rem, (100% - 44rem) / 2); border-bottom: 1px solid var(--line); }
  .brand { font-weight: 700; color: inherit; text-decoration: none; }
  .who { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 0; }
  main { width: min(44rem, 100% - 2rem); margin: 1.5rem auto; padding: 1.5rem clamp(1rem, 5vw, 2rem); border-radius: .75rem;
         border: 1px solid var(--line); box-shadow: 0 4px 24px color-mix(in srgb, CanvasText 8%, transparent); }
  h1 { margin: 0 0 1rem; font-size: 1.5rem; }
  h2 { margin: 1.5rem 0 .5rem; font-size: 1.1rem; }
  a { color: var(--accent); }
  button, .button { display: inline-block; padding: .45rem .9rem; font: inherit; font-weight: 600; color: #fff;
                    background: var(--accent); border: 0; border-radius: .4rem; cursor: pointer; text-decoration: none; }
  button:focus-visible, a:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
  ul { padding-left: 1.2rem; }
  .pages li { margin: .35rem 0; }
  .note { font-size: .9rem; opacity: .75; }
  code { font-size: .9em; overflow-wrap: anywhere; }
</style>
</head>
<body>
<header>
<a class="brand" href="/">djauth example</a>
{{if .User}}<form class="who" method="post" action="/accounts/logout/">
<span>Logged in as <strong>{{.User.Username}}</strong>{{if .User.IsSuperuser}} (superuser){{end}}</span>
<button type="submit">Log out</button>
</form>
{{else}}<a class="button" href="{{.LoginURL}}">Log in</a>
{{end}}</header>
<main>
<h1>{{.Title}}</h1>
{{if not .User}}<p>You are not logged in. <a href="{{.LoginURL}}">Log in</a> to see the pages that need an account.</p>
{{end}}{{with .Message}}<p>{{.}}</p>
{{end}}{{if .ShowPerms}}<section aria-labelledby="perms">
<h2 id="perms">Your permissions</h2>
{{with .Perms}}<ul>{{range .}}<li><code>{{.}}</code></li>{{end}}</ul>{{else}}<p>You hold no permissions.</p>{{end}}
</section>
{{end}}<nav aria-labelledby="pages">
<h2 id="pages">Pages</h2>
<ul class="pages">
<li><a href="/">Home</a></li>
<li><a href="/accounts/profile/">Profile</a> <span class="note">login required</span></li>
<li><a href="/reports/">Reports</a> <span class="note">needs <code>` + permViewReport + `</code></span></li>
<li><a href="/reports/publish/">Publish a report</a> <span class="note">needs <code>` + permPublishReport + `</code></span></li>
<li><a href="/accounts/password_change/">Change your password</a> <span class="note">login required</span></li>
<li><a href="/orgs/">Organizations</a> <span class="note">yours, the switcher, members and roles</span></li>
<li><a href="/o/demo/reports/">Reports of the Demo organization</a> <span class="note">needs <code>` + permPublishReport + `</code> in it</span></li>
<li><a href="{{.MFAURL}}">Two-factor authentication</a> <span class="note">authenticator app, recovery codes, passkeys</span></li>
<li><a href="/api/me">/api/me</a> <span class="note">JSON</span></li>
</ul>
</nav>
</main>
</body>
</html>
`))

// shutdownTimeout bounds how long main waits for requests in flight.
const shutdownTimeout = 10 * time.Second
