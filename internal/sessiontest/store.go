package sessiontest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
)

// SessionStore is a session store with the guarantees that the Auth's
// guarded store relies on: update-only saves and atomic renewals.
type SessionStore interface {
	scs.Store
	scs.CtxStore
	scs.IterableCtxStore
	auth.SessionUpdater
	auth.SessionRenewer
}

// Options adapts the suites to a store whose keys or data have a form of
// their own. The zero value uses tokens and data as they are.
type Options struct {
	// Payload turns the test's data into bytes the store accepts, and
	// Data turns what the store returns back into the test's data. Nil
	// means the identity.
	Payload func(data string) []byte
	Data    func(b []byte) string
}

func (o Options) payload(data string) []byte {
	if o.Payload == nil {
		return []byte(data)
	}
	return o.Payload(data)
}

func (o Options) data(b []byte) string {
	if o.Data == nil {
		return string(b)
	}
	return o.Data(b)
}

// key maps a test token to the store's key when the store is an
// auth.SessionKeyer, as the Auth's guarded store does.
func key(s any, token string) string {
	if k, ok := s.(auth.SessionKeyer); ok {
		return k.SessionKey(token)
	}
	return token
}

// all returns the store's sessions as the test's data.
func all(t *testing.T, s SessionStore, o Options) map[string]string {
	t.Helper()
	m, err := s.AllCtx(t.Context())
	require.NoError(t, err)
	out := make(map[string]string, len(m))
	for k, b := range m {
		out[k] = o.data(b)
	}
	return out
}

// RunStore runs the conformance suite of SessionUpdater and
// SessionRenewer; newStore returns an empty store for each subtest.
func RunStore(t *testing.T, newStore func(t *testing.T) SessionStore, o Options) {
	t.Run("UpdateCtx", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		ctx := context.Background()
		live, expired, missing := key(st, "live"), key(st, "expired"), key(st, "missing")
		future := time.Now().Add(time.Hour)
		require.NoError(t, st.CommitCtx(ctx, live, o.payload("one"), future))
		require.NoError(t, st.CommitCtx(ctx, expired, o.payload("old"), time.Now().Add(-time.Second)))
		for _, tc := range []struct {
			name, token string
			found       bool
		}{
			{"found", live, true},
			{"not found", missing, false},
			{"expired", expired, false},
		} {
			found, err := st.UpdateCtx(ctx, tc.token, o.payload("two"), future.Add(time.Hour))
			require.NoError(t, err, tc.name)
			assert.Equal(t, tc.found, found, tc.name)
		}
		b, found, err := st.FindCtx(ctx, live)
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, "two", o.data(b))
		if o.Payload == nil {
			found, err = st.UpdateCtx(ctx, live, nil, future)
			require.NoError(t, err)
			assert.True(t, found, "nil data is stored as empty")
		}
		got := all(t, st, o)
		require.Contains(t, got, live)
		assert.Len(t, got, 1, "no session created or revived")

		require.NoError(t, st.DeleteCtx(ctx, live))
		found, err = st.UpdateCtx(ctx, live, o.payload("back"), future)
		require.NoError(t, err)
		assert.False(t, found, "a deleted session is not written back")
		_, found, err = st.FindCtx(ctx, live)
		require.NoError(t, err)
		assert.False(t, found)

		ending := key(st, "ending")
		require.NoError(t, st.CommitCtx(ctx, ending, o.payload("x"), future))
		found, err = st.UpdateCtx(ctx, ending, o.payload("y"), time.Now().Add(-time.Second))
		require.NoError(t, err)
		assert.True(t, found, "the session existed")
		_, found, err = st.FindCtx(ctx, ending)
		require.NoError(t, err)
		assert.False(t, found, "an update to an expiry in the past ends the session")
	})
	t.Run("RenewCtx", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		ctx := context.Background()
		future := time.Now().Add(time.Hour)
		live, expired, renewed := key(st, "live"), key(st, "expired"), key(st, "renewed")
		require.NoError(t, st.CommitCtx(ctx, live, o.payload("one"), future))
		require.NoError(t, st.CommitCtx(ctx, expired, o.payload("old"), time.Now().Add(-time.Second)))
		found, err := st.RenewCtx(ctx, live, renewed, o.payload("two"), future)
		require.NoError(t, err)
		assert.True(t, found)
		for _, old := range []string{"missing", "expired", "live"} {
			found, err := st.RenewCtx(ctx, key(st, old), key(st, "from-"+old), o.payload("x"), future)
			require.NoError(t, err)
			assert.False(t, found, old)
		}
		assert.Equal(t, map[string]string{renewed: "two"}, all(t, st, o), "only the renewed session, under its new token")
	})
	t.Run("UpdateDeleteRace", func(t *testing.T) {
		// Whichever runs first, the session is gone when both have
		// returned.
		t.Parallel()
		st := newStore(t)
		ctx := context.Background()
		future := time.Now().Add(time.Hour)
		for i := range 100 {
			token := key(st, fmt.Sprintf("race-%d", i))
			require.NoError(t, st.CommitCtx(ctx, token, o.payload("v"), future))
			var wg sync.WaitGroup
			var uerr, derr error
			start := make(chan struct{})
			wg.Go(func() { <-start; _, uerr = st.UpdateCtx(ctx, token, o.payload("w"), future) })
			wg.Go(func() { <-start; derr = st.DeleteCtx(ctx, token) })
			close(start)
			wg.Wait()
			require.NoError(t, uerr)
			require.NoError(t, derr)
			_, exists, err := st.FindCtx(ctx, token)
			require.NoError(t, err)
			require.False(t, exists, "round %d: the logged-out session was written back", i)
		}
	})
	t.Run("RenewDeleteRace", func(t *testing.T) {
		// The renewal moves the session only if it got there first.
		t.Parallel()
		st := newStore(t)
		ctx := context.Background()
		future := time.Now().Add(time.Hour)
		for i := range 100 {
			old, renewed := key(st, fmt.Sprintf("old-%d", i)), key(st, fmt.Sprintf("new-%d", i))
			require.NoError(t, st.CommitCtx(ctx, old, o.payload("v"), future))
			var wg sync.WaitGroup
			var found bool
			var rerr, derr error
			start := make(chan struct{})
			wg.Go(func() { <-start; found, rerr = st.RenewCtx(ctx, old, renewed, o.payload("w"), future) })
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
	})
}
