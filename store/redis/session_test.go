package redis_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/redistest"
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
func TestSessionStoreUpdateCtx(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := newStore(t, redisstore.Options{})
	future := time.Now().Add(time.Hour)
	require.NoError(t, st.CommitCtx(ctx, "live", []byte("one"), future))
	require.NoError(t, st.CommitCtx(ctx, "expired", []byte("old"), time.Now().Add(-time.Second)))

	for _, tc := range []struct {
		name, token string
		found       bool
	}{
		{"found", "live", true},
		{"not found", "missing", false},
		{"expired", "expired", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			found, err := st.UpdateCtx(ctx, tc.token, []byte("two"), future.Add(time.Hour))
			require.NoError(t, err)
			assert.Equal(t, tc.found, found)
		})
	}
	b, found, err := st.FindCtx(ctx, "live")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, []byte("two"), b)
	found, err = st.UpdateCtx(ctx, "live", nil, future)
	require.NoError(t, err)
	assert.True(t, found, "nil data is stored as empty")

	all, err := st.AllCtx(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{"live": {}}, all, "no session created or revived")

	require.NoError(t, st.DeleteCtx(ctx, "live"))
	found, err = st.UpdateCtx(ctx, "live", []byte("back"), future)
	require.NoError(t, err)
	assert.False(t, found, "a deleted session is not written back")
	_, found, err = st.FindCtx(ctx, "live")
	require.NoError(t, err)
	assert.False(t, found)

	require.NoError(t, st.CommitCtx(ctx, "ending", []byte("x"), future))
	found, err = st.UpdateCtx(ctx, "ending", []byte("y"), time.Now().Add(-time.Second))
	require.NoError(t, err)
	assert.True(t, found, "the session existed")
	_, found, err = st.FindCtx(ctx, "ending")
	require.NoError(t, err)
	assert.False(t, found, "an update to an expiry in the past deletes")
}

// renewModes are the two ways RenewCtx works: one script (single node,
// sentinel) and a DEL then a SET (cluster).
var renewModes = []struct {
	name  string
	setup func(*redisstore.SessionStore)
}{
	{"script", func(*redisstore.SessionStore) {}},
	{"two-step", redisstore.UseTwoStepRenew},
}

// TestSessionStoreRenewCtx: RenewCtx moves a live session to a new token
// and deletes the old one, and does nothing for a missing or expired one
// (auth.SessionRenewer).
func TestSessionStoreRenewCtx(t *testing.T) {
	t.Parallel()
	for _, m := range renewModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			st, _ := newStore(t, redisstore.Options{})
			m.setup(st)
			checkRenewCtx(t, st)
		})
	}
}

func checkRenewCtx(t *testing.T, st *redisstore.SessionStore) {
	ctx := context.Background()
	future := time.Now().Add(time.Hour)
	require.NoError(t, st.CommitCtx(ctx, "live", []byte("one"), future))
	require.NoError(t, st.CommitCtx(ctx, "expired", []byte("old"), time.Now().Add(-time.Second)))

	found, err := st.RenewCtx(ctx, "live", "renewed", []byte("two"), future)
	require.NoError(t, err)
	assert.True(t, found)
	for _, old := range []string{"missing", "expired", "live"} {
		found, err := st.RenewCtx(ctx, old, "from-"+old, []byte("x"), future)
		require.NoError(t, err)
		assert.False(t, found, old)
	}
	all, err := st.AllCtx(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{"renewed": []byte("two")}, all, "only the renewed session, under its new token")
}

// TestSessionStoreUpdateDeleteRace: an update racing a logout never
// leaves the session behind. Whichever runs first, the key is gone when
// both have returned, and an update that ran second reports not found.
func TestSessionStoreUpdateDeleteRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := newStore(t, redisstore.Options{})
	future := time.Now().Add(time.Hour)
	updatedFirst := 0
	const rounds = 300
	for i := range rounds {
		token := fmt.Sprintf("race-%d", i)
		require.NoError(t, st.CommitCtx(ctx, token, []byte("v"), future))
		var wg sync.WaitGroup
		var found bool
		var uerr, derr error
		start := make(chan struct{})
		wg.Go(func() { <-start; found, uerr = st.UpdateCtx(ctx, token, []byte("w"), future) })
		wg.Go(func() { <-start; derr = st.DeleteCtx(ctx, token) })
		close(start)
		wg.Wait()
		require.NoError(t, uerr)
		require.NoError(t, derr)
		if found {
			updatedFirst++
		}
		_, exists, err := st.FindCtx(ctx, token)
		require.NoError(t, err)
		require.False(t, exists, "round %d: the logged-out session was written back", i)
	}
	t.Logf("update won %d of %d rounds", updatedFirst, rounds)
}

// TestSessionStoreRenewDeleteRace: a renewal racing a logout of the old
// token moves the session only if it got there first.
func TestSessionStoreRenewDeleteRace(t *testing.T) {
	t.Parallel()
	for _, m := range renewModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			st, _ := newStore(t, redisstore.Options{})
			m.setup(st)
			checkRenewDeleteRace(t, st)
		})
	}
}

func checkRenewDeleteRace(t *testing.T, st *redisstore.SessionStore) {
	ctx := context.Background()
	future := time.Now().Add(time.Hour)
	for i := range 300 {
		old, renewed := fmt.Sprintf("old-%d", i), fmt.Sprintf("new-%d", i)
		require.NoError(t, st.CommitCtx(ctx, old, []byte("v"), future))
		var wg sync.WaitGroup
		var found bool
		var rerr, derr error
		start := make(chan struct{})
		wg.Go(func() { <-start; found, rerr = st.RenewCtx(ctx, old, renewed, []byte("w"), future) })
		wg.Go(func() { <-start; derr = st.DeleteCtx(ctx, old) })
		close(start)
		wg.Wait()
		require.NoError(t, rerr)
		require.NoError(t, derr)
		_, exists, err := st.FindCtx(ctx, renewed)
		require.NoError(t, err)
		require.Equal(t, found, exists, "round %d: the new token exists exactly when the renewal found the old one", i)
		_, exists, err = st.FindCtx(ctx, old)
		require.NoError(t, err)
		require.False(t, exists, "round %d", i)
	}
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
