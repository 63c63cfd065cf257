// Package throttletest is the conformance suite of throttle.Store: every
// store runs it, so that behaviour is written once.
//
//	func TestStore(t *testing.T) {
//		throttletest.Run(t, func(t *testing.T) throttle.Store { return throttle.NewMemoryStore() })
//	}
package throttletest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/throttle"
)

// Run runs the suite; newStore returns an empty store for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) throttle.Store) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	key := throttle.Key{Scope: throttle.ScopeLogin, Kind: throttle.KindKey, Value: "alice"}
	t.Run("GetMissing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		_, err := s.Get(t.Context(), key)
		require.ErrorIs(t, err, throttle.ErrNotFound)
	})
	t.Run("FailCounts", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		for i := 1; i <= 3; i++ {
			now := t0.Add(time.Duration(i) * time.Second)
			r, err := s.Fail(ctx, key, now, t0.Add(-time.Hour))
			require.NoError(t, err)
			require.Equal(t, i, r.Failures)
			require.True(t, r.Last.Equal(now), "Last %v, want %v", r.Last, now)
			require.Equal(t, key, r.Key)
		}
		got, err := s.Get(ctx, key)
		require.NoError(t, err)
		require.Equal(t, 3, got.Failures)
		require.True(t, got.Last.Equal(t0.Add(3*time.Second)))
	})
	t.Run("ReserveUpToLimit", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		for i := 1; i <= 3; i++ {
			now := t0.Add(time.Duration(i) * time.Second)
			r, ok, err := s.Reserve(ctx, key, now, t0.Add(-time.Hour), 3)
			require.NoError(t, err)
			require.True(t, ok, "reservation %d", i)
			require.Equal(t, i, r.Failures)
			require.True(t, r.Last.Equal(now))
		}
		r, ok, err := s.Reserve(ctx, key, t0.Add(time.Minute), t0.Add(-time.Hour), 3)
		require.NoError(t, err)
		require.False(t, ok, "at the limit")
		require.Equal(t, 3, r.Failures)
		require.True(t, r.Last.Equal(t0.Add(3*time.Second)), "a refusal does not move Last: %v", r.Last)
		// Expired: counts again from one.
		r, ok, err = s.Reserve(ctx, key, t0.Add(2*time.Hour), t0.Add(time.Hour), 3)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, 1, r.Failures)
		// No limit.
		for i := 2; i <= 5; i++ {
			r, ok, err = s.Reserve(ctx, key, t0.Add(2*time.Hour), t0.Add(time.Hour), 0)
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, i, r.Failures)
		}
	})
	t.Run("ReserveConcurrentNeverOvershoots", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		const n, limit = 40, 7
		var wg sync.WaitGroup
		var mu sync.Mutex
		reserved := 0
		errs := make(chan error, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, ok, err := s.Reserve(context.Background(), key, t0, t0.Add(-time.Hour), limit)
				if err != nil {
					errs <- err
					return
				}
				if ok {
					mu.Lock()
					reserved++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, limit, reserved)
		got, err := s.Get(t.Context(), key)
		require.NoError(t, err)
		require.Equal(t, limit, got.Failures)
	})
	t.Run("Release", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		require.NoError(t, s.Release(ctx, key), "a missing counter")
		_, err := s.Get(ctx, key)
		require.ErrorIs(t, err, throttle.ErrNotFound, "Release creates nothing")
		for range 2 {
			_, _, err := s.Reserve(ctx, key, t0, t0.Add(-time.Hour), 2)
			require.NoError(t, err)
		}
		require.NoError(t, s.Release(ctx, key))
		got, err := s.Get(ctx, key)
		require.NoError(t, err)
		require.Equal(t, 1, got.Failures)
		require.True(t, got.Last.Equal(t0), "Last is kept")
		_, ok, err := s.Reserve(ctx, key, t0, t0.Add(-time.Hour), 2)
		require.NoError(t, err)
		require.True(t, ok, "the released slot is free again")
		for range 3 {
			require.NoError(t, s.Release(ctx, key))
		}
		_, err = s.Get(ctx, key)
		require.ErrorIs(t, err, throttle.ErrNotFound, "a counter without failures is gone")
	})
	t.Run("KeysAreSeparate", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		others := []throttle.Key{
			{Scope: throttle.ScopeLogin, Kind: throttle.KindKey, Value: "Alice"},
			{Scope: throttle.ScopeLogin, Kind: throttle.KindAddress, Value: "alice"},
			{Scope: throttle.ScopePasswordReset, Kind: throttle.KindKey, Value: "alice"},
		}
		_, err := s.Fail(ctx, key, t0, time.Time{})
		require.NoError(t, err)
		for _, k := range others {
			_, err := s.Get(ctx, k)
			require.ErrorIs(t, err, throttle.ErrNotFound, "%+v", k)
			r, err := s.Fail(ctx, k, t0, time.Time{})
			require.NoError(t, err)
			require.Equal(t, 1, r.Failures, "%+v", k)
		}
		r, err := s.Get(ctx, key)
		require.NoError(t, err)
		require.Equal(t, 1, r.Failures)
	})
	t.Run("ExpiredStartsAgain", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		for range 5 {
			_, err := s.Fail(ctx, key, t0, t0.Add(-time.Minute))
			require.NoError(t, err)
		}
		// A failure exactly at the boundary has not expired.
		r, err := s.Fail(ctx, key, t0.Add(time.Minute), t0)
		require.NoError(t, err)
		require.Equal(t, 6, r.Failures)
		// Stores keep times to the microsecond, as PostgreSQL does.
		r, err = s.Fail(ctx, key, t0.Add(3*time.Minute), t0.Add(time.Minute+time.Microsecond))
		require.NoError(t, err)
		require.Equal(t, 1, r.Failures)
	})
	t.Run("Reset", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		require.NoError(t, s.Reset(ctx, key), "resetting a missing counter")
		_, err := s.Fail(ctx, key, t0, time.Time{})
		require.NoError(t, err)
		require.NoError(t, s.Reset(ctx, key))
		_, err = s.Get(ctx, key)
		require.ErrorIs(t, err, throttle.ErrNotFound)
		r, err := s.Fail(ctx, key, t0, time.Time{})
		require.NoError(t, err)
		require.Equal(t, 1, r.Failures)
	})
	t.Run("ListAndPrune", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		keys := []throttle.Key{
			{Scope: "b", Kind: throttle.KindKey, Value: "x"},
			{Scope: "a", Kind: throttle.KindKey, Value: "y"},
			{Scope: "a", Kind: throttle.KindAddress, Value: "192.0.2.1"},
			{Scope: "a", Kind: throttle.KindKey, Value: "old"},
		}
		for i, k := range keys {
			when := t0
			if k.Value == "old" {
				when = t0.Add(-time.Hour)
			}
			for range i + 1 {
				_, err := s.Fail(ctx, k, when, time.Time{})
				require.NoError(t, err)
			}
		}
		got, err := s.List(ctx, t0.Add(-time.Minute))
		require.NoError(t, err)
		var names []string
		for _, r := range got {
			names = append(names, fmt.Sprintf("%s/%s/%s=%d", r.Scope, r.Kind, r.Value, r.Failures))
		}
		require.Equal(t, []string{"a/address/192.0.2.1=3", "a/key/y=2", "b/key/x=1"}, names)
		all, err := s.List(ctx, time.Time{})
		require.NoError(t, err)
		require.Len(t, all, 4)
		n, err := s.Prune(ctx, t0.Add(-time.Minute))
		require.NoError(t, err)
		require.Equal(t, 1, n)
		all, err = s.List(ctx, time.Time{})
		require.NoError(t, err)
		require.Len(t, all, 3)
	})
	t.Run("Text", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		for _, v := range []string{"", "émile", "O'Brien\"; --", "💥", "a b"} {
			k := throttle.Key{Scope: throttle.ScopeLogin, Kind: throttle.KindKey, Value: v}
			_, err := s.Fail(ctx, k, t0, time.Time{})
			require.NoError(t, err, "%q", v)
			r, err := s.Get(ctx, k)
			require.NoError(t, err, "%q", v)
			require.Equal(t, k, r.Key)
		}
	})
	t.Run("ConcurrentFailuresAllCount", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		const n = 40
		var wg sync.WaitGroup
		errs := make(chan error, n)
		seen := make(chan int, n)
		for range n {
			wg.Go(func() {
				r, err := s.Fail(ctx, key, t0, time.Time{})
				errs <- err
				seen <- r.Failures
			})
		}
		wg.Wait()
		close(errs)
		close(seen)
		for err := range errs {
			require.NoError(t, err)
		}
		// Every failure saw a distinct count: the increments were atomic.
		counts := map[int]bool{}
		for c := range seen {
			counts[c] = true
		}
		require.Len(t, counts, n)
		r, err := s.Get(ctx, key)
		require.NoError(t, err)
		require.Equal(t, n, r.Failures)
	})
	t.Run("CanceledContext", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := s.Fail(ctx, key, t0, time.Time{})
		require.Error(t, err)
		require.True(t, errors.Is(err, context.Canceled), "%v", err)
	})
}
