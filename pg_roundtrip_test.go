package auth_test

// Round trips to PostgreSQL per request, counted with a pgx QueryTracer on
// the pool that both the user store and the session store use. Django
// spends four on an authenticated request that checks one permission
// (session, user, user permissions, group permissions); the goal here is at
// most two, and no session write on a request that changed nothing.

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/postgres"
)

// rtSessionWrites returns the statements that write the session table.
func rtSessionWrites(sql []string) []string {
	var w []string
	for _, s := range sql {
		u := strings.ToUpper(s)
		if strings.Contains(u, "DJAUTH_SESSION") && (strings.Contains(u, "INSERT") || strings.Contains(u, "UPDATE") || strings.Contains(u, "DELETE")) {
			w = append(w, s)
		}
	}
	return w
}

func TestPostgresRoundTripsPerRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tracer := &pgtest.Tracer{}
	pool := pgtest.NewTracedPool(t, tracer)

	_, err := postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	store, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(t, err)
	// No cleanup goroutine: it would add statements at random moments.
	sessions, err := postgres.NewSessionStore(pool, postgres.SessionStoreOptions{CleanupInterval: -1})
	require.NoError(t, err)
	t.Cleanup(sessions.Close)

	h := hashers.New(hashers.PBKDF2{Iterations: 1000})
	a, err := auth.New(auth.Config[auth.User]{
		Store:     store,
		Hashers:   h,
		Sessions:  auth.SessionConfig{Store: sessions},
		SecretKey: "round-trip-test-secret-0123456789-abcdefghijklmnop",
		Logger:    slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })

	_, err = auth.Register(ctx, store, auth.ModelSpec{AppLabel: "reports", Model: "report"})
	require.NoError(t, err)
	u := auth.NewUser("alice")
	u.Password, err = h.Make(ctx, "alice-pw")
	require.NoError(t, err)
	require.NoError(t, store.CreateUser(ctx, &u))
	require.NoError(t, store.AddUserPermissions(ctx, u.ID, "reports.view_report"))
	g := auth.Group{Name: "readers"}
	require.NoError(t, store.CreateGroup(ctx, &g))
	require.NoError(t, store.AddUserGroups(ctx, u.ID, g.ID))
	require.NoError(t, store.AddGroupPermissions(ctx, g.ID, "reports.change_report"))

	mux := http.NewServeMux()
	a.Routes(mux, "")
	mux.HandleFunc("GET /reports/", func(w http.ResponseWriter, r *http.Request) {
		if !a.UserFromContext(r.Context()).HasPerm("reports.view_report") {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		_, _ = w.Write([]byte("reports"))
	})
	mux.HandleFunc("GET /reports/edit/", func(w http.ResponseWriter, r *http.Request) {
		ru := a.UserFromContext(r.Context())
		if !ru.HasPerm("reports.view_report") || !ru.HasPerm("reports.change_report") || ru.HasPerm("reports.delete_report") {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		_, _ = w.Write([]byte("edit"))
	})
	srv := httptest.NewServer(a.Middleware(mux))
	t.Cleanup(srv.Close)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	get := func(path string, cookie *http.Cookie) *http.Response {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := noRedirect.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		return resp
	}

	tracer.Take()
	resp, err := noRedirect.PostForm(srv.URL+"/accounts/login/", url.Values{"username": {"alice"}, "password": {"alice-pw"}})
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusFound, resp.StatusCode)
	login := tracer.Take()
	t.Logf("login: %d statements", len(login))
	for _, s := range login {
		t.Logf("  %.120s", s)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == auth.DefaultSessionCookieName {
			cookie = c
		}
	}
	require.NotNil(t, cookie)

	t.Run("authenticated request with one permission check", func(t *testing.T) {
		tracer.Take()
		resp := get("/reports/", cookie)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Empty(t, resp.Header.Values("Set-Cookie"), "nothing changed: no cookie written")
		sql := tracer.Take()
		t.Logf("authenticated GET /reports/: %d round trips", len(sql))
		for _, s := range sql {
			t.Logf("  %.160s", s)
		}
		assert.LessOrEqual(t, len(sql), 2, "session + user with permissions: at most two round trips (Django: four)")
		assert.Empty(t, rtSessionWrites(sql), "no session write on a request that changed nothing")
	})
	t.Run("three permission checks cost no more", func(t *testing.T) {
		tracer.Take()
		resp := get("/reports/edit/", cookie)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		sql := tracer.Take()
		t.Logf("authenticated GET /reports/edit/: %d round trips", len(sql))
		assert.LessOrEqual(t, len(sql), 2)
		assert.Empty(t, rtSessionWrites(sql))
	})
	t.Run("anonymous request without a cookie", func(t *testing.T) {
		tracer.Take()
		resp := get("/reports/", nil)
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Empty(t, tracer.Take(), "no cookie: nothing to read")
		assert.Empty(t, resp.Header.Values("Set-Cookie"))
	})
	t.Run("unknown cookie", func(t *testing.T) {
		tracer.Take()
		resp := get("/reports/", &http.Cookie{Name: auth.DefaultSessionCookieName, Value: "no-such-session-token-0123456789abcdefghij"})
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		sql := tracer.Take()
		assert.Len(t, sql, 1, "one session lookup, no user lookup: %q", sql)
		assert.Empty(t, rtSessionWrites(sql))
	})
}
