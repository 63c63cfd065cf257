// Package mfatest is the conformance suite of mfa.PolicyStore: every
// store runs it, so that behaviour is written once. Its Clock is the fake
// clock that the suites of mfa's factors and mfa's own tests share.
//
//	func TestPolicyStore(t *testing.T) {
//		mfatest.RunPolicyStore(t, func(t *testing.T) mfa.PolicyStore { return mfa.NewMemoryPolicyStore() })
//	}
package mfatest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/mfa"
)

// RunPolicyStore runs the suite; newStore returns an empty store for each
// subtest. User IDs 1 to 3 must be usable (a store with a foreign key to
// auth_user creates those users first).
func RunPolicyStore(t *testing.T, newStore func(t *testing.T) mfa.PolicyStore) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.UTC)
	t.Run("EmptyIsZero", func(t *testing.T) {
		t.Parallel()
		p, err := newStore(t).Policy(t.Context())
		require.NoError(t, err)
		require.False(t, p.CoversAnyone())
		require.Zero(t, p.Grace)
		require.Empty(t, p.Groups)
	})
	t.Run("SetAndGet", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		want := mfa.Policy{Superusers: true, Staff: true, Groups: []string{"Ops", "Finance é"}, Grace: 72 * time.Hour}
		require.NoError(t, s.SetPolicy(ctx, want))
		got, err := s.Policy(ctx)
		require.NoError(t, err)
		require.Equal(t, want, got)
		// Replaced as a whole, groups too.
		require.NoError(t, s.SetPolicy(ctx, mfa.Policy{Everyone: true}))
		got, err = s.Policy(ctx)
		require.NoError(t, err)
		require.True(t, got.Everyone)
		require.False(t, got.Superusers)
		require.Empty(t, got.Groups)
		require.Zero(t, got.Grace)
	})
	t.Run("ReturnedPolicyIsACopy", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		in := mfa.Policy{Groups: []string{"a"}}
		require.NoError(t, s.SetPolicy(ctx, in))
		in.Groups[0] = "changed"
		got, err := s.Policy(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"a"}, got.Groups)
		got.Groups[0] = "changed"
		again, err := s.Policy(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"a"}, again.Groups)
	})
	t.Run("InvalidChangesNothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		good := mfa.Policy{Staff: true, Groups: []string{"ops"}}
		require.NoError(t, s.SetPolicy(ctx, good))
		for name, bad := range map[string]mfa.Policy{
			"negative grace": {Everyone: true, Grace: -time.Second},
			"empty group":    {Groups: []string{""}},
			"repeated group": {Groups: []string{"x", "x"}},
			"long group":     {Groups: []string{strings.Repeat("g", mfa.MaxGroupNameLength+1)}},
			"nul":            {Groups: []string{"a\x00b"}},
			"not utf-8":      {Groups: []string{"\xff"}},
		} {
			require.ErrorIs(t, s.SetPolicy(ctx, bad), mfa.ErrInvalidPolicy, name)
		}
		got, err := s.Policy(ctx)
		require.NoError(t, err)
		require.Equal(t, good, got)
	})
	t.Run("RequiredSinceRecordsFirst", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		first, err := s.RequiredSince(ctx, 1, t0)
		require.NoError(t, err)
		require.True(t, first.Equal(t0.Truncate(time.Microsecond)), "got %s", first)
		again, err := s.RequiredSince(ctx, 1, t0.Add(time.Hour))
		require.NoError(t, err)
		require.True(t, again.Equal(first), "got %s", again)
		other, err := s.RequiredSince(ctx, 2, t0.Add(time.Hour))
		require.NoError(t, err)
		require.True(t, other.Equal(t0.Add(time.Hour).Truncate(time.Microsecond)))
	})
	t.Run("ResetStartsAgain", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		_, err := s.RequiredSince(ctx, 1, t0)
		require.NoError(t, err)
		require.NoError(t, s.ResetRequiredSince(ctx, 1))
		require.NoError(t, s.ResetRequiredSince(ctx, 3), "resetting a user without a time")
		got, err := s.RequiredSince(ctx, 1, t0.Add(time.Minute))
		require.NoError(t, err)
		require.True(t, got.Equal(t0.Add(time.Minute).Truncate(time.Microsecond)))
	})
	t.Run("ConcurrentFirstCallsAgree", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		const n = 8
		got := make([]time.Time, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = s.RequiredSince(ctx, 3, t0.Add(time.Duration(i)*time.Second))
			}()
		}
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i])
			require.True(t, got[i].Equal(got[0]), "call %d: %s, call 0: %s", i, got[i], got[0])
		}
	})
	t.Run("BadUserID", func(t *testing.T) {
		t.Parallel()
		_, err := newStore(t).RequiredSince(t.Context(), 0, t0)
		require.Error(t, err)
	})
}
