package auth

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestMemSessionIndexSweep: the sweep of expired sessions takes them out
// of the user index in the same step, so the index never outgrows the
// sessions.
func TestMemSessionIndexSweep(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := newMemSessionStore(time.Hour, func() time.Time { return now })
	defer m.Close()
	ctx := context.Background()
	require.NoError(t, m.CommitUserCtx(ctx, "a", 1, []byte("a"), now.Add(time.Minute)))
	require.NoError(t, m.CommitUserCtx(ctx, "b", 1, []byte("b"), now.Add(time.Hour)))
	require.NoError(t, m.CommitUserCtx(ctx, "c", 2, []byte("c"), now.Add(time.Minute)))
	tokens, users := m.indexLen()
	require.Equal(t, [2]int{3, 2}, [2]int{tokens, users})

	now = now.Add(2 * time.Minute)
	got, err := m.UserSessionsCtx(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"b": []byte("b")}, got, "expired sessions are not listed before the sweep")
	m.deleteExpired()
	tokens, users = m.indexLen()
	require.Equal(t, [2]int{1, 1}, [2]int{tokens, users}, "user 2's entry is gone with its last session")
	require.Equal(t, 1, m.len())

	// A plain Commit (no user) of an indexed token drops its entry.
	require.NoError(t, m.Commit("b", []byte("anon"), now.Add(time.Hour)))
	tokens, users = m.indexLen()
	require.Equal(t, [2]int{0, 0}, [2]int{tokens, users})
}
