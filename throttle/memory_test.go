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
