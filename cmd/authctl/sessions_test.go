package main

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/redistest"
	"github.com/djauth/auth/store/postgres"
	redisstore "github.com/djauth/auth/store/redis"
)

// TestSessions: a site logs alice in twice and bob once over the
// PostgreSQL session store; sessions list shows alice's two by public ID,
// revoke --id refuses bob's ID and logs out alice's, revoke --all the
// rest, and bob stays logged in throughout.
func TestSessions(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ss, err := postgres.NewSessionStore(db.pool, postgres.SessionStoreOptions{CleanupInterval: -1})
	require.NoError(t, err)
	t.Cleanup(ss.Close)
	testSessions(t, db, ss, func(args ...string) result { return db.with(session{}).run(t, args...) })
}

// TestSessionsRedis: the same over the Redis session store, reached with
// $REDIS_URL and --redis-prefix; the database holds only the users.
func TestSessionsRedis(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	c := redistest.Client(t)
	prefix := redistest.Prefix(t, c)
	ss, err := redisstore.NewSessionStore(c, redisstore.Options{Prefix: prefix})
	require.NoError(t, err)
	testSessions(t, db, ss, func(args ...string) result {
		s := db.with(session{})
		s.env["REDIS_URL"] = redistest.URL(t)
		return s.run(t, append(args, "--redis-prefix", prefix)...)
	})
	// The sessions were in Redis, not in djauth_session.
	var n int
	require.NoError(t, db.pool.QueryRow(t.Context(), `SELECT count(*) FROM "djauth_session"`).Scan(&n))
	assert.Zero(t, n)
	// Another prefix is another store: nothing of alice's there.
	s := db.with(session{})
	r := s.run(t, "sessions", "list", "alice", "--redis-url", redistest.URL(t), "--redis-prefix", prefix+"other:")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "User 'alice' has no sessions.\n", r.stdout)
}

// TestSessionsRedisErrors: a bad or unreachable Redis is a clear error
// that never shows the URL's password, and a prefix without a server is
// a usage error.
func TestSessionsRedisErrors(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	db.addUser(t, "alice", "pw", nil)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--redis-url", "http://u:s3cret-pw@127.0.0.1:6379/0"}, exitUsage, "invalid Redis URL"},
		{[]string{"--redis-url", "redis://u:s3cret-pw@127.0.0.1:6379/notanumber"}, exitUsage, "invalid Redis URL"},
		{[]string{"--redis-url", "redis://:s3cret-pw@127.0.0.1:1/0", "--timeout", "2s"}, exitFailure, "cannot connect to Redis at 127.0.0.1:1"},
		{[]string{"--redis-prefix", "p:"}, exitUsage, "--redis-prefix needs --redis-url"},
	} {
		r := db.with(session{}).run(t, append([]string{"sessions", "list", "alice"}, tt.args...)...)
		assert.Equal(t, tt.code, r.code, "%v: %s", tt.args, r.stderr)
		assert.Contains(t, r.stderr, tt.want, "%v", tt.args)
		assert.NotContains(t, r.stderr, "s3cret-pw", "%v", tt.args)
	}
}

// testSessions logs alice in twice and bob once through an Auth on ss and
// drives the sessions commands through run.
func testSessions(t *testing.T, db testDB, ss scs.Store, run func(args ...string) result) {
	alice := db.addUser(t, "alice", "pw", nil)
	bob := db.addUser(t, "bob", "pw", nil)
	a, err := auth.New(auth.Config[auth.User]{Store: db.store, Hashers: testHashers,
		SecretKey: hashers.RandomString(50), Sessions: auth.SessionConfig{Store: ss}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	mux := http.NewServeMux()
	mux.HandleFunc("/as/{name}", func(w http.ResponseWriter, r *http.Request) {
		u := map[string]*auth.User{"alice": alice, "bob": bob}[r.PathValue("name")]
		require.NoError(t, a.Login(r, u, ""))
	})
	mux.HandleFunc("/whoami/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(a.UserFromContext(r.Context()).String()))
	})
	h := a.Middleware(mux)
	login := func(name, ua string) string {
		req := httptest.NewRequest("GET", "/as/"+name, nil)
		req.Header.Set("User-Agent", ua)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for _, c := range rec.Result().Cookies() {
			if c.Name == auth.DefaultSessionCookieName {
				return c.Value
			}
		}
		t.Fatal("no session cookie")
		return ""
	}
	whoami := func(token string) string {
		req := httptest.NewRequest("GET", "/whoami/", nil)
		req.AddCookie(&http.Cookie{Name: auth.DefaultSessionCookieName, Value: token})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	phone, laptop, bobs := login("alice", "Phone/1.0"), login("alice", `Laptop "quoted"`), login("bob", "Bob/1")

	r := run("sessions", "list", "alice")
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := regexp.MustCompile(`(?m)^.+$`).FindAllString(r.stdout, -1)
	require.Len(t, lines, 2, r.stdout)
	for _, tok := range []string{phone, laptop} {
		assert.Contains(t, r.stdout, auth.SessionID(tok)+"\tsigned in ")
		assert.NotContains(t, r.stdout, tok, "never a token")
	}
	assert.Contains(t, r.stdout, `"Laptop \"quoted\""`)
	assert.Regexp(t, `^\S{22}\tsigned in \S+\tlast seen \S+\t192\.0\.2\.1\t"[^\t]+"\texpires \S+$`, lines[0])

	r = run("sessions", "revoke", "alice", "--id", auth.SessionID(bobs))
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "user 'alice' has no session with ID")
	assert.Equal(t, "bob", whoami(bobs), "another user's session is untouched")

	r = run("sessions", "revoke", "alice", "--id", auth.SessionID(phone))
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Revoked 1 sessions.\n", r.stdout)
	assert.Equal(t, "AnonymousUser", whoami(phone))
	assert.Equal(t, "alice", whoami(laptop))

	r = run("sessions", "revoke", "--all", "alice")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Revoked 1 sessions.\n", r.stdout)
	assert.Equal(t, "AnonymousUser", whoami(laptop))
	assert.Equal(t, "bob", whoami(bobs))

	r = run("sessions", "list", "alice")
	assert.Equal(t, "User 'alice' has no sessions.\n", r.stdout)
}

func TestSessionsUsage(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	db.addUser(t, "alice", "pw", nil)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sessions", "list"}, exitUsage, "missing argument: USERNAME"},
		{[]string{"sessions", "list", "alice", "bob"}, exitUsage, `unexpected argument "bob"`},
		{[]string{"sessions", "revoke", "alice"}, exitUsage, "pass exactly one of --id and --all"},
		{[]string{"sessions", "revoke", "alice", "--all", "--id", "x"}, exitUsage, "pass exactly one of --id and --all"},
		{[]string{"sessions", "frob"}, exitUsage, `unknown subcommand "frob"`},
		{[]string{"sessions", "list", "nobody"}, exitFailure, "user 'nobody' does not exist"},
	} {
		r := db.with(session{}).run(t, tt.args...)
		assert.Equal(t, tt.code, r.code, "%v", tt.args)
		assert.Contains(t, r.stderr, tt.want, "%v", tt.args)
	}
}

// TestSessionsNeedMigration: a database migrated before 0003_session_user
// gets a pointer to migrate, not a SQL error.
func TestSessionsNeedMigration(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	db.addUser(t, "alice", "pw", nil)
	_, err := db.pool.Exec(t.Context(), `ALTER TABLE "djauth_session" DROP COLUMN "user_id"`)
	require.NoError(t, err)
	r := db.with(session{}).run(t, "sessions", "list", "alice")
	assert.Equal(t, exitFailure, r.code)
	assert.True(t, strings.Contains(r.stderr, `run "authctl migrate" first`), r.stderr)
}
