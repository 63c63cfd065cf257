package main

// Redis mode: sessions in Redis (-redis-url), users in memory or in
// PostgreSQL. The tests need AUTH_TEST_REDIS_URL (see internal/redistest);
// without it they skip, and with CI=true they fail.

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/internal/redistest"
)

// TestRedisSessions: with -redis-url the login page is served, a login
// writes its session to Redis under the prefix, the logged-in pages read it
// back, and a logout deletes it.
func TestRedisSessions(t *testing.T) {
	t.Parallel()
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	s := startSite(t, config{RedisURL: redistest.URL(t), RedisPrefix: prefix, SecretKey: testSecret, Demo: true, InsecureCookies: true})
	require.Len(t, s.demos, 2, s.out)
	ctx := context.Background()

	c := &client{t: t}
	page := c.get(s.srv.URL + "/accounts/login/")
	require.Equal(t, http.StatusOK, page.StatusCode)
	assert.Contains(t, page.body, `name="password"`)
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	assert.Empty(t, keys, "an anonymous page view stores no session")

	c.login(s, "alice", s.demos["alice"])
	ttl, err := rdb.PTTL(ctx, prefix+c.session).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl.Hours(), 1.0, "the session is in Redis, with the session's expiry")

	profile := c.get(s.srv.URL + "/accounts/profile/")
	require.Equal(t, http.StatusOK, profile.StatusCode)
	assert.Contains(t, profile.body, "alice")
	assert.Equal(t, "alice", c.me(s)["username"])
	assert.Equal(t, http.StatusOK, c.get(s.srv.URL+"/reports/").StatusCode)

	token := c.session
	require.Equal(t, http.StatusOK, c.post(s.srv.URL+"/accounts/logout/", url.Values{}).StatusCode)
	n, err := rdb.Exists(ctx, prefix+token).Result()
	require.NoError(t, err)
	assert.Zero(t, n, "logout deletes the session from Redis")
	replay := &client{t: t, session: token}
	assert.Equal(t, map[string]any{"authenticated": false}, replay.me(s))
}

// TestRedisSessionsWithPostgres: users in PostgreSQL, sessions in Redis;
// two instances share both.
func TestRedisSessionsWithPostgres(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t, rdb)
	cfg := config{DatabaseURL: db.URL, RedisURL: redistest.URL(t), RedisPrefix: prefix, SecretKey: testSecret, Demo: true, InsecureCookies: true}
	a := startSite(t, cfg)
	b := startSite(t, cfg)
	c := &client{t: t}
	c.login(a, "admin", a.demos["admin"])
	assert.Equal(t, true, c.me(b)["is_superuser"], "the session in Redis is seen by the other instance")
	n, err := rdb.Exists(context.Background(), prefix+c.session).Result()
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
}

// TestRedisNeedsKeyAndServer: Redis mode refuses to start without a secret
// key, with a URL go-redis cannot parse, and with no server behind it.
func TestRedisNeedsKeyAndServer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, url, key, want string
	}{
		{"no key", "redis://127.0.0.1:1/0", "", "SECRET_KEY"},
		{"bad url", "http://127.0.0.1:6379", testSecret, "-redis-url"},
		{"no server", "redis://127.0.0.1:1/0?max_retries=-1", testSecret, "connect to Redis"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := newApp(context.Background(), config{RedisURL: tc.url, SecretKey: tc.key})
			require.Error(t, err)
			assert.True(t, strings.Contains(err.Error(), tc.want), err.Error())
		})
	}
}
