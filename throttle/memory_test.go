package throttle_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/throttle"
	"github.com/djauth/auth/throttle/throttletest"
)

func TestMemoryStore(t *testing.T) {
	throttletest.Run(t, func(*testing.T) throttle.Store { return throttle.NewMemoryStore() })
}

// TestMemoryStoreSweeps: made-up usernames whose counters expired do not
// pile up; the store stays near the number of live counters.
func TestMemoryStoreSweeps(t *testing.T) {
	s := throttle.NewMemoryStore()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10000 {
		now := t0.Add(time.Duration(i) * time.Second)
		k := throttle.Key{Scope: "login", Kind: throttle.KindKey, Value: fmt.Sprint(i)}
		_, err := s.Fail(t.Context(), k, now, now.Add(-100*time.Second))
		require.NoError(t, err)
	}
	require.LessOrEqual(t, s.Len(), 300, "only about 100 counters are live")
}

// TestMemoryStoreSweepKeepsOtherScopes: a sweep started by login failures
// (15-minute cool-off) leaves a password reset counter alone, whose
// cool-off is longer.
func TestMemoryStoreSweepKeepsOtherScopes(t *testing.T) {
	s := throttle.NewMemoryStore()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	reset := throttle.Key{Scope: throttle.ScopePasswordReset, Kind: throttle.KindKey, Value: "a@example.com"}
	_, err := s.Fail(t.Context(), reset, t0, t0.Add(-time.Hour))
	require.NoError(t, err)
	now := t0.Add(30 * time.Minute)
	for i := range 1000 {
		k := throttle.Key{Scope: throttle.ScopeLogin, Kind: throttle.KindKey, Value: fmt.Sprint(i)}
		_, err := s.Fail(t.Context(), k, now, now.Add(-15*time.Minute))
		require.NoError(t, err)
	}
	r, err := s.Get(t.Context(), reset)
	require.NoError(t, err)
	require.Equal(t, 1, r.Failures)
}
