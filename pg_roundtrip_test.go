package auth_test

// Round trips to PostgreSQL per request, counted with a pgx QueryTracer on
// the pool that both the user store and the session store use. Django
// spends four on an authenticated request that checks one permission
// (session, user, user permissions, group permissions); with a session
// store made by Store.NewSessionStore it is one here (the session joined
// with its user, both permission sets and its group names, so that
// examples/webapp's /api/me costs one too), and no session write on a
// request that changed nothing.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
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

const rtSecret = "round-trip-test-secret-0123456789-abcdefghijklmnop"

// rtEnv is an Auth on a traced pool with a Postgres user store and a
// session store, serving:
//
//	/reports/       200 when the user holds reports.view_report
//	/reports/edit/  200 when it holds view and change but not delete
//	/whoami/        the username ("" when anonymous)
//	/me/            as examples/webapp's /api/me: "username groups perms",
//	                groups and all permissions comma-separated, 403 for
//	                anyone without reports.view_report
type rtEnv[U any] struct {
	t        *testing.T
	tracer   *pgtest.Tracer
	pool     *pgxpool.Pool
	store    *postgres.Store[U]
	sessions *postgres.SessionStore
	a        *auth.Auth[U]
	srv      *httptest.Server
	h        *hashers.Registry
}

// newRTEnv makes the env. opts configures the user store; setup runs on
// the migrated pool before the store is made (custom tables). sessionsOf
// makes the session store (nil: store.NewSessionStore); more adds routes.
func newRTEnv[U any](t *testing.T, opts postgres.Options, setup string,
	sessionsOf func(*pgxpool.Pool, *postgres.Store[U]) *postgres.SessionStore,
	more func(*http.ServeMux, *auth.Auth[U]),
) *rtEnv[U] {
	t.Helper()
	ctx := context.Background()
	e := &rtEnv[U]{t: t, tracer: &pgtest.Tracer{}}
	e.pool = pgtest.NewTracedPool(t, e.tracer)
	_, err := postgres.Migrate(ctx, e.pool)
	require.NoError(t, err)
	if setup != "" {
		_, err = e.pool.Exec(ctx, setup)
		require.NoError(t, err)
	}
	e.store, err = postgres.New[U](e.pool, opts)
	require.NoError(t, err)
	if sessionsOf != nil {
		e.sessions = sessionsOf(e.pool, e.store)
	} else {
		// No cleanup goroutine: it would add statements at random moments.
		e.sessions, err = e.store.NewSessionStore(postgres.SessionStoreOptions{CleanupInterval: -1})
		require.NoError(t, err)
	}
	t.Cleanup(e.sessions.Close)
	e.h = hashers.New(hashers.PBKDF2{Iterations: 1000})
	e.a = e.newAuth(rtSecret)

	_, err = auth.Register(ctx, e.store, auth.ModelSpec{AppLabel: "reports", Model: "report"})
	require.NoError(t, err)
	mux := http.NewServeMux()
	e.a.Routes(mux, "")
	e.routes(mux, e.a)
	if more != nil {
		more(mux, e.a)
	}
	e.srv = httptest.NewServer(e.a.Middleware(mux))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *rtEnv[U]) newAuth(secret string, fallbacks ...string) *auth.Auth[U] {
	a, err := auth.New(auth.Config[U]{
		Store:              e.store,
		Hashers:            e.h,
		Sessions:           auth.SessionConfig{Store: e.sessions},
		SecretKey:          secret,
		SecretKeyFallbacks: fallbacks,
		Logger:             slog.New(slog.DiscardHandler),
	})
	require.NoError(e.t, err)
	e.t.Cleanup(func() { _ = a.Close() })
	return a
}

func (e *rtEnv[U]) routes(mux *http.ServeMux, a *auth.Auth[U]) {
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
	mux.HandleFunc("GET /whoami/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(a.UserFromContext(r.Context()).Username()))
	})
	mux.HandleFunc("GET /me/", func(w http.ResponseWriter, r *http.Request) {
		ru := a.UserFromContext(r.Context())
		if !ru.HasPerm("reports.view_report") {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		groups, perms := ru.GroupNames(), ru.AllPermissions()
		if err := ru.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(ru.Username() + " " + strings.Join(groups, ",") + " " + strings.Join(perms.Sorted(), ",")))
	})
}

// createUser makes a user with reports.view_report directly and
// reports.change_report through a group.
func (e *rtEnv[U]) createUser(u *U, password string) {
	ctx := context.Background()
	au := auth.UserOf(u)
	var err error
	au.Password, err = e.h.Make(ctx, password)
	require.NoError(e.t, err)
	require.NoError(e.t, e.store.CreateUser(ctx, u))
	require.NoError(e.t, e.store.AddUserPermissions(ctx, au.ID, "reports.view_report"))
	g := auth.Group{Name: "readers-" + au.Username}
	require.NoError(e.t, e.store.CreateGroup(ctx, &g))
	require.NoError(e.t, e.store.AddUserGroups(ctx, au.ID, g.ID))
	require.NoError(e.t, e.store.AddGroupPermissions(ctx, g.ID, "reports.change_report"))
}

var rtNoRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// login posts the login form and returns the session cookie.
func (e *rtEnv[U]) login(username, password string) *http.Cookie {
	e.t.Helper()
	resp, err := rtNoRedirect.PostForm(e.srv.URL+"/accounts/login/", url.Values{"username": {username}, "password": {password}})
	require.NoError(e.t, err)
	require.NoError(e.t, resp.Body.Close())
	require.Equal(e.t, http.StatusFound, resp.StatusCode)
	for _, c := range resp.Cookies() {
		if c.Name == auth.DefaultSessionCookieName {
			return c
		}
	}
	e.t.Fatal("login set no session cookie")
	return nil
}

// rtResult is one request's response and the statements it sent.
type rtResult struct {
	status int
	body   string
	resp   *http.Response
	sql    []string
}

func (e *rtEnv[U]) get(path string, cookie *http.Cookie) rtResult {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	require.NoError(e.t, err)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	e.tracer.Take()
	resp, err := rtNoRedirect.Do(req)
	require.NoError(e.t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	require.NoError(e.t, resp.Body.Close())
	res := rtResult{status: resp.StatusCode, body: string(body), resp: resp, sql: e.tracer.Take()}
	e.t.Logf("GET %s: %d, %d round trips", path, res.status, len(res.sql))
	for _, s := range res.sql {
		e.t.Logf("  %.160s", s)
	}
	return res
}

func TestPostgresRoundTripsPerRequest(t *testing.T) {
	t.Parallel()
	e := newRTEnv[auth.User](t, postgres.Options{}, "", nil, nil)
	u := auth.NewUser("alice")
	e.createUser(&u, "alice-pw")
	e.tracer.Take()
	cookie := e.login("alice", "alice-pw")
	login := e.tracer.Take()
	t.Logf("login: %d statements", len(login))

	t.Run("authenticated request with one permission check", func(t *testing.T) {
		r := e.get("/reports/", cookie)
		require.Equal(t, http.StatusOK, r.status)
		assert.Empty(t, r.resp.Header.Values("Set-Cookie"), "nothing changed: no cookie written")
		assert.Len(t, r.sql, 1, "session, user and permissions in one round trip (Django: four)")
		assert.Empty(t, rtSessionWrites(r.sql), "no session write on a request that changed nothing")
	})
	t.Run("three permission checks cost no more", func(t *testing.T) {
		r := e.get("/reports/edit/", cookie)
		require.Equal(t, http.StatusOK, r.status)
		assert.Len(t, r.sql, 1)
		assert.Empty(t, rtSessionWrites(r.sql))
	})
	t.Run("/api/me: user, groups and permissions", func(t *testing.T) {
		r := e.get("/me/", cookie)
		require.Equal(t, http.StatusOK, r.status, r.body)
		assert.Equal(t, "alice readers-alice reports.change_report,reports.view_report", r.body)
		assert.Len(t, r.sql, 1, "the group names come in the joined row too")
		assert.Empty(t, rtSessionWrites(r.sql))
	})
	t.Run("anonymous request without a cookie", func(t *testing.T) {
		r := e.get("/reports/", nil)
		require.Equal(t, http.StatusForbidden, r.status)
		assert.Empty(t, r.sql, "no cookie: nothing to read")
		assert.Empty(t, r.resp.Header.Values("Set-Cookie"))
	})
	t.Run("unknown cookie", func(t *testing.T) {
		r := e.get("/reports/", &http.Cookie{Name: auth.DefaultSessionCookieName, Value: "no-such-session-token-0123456789abcdefghij"})
		require.Equal(t, http.StatusForbidden, r.status)
		assert.Len(t, r.sql, 1, "one session lookup, no user lookup: %q", r.sql)
		assert.Empty(t, rtSessionWrites(r.sql))
	})
}

// rtCustomUser is a custom user type in its own table, with an extra
// column, through postgres.Options.
type rtCustomUser struct {
	auth.User
	PhoneNumber string `db:"phone_number"`
}

const rtCustomTables = `
	CREATE TABLE accounts_user (LIKE auth_user INCLUDING ALL, phone_number varchar(32) NOT NULL DEFAULT '');
	CREATE TABLE accounts_user_groups (id bigserial PRIMARY KEY,
		myuser_id integer NOT NULL REFERENCES accounts_user (id) DEFERRABLE INITIALLY DEFERRED,
		group_id integer NOT NULL REFERENCES auth_group (id) DEFERRABLE INITIALLY DEFERRED,
		UNIQUE (myuser_id, group_id));
	CREATE TABLE accounts_user_user_permissions (id bigserial PRIMARY KEY,
		myuser_id integer NOT NULL REFERENCES accounts_user (id) DEFERRABLE INITIALLY DEFERRED,
		permission_id integer NOT NULL REFERENCES auth_permission (id) DEFERRABLE INITIALLY DEFERRED,
		UNIQUE (myuser_id, permission_id));`

func TestPostgresOneRoundTripCustomUser(t *testing.T) {
	t.Parallel()
	e := newRTEnv[rtCustomUser](t, postgres.Options{
		UserTable: "accounts_user", UserGroupsTable: "accounts_user_groups",
		UserPermissionsTable: "accounts_user_user_permissions", UserIDColumn: "myuser_id",
	}, rtCustomTables, nil, func(mux *http.ServeMux, a *auth.Auth[rtCustomUser]) {
		mux.HandleFunc("GET /phone/", func(w http.ResponseWriter, r *http.Request) {
			ru := a.UserFromContext(r.Context())
			if me := ru.User(); me != nil && ru.HasPerm("reports.change_report") {
				_, _ = w.Write([]byte(me.PhoneNumber + " " + strings.Join(ru.GroupNames(), ",")))
			}
		})
	})

	u := rtCustomUser{User: auth.NewUser("carol"), PhoneNumber: "+1 555 0100"}
	e.createUser(&u, "carol-pw")
	cookie := e.login("carol", "carol-pw")
	r := e.get("/phone/", cookie)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "+1 555 0100 readers-carol", r.body, "the custom column and the groups are read by the join")
	assert.Len(t, r.sql, 1)
	assert.Contains(t, r.sql[0], `"accounts_user"`)
	assert.Contains(t, r.sql[0], `"myuser_id"`)
	assert.Contains(t, r.sql[0], `"accounts_user_groups"`)
	r = e.get("/reports/edit/", cookie)
	require.Equal(t, http.StatusOK, r.status)
	assert.Len(t, r.sql, 1)
	r = e.get("/me/", cookie)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "carol readers-carol reports.change_report,reports.view_report", r.body)
	assert.Len(t, r.sql, 1)
}

// TestPostgresOneRoundTripNoStaleData: the joined user is read on every
// request, so a change is seen by the very next request, and every check
// of a loaded user still runs on it.
func TestPostgresOneRoundTripNoStaleData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRTEnv[auth.User](t, postgres.Options{}, "", nil, nil)
	setup := func(t *testing.T, name string) (*auth.User, *http.Cookie) {
		u := auth.NewUser(name)
		e.createUser(&u, name+"-pw")
		c := e.login(name, name+"-pw")
		r := e.get("/reports/edit/", c)
		require.Equal(t, http.StatusOK, r.status)
		require.Len(t, r.sql, 1)
		return &u, c
	}

	t.Run("password changed", func(t *testing.T) {
		u, c := setup(t, "pwchange")
		encoded, err := e.h.Make(ctx, "new-pw")
		require.NoError(t, err)
		require.NoError(t, e.store.SetPassword(ctx, u.ID, encoded))
		r := e.get("/whoami/", c)
		assert.Equal(t, "", r.body, "the session auth hash no longer matches: anonymous")
		assert.NotEmpty(t, rtSessionWrites(r.sql), "the session is flushed")
		assert.Equal(t, "", e.get("/whoami/", c).body)
	})
	t.Run("deactivated", func(t *testing.T) {
		u, c := setup(t, "deactivated")
		u.IsActive = false
		require.NoError(t, e.store.UpdateUser(ctx, u))
		r := e.get("/whoami/", c)
		assert.Equal(t, "", r.body, "ModelBackend refuses an inactive user")
		assert.Len(t, r.sql, 1)
		assert.Equal(t, http.StatusForbidden, e.get("/reports/", c).status)
	})
	t.Run("loses a permission", func(t *testing.T) {
		u, c := setup(t, "revoked")
		require.NoError(t, e.store.RemoveUserPermissions(ctx, u.ID, "reports.view_report"))
		r := e.get("/reports/", c)
		assert.Equal(t, http.StatusForbidden, r.status)
		assert.Len(t, r.sql, 1)
		assert.Equal(t, "revoked", e.get("/whoami/", c).body, "still logged in")
	})
	t.Run("joins and leaves a group", func(t *testing.T) {
		u, c := setup(t, "joiner")
		g := auth.Group{Name: "auditors"}
		require.NoError(t, e.store.CreateGroup(ctx, &g))
		require.NoError(t, e.store.AddUserGroups(ctx, u.ID, g.ID))
		r := e.get("/me/", c)
		assert.Equal(t, "joiner auditors,readers-joiner reports.change_report,reports.view_report", r.body)
		assert.Len(t, r.sql, 1)
		require.NoError(t, e.store.SetUserGroups(ctx, u.ID, nil))
		r = e.get("/me/", c)
		assert.Equal(t, "joiner  reports.view_report", r.body, "no groups, no group permissions")
		assert.Len(t, r.sql, 1)
	})
	t.Run("session data names another user than user_id", func(t *testing.T) {
		_, c := setup(t, "owner")
		other := auth.NewUser("other")
		e.createUser(&other, "other-pw")
		_, err := e.pool.Exec(ctx, `UPDATE "djauth_session" SET "user_id" = $1 WHERE "token" = $2`, other.ID, c.Value)
		require.NoError(t, err)
		r := e.get("/whoami/", c)
		assert.Equal(t, "owner", r.body, "the session's _auth_user_id decides, not the column")
		assert.Len(t, r.sql, 2, "the joined row is not used: the user is loaded by its own query")
		r = e.get("/reports/edit/", c)
		assert.Equal(t, http.StatusOK, r.status)
		r = e.get("/me/", c)
		assert.Equal(t, "owner readers-owner reports.change_report,reports.view_report", r.body)
		assert.Len(t, r.sql, 2, "GetUserWithPermissions reads the groups too")
	})
	t.Run("session without user_id", func(t *testing.T) {
		_, c := setup(t, "preindex")
		_, err := e.pool.Exec(ctx, `UPDATE "djauth_session" SET "user_id" = NULL WHERE "token" = $1`, c.Value)
		require.NoError(t, err)
		r := e.get("/whoami/", c)
		assert.Equal(t, "preindex", r.body)
		assert.Len(t, r.sql, 2)
	})
	t.Run("user deleted", func(t *testing.T) {
		u, c := setup(t, "deleted")
		require.NoError(t, e.store.DeleteUser(ctx, u.ID))
		assert.Equal(t, "", e.get("/whoami/", c).body)
	})
	t.Run("session signed with a fallback key", func(t *testing.T) {
		_, c := setup(t, "rotated")
		// A second Auth on the same stores whose old key is a fallback:
		// the prefetched user's session hash is checked against the
		// fallbacks and re-signed.
		a2 := e.newAuth("rotated-secret-key-0123456789-ABCDEFGHIJKLMNOP", rtSecret)
		mux := http.NewServeMux()
		e.routes(mux, a2)
		srv := httptest.NewServer(a2.Middleware(mux))
		defer srv.Close()
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/whoami/", nil)
		require.NoError(t, err)
		req.AddCookie(c)
		e.tracer.Take()
		resp, err := rtNoRedirect.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, "rotated", string(body))
		sql := e.tracer.Take()
		assert.NotEmpty(t, rtSessionWrites(sql), "re-signed under the new key")
		assert.NotEmpty(t, resp.Header.Values("Set-Cookie"), "renewed token")
	})
}

// TestPostgresOneRoundTripOnlyForItsOwnStore: a session store tied to
// another user store (another Store value on the same tables) is not
// trusted; the Auth's backend loads the user itself.
func TestPostgresOneRoundTripOnlyForItsOwnStore(t *testing.T) {
	t.Parallel()
	e := newRTEnv[auth.User](t, postgres.Options{}, "", func(pool *pgxpool.Pool, _ *postgres.Store[auth.User]) *postgres.SessionStore {
		other, err := postgres.New[auth.User](pool, postgres.Options{})
		require.NoError(t, err)
		s, err := other.NewSessionStore(postgres.SessionStoreOptions{CleanupInterval: -1})
		require.NoError(t, err)
		return s
	}, nil)
	u := auth.NewUser("dave")
	e.createUser(&u, "dave-pw")
	c := e.login("dave", "dave-pw")
	r := e.get("/reports/edit/", c)
	require.Equal(t, http.StatusOK, r.status)
	assert.Len(t, r.sql, 2)
}

// TestPostgresSessionStoreWithoutUserStore: the package's NewSessionStore
// keeps its two round trips (session, then user with permissions).
func TestPostgresSessionStoreWithoutUserStore(t *testing.T) {
	t.Parallel()
	e := newRTEnv[auth.User](t, postgres.Options{}, "", func(pool *pgxpool.Pool, _ *postgres.Store[auth.User]) *postgres.SessionStore {
		s, err := postgres.NewSessionStore(pool, postgres.SessionStoreOptions{CleanupInterval: -1})
		require.NoError(t, err)
		return s
	}, nil)
	u := auth.NewUser("erin")
	e.createUser(&u, "erin-pw")
	c := e.login("erin", "erin-pw")
	r := e.get("/reports/edit/", c)
	require.Equal(t, http.StatusOK, r.status)
	assert.Len(t, r.sql, 2)
	assert.Empty(t, rtSessionWrites(r.sql))
}
