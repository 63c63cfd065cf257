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
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/djcrypto"
)

// Defaults of Config, Django's settings of the same meaning.
const (
	// DefaultLoginURL is Django's LOGIN_URL.
	DefaultLoginURL = "/accounts/login/"
	// DefaultLoginRedirectURL is Django's LOGIN_REDIRECT_URL.
	DefaultLoginRedirectURL = "/accounts/profile/"
	// DefaultSessionCookieName is Django's SESSION_COOKIE_NAME.
	DefaultSessionCookieName = "sessionid"
	// DefaultSessionLifetime is Django's SESSION_COOKIE_AGE, two weeks.
	DefaultSessionLifetime = 14 * 24 * time.Hour
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

// Config configures New. Only Store, SecretKey and Backends are required;
// every other zero field means a Django-like default.
type Config[U any] struct {
	// Store holds users, groups and permissions. Required.
	Store Store[U]
	// Hashers checks and makes password hashes. Nil means
	// hashers.Default(). The Auth does not hash anything itself; the
	// registry is offered to code built on it through Auth.Hashers (pass
	// the same registry to backends.NewModel).
	Hashers *hashers.Registry
	// Backends are tried in order by Authenticate and asked about
	// permissions (Django's AUTHENTICATION_BACKENDS). Required: package
	// backends imports this package, so this one cannot default to the
	// model backend. The usual value is
	//
	//	[]auth.Backend[U]{backends.NewModel(store, registry)}
	Backends []Backend[U]
	// Sessions manages the session cookie and data. Nil means a new
	// scs.SessionManager with Django's settings: cookie "sessionid",
	// HttpOnly, SameSite=Lax, Secure unless InsecureCookies, a lifetime of
	// two weeks, the compact SessionCodec and an in-memory store that drops
	// expired sessions every minute (Close stops that). To keep
	// sessions in PostgreSQL pass a manager whose Store is the
	// store/postgres session store, or set SessionStore instead.
	//
	// New replaces the Store of a given manager with a wrapper around it
	// that forwards every call and lets Middleware save a session only if
	// it still exists (see SessionUpdater); its Unwrap method returns the
	// original store. Give the store's own type a SessionUpdater method to
	// make that check atomic.
	Sessions *scs.SessionManager
	// SessionStore, when Sessions is nil, is the scs store under the
	// manager that New creates with Django's settings (see Sessions), in
	// place of the in-memory one: for example the store/postgres session
	// store, so that several processes share sessions. The caller owns it
	// and closes it.
	SessionStore scs.Store
	// InsecureCookies leaves the Secure attribute off the session cookie
	// that New creates, for development over plain HTTP. It has no effect
	// on a Sessions given in the Config.
	InsecureCookies bool
	// SecretKey signs the session auth hash (Django's SECRET_KEY). It must
	// have at least MinSecretKeyLength bytes and five distinct bytes; use
	// 50 random characters, as Django's startproject does. Keep the key
	// out of logs: Config implements slog.LogValuer and redacts it.
	SecretKey string
	// SecretKeyFallbacks are older keys still accepted for the session
	// auth hash during a rotation (Django's SECRET_KEY_FALLBACKS); a
	// session signed with one is re-signed with SecretKey.
	SecretKeyFallbacks []string
	// LoginURL is where guards send anonymous users (Django's LOGIN_URL).
	// Empty means DefaultLoginURL.
	LoginURL string
	// LoginRedirectURL is where the login handler goes after a login
	// without a safe "next" (Django's LOGIN_REDIRECT_URL). Empty means
	// DefaultLoginRedirectURL.
	LoginRedirectURL string
	// LogoutRedirectURL is where the logout handler goes after a logout
	// without a safe "next" (Django's LOGOUT_REDIRECT_URL). Empty means
	// rendering the "logged out" page.
	LogoutRedirectURL string
	// PasswordResetURL, when set, puts a "Forgotten your password?" link
	// to it on the login page, as Django's admin login does when a
	// password_reset URL exists. Set it to the password_reset/ page that
	// package accounts mounts; empty shows no link.
	PasswordResetURL string
	// AllowedHosts are the hosts, besides the request's own Host, that a
	// "next" redirect may point to (Django's
	// success_url_allowed_hosts).
	AllowedHosts []string
	// Logger receives warnings and errors. Nil means slog.Default().
	// Secrets, passwords and session tokens are never logged.
	Logger *slog.Logger
	// Signals are the hubs to send signals on. Nil means new hubs; read
	// them with Auth.Signals.
	Signals *Signals[U]
	// Templates replaces pages of the login and logout handlers; nil, and
	// any nil field, means the embedded default. See Templates.
	Templates *Templates
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
		slog.String("PasswordResetURL", c.PasswordResetURL),
		slog.Any("AllowedHosts", c.AllowedHosts),
		slog.Bool("InsecureCookies", c.InsecureCookies),
	)
}

// Auth is the request side of the library: authentication through the
// backends, login and logout on a session, the user of a request, its
// permissions, signals, middleware, guards and handlers. U is the user
// type. Create one with New; it is safe for concurrent use and its
// configuration does not change after New.
type Auth[U any] struct {
	store     Store[U]
	hashers   *hashers.Registry
	backends  []Backend[U]
	byName    map[string]int
	sessions  *scs.SessionManager
	ownStore  *memSessionStore
	signals   *Signals[U]
	logger    *slog.Logger
	authUser  func(*U) *User
	templates *Templates

	// hashKeys are the HMAC keys of the session auth hash, derived from
	// SecretKey and then each fallback: SHA-256(keySalt + secret), as
	// Django's salted_hmac derives them.
	hashKeys [][]byte
	hmacPool sync.Pool

	loginURL          string
	loginRedirectURL  string
	logoutRedirectURL string
	passwordResetURL  string
	allowedHosts      []string

	closeOnce sync.Once
	// plainHTTPWarned is set by the first warnPlainHTTPLogin.
	plainHTTPWarned atomic.Bool
}

// New checks cfg and returns an Auth for the user type U, which is User
// or a struct that embeds User by value; P is inferred:
//
//	a, err := auth.New(auth.Config[MyUser]{Store: store, SecretKey: key, Backends: ...})
//
// It returns an error wrapping ErrConfig when Store or Backends are
// missing, a backend name is empty or repeated, a secret key is too short,
// or a URL setting is not a path or absolute URL.
func New[U any, P UserPtr[U]](cfg Config[U]) (*Auth[U], error) {
	bad := func(format string, args ...any) (*Auth[U], error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	if cfg.Store == nil {
		return bad("Config.Store is required")
	}
	if len(cfg.Backends) == 0 {
		return bad("Config.Backends is empty: add backends.NewModel(store, hashers) (Django's ModelBackend); " +
			"package backends imports auth, so auth cannot default to it")
	}
	a := &Auth[U]{
		store:             cfg.Store,
		hashers:           cfg.Hashers,
		backends:          append([]Backend[U](nil), cfg.Backends...),
		byName:            make(map[string]int, len(cfg.Backends)),
		sessions:          cfg.Sessions,
		logger:            cfg.Logger,
		signals:           cfg.Signals,
		templates:         cfg.Templates,
		authUser:          func(u *U) *User { return P(u).AuthUser() },
		loginURL:          cfg.LoginURL,
		loginRedirectURL:  cfg.LoginRedirectURL,
		logoutRedirectURL: cfg.LogoutRedirectURL,
		passwordResetURL:  cfg.PasswordResetURL,
		allowedHosts:      append([]string(nil), cfg.AllowedHosts...),
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
	if a.hashers == nil {
		a.hashers = hashers.Default()
	}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	if a.signals == nil {
		a.signals = newSignals[U](a.logger)
	}
	def := DefaultTemplates()
	if a.templates == nil {
		a.templates = def
	} else {
		t := *a.templates
		if t.Login == nil {
			t.Login = def.Login
		}
		if t.LoggedOut == nil {
			t.LoggedOut = def.LoggedOut
		}
		if t.Forbidden == nil {
			t.Forbidden = def.Forbidden
		}
		if t.Logout == nil {
			t.Logout = def.Logout
		}
		a.templates = &t
	}
	for _, u := range []struct {
		field string
		val   *string
		def   string
	}{
		{"LoginURL", &a.loginURL, DefaultLoginURL},
		{"LoginRedirectURL", &a.loginRedirectURL, DefaultLoginRedirectURL},
		{"LogoutRedirectURL", &a.logoutRedirectURL, ""},
		{"PasswordResetURL", &a.passwordResetURL, ""},
	} {
		if *u.val == "" {
			*u.val = u.def
		}
		if *u.val != "" && !strings.HasPrefix(*u.val, "/") && !strings.HasPrefix(*u.val, "https://") && !strings.HasPrefix(*u.val, "http://") {
			return bad("Config.%s %q must be a path starting with \"/\" or an absolute http(s) URL", u.field, *u.val)
		}
	}
	switch {
	case a.sessions != nil && cfg.SessionStore != nil:
		return bad("set Config.Sessions or Config.SessionStore, not both")
	case a.sessions != nil:
		if a.sessions.Store == nil {
			return bad("Config.Sessions has a nil Store")
		}
		a.sessions.Store = guardSessionStore(a.sessions.Store)
	case cfg.SessionStore != nil:
		a.sessions = newSessionManager(guardSessionStore(cfg.SessionStore), !cfg.InsecureCookies)
	default:
		a.ownStore = newMemSessionStore(time.Minute, nil)
		a.sessions = newSessionManager(guardSessionStore(a.ownStore), !cfg.InsecureCookies)
	}
	a.hmacPool.New = func() any { return hmac.New(sha256.New, a.hashKeys[0]) }
	return a, nil
}

// newSessionManager returns an scs manager with Django's session settings.
func newSessionManager(store scs.Store, secure bool) *scs.SessionManager {
	s := scs.New()
	s.Store = store
	s.Codec = SessionCodec{}
	s.Lifetime = DefaultSessionLifetime
	s.Cookie.Name = DefaultSessionCookieName
	s.Cookie.HttpOnly = true
	s.Cookie.SameSite = http.SameSiteLaxMode
	s.Cookie.Secure = secure
	s.Cookie.Path = "/"
	return s
}

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
// New created when Config.Sessions was nil. It does nothing otherwise and
// is safe to call more than once. The Auth keeps working after Close, but
// expired sessions are no longer swept.
func (a *Auth[U]) Close() error {
	a.closeOnce.Do(func() {
		if a.ownStore != nil {
			a.ownStore.Close()
		}
	})
	return nil
}

// Store returns the configured store.
func (a *Auth[U]) Store() Store[U] { return a.store }

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

// AuthUser returns the embedded User of u (the Django fields of a custom
// user type).
func (a *Auth[U]) AuthUser(u *U) *User { return a.authUser(u) }

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
