package postgres_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/postgres"
	"github.com/djauth/auth/throttle"
	"github.com/djauth/auth/throttle/throttletest"
)

// TestThrottleConformance runs the throttle store conformance suite, each
// test in its own database.
func TestThrottleConformance(t *testing.T) {
	throttletest.Run(t, func(t *testing.T) throttle.Store {
		s, err := postgres.NewThrottleStore(newMigratedPool(t))
		require.NoError(t, err)
		return s
	})
}

// TestThrottleSharedByInstances: two limiters on one table, as two
// instances of a site, see each other's failures.
func TestThrottleSharedByInstances(t *testing.T) {
	t.Parallel()
	db := newMigratedPool(t)
	now := time.Now()
	clock := func() time.Time { return now }
	var ls [2]*throttle.Limiter
	for i := range ls {
		s, err := postgres.NewThrottleStore(db)
		require.NoError(t, err)
		ls[i], err = throttle.New(throttle.Config{Store: s, Now: clock})
		require.NoError(t, err)
	}
	r := newRequest("203.0.113.5:1")
	for i := range 10 {
		_, _, err := ls[i%2].Fail(t.Context(), r, throttle.ScopeLogin, "alice")
		require.NoError(t, err)
	}
	wait, locked, err := ls[0].Check(t.Context(), newRequest("198.51.100.9:2"), throttle.ScopeLogin, "alice")
	require.NoError(t, err)
	require.True(t, locked)
	require.Equal(t, 15*time.Minute, wait)
}

// TestMigrateAddsThrottleToOlderSchema: a database migrated before the
// throttle table existed gets it, and only it, from the next Migrate.
func TestMigrateAddsThrottleToOlderSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	_, err := postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `DROP TABLE "djauth_throttle"; DELETE FROM "djauth_migrations" WHERE "name" = '0002_throttle'`)
	require.NoError(t, err)
	rep, err := postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	require.Equal(t, []string{"0002_throttle"}, rep.Applied)
	require.Equal(t, 1, tableCount(t, pool, "djauth_throttle"))
}

func newRequest(remote string) *http.Request {
	r := httptest.NewRequest("POST", "/accounts/login/", nil)
	r.RemoteAddr = remote
	return r
}
