package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/internal/djcrypto"
)

func TestLoginLogoutFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "s3cret")
	c := newClient(t, e.app())

	assert.Equal(t, "AnonymousUser", readBody(t, c.get("/whoami/")))
	resp := c.login("alice", "s3cret")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, auth.DefaultLoginRedirectURL, resp.Header.Get("Location"))
	assert.Equal(t, "alice", readBody(t, c.get("/whoami/")))

	resp = c.post("/accounts/logout/", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, readBody(t, resp), "Logged out")
	assert.Equal(t, "AnonymousUser", readBody(t, c.get("/whoami/")))
}

// TestSessionFixation: the token an attacker planted before login is not
// the token of the logged-in session, and is dead afterwards.
func TestSessionFixation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "s3cret")
	app := e.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/put/", func(w http.ResponseWriter, r *http.Request) {
			e.a.Sessions().Put(r.Context(), "cart", "3 apples")
		})
		mux.HandleFunc("/cart/", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(e.a.Sessions().GetString(r.Context(), "cart")))
		})
	})
	c := newClient(t, app)
	c.get("/put/")
	before := c.session()
	require.NotEmpty(t, before)

	c.login("alice", "s3cret")
	after := c.session()
	require.NotEmpty(t, after)
	assert.NotEqual(t, before, after, "login must renew the session token")
	// Data of the anonymous session is kept, as in Django.
	assert.Equal(t, "3 apples", readBody(t, c.get("/cart/")))

	attacker := newClient(t, app)
	attacker.cookies[auth.DefaultSessionCookieName] = &http.Cookie{Name: auth.DefaultSessionCookieName, Value: before}
	assert.Equal(t, "AnonymousUser", readBody(t, attacker.get("/whoami/")))
}

// TestLoginOtherUserFlushesSession: logging in as someone else in a
// session that belongs to a user drops the old data (Django's flush).
func TestLoginOtherUserFlushesSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw-a")
	e.createUser("bob", "pw-b")
	app := e.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/put/", func(w http.ResponseWriter, r *http.Request) {
			e.a.Sessions().Put(r.Context(), "secret", "alice's")
		})
		mux.HandleFunc("/get/", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(e.a.Sessions().GetString(r.Context(), "secret")))
		})
	})
	c := newClient(t, app)
	c.login("alice", "pw-a")
	c.get("/put/")
	c.login("alice", "pw-a")
	assert.Equal(t, "alice's", readBody(t, c.get("/get/")), "same user: data kept")
	c.login("bob", "pw-b")
	assert.Equal(t, "bob", readBody(t, c.get("/whoami/")))
	assert.Empty(t, readBody(t, c.get("/get/")), "other user: data flushed")
}

// TestLoggedOutCookieReplay: a copy of the cookie taken before logout is
// anonymous afterwards, because the session is deleted on the server.
func TestLoggedOutCookieReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "s3cret")
	app := e.app()
	c := newClient(t, app)
	c.login("alice", "s3cret")
	stolen := c.session()
	resp := c.post("/accounts/logout/", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, c.session(), "the cookie is expired")

	replay := newClient(t, app)
	replay.cookies[auth.DefaultSessionCookieName] = &http.Cookie{Name: auth.DefaultSessionCookieName, Value: stolen}
	assert.Equal(t, "AnonymousUser", readBody(t, replay.get("/whoami/")))
}

// TestPasswordChangeLogsOutOtherSessions, and UpdateSessionAuthHash keeps
// the session that made the change.
func TestPasswordChangeLogsOutOtherSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "old")
	app := e.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/change/", e.changePasswordTo("new"))
	})
	laptop, phone := newClient(t, app), newClient(t, app)
	laptop.login("alice", "old")
	phone.login("alice", "old")
	before := laptop.session()
	laptop.get("/change/")
	assert.NotEqual(t, before, laptop.session(), "UpdateSessionAuthHash cycles the key")
	assert.Equal(t, "alice", readBody(t, laptop.get("/whoami/")), "the changing session stays")
	phoneToken := phone.session()
	assert.Equal(t, "AnonymousUser", readBody(t, phone.get("/whoami/")), "other sessions end")
	// The stale session was flushed on the server.
	other := newClient(t, app)
	other.cookies[auth.DefaultSessionCookieName] = &http.Cookie{Name: auth.DefaultSessionCookieName, Value: phoneToken}
	e.store.UpdateUser(context.Background(), mustUser(t, e, "alice")) // no-op write
	assert.Equal(t, "AnonymousUser", readBody(t, other.get("/whoami/")))
}

func mustUser(t testing.TB, e *env[auth.User], username string) *auth.User {
	t.Helper()
	u, err := e.store.GetUserByUsername(context.Background(), username)
	require.NoError(t, err)
	return u
}

// TestSessionAuthHashMatchesDjango: the hash is Django's
// salted_hmac(key_salt, password, SECRET_KEY, sha256).hexdigest().
func TestSessionAuthHashMatchesDjango(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const pw = "pbkdf2_sha256$870000$abc$def="
	want := djcrypto.SaltedHMAC("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", pw, testSecret)
	assert.Equal(t, hexString(want), e.a.SessionAuthHash(pw))
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// TestSecretKeyFallback: a session signed with an old key is accepted
// after rotation and re-signed with the new key (and a new token); a
// session signed with an unknown key is flushed.
func TestSecretKeyFallback(t *testing.T) {
	t.Parallel()
	old := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) {
		c.SecretKey = testFallback
	})
	old.createUser("alice", "pw")
	c := newClient(t, old.app())
	c.login("alice", "pw")

	// Same store and sessions, rotated key.
	rotated, err := auth.New(auth.Config[auth.User]{
		Store: old.store, Hashers: old.hashers,
		Sessions: auth.SessionConfig{Store: old.a.Sessions().Store}, SecretKey: testSecret, SecretKeyFallbacks: []string{testFallback},
	})
	require.NoError(t, err)
	c2 := newClient(t, rotatedApp(rotated))
	c2.cookies = c.cookies
	token := c.session()
	assert.Equal(t, "alice", readBody(t, c2.get("/whoami/")))
	assert.NotEqual(t, token, c2.session(), "re-signing cycles the key")
	assert.Equal(t, "alice", readBody(t, c2.get("/whoami/")))

	// Without the fallback the session ends.
	noFallback, err := auth.New(auth.Config[auth.User]{
		Store: old.store, Hashers: old.hashers,
		Sessions: auth.SessionConfig{Store: old.a.Sessions().Store}, SecretKey: testSecret,
	})
	require.NoError(t, err)
	c3 := newClient(t, rotatedApp(noFallback))
	c.login("alice", "pw")
	c3.cookies = c.cookies
	assert.Equal(t, "AnonymousUser", readBody(t, c3.get("/whoami/")))
}

func rotatedApp(a *auth.Auth[auth.User]) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/whoami/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(a.User(r).String()))
	})
	return a.Middleware(mux)
}

// TestLastLoginUpdated is Django's update_last_login receiver.
func TestLastLoginUpdated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	require.Nil(t, mustUser(t, e, "alice").LastLogin)
	start := time.Now().Add(-time.Second)
	newClient(t, e.app()).login("alice", "pw")
	ll := mustUser(t, e, "alice").LastLogin
	require.NotNil(t, ll)
	assert.True(t, ll.After(start))
}

// TestSessionCookieSettings: Django's defaults on the cookie.
func TestSessionCookieSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	c := newClient(t, e.app())
	c.login("alice", "pw")
	ck := c.cookies[auth.DefaultSessionCookieName]
	require.NotNil(t, ck)
	assert.True(t, ck.HttpOnly)
	assert.True(t, ck.Secure)
	assert.Equal(t, http.SameSiteLaxMode, ck.SameSite)
	assert.Equal(t, "/", ck.Path)
	assert.InDelta(t, auth.DefaultSessionLifetime.Seconds(), float64(ck.MaxAge), 5)

	insecure := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) { c.Sessions.InsecureCookie = true })
	insecure.createUser("alice", "pw")
	c = newClient(t, insecure.app())
	c.login("alice", "pw")
	assert.False(t, c.cookies[auth.DefaultSessionCookieName].Secure)
}

func TestLoginNeedsSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("alice", "pw")
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	assert.ErrorIs(t, e.a.Login(r, u, ""), auth.ErrNoSession)
	assert.ErrorIs(t, e.a.Logout(r), auth.ErrNoSession)
	assert.ErrorIs(t, e.a.User(r).Err(), auth.ErrNoSession)
	assert.False(t, e.a.User(r).IsAuthenticated())
	_ = url.Values{}
}

// TestReloginAfterPasswordChangeFlushes ports Django's
// test_session_key_flushed_on_login_after_password_change: the same user
// logging in again after a password change gets a clean session.
func TestReloginAfterPasswordChangeFlushes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("alice", "old")
	app := e.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/put/", func(w http.ResponseWriter, r *http.Request) {
			e.a.Sessions().Put(r.Context(), "k", "v")
		})
		mux.HandleFunc("/get/", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(e.a.Sessions().GetString(r.Context(), "k")))
		})
	})
	c := newClient(t, app)
	c.login("alice", "old")
	c.get("/put/")
	enc, err := e.hashers.Make(t.Context(), "new")
	require.NoError(t, err)
	u.Password = enc
	require.NoError(t, e.store.UpdateUser(context.Background(), u))
	c.login("alice", "new")
	assert.Equal(t, "alice", readBody(t, c.get("/whoami/")))
	assert.Empty(t, readBody(t, c.get("/get/")))
}
