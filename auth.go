package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/alexedwards/scs/v2"

	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/internal/djcrypto"
	"github.com/djauth/auth/internal/hosts"
)

// New checks cfg and returns an Auth for the user type U, which is User
// or a struct that embeds User by value:
//
//	a, err := auth.New(auth.Config[MyUser]{Store: store, SecretKey: key})
//
// A Store and a SecretKey are all it needs: the zero value of every other
// field is a Django-like default (the model backend, Django's hashers, an
// in-memory session store, secure cookies). New returns an error wrapping
// ErrConfig when U does not embed User by value, Store is missing, a
// secret key is too short, a backend is nil, unnamed, repeated or refuses
// to bind, a URL setting is not a path or absolute URL, a host or trusted
// origin is malformed, or a session setting is negative.
//
// Call Close when the Auth is no longer used: it stops the goroutine of
// the in-memory session store it made.
func New[U any](cfg Config[U]) (*Auth[U], error) {
	bad := func(format string, args ...any) (*Auth[U], error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	if err := CheckUserType[U](); err != nil {
		return nil, err
	}
	if cfg.Store == nil {
		return bad("Config.Store is required")
	}
	a := &Auth[U]{
		store:             cfg.Store,
		hashers:           cfg.Hashers,
		backends:          append([]Backend[U](nil), cfg.Backends...),
		byName:            make(map[string]int, len(cfg.Backends)+1),
		logger:            cfg.Logger,
		signals:           cfg.Signals,
		templates:         cfg.Templates,
		loginURL:          cfg.LoginURL,
		loginRedirectURL:  cfg.LoginRedirectURL,
		logoutRedirectURL: cfg.LogoutRedirectURL,
		allowedHosts:      append([]string(nil), cfg.AllowedHosts...),
		redirectHosts:     append([]string(nil), cfg.RedirectAllowedHosts...),
		secretKey:         cfg.SecretKey,
		secretFallbacks:   append([]string(nil), cfg.SecretKeyFallbacks...),
		ctxKey:            new(requestUserKey),
		limiter:           cfg.Limiter,
		secondFactor:      cfg.SecondFactor,
		loginGate:         cfg.LoginGate,
	}
	for i, key := range append([]string{cfg.SecretKey}, cfg.SecretKeyFallbacks...) {
		what := "Config.SecretKey"
		if i > 0 {
			what = fmt.Sprintf("Config.SecretKeyFallbacks[%d]", i-1)
		}
		if err := checkSecretKey(key); err != nil {
			return bad("%s %s", what, err)
		}
		a.hashKeys = append(a.hashKeys, djcrypto.SaltedHMACKey(sha256.New, sessionAuthHashSalt, key))
	}
	if err := hosts.CheckPatterns(a.allowedHosts); err != nil {
		return bad("Config.AllowedHosts%s", err)
	}
	if a.hashers == nil {
		a.hashers = hashers.Default()
	}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	if a.signals == nil {
		a.signals = newSignals[U](a.logger)
	}
	bundle, err := i18n.New(cfg.I18n)
	if err != nil {
		return nil, fmt.Errorf("%w: Config.I18n: %w", ErrConfig, err)
	}
	a.i18n = bundle
	look, err := NewLook(cfg.UI)
	if err != nil {
		return bad("Config.UI: %w", err)
	}
	a.look, a.langSwitch = look.withLanguages(bundle.Languages())
	a.templates = a.templates.withDefaults(a.look)
	t := a.templates
	if a.pages, err = bundle.LocalizePages(t.Login, t.LoggedOut, t.Forbidden, t.Profile, t.Logout); err != nil {
		return bad("Config.Templates: %w", err)
	}
	for _, u := range []struct {
		field string
		val   *string
		def   string
	}{
		{"LoginURL", &a.loginURL, DefaultLoginURL},
		{"LoginRedirectURL", &a.loginRedirectURL, DefaultLoginRedirectURL},
		{"LogoutRedirectURL", &a.logoutRedirectURL, ""},
	} {
		if *u.val == "" {
			*u.val = u.def
		}
		if *u.val != "" && !strings.HasPrefix(*u.val, "/") && !strings.HasPrefix(*u.val, "https://") && !strings.HasPrefix(*u.val, "http://") {
			return bad("Config.%s %q must be a path starting with \"/\" or an absolute http(s) URL", u.field, *u.val)
		}
	}
	a.csrf = http.NewCrossOriginProtection()
	for i, origin := range cfg.CSRF.TrustedOrigins {
		if err := a.csrf.AddTrustedOrigin(origin); err != nil {
			return bad("Config.CSRF.TrustedOrigins[%d]: %v", i, err)
		}
	}
	if len(a.backends) == 0 {
		a.backends = []Backend[U]{&ModelBackend[U]{}}
	}
	for i, b := range a.backends {
		if b == nil {
			return bad("Config.Backends[%d] is nil", i)
		}
		name := b.Name()
		if name == "" {
			return bad("Config.Backends[%d] (%T) has an empty Name", i, b)
		}
		if _, dup := a.byName[name]; dup {
			return bad("backend name %q is configured twice", name)
		}
		a.byName[name] = i
	}
	// Bind last, once everything else is known to be right, so that a
	// failed New binds as little as possible (and ModelBackend lets a later
	// New take over a backend bound to an Auth whose New failed).
	for i, b := range a.backends {
		if bb, ok := b.(Binder[U]); ok {
			if err := bb.Bind(a); err != nil {
				return bad("Config.Backends[%d] (%T): %v", i, b, err)
			}
		}
	}
	sessions, own, err := newSessionManager(cfg.Sessions, cfg.SecretKey, cfg.SecretKeyFallbacks)
	if err != nil {
		return bad("%v", err)
	}
	a.sessions, a.ownStore = sessions, own
	a.headerTokens = cfg.Sessions.HeaderTokens
	// The second factor is bound last of all: nothing after it fails, so
	// it is bound to an Auth that New returns.
	if bb, ok := a.secondFactor.(Binder[U]); ok {
		if err := bb.Bind(a); err != nil {
			if own != nil {
				own.Close()
			}
			return bad("Config.SecondFactor (%T): %v", a.secondFactor, err)
		}
	}
	a.hmacPool.New = func() any { return hmac.New(sha256.New, a.hashKeys[0]) }
	a.ready.Store(true)
	return a, nil
}

// Config configures New. Only Store and SecretKey are required; every
// other zero field means a Django-like default. Each setting is given
// here once: the backends, the accounts pages and authctl read it from the
// Auth.
type Config[U any] struct {
	// Store holds the users and their permissions. Required. It needs only
	// the methods that serving requests uses (RequestStore); the stores
	// of package store implement the whole Store. Code that creates users
	// or groups keeps its own reference to the full store.
	Store RequestStore[U]
	// SecretKey signs the session auth hash and, in package accounts, the
	// password reset tokens (Django's SECRET_KEY). It must have at least
	// MinSecretKeyLength bytes and five distinct bytes; use 50 random
	// characters, as Django's startproject does, and the same key as a
	// Django site sharing the database. Config implements slog.LogValuer
	// and redacts it.
	SecretKey string
	// SecretKeyFallbacks are older keys still accepted during a rotation
	// (Django's SECRET_KEY_FALLBACKS); a session signed with one is
	// re-signed with SecretKey.
	SecretKeyFallbacks []string
	// Hashers checks and makes password hashes (Django's
	// PASSWORD_HASHERS). Nil means hashers.Default(). The Auth's backends
	// and package accounts use this one registry, so its bound on
	// concurrent hashing (hashers.Options.MaxConcurrent) holds for the
	// whole site.
	Hashers *hashers.Registry
	// Backends are tried in order by Authenticate and asked about
	// permissions (Django's AUTHENTICATION_BACKENDS). Empty means the
	// model backend alone, []Backend[U]{&ModelBackend[U]{}}. New binds each
	// backend that implements Binder to the Auth, so that it uses the
	// Auth's store and hashers.
	Backends []Backend[U]
	// Sessions configures the session cookie and store (Django's SESSION_*
	// settings). The zero value keeps sessions in memory with Django's
	// defaults; see SessionConfig.
	Sessions SessionConfig
	// AllowedHosts are the Host header values the library trusts
	// (Django's ALLOWED_HOSTS): "example.com" matches that host on any
	// port, ".example.com" also its subdomains, "*" any host. A matching
	// Host is used for links built from it (password reset mails, see
	// Auth.RequestHost) and is a valid target of "next" redirects. Empty
	// means loopback hosts only (localhost, 127.0.0.1 and [::1]), like
	// Django's development default. Unlike Django, a request with another
	// Host is not refused with 400; it is served, but its Host is trusted
	// for nothing. (Before this setting meant Django's
	// success_url_allowed_hosts, now RedirectAllowedHosts: move such hosts
	// there.)
	AllowedHosts []string
	// RedirectAllowedHosts are other hosts that a "next" redirect after
	// login or logout may point to (Django's success_url_allowed_hosts),
	// compared exactly with the URL's host and port.
	RedirectAllowedHosts []string
	// CSRF configures the cross-origin protection of every form of the
	// library (Auth.Protect).
	CSRF CSRFConfig
	// LoginURL is where guards send anonymous users (Django's LOGIN_URL).
	// Empty means DefaultLoginURL.
	LoginURL string
	// LoginRedirectURL is where the login page goes after a login
	// without a safe "next" (Django's LOGIN_REDIRECT_URL). Empty means
	// DefaultLoginRedirectURL, the profile page that Routes mounts.
	LoginRedirectURL string
	// LogoutRedirectURL is where the logout page goes after a logout
	// without a safe "next" (Django's LOGOUT_REDIRECT_URL). Empty means
	// rendering the "logged out" page.
	LogoutRedirectURL string
	// Logger receives warnings and errors. Nil means slog.Default().
	// Secrets, passwords and session tokens are never logged.
	Logger *slog.Logger
	// Signals are the hubs to send signals on. Nil means new hubs; read
	// them with Auth.Signals.
	Signals *Signals[U]
	// Templates replaces pages of the login and logout handlers; nil, and
	// any nil field, means the embedded default. See Templates.
	Templates *Templates
	// UI is the look of every page: the theme (CSS custom properties),
	// the brand, the language and the template blocks that replace
	// parts of the pages of this package and of the packages built on
	// the Auth (accounts, social). The zero value is the default look;
	// see UI and docs/ui.md.
	UI UI
	// Limiter throttles and locks out password guessing (package
	// throttle's Limiter): the login page asks it before every
	// authentication and answers a refused attempt with 429 and
	// Retry-After, costing no password hash; the pages of package
	// accounts use it too. Nil means no throttling. Authenticate itself
	// does not consult it: code that calls Authenticate directly guards
	// itself.
	Limiter Limiter
	// SecondFactor, when set, makes Login a two-step login for the users
	// it names (package mfa's Flow): Login then stores a pending state
	// and returns ErrSecondFactorRequired, and LoginHandler sends the
	// browser to its ChallengeURL. Nil means one step.
	SecondFactor SecondFactor[U]
	// LoginGate, when set, is asked before every login (Login and
	// LoginVerified) and may refuse it; see LoginGate. Nil lets every
	// authenticated active user in.
	LoginGate LoginGate[U]
	// I18n chooses the languages of the pages and messages and where
	// their catalogs come from (Django's LANGUAGES, LANGUAGE_CODE,
	// LANGUAGE_COOKIE_NAME and LOCALE_PATHS); every package's pages ask
	// Auth.Translator for the request's language. The zero value is
	// English only. See package i18n.
	I18n i18n.Config
}

// CSRFConfig configures the cross-origin request protection
// (http.CrossOriginProtection) in front of every form of the library. The
// zero value refuses every cross-origin unsafe request.
type CSRFConfig struct {
	// TrustedOrigins are origins ("https://app.example.com", scheme, host
	// and optional port) whose cross-origin POSTs are allowed (Django's
	// CSRF_TRUSTED_ORIGINS).
	TrustedOrigins []string
}

// LogValue implements slog.LogValuer, redacting the secret keys.
func (c Config[U]) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("SecretKey", "[redacted]"),
		slog.Int("SecretKeyFallbacks", len(c.SecretKeyFallbacks)),
		slog.Int("Backends", len(c.Backends)),
		slog.String("LoginURL", c.LoginURL),
		slog.String("LoginRedirectURL", c.LoginRedirectURL),
		slog.String("LogoutRedirectURL", c.LogoutRedirectURL),
		slog.Any("AllowedHosts", c.AllowedHosts),
		slog.Any("RedirectAllowedHosts", c.RedirectAllowedHosts),
		slog.Any("CSRFTrustedOrigins", c.CSRF.TrustedOrigins),
		slog.Bool("InsecureCookie", c.Sessions.InsecureCookie),
		slog.Bool("Limiter", c.Limiter != nil),
		slog.Bool("SecondFactor", c.SecondFactor != nil),
		slog.Bool("LoginGate", c.LoginGate != nil),
	)
}

// Auth is the request side of the library: authentication through the
// backends, login and logout on a session, the user of a request, its
// permissions, signals, middleware, guards and handlers. U is the user
// type. Create one with New; it is safe for concurrent use and its
// configuration does not change after New.
type Auth[U any] struct {
	store     RequestStore[U]
	hashers   *hashers.Registry
	backends  []Backend[U]
	byName    map[string]int
	sessions  *scs.SessionManager
	ownStore  *memSessionStore
	signals   *Signals[U]
	logger    *slog.Logger
	templates *Templates
	i18n      *i18n.Bundle
	look      *Look
	// pages are templates localized per language; langSwitch is the
	// look's language switcher, whose URL Routes sets.
	pages      *i18n.Pages
	langSwitch *languageSwitch
	csrf       *http.CrossOriginProtection
	ctxKey     *requestUserKey
	limiter    Limiter
	// headerTokens is Config.Sessions.HeaderTokens.
	headerTokens bool

	secondFactor SecondFactor[U]
	loginGate    LoginGate[U]

	// hashKeys are the HMAC keys of the session auth hash, derived from
	// SecretKey and then each fallback: SHA-256(keySalt + secret), as
	// Django's salted_hmac derives them.
	hashKeys        [][]byte
	hmacPool        sync.Pool
	secretKey       string
	secretFallbacks []string

	loginURL          string
	loginRedirectURL  string
	logoutRedirectURL string
	allowedHosts      []string
	redirectHosts     []string

	closeOnce sync.Once
	// plainHTTPWarned is set by the first warnPlainHTTPLogin.
	plainHTTPWarned atomic.Bool
	// ready is set when New returns the Auth; a backend bound to an Auth
	// that never became ready may be bound again.
	ready atomic.Bool
}

// Defaults of Config, Django's settings of the same meaning.
const (
	// DefaultLoginURL is Django's LOGIN_URL.
	DefaultLoginURL = "/accounts/login/"
	// DefaultLoginRedirectURL is Django's LOGIN_REDIRECT_URL, the
	// profile page that Routes mounts under its default prefix.
	DefaultLoginRedirectURL = "/accounts/profile/"
	// RedirectFieldName is the query and form field that carries the page
	// to return to after login (Django's REDIRECT_FIELD_NAME).
	RedirectFieldName = "next"
	// MinSecretKeyLength is the shortest SecretKey, in bytes, that New
	// accepts. Django only warns below 50 characters; a key this short is
	// refused because it signs every session.
	MinSecretKeyLength = 32
	// minSecretKeyUnique is the number of distinct bytes a secret key
	// must have (Django's check uses 5).
	minSecretKeyUnique = 5
)

// checkSecretKey refuses short and low-variety keys.
func checkSecretKey(key string) error {
	if len(key) < MinSecretKeyLength {
		return fmt.Errorf("is %d bytes long; it needs at least %d (use 50 random characters)", len(key), MinSecretKeyLength)
	}
	var seen [256]bool
	unique := 0
	for i := 0; i < len(key); i++ {
		if !seen[key[i]] {
			seen[key[i]] = true
			unique++
		}
	}
	if unique < minSecretKeyUnique {
		return fmt.Errorf("has only %d distinct characters; it needs at least %d", unique, minSecretKeyUnique)
	}
	return nil
}

// Close stops the cleanup goroutine of the in-memory session store that
// New created when Config.Sessions.Store was nil, and waits for it to end.
// It does nothing otherwise and is safe to call more than once. The Auth
// keeps working after Close, but expired sessions are no longer swept.
func (a *Auth[U]) Close() error {
	a.closeOnce.Do(func() {
		if a.ownStore != nil {
			a.ownStore.Close()
		}
	})
	return nil
}

// Store returns the configured store.
func (a *Auth[U]) Store() RequestStore[U] { return a.store }

// Hashers returns the configured password hashers.
func (a *Auth[U]) Hashers() *hashers.Registry { return a.hashers }

// Sessions returns the session manager.
func (a *Auth[U]) Sessions() *scs.SessionManager { return a.sessions }

// Signals returns the signal hubs.
func (a *Auth[U]) Signals() *Signals[U] { return a.signals }

// Logger returns the configured logger.
func (a *Auth[U]) Logger() *slog.Logger { return a.logger }

// LoginURL returns the login URL that guards redirect to.
func (a *Auth[U]) LoginURL() string { return a.loginURL }

// Backends returns the configured backends in order.
func (a *Auth[U]) Backends() []Backend[U] { return append([]Backend[U](nil), a.backends...) }

// Backend returns the configured backend with the name, or nil.
func (a *Auth[U]) Backend(name string) Backend[U] {
	if i, ok := a.byName[name]; ok {
		return a.backends[i]
	}
	return nil
}

// SecretKey returns Config.SecretKey, for code built on the Auth that
// signs with Django's SECRET_KEY (package accounts' reset tokens). Never
// log it.
func (a *Auth[U]) SecretKey() string { return a.secretKey }

// SecretKeyFallbacks returns a copy of Config.SecretKeyFallbacks.
func (a *Auth[U]) SecretKeyFallbacks() []string { return append([]string(nil), a.secretFallbacks...) }

// sessionAuthHashSalt is the key salt of Django's get_session_auth_hash.
const sessionAuthHashSalt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"

// SessionAuthHash returns the session auth hash of a user with the given
// encoded password: Django's get_session_auth_hash, the hex HMAC-SHA256 of
// the password hash under SecretKey. A session stores it at login; when
// the password changes, the hash no longer matches and every session of
// the user ends.
func (a *Auth[U]) SessionAuthHash(passwordHash string) string {
	m := a.hmacPool.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(passwordHash))
	var sum [sha256.Size]byte
	out := hex.EncodeToString(m.Sum(sum[:0]))
	a.hmacPool.Put(m)
	return out
}

// fallbackAuthHashes returns the session auth hashes under each fallback key.
func (a *Auth[U]) fallbackAuthHashes(passwordHash string) []string {
	out := make([]string, 0, len(a.hashKeys)-1)
	for _, k := range a.hashKeys[1:] {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(passwordHash))
		out = append(out, hex.EncodeToString(m.Sum(nil)))
	}
	return out
}
