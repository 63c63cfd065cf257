package redis_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/redistest"
	"github.com/djauth/auth/internal/sessiontest"
	redisstore "github.com/djauth/auth/store/redis"
)

// newClusterStore returns a store on the test cluster under a prefix of
// the test's own.
func newClusterStore(t *testing.T) *redisstore.SessionStore {
	t.Helper()
	c := redistest.ClusterClient(t)
	st, err := redisstore.NewSessionStore(c, redisstore.Options{Prefix: redistest.Prefix(t, c)})
	require.NoError(t, err)
	return st
}

// TestClusterSessionStore: on Redis Cluster, where a script may not touch
// keys of two slots (CROSSSLOT), the store renews in two steps with the
// same outcome, and AllCtx walks every primary.
func TestClusterSessionStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("conformance", func(t *testing.T) {
		t.Parallel()
		sessiontest.RunStore(t, func(t *testing.T) sessiontest.SessionStore { return newClusterStore(t) }, sessiontest.Options{})
	})
	t.Run("update and all", func(t *testing.T) {
		t.Parallel()
		st := newClusterStore(t)
		future := time.Now().Add(time.Hour)
		want := map[string][]byte{}
		for i := range 20 {
			tok := fmt.Sprintf("t%02d", i)
			want[tok] = []byte(tok)
			require.NoError(t, st.CommitCtx(ctx, tok, []byte("x"), future))
			found, err := st.UpdateCtx(ctx, tok, []byte(tok), future)
			require.NoError(t, err)
			require.True(t, found)
		}
		found, err := st.UpdateCtx(ctx, "missing", []byte("x"), future)
		require.NoError(t, err)
		assert.False(t, found)
		all, err := st.AllCtx(ctx)
		require.NoError(t, err)
		assert.Equal(t, want, all)
	})
}

// TestRingSessionStore: on a Ring, which shards keys over servers by
// itself, a renewal's two keys may fall on two servers (a script would
// write the new key on the old key's server, where the ring never looks
// for it), and AllCtx walks every shard. The two shards are the test
// server and the test cluster's node.
func TestRingSessionStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	single := redistest.Client(t)
	redistest.ClusterClient(t) // the second shard is the cluster's node
	ring := goredis.NewRing(&goredis.RingOptions{Addrs: map[string]string{
		"a": single.Options().Addr,
		"b": strings.Split(os.Getenv(redistest.EnvClusterAddrs), ",")[0],
	}})
	t.Cleanup(func() { _ = ring.Close() })
	require.NoError(t, ring.ForEachShard(ctx, func(ctx context.Context, c *goredis.Client) error { return c.Ping(ctx).Err() }))
	prefix := redistest.Prefix(t, ring)
	st, err := redisstore.NewSessionStore(ring, redisstore.Options{Prefix: prefix})
	require.NoError(t, err)
	future := time.Now().Add(time.Hour)
	want := map[string][]byte{}
	for i := range 20 {
		old, renewed := fmt.Sprintf("old%02d", i), fmt.Sprintf("new%02d", i)
		require.NoError(t, st.CommitCtx(ctx, old, []byte("x"), future))
		found, err := st.RenewCtx(ctx, old, renewed, []byte(renewed), future)
		require.NoError(t, err)
		require.True(t, found)
		b, found, err := st.FindCtx(ctx, renewed)
		require.NoError(t, err)
		require.True(t, found, "the renewed session is where the ring looks for it")
		assert.Equal(t, []byte(renewed), b)
		want[renewed] = []byte(renewed)
	}
	var n atomic.Int32 // ForEachShard runs the shards on goroutines
	require.NoError(t, ring.ForEachShard(ctx, func(ctx context.Context, c *goredis.Client) error {
		keys, err := c.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			n.Add(1)
		}
		return err
	}))
	require.Equal(t, int32(2), n.Load(), "the sessions are spread over both shards")
	all, err := st.AllCtx(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, all)
}
