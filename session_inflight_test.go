package auth_test

// A request that was in flight when its session was logged out must not
// write that session back: the logged-out cookie stays anonymous. Found by
// the security review (a handler that writes the session, or any request
// under IdleTimeout, used to commit the pre-logout data under the deleted
// token).

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/internal/redistest"
	"github.com/djauth/auth/store/postgres"
	redisstore "github.com/djauth/auth/store/redis"
)

// pgSessionStore returns a migrated PostgreSQL session store on a fresh
// database, reached through a pool with tracer when it is not nil.
func pgSessionStore(t *testing.T, tracer *pgtest.Tracer) *postgres.SessionStore {
	t.Helper()
	pool := pgtest.NewTracedPool(t, tracer)
	_, err := postgres.Migrate(context.Background(), pool)
	require.NoError(t, err)
	ss, err := postgres.NewSessionStore(pool, postgres.SessionStoreOptions{CleanupInterval: -1})
	require.NoError(t, err)
	t.Cleanup(ss.Close)
	return ss
}

// sessionVariants are the session stores under test: with an atomic
// UpdateCtx (the built-in memory store, PostgreSQL, Redis) and without one
// (scs's memstore), where Middleware falls back to a lookup before the
// commit.
var sessionVariants = []struct {
	name string
	opt  func(t *testing.T) envOption[auth.User]
}{
	{"built-in memory store", func(*testing.T) envOption[auth.User] {
		return func(*auth.Config[auth.User], *env[auth.User]) {}
	}},
	{"scs memstore", func(*testing.T) envOption[auth.User] {
		return func(c *auth.Config[auth.User], _ *env[auth.User]) {
			c.Sessions.Store = memstore.NewWithCleanupInterval(0)
		}
	}},
	{"postgres session store", func(t *testing.T) envOption[auth.User] {
		ss := pgSessionStore(t, nil)
		return func(c *auth.Config[auth.User], _ *env[auth.User]) { c.Sessions.Store = ss }
	}},
	{"redis session store", func(t *testing.T) envOption[auth.User] {
		ss := redisSessionStore(t)
		return func(c *auth.Config[auth.User], _ *env[auth.User]) { c.Sessions.Store = ss }
	}},
}

// redisSessionStore returns a Redis session store under a key prefix of
// the test's own, deleted when the test ends.
func redisSessionStore(t testing.TB) *redisstore.SessionStore {
	t.Helper()
	c := redistest.Client(t)
	ss, err := redisstore.NewSessionStore(c, redisstore.Options{Prefix: redistest.Prefix(t, c)})
	require.NoError(t, err)
	return ss
}

// newSessionEnv is an env over variant's session store, logging at debug
// level into logs; idle, when not zero, is the manager's IdleTimeout.
func newSessionEnv(t *testing.T, opt envOption[auth.User], idle time.Duration, logs *syncBuffer) *env[auth.User] {
	t.Helper()
	e := newEnv(t, opt, func(c *auth.Config[auth.User], _ *env[auth.User]) {
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.Sessions.IdleTimeout = idle
	})
	return e
}

// whoami returns the user that a request with the session token sees.
func whoami(h http.Handler, token string) string {
	req := httptest.NewRequest(http.MethodGet, "/whoami/", nil)
	req.AddCookie(&http.Cookie{Name: auth.DefaultSessionCookieName, Value: token})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Body.String()
}

// sessionCookies returns the session cookies a response sets.
func sessionCookies(resp *http.Response) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == auth.DefaultSessionCookieName {
			out = append(out, c)
		}
	}
	return out
}

// checkLogoutNotUndone runs the review's scenario: tab 2 loads a slow page
// on the session, tab 1 logs out while it runs, then the slow page ends.
// When write is true the slow page writes to the session (a flash
// message); otherwise it only reads the user, and the manager's
// IdleTimeout is what marks the session modified.
func checkLogoutNotUndone(t *testing.T, opt envOption[auth.User], write bool) {
	logs := &syncBuffer{}
	var idle time.Duration
	if !write {
		idle = time.Hour
	}
	e := newSessionEnv(t, opt, idle, logs)
	e.createUser("alice", "pw")
	started, release := make(chan struct{}), make(chan struct{})
	h := e.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/slow/", func(w http.ResponseWriter, r *http.Request) {
			if write {
				e.a.Sessions().Put(r.Context(), "flash", "saved")
			}
			_ = e.a.UserFromContext(r.Context()).IsAuthenticated()
			close(started)
			<-release
			_, _ = w.Write([]byte("ok"))
		})
	})
	c := newClient(t, h)
	require.Equal(t, http.StatusFound, c.login("alice", "pw").StatusCode)
	oldToken := c.session()
	require.NotEmpty(t, oldToken)
	require.Equal(t, "alice", whoami(h, oldToken))

	slow := make(chan *http.Response, 1)
	go func() { // tab 2
		req := httptest.NewRequest(http.MethodGet, "/slow/", nil)
		req.AddCookie(&http.Cookie{Name: auth.DefaultSessionCookieName, Value: oldToken})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		slow <- rec.Result()
	}()
	<-started
	require.Equal(t, http.StatusOK, c.post("/accounts/logout/", nil).StatusCode) // tab 1
	close(release)
	resp := <-slow

	assert.Equal(t, http.StatusOK, resp.StatusCode, "the slow page's own response goes out")
	assert.Equal(t, "ok", readBody(t, resp))
	assert.Empty(t, sessionCookies(resp), "no cookie for a session that no longer exists")
	assert.Equal(t, "AnonymousUser", whoami(h, oldToken), "the logged-out token must stay logged out")
	assert.Contains(t, logs.String(), "session ended during the request")
	assert.NotContains(t, logs.String(), oldToken, "tokens are never logged")
}

// TestLogoutNotUndoneByInflightRequest: a request that began before logout
// and wrote to the session does not bring the session back.
func TestLogoutNotUndoneByInflightRequest(t *testing.T) {
	t.Parallel()
	for _, v := range sessionVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			checkLogoutNotUndone(t, v.opt(t), true)
		})
	}
}

// TestLogoutNotUndoneByInflightRequestWithIdleTimeout: under IdleTimeout
// scs marks every loaded session modified, so any page that was loading
// during the logout would save the session; it must not recreate it.
func TestLogoutNotUndoneByInflightRequestWithIdleTimeout(t *testing.T) {
	t.Parallel()
	for _, v := range sessionVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			checkLogoutNotUndone(t, v.opt(t), false)
		})
	}
}

// TestModifiedLiveSessionIsSaved: the update-only save still saves a
// session that exists, under the same token, with and without IdleTimeout.
func TestModifiedLiveSessionIsSaved(t *testing.T) {
	t.Parallel()
	for _, v := range sessionVariants {
		for _, idle := range []time.Duration{0, time.Hour} {
			t.Run(v.name+"/idle="+idle.String(), func(t *testing.T) {
				t.Parallel()
				logs := &syncBuffer{}
				e := newSessionEnv(t, v.opt(t), idle, logs)
				e.createUser("alice", "pw")
				h := e.app(func(mux *http.ServeMux) {
					mux.HandleFunc("/put/", func(w http.ResponseWriter, r *http.Request) {
						e.a.Sessions().Put(r.Context(), "cart", r.URL.Query().Get("v"))
					})
					mux.HandleFunc("/cart/", func(w http.ResponseWriter, r *http.Request) {
						_, _ = w.Write([]byte(e.a.Sessions().GetString(r.Context(), "cart")))
					})
				})
				c := newClient(t, h)
				require.Equal(t, http.StatusFound, c.login("alice", "pw").StatusCode)
				token := c.session()

				resp := c.get("/put/?v=3+apples")
				require.Equal(t, http.StatusOK, resp.StatusCode)
				cookies := sessionCookies(resp)
				require.Len(t, cookies, 1, "a saved session sends its cookie")
				assert.Equal(t, token, cookies[0].Value, "same token: an update, not a new session")
				assert.Equal(t, "3 apples", readBody(t, c.get("/cart/")))
				assert.Equal(t, "alice", whoami(h, token))
				assert.NotContains(t, logs.String(), "session ended during the request")
			})
		}
	}
}

// TestModifyingRequestIsOneUpdateOnPostgres: on the PostgreSQL store a
// request that changes its session costs the lookup and one UPDATE, with
// no second lookup and no INSERT; a read-only request costs the lookup only.
func TestModifyingRequestIsOneUpdateOnPostgres(t *testing.T) {
	t.Parallel()
	tracer := &pgtest.Tracer{}
	ss := pgSessionStore(t, tracer)
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) { c.Sessions.Store = ss })
	e.createUser("alice", "pw")
	h := e.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/put/", func(w http.ResponseWriter, r *http.Request) {
			e.a.Sessions().Put(r.Context(), "cart", "3 apples")
		})
	})
	c := newClient(t, h)
	require.Equal(t, http.StatusFound, c.login("alice", "pw").StatusCode)

	tracer.Take()
	require.Equal(t, http.StatusOK, c.get("/whoami/").StatusCode)
	sql := tracer.Take()
	require.Len(t, sql, 1, "read-only request: the session lookup only: %q", sql)
	assert.True(t, strings.HasPrefix(sql[0], "SELECT"), sql[0])

	require.Equal(t, http.StatusOK, c.get("/put/").StatusCode)
	sql = tracer.Take()
	require.Len(t, sql, 2, "modifying request: lookup and one update: %q", sql)
	assert.True(t, strings.HasPrefix(sql[0], "SELECT"), sql[0])
	assert.True(t, strings.HasPrefix(sql[1], "UPDATE"), sql[1])
	assert.Equal(t, []string{sql[1]}, rtSessionWrites(sql))
}

// TestConfigSessionsGuarded: New wraps a given session store once, also
// when two Auths share it (one passing the other's guarded store), and
// leaves the caller's store itself untouched.
func TestConfigSessionsGuarded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ms := memstore.NewWithCleanupInterval(0)
	first, err := auth.New(auth.Config[auth.User]{Store: e.store, SecretKey: testSecret, Sessions: auth.SessionConfig{Store: ms}})
	require.NoError(t, err)
	defer first.Close()
	second, err := auth.New(auth.Config[auth.User]{Store: e.store, SecretKey: testSecret,
		Sessions: auth.SessionConfig{Store: first.Sessions().Store}})
	require.NoError(t, err)
	defer second.Close()
	for _, a := range []*auth.Auth[auth.User]{first, second} {
		assert.Same(t, ms, a.Sessions().Store.(interface{ Unwrap() scs.Store }).Unwrap())
	}
	assert.NotSame(t, first.Sessions(), second.Sessions(), "each Auth builds its own manager")
}

// TestLogoutNotUndoneByRenewingRequest (from the security review): a
// request that began before a logout and gives the session a new token
// without a new login (the re-signing of a session made with a fallback
// key; UpdateSessionAuthHash after a password change) does not write the
// logged-out session back under the new token, whether it renewed before
// or after the logout; without a logout the renewal is saved and the old
// token is gone.
func TestLogoutNotUndoneByRenewingRequest(t *testing.T) {
	t.Parallel()
	for _, v := range sessionVariants {
		for _, how := range []string{"fallback key", "password change"} {
			for _, renewFirst := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%s/renew first %t", v.name, how, renewFirst), func(t *testing.T) {
					t.Parallel()
					checkRenewalAfterLogout(t, v.opt(t), how, renewFirst)
				})
			}
		}
	}
}

func checkRenewalAfterLogout(t *testing.T, opt envOption[auth.User], how string, renewFirst bool) {
	logs := &syncBuffer{}
	e := newSessionEnv(t, opt, 0, logs)
	u := e.createUser("alice", "pw")
	old, err := auth.New(auth.Config[auth.User]{Store: e.store, Hashers: e.hashers, SecretKey: testFallback})
	require.NoError(t, err)
	defer old.Close()
	if how == "fallback key" {
		// e.a signs with testSecret; a session signed with testFallback
		// is re-signed, under a new token, once that key is a fallback.
		e2, err := auth.New(auth.Config[auth.User]{Store: e.store, Hashers: e.hashers, SecretKey: testSecret,
			SecretKeyFallbacks: []string{testFallback}, Sessions: auth.SessionConfig{Store: e.a.Sessions().Store}, Logger: e.a.Logger()})
		require.NoError(t, err)
		defer e2.Close()
		e.a = e2
	}
	started, release := make(chan struct{}), make(chan struct{})
	renew := func(r *http.Request) {
		switch how {
		case "fallback key":
			require.Equal(t, "alice", e.a.User(r).Username(), "the fallback-signed session is accepted")
		case "password change":
			ru := e.a.User(r)
			require.True(t, ru.IsAuthenticated())
			require.NoError(t, e.a.SetPassword(r.Context(), ru.User(), "new-pw"))
			require.NoError(t, e.a.UpdateSessionAuthHash(r, ru.User()))
		}
	}
	h := e.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/sign-with-fallback/", func(w http.ResponseWriter, r *http.Request) {
			e.a.Sessions().Put(r.Context(), auth.SessionKeyHash, old.SessionAuthHash(u.Password))
		})
		mux.HandleFunc("/slow/", func(w http.ResponseWriter, r *http.Request) {
			if renewFirst {
				renew(r)
			}
			close(started)
			<-release
			if !renewFirst {
				renew(r)
			}
			_, _ = w.Write([]byte("ok"))
		})
	})
	slowRequest := func(token string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, "/slow/", nil)
		req.AddCookie(&http.Cookie{Name: auth.DefaultSessionCookieName, Value: token})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}

	// Without a logout, the renewal is saved and the old token ends.
	c := newClient(t, h)
	require.Equal(t, http.StatusFound, c.login("alice", "pw").StatusCode)
	if how == "fallback key" {
		c.get("/sign-with-fallback/")
	}
	token := c.session()
	close(release) // the handler closes started itself
	resp := slowRequest(token)
	cookies := sessionCookies(resp)
	require.Len(t, cookies, 1, "the renewed session's cookie")
	assert.NotEqual(t, token, cookies[0].Value)
	assert.Equal(t, "alice", whoami(h, cookies[0].Value))
	assert.Equal(t, "AnonymousUser", whoami(h, token), "the old token is gone")

	// With a logout in another tab while the request runs, nothing comes back.
	if how == "password change" {
		require.NoError(t, e.a.SetPassword(context.Background(), u, "pw"))
	}
	started, release = make(chan struct{}), make(chan struct{})
	c = newClient(t, h)
	require.Equal(t, http.StatusFound, c.login("alice", "pw").StatusCode)
	if how == "fallback key" {
		c.get("/sign-with-fallback/")
	}
	token = c.session()
	slow := make(chan *http.Response, 1)
	go func() { slow <- slowRequest(token) }()
	<-started
	require.Equal(t, http.StatusOK, c.post("/accounts/logout/", nil).StatusCode)
	close(release)
	resp = <-slow
	assert.Equal(t, "ok", readBody(t, resp))
	assert.Empty(t, sessionCookies(resp), "no cookie for a session that was logged out")
	assert.Equal(t, "AnonymousUser", whoami(h, token))
	assert.Contains(t, logs.String(), "session ended during the request")
}
