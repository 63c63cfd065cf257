package redis_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/sessiontest"
	redisstore "github.com/djauth/auth/store/redis"
)

// TestSessionIndexer runs the auth.SessionIndexer suite on one node (the
// scripts), on one node taking the Cluster path (index, then session, in
// two commands) and on a real cluster.
func TestSessionIndexer(t *testing.T) {
	t.Parallel()
	t.Run("single node", func(t *testing.T) {
		t.Parallel()
		sessiontest.Run(t, func(t *testing.T) sessiontest.Store {
			st, _ := newStore(t, redisstore.Options{})
			return st
		})
	})
	t.Run("two-step path", func(t *testing.T) {
		t.Parallel()
		sessiontest.Run(t, func(t *testing.T) sessiontest.Store {
			st, _ := newStore(t, redisstore.Options{})
			redisstore.UseTwoStepRenew(st)
			return st
		})
	})
	t.Run("cluster", func(t *testing.T) {
		t.Parallel()
		sessiontest.Run(t, func(t *testing.T) sessiontest.Store { return newClusterStore(t) })
	})
}

// TestUserIndexIsNotASession: the user sets live under the session prefix
// and AllCtx must neither list them nor fail on them; each set expires
// with its last session.
func TestUserIndexIsNotASession(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st, c := newStore(t, redisstore.Options{})
	tok := sessiontest.Token()
	require.NoError(t, st.CommitUserCtx(ctx, tok, 7, []byte("d"), time.Now().Add(time.Hour)))
	all, err := st.AllCtx(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{tok: []byte("d")}, all)
	ttl, err := c.PTTL(ctx, st.Prefix()+"user:7").Result()
	require.NoError(t, err)
	require.Greater(t, ttl, 59*time.Minute, "the set expires with its session")
	require.LessOrEqual(t, ttl, time.Hour+time.Second)
}
