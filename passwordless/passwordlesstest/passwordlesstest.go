// Package passwordlesstest is the conformance suite of passwordless.Store:
// every store runs it, so that behaviour is written once.
//
//	func TestStore(t *testing.T) {
//		passwordlesstest.Run(t, func(t *testing.T) passwordless.Store { return passwordless.NewMemoryStore() })
//	}
package passwordlesstest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/passwordless"
)

// Run runs the suite; newStore returns an empty store for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) passwordless.Store) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	req := func(id string, user int64) passwordless.Request {
		return passwordless.Request{ID: id, UserID: user, Subject: fmt.Sprintf("user:%d", user),
			LinkHash: []byte("link-" + id), CodeHash: []byte("code-" + id), BindingHash: []byte("bind-" + id),
			Created: t0, Expires: t0.Add(15 * time.Minute)}
	}
	t.Run("CreateGet", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		_, err := s.Get(ctx, "missing")
		require.ErrorIs(t, err, passwordless.ErrNotFound)
		want := req("a", 7)
		require.NoError(t, s.Create(ctx, want, false))
		got, err := s.Get(ctx, "a")
		require.NoError(t, err)
		require.Equal(t, want.UserID, got.UserID)
		require.Equal(t, want.Subject, got.Subject)
		require.Equal(t, want.LinkHash, got.LinkHash)
		require.Equal(t, want.CodeHash, got.CodeHash)
		require.Equal(t, want.BindingHash, got.BindingHash)
		require.Zero(t, got.Attempts)
		require.True(t, got.Created.Equal(t0))
		require.True(t, got.Expires.Equal(want.Expires))
		require.ErrorIs(t, s.Create(ctx, want, false), passwordless.ErrDuplicate)
	})
	t.Run("VoidOlder", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		require.NoError(t, s.Create(ctx, req("a", 7), false))
		require.NoError(t, s.Create(ctx, req("b", 7), false))
		require.NoError(t, s.Create(ctx, req("other", 8), false))
		require.NoError(t, s.Create(ctx, req("z1", 0), false))
		require.NoError(t, s.Create(ctx, req("c", 7), true))
		for _, id := range []string{"a", "b"} {
			_, err := s.Get(ctx, id)
			require.ErrorIs(t, err, passwordless.ErrNotFound, id)
		}
		for _, id := range []string{"c", "other", "z1"} {
			_, err := s.Get(ctx, id)
			require.NoError(t, err, id)
		}
		// Requests without a user void nothing.
		require.NoError(t, s.Create(ctx, req("z2", 0), true))
		_, err := s.Get(ctx, "z1")
		require.NoError(t, err)
	})
	t.Run("AttemptCap", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		require.NoError(t, s.Create(ctx, req("a", 7), false))
		for i := 1; i <= 3; i++ {
			got, err := s.Attempt(ctx, "a", 3)
			require.NoError(t, err)
			require.Equal(t, i, got.Attempts)
		}
		_, err := s.Attempt(ctx, "a", 3)
		require.ErrorIs(t, err, passwordless.ErrTooManyAttempts)
		_, err = s.Get(ctx, "a")
		require.ErrorIs(t, err, passwordless.ErrNotFound, "a request over its cap is deleted")
		_, err = s.Attempt(ctx, "a", 3)
		require.ErrorIs(t, err, passwordless.ErrNotFound)
	})
	t.Run("ConsumeOnce", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		require.NoError(t, s.Create(ctx, req("a", 7), false))
		got, err := s.Consume(ctx, "a")
		require.NoError(t, err)
		require.Equal(t, int64(7), got.UserID)
		_, err = s.Consume(ctx, "a")
		require.ErrorIs(t, err, passwordless.ErrNotFound)
	})
	t.Run("ConcurrentConsume", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		require.NoError(t, s.Create(ctx, req("a", 7), false))
		var wins, gone atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				_, err := s.Consume(ctx, "a")
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, passwordless.ErrNotFound):
					gone.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		require.Equal(t, int32(1), wins.Load(), "exactly one consumer wins")
		require.Equal(t, int32(15), gone.Load())
	})
	t.Run("ConcurrentAttempts", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		require.NoError(t, s.Create(ctx, req("a", 7), false))
		var ok atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if _, err := s.Attempt(ctx, "a", 5); err == nil {
					ok.Add(1)
				}
			})
		}
		wg.Wait()
		require.Equal(t, int32(5), ok.Load(), "no more attempts than the cap, however many at once")
	})
	t.Run("DeleteExpired", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		old := req("old", 7)
		old.Expires = t0.Add(time.Minute)
		require.NoError(t, s.Create(ctx, old, false))
		require.NoError(t, s.Create(ctx, req("new", 8), false))
		n, err := s.DeleteExpired(ctx, t0.Add(time.Minute))
		require.NoError(t, err)
		require.Equal(t, 1, n)
		_, err = s.Get(ctx, "old")
		require.ErrorIs(t, err, passwordless.ErrNotFound)
		_, err = s.Get(ctx, "new")
		require.NoError(t, err)
	})
}
