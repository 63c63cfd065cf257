package auth

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/alexedwards/scs/v2"
)

// Defaults of SessionConfig, Django's settings of the same meaning.
const (
	// DefaultSessionCookieName is Django's SESSION_COOKIE_NAME.
	DefaultSessionCookieName = "sessionid"
	// DefaultSessionLifetime is Django's SESSION_COOKIE_AGE, two weeks.
	DefaultSessionLifetime = 14 * 24 * time.Hour
)

// SessionConfig configures the sessions of an Auth: the one place where
// the session cookie and store are set. New builds the scs.SessionManager
// from it (read it with Auth.Sessions to keep app data in the session);
// the zero value gives Django's defaults with sessions kept in memory.
type SessionConfig struct {
	// Store keeps the sessions: for example the store/postgres session
	// store, so that several processes share them. Nil means an in-memory
	// store owned by the Auth, swept of expired sessions every minute
	// until Auth.Close. A given store is the caller's to close. Give it an
	// UpdateCtx method (SessionUpdater) so that a logged-out session can
	// never be written back by a request that was still running.
	Store scs.Store
	// Lifetime is the absolute lifetime of a session (Django's
	// SESSION_COOKIE_AGE). Zero means DefaultSessionLifetime.
	Lifetime time.Duration
	// IdleTimeout, when set, also ends a session that has not been used
	// for that long (scs's IdleTimeout; Django has no equivalent, it
	// extends sessions only with SESSION_SAVE_EVERY_REQUEST).
	IdleTimeout time.Duration
	// CookieName is the session cookie's name (Django's
	// SESSION_COOKIE_NAME). Empty means DefaultSessionCookieName; use
	// Django's name, as the default does, so that cookies, scripts and
	// proxy rules written for the Django site carry over. To share the
	// sessions themselves with Django, use the store/postgres
	// DjangoSessionStore (see MIGRATING.md, "One login across Django and
	// Go").
	CookieName string
	// CookieDomain and CookiePath are the cookie's Domain and Path
	// (SESSION_COOKIE_DOMAIN, SESSION_COOKIE_PATH). Empty means a
	// host-only cookie and "/".
	CookieDomain string
	CookiePath   string
	// SameSite is the cookie's SameSite attribute (SESSION_COOKIE_SAMESITE).
	// Zero means http.SameSiteLaxMode.
	SameSite http.SameSite
	// InsecureCookie leaves the Secure attribute off the cookie, for local
	// development over plain HTTP: with Secure (the default, Django's
	// SESSION_COOKIE_SECURE=True in production) a browser drops the
	// cookie of an http:// site and every login appears to do nothing.
	// Never set it in production.
	InsecureCookie bool
	// ExpireAtBrowserClose sends a cookie without Expires, so that it
	// ends with the browser session (SESSION_EXPIRE_AT_BROWSER_CLOSE);
	// the stored session still ends after Lifetime.
	ExpireAtBrowserClose bool
	// HeaderTokens also accepts the session token in an
	// "Authorization: Bearer <token>" header, for clients that keep no
	// cookies (mobile apps, package api). A request with such a header
	// ignores its cookies; its session is answered in the
	// SessionTokenHeader response header instead of a cookie (see
	// Auth.BearerSession and Auth.SaveSession). False, the default,
	// reads the cookie alone.
	HeaderTokens bool
}

// newSessionManager builds the scs manager of cfg, wrapping its store in
// the update-only guard. own is the in-memory store New made when
// cfg.Store was nil, for Close to stop.
func newSessionManager(cfg SessionConfig, secretKey string, fallbacks []string) (s *scs.SessionManager, own *memSessionStore, err error) {
	switch {
	case cfg.Lifetime < 0:
		return nil, nil, fmt.Errorf("Config.Sessions.Lifetime %v is negative", cfg.Lifetime)
	case cfg.IdleTimeout < 0:
		return nil, nil, fmt.Errorf("Config.Sessions.IdleTimeout %v is negative", cfg.IdleTimeout)
	case cfg.CookiePath != "" && cfg.CookiePath[0] != '/':
		return nil, nil, fmt.Errorf("Config.Sessions.CookiePath %q must start with \"/\"", cfg.CookiePath)
	}
	s, err = newBareManager()
	if err != nil {
		return nil, nil, err
	}
	store := cfg.Store
	if store == nil {
		own = newMemSessionStore(time.Minute, nil)
		store = own
	}
	g := guardSessionStore(store)
	if gs, ok := g.(*guardedSessionStore); ok && gs.codec == nil {
		gs.codec = func() scs.Codec { return s.Codec }
	}
	s.Store = g
	s.Codec = SessionCodec{}
	if p, ok := store.(SessionCodecProvider); ok {
		if c := p.SessionCodec(secretKey, slices.Clone(fallbacks)); c != nil {
			s.Codec = c
		}
	}
	s.Lifetime = cfg.Lifetime
	if s.Lifetime == 0 {
		s.Lifetime = DefaultSessionLifetime
	}
	s.IdleTimeout = cfg.IdleTimeout
	s.Cookie.Name = cfg.CookieName
	if s.Cookie.Name == "" {
		s.Cookie.Name = DefaultSessionCookieName
	}
	s.Cookie.Domain = cfg.CookieDomain
	s.Cookie.Path = cfg.CookiePath
	if s.Cookie.Path == "" {
		s.Cookie.Path = "/"
	}
	s.Cookie.HttpOnly = true
	s.Cookie.SameSite = cfg.SameSite
	if s.Cookie.SameSite == 0 {
		s.Cookie.SameSite = http.SameSiteLaxMode
	}
	s.Cookie.Secure = !cfg.InsecureCookie
	s.Cookie.Persist = !cfg.ExpireAtBrowserClose
	s.ErrorFunc = func(w http.ResponseWriter, _ *http.Request, _ error) {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
	return s, own, nil
}

// managerKeys numbers the session managers that newBareManager builds,
// as scs.New numbers its own, so that each has its own context key.
var managerKeys atomic.Uint64

// newBareManager returns a SessionManager with no store and a context key
// of its own. scs.New cannot be used: it starts the cleanup goroutine of
// an in-memory store that would be replaced at once, and that goroutine
// cannot be stopped reliably (memstore makes its stop channel inside the
// goroutine), so every New would leak one. The context key is the one
// unexported field a SessionManager needs; it is set here by reflection,
// and a test fails if scs ever renames it.
func newBareManager() (*scs.SessionManager, error) {
	s := &scs.SessionManager{}
	f := reflect.ValueOf(s).Elem().FieldByName("contextKey")
	if !f.IsValid() || f.Kind() != reflect.String {
		return nil, fmt.Errorf("this version of scs has no string contextKey field; djauth needs an update")
	}
	key := "djauth.session." + strconv.FormatUint(managerKeys.Add(1), 10)
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetString(key)
	return s, nil
}
