package redis_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/redistest"
	"github.com/djauth/auth/internal/sessiontest"
	redisstore "github.com/djauth/auth/store/redis"
)

// newStore returns a store under a prefix of the test's own, and the
// client under it.
func newStore(t testing.TB, opts redisstore.Options) (*redisstore.SessionStore, *goredis.Client) {
	t.Helper()
	c := redistest.Client(t)
	if opts.Prefix == "" {
		opts.Prefix = redistest.Prefix(t, c)
	}
	st, err := redisstore.NewSessionStore(c, opts)
	require.NoError(t, err)
	return st, c
}

func TestNewSessionStore(t *testing.T) {
	t.Parallel()
	_, err := redisstore.NewSessionStore(nil, redisstore.Options{})
	assert.Error(t, err)
	c := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	_, err = redisstore.NewSessionStore(c, redisstore.Options{MaxAll: -1})
	assert.Error(t, err)
	st, err := redisstore.NewSessionStore(c, redisstore.Options{})
	require.NoError(t, err)
	assert.Equal(t, redisstore.DefaultPrefix, st.Prefix(), "the zero Options use the default prefix")
}

func TestSessionStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, c := newStore(t, redisstore.Options{})
	future := time.Now().Add(time.Hour)

	_, found, err := st.FindCtx(ctx, "missing")
	require.NoError(t, err)
	assert.False(t, found)

	require.NoError(t, st.CommitCtx(ctx, "tok1", []byte("one"), future))
	b, found, err := st.FindCtx(ctx, "tok1")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, []byte("one"), b)
	raw, err := c.Get(ctx, st.Prefix()+"tok1").Bytes()
	require.NoError(t, err)
	assert.Equal(t, []byte("one"), raw, "the key is the prefix and the token, the value the data")

	// Commit replaces data and expiry.
	require.NoError(t, st.CommitCtx(ctx, "tok1", []byte("uno"), future))
	b, _, err = st.Find("tok1")
	require.NoError(t, err)
	assert.Equal(t, []byte("uno"), b)

	// An expiry in the past deletes at once.
	require.NoError(t, st.Commit("old", []byte("x"), time.Now().Add(-time.Second)))
	_, found, err = st.FindCtx(ctx, "old")
	require.NoError(t, err)
	assert.False(t, found)
	require.NoError(t, st.CommitCtx(ctx, "tok1", []byte("gone"), time.Unix(0, 0)))
	_, found, err = st.FindCtx(ctx, "tok1")
	require.NoError(t, err)
	assert.False(t, found, "committing an expiry before 1970 deletes too")
	require.NoError(t, st.CommitCtx(ctx, "tok1", []byte("uno"), future))

	require.NoError(t, st.CommitCtx(ctx, "tok2", nil, future))
	all, err := st.AllCtx(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{"tok1": []byte("uno"), "tok2": {}}, all)

	require.NoError(t, st.DeleteCtx(ctx, "tok1"))
	require.NoError(t, st.Delete("tok1"), "deleting an unknown token is not an error")
	all, err = st.All()
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{"tok2": {}}, all)

	require.NoError(t, st.DeleteCtx(ctx, "tok2"))
	all, err = st.AllCtx(ctx)
	require.NoError(t, err)
	assert.NotNil(t, all)
	assert.Empty(t, all)
}

// TestSessionStoreExpiry: the session's expiry is the key's, to the
// millisecond (PXAT), on commit, update and renewal.
func TestSessionStoreExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, c := newStore(t, redisstore.Options{})
	expiry := time.Now().Add(time.Hour).Truncate(time.Millisecond).Add(123 * time.Millisecond)
	check := func(token string, want time.Time) {
		t.Helper()
		at, err := c.PExpireTime(ctx, st.Prefix()+token).Result()
		require.NoError(t, err)
		assert.Equal(t, want.UnixMilli(), at.Milliseconds(), token)
	}
	require.NoError(t, st.CommitCtx(ctx, "a", []byte("1"), expiry))
	check("a", expiry)
	found, err := st.UpdateCtx(ctx, "a", []byte("2"), expiry.Add(time.Minute))
	require.NoError(t, err)
	require.True(t, found)
	check("a", expiry.Add(time.Minute))
	found, err = st.RenewCtx(ctx, "a", "b", []byte("3"), expiry.Add(2*time.Minute))
	require.NoError(t, err)
	require.True(t, found)
	check("b", expiry.Add(2*time.Minute))
	whole := time.Now().Add(time.Hour).Truncate(time.Second)
	require.NoError(t, st.CommitCtx(ctx, "c", nil, whole))
	check("c", whole)
}

// TestSessionStoreExpires: Redis itself drops a session when its expiry
// passes; the one short real TTL in these tests, as Redis's clock cannot
// be faked.
func TestSessionStoreExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := newStore(t, redisstore.Options{})
	require.NoError(t, st.CommitCtx(ctx, "brief", []byte("x"), time.Now().Add(50*time.Millisecond)))
	require.Eventually(t, func() bool {
		_, found, err := st.FindCtx(ctx, "brief")
		require.NoError(t, err)
		return !found
	}, 10*time.Second, 10*time.Millisecond)
	found, err := st.UpdateCtx(ctx, "brief", []byte("y"), time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, found, "an expired session is not updated back to life")
	found, err = st.RenewCtx(ctx, "brief", "new", []byte("y"), time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, found, "an expired session is not renewed")
	all, err := st.AllCtx(ctx)
	require.NoError(t, err)
	assert.Empty(t, all)
}

// TestSessionStoreUpdateCtx: UpdateCtx rewrites a live session and never
// creates or revives one (auth.SessionUpdater).
// renewModes are the two ways RenewCtx works: one script (single node,
// sentinel) and a DEL then a SET (cluster).
var renewModes = []struct {
	name  string
	setup func(*redisstore.SessionStore)
}{
	{"script", func(*redisstore.SessionStore) {}},
	{"two-step", redisstore.UseTwoStepRenew},
}

// TestSessionStoreConformance: the update-only saves and atomic renewals
// of auth.SessionUpdater and auth.SessionRenewer (sessiontest.RunStore),
// in both renewal modes.
func TestSessionStoreConformance(t *testing.T) {
	t.Parallel()
	for _, m := range renewModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			sessiontest.RunStore(t, func(t *testing.T) sessiontest.SessionStore {
				st, _ := newStore(t, redisstore.Options{})
				m.setup(st)
				return st
			}, sessiontest.Options{})
		})
	}
}

// TestSessionStoreUpdateToPastDeletes: an update to an expiry in the past
// deletes the key rather than keeping it until Redis expires it.
func TestSessionStoreUpdateToPastDeletes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, c := newStore(t, redisstore.Options{})
	require.NoError(t, st.CommitCtx(ctx, "ending", []byte("x"), time.Now().Add(time.Hour)))
	key := st.Prefix() + "ending"
	require.Equal(t, int64(1), c.Exists(ctx, key).Val())
	found, err := st.UpdateCtx(ctx, "ending", []byte("y"), time.Now().Add(-time.Second))
	require.NoError(t, err)
	assert.True(t, found, "the session existed")
	assert.Equal(t, int64(0), c.Exists(ctx, key).Val(), "the key is gone")
}

// TestSessionStoreAll: All lists only the store's own prefix, whatever
// glob characters the prefix holds, across several SCAN pages, and refuses
// to load more than MaxAll sessions.
func TestSessionStoreAll(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := redistest.Client(t)
	base := redistest.Prefix(t, c)
	st, err := redisstore.NewSessionStore(c, redisstore.Options{Prefix: base + "a*[?]\\:", ScanCount: 3})
	require.NoError(t, err)
	other, err := redisstore.NewSessionStore(c, redisstore.Options{Prefix: base + "ab[?]\\:"})
	require.NoError(t, err)
	future := time.Now().Add(time.Hour)
	want := map[string][]byte{}
	for i := range 25 {
		tok := fmt.Sprintf("t%02d", i)
		want[tok] = []byte(tok)
		require.NoError(t, st.CommitCtx(ctx, tok, []byte(tok), future))
	}
	require.NoError(t, other.CommitCtx(ctx, "stranger", []byte("x"), future))
	all, err := st.AllCtx(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, all)

	small, err := redisstore.NewSessionStore(c, redisstore.Options{Prefix: st.Prefix(), MaxAll: 24, ScanCount: 100})
	require.NoError(t, err)
	all, err = small.AllCtx(ctx)
	assert.ErrorIs(t, err, redisstore.ErrTooManySessions)
	assert.Nil(t, all, "never a partial list")
	exact, err := redisstore.NewSessionStore(c, redisstore.Options{Prefix: st.Prefix(), MaxAll: 25})
	require.NoError(t, err)
	all, err = exact.AllCtx(ctx)
	require.NoError(t, err)
	assert.Len(t, all, 25)
}

// wrappedClient is a client NewSessionStore does not know.
type wrappedClient struct{ *goredis.Client }

// TestSessionStoreUnknownClient: through a client that may hide several
// servers, AllCtx refuses rather than list one server's sessions, and
// RenewCtx still renews.
func TestSessionStoreUnknownClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := redistest.Client(t)
	st, err := redisstore.NewSessionStore(wrappedClient{c}, redisstore.Options{Prefix: redistest.Prefix(t, c)})
	require.NoError(t, err)
	require.NoError(t, st.CommitCtx(ctx, "old", []byte("x"), time.Now().Add(time.Hour)))
	found, err := st.RenewCtx(ctx, "old", "new", []byte("y"), time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.True(t, found)
	b, found, err := st.FindCtx(ctx, "new")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, []byte("y"), b)
	all, err := st.AllCtx(ctx)
	assert.ErrorContains(t, err, "cannot list")
	assert.Nil(t, all)
}

// TestSessionStoreDown: with Redis unreachable every call fails with an
// error, never "not found", and no error holds the token.
func TestSessionStoreDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	st, err := redisstore.NewSessionStore(c, redisstore.Options{})
	require.NoError(t, err)
	const token = "secret-token-value"
	future := time.Now().Add(time.Hour)
	var errs []error
	_, found, err := st.FindCtx(ctx, token)
	assert.False(t, found)
	errs = append(errs, err)
	errs = append(errs, st.CommitCtx(ctx, token, []byte("x"), future))
	found, err = st.UpdateCtx(ctx, token, []byte("x"), future)
	assert.False(t, found)
	errs = append(errs, err)
	found, err = st.RenewCtx(ctx, token, token+"2", []byte("x"), future)
	assert.False(t, found)
	errs = append(errs, err)
	errs = append(errs, st.DeleteCtx(ctx, token))
	all, err := st.AllCtx(ctx)
	assert.Nil(t, all)
	errs = append(errs, err)
	for i, err := range errs {
		require.Error(t, err, i)
		assert.Contains(t, err.Error(), "redis: ", i)
		assert.NotContains(t, err.Error(), "secret", i)
		var opErr interface{ Timeout() bool }
		assert.True(t, errors.As(err, &opErr), "%d: the client's error is wrapped: %v", i, err)
	}
}

func TestSessionStoreWithSCS(t *testing.T) {
	t.Parallel()
	st, _ := newStore(t, redisstore.Options{})
	sm := scs.New()
	sm.Store = st
	ctx, err := sm.Load(context.Background(), "")
	require.NoError(t, err)
	sm.Put(ctx, "user_id", 42)
	token, _, err := sm.Commit(ctx)
	require.NoError(t, err)

	ctx2, err := sm.Load(context.Background(), token)
	require.NoError(t, err)
	assert.Equal(t, 42, sm.GetInt(ctx2, "user_id"))
}
