package postgres_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/djauth/auth/internal/sessiontest"
	"github.com/djauth/auth/store/postgres"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newSessionStore(t *testing.T, opts postgres.SessionStoreOptions) (*postgres.SessionStore, postgres.Querier) {
	t.Helper()
	db := newMigratedPool(t)
	st, err := postgres.NewSessionStore(db, opts)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	return st, db
}

func TestSessionStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := newSessionStore(t, postgres.SessionStoreOptions{CleanupInterval: -1})
	future := time.Now().Add(time.Hour)

	_, found, err := st.FindCtx(ctx, "missing")
	require.NoError(t, err)
	assert.False(t, found)

	require.NoError(t, st.CommitCtx(ctx, "tok1", []byte("one"), future))
	b, found, err := st.FindCtx(ctx, "tok1")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, []byte("one"), b)

	// Commit replaces data and expiry.
	require.NoError(t, st.CommitCtx(ctx, "tok1", []byte("uno"), future))
	b, _, err = st.Find("tok1")
	require.NoError(t, err)
	assert.Equal(t, []byte("uno"), b)

	// Expired sessions are invisible at once.
	require.NoError(t, st.Commit("old", []byte("x"), time.Now().Add(-time.Second)))
	_, found, err = st.FindCtx(ctx, "old")
	require.NoError(t, err)
	assert.False(t, found)

	require.NoError(t, st.CommitCtx(ctx, "tok2", nil, future))
	all, err := st.AllCtx(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{"tok1": []byte("uno"), "tok2": {}}, all)

	n, err := st.DeleteExpired(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)

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

// TestSessionStoreRenewCtx: RenewCtx moves a live session to a new token
// and deletes the old one, and does nothing for a missing or expired one
// (auth.SessionRenewer).
// TestSessionStoreConformance: the update-only saves and atomic renewals
// of auth.SessionUpdater and auth.SessionRenewer (sessiontest.RunStore).
func TestSessionStoreConformance(t *testing.T) {
	t.Parallel()
	sessiontest.RunStore(t, func(t *testing.T) sessiontest.SessionStore {
		st, _ := newSessionStore(t, postgres.SessionStoreOptions{CleanupInterval: -1})
		return st
	}, sessiontest.Options{})
}

func TestSessionStoreCleanupGoroutine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var logs bytes.Buffer
	st, db := newSessionStore(t, postgres.SessionStoreOptions{
		CleanupInterval: 20 * time.Millisecond,
		Logger:          slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	require.NoError(t, st.CommitCtx(ctx, "secret-token", []byte("secret-data"), time.Now().Add(-time.Minute)))
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, db.QueryRow(ctx, `SELECT count(*) FROM djauth_session`).Scan(&n))
		return n == 0
	}, 10*time.Second, 10*time.Millisecond, "the cleanup goroutine deletes expired rows")
	st.Close()
	st.Close() // idempotent
	assert.NotContains(t, logs.String(), "secret", "tokens and data are never logged")
}

func TestSessionStoreWithSCS(t *testing.T) {
	t.Parallel()
	st, _ := newSessionStore(t, postgres.SessionStoreOptions{CleanupInterval: -1})
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
