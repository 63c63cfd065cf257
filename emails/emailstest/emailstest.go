// Package emailstest is the conformance suite of emails.Store: every
// implementation runs Run, so that the behaviour is written once.
package emailstest

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/emails"
)

// Harness is a store under test and its users.
type Harness struct {
	// Store is a fresh, empty store that keeps addresses unique.
	Store emails.Store
	// NewUser creates a user (an auth_user row where the store needs one)
	// and returns its ID.
	NewUser func(t *testing.T) int64
	// UserEmail returns the user's email (auth_user.email), which
	// VerifyAddress and SetPrimary keep in step with the primary address.
	UserEmail func(t *testing.T, userID int64) string
}

// Run runs the suite; newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	ctx := context.Background()
	t.Run("AddAndGet", func(t *testing.T) {
		h := newHarness(t)
		u := h.NewUser(t)
		a, created, err := h.Store.AddAddress(ctx, u, "Ann@Example.com")
		require.NoError(t, err)
		assert.True(t, created)
		assert.Equal(t, emails.Address{ID: a.ID, UserID: u, Email: "Ann@Example.com"}, a)
		again, created, err := h.Store.AddAddress(ctx, u, "ann@example.COM")
		require.NoError(t, err)
		assert.False(t, created, "iexact: the same address")
		assert.Equal(t, a, again)
		got, err := h.Store.GetAddress(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a, got)
		_, err = h.Store.GetAddress(ctx, a.ID+1000)
		assert.ErrorIs(t, err, emails.ErrNotFound)
	})
	t.Run("UniqueAcrossUsers", func(t *testing.T) {
		h := newHarness(t)
		u1, u2 := h.NewUser(t), h.NewUser(t)
		_, _, err := h.Store.AddAddress(ctx, u1, "bob@example.com")
		require.NoError(t, err)
		_, _, err = h.Store.AddAddress(ctx, u2, "BOB@example.com")
		assert.ErrorIs(t, err, emails.ErrEmailTaken)
		as, err := h.Store.UserAddresses(ctx, u2)
		require.NoError(t, err)
		assert.Empty(t, as, "nothing half-written")
	})
	t.Run("ConcurrentAddsOneWins", func(t *testing.T) {
		h := newHarness(t)
		users := []int64{h.NewUser(t), h.NewUser(t), h.NewUser(t), h.NewUser(t)}
		var wg sync.WaitGroup
		errs := make([]error, len(users))
		for i, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = h.Store.AddAddress(ctx, u, []string{"race@example.com", "Race@example.com", "RACE@example.com", "race@EXAMPLE.com"}[i])
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else {
				assert.ErrorIs(t, err, emails.ErrEmailTaken)
			}
		}
		assert.Equal(t, 1, won)
		found, err := h.Store.FindAddresses(ctx, "race@EXAMPLE.com")
		require.NoError(t, err)
		assert.Len(t, found, 1)
	})
	t.Run("VerifyMakesFirstPrimary", func(t *testing.T) {
		h := newHarness(t)
		u := h.NewUser(t)
		a, _, err := h.Store.AddAddress(ctx, u, "first@example.com")
		require.NoError(t, err)
		b, _, err := h.Store.AddAddress(ctx, u, "second@example.com")
		require.NoError(t, err)
		a, err = h.Store.VerifyAddress(ctx, a.ID)
		require.NoError(t, err)
		assert.True(t, a.Verified)
		assert.True(t, a.Primary, "no primary yet: the verified address becomes it")
		assert.Equal(t, "first@example.com", h.UserEmail(t, u))
		b, err = h.Store.VerifyAddress(ctx, b.ID)
		require.NoError(t, err)
		assert.True(t, b.Verified)
		assert.False(t, b.Primary, "a primary exists: unchanged")
		assert.Equal(t, "first@example.com", h.UserEmail(t, u))
		_, err = h.Store.VerifyAddress(ctx, b.ID+1000)
		assert.ErrorIs(t, err, emails.ErrNotFound)
	})
	t.Run("SetPrimaryOnlyOne", func(t *testing.T) {
		h := newHarness(t)
		u, other := h.NewUser(t), h.NewUser(t)
		a, _, err := h.Store.AddAddress(ctx, u, "a@example.com")
		require.NoError(t, err)
		b, _, err := h.Store.AddAddress(ctx, u, "b@example.com")
		require.NoError(t, err)
		old, err := h.Store.SetPrimary(ctx, u, a.ID)
		require.NoError(t, err)
		assert.Zero(t, old)
		old, err = h.Store.SetPrimary(ctx, u, b.ID)
		require.NoError(t, err)
		assert.Equal(t, a.ID, old.ID)
		assert.Equal(t, "a@example.com", old.Email)
		assert.Equal(t, "b@example.com", h.UserEmail(t, u))
		as, err := h.Store.UserAddresses(ctx, u)
		require.NoError(t, err)
		require.Len(t, as, 2)
		assert.Equal(t, []bool{false, true}, []bool{as[0].Primary, as[1].Primary})
		_, err = h.Store.SetPrimary(ctx, other, a.ID)
		assert.ErrorIs(t, err, emails.ErrNotFound, "another user's address")
	})
	t.Run("Delete", func(t *testing.T) {
		h := newHarness(t)
		u, other := h.NewUser(t), h.NewUser(t)
		a, _, err := h.Store.AddAddress(ctx, u, "a@example.com")
		require.NoError(t, err)
		b, _, err := h.Store.AddAddress(ctx, u, "b@example.com")
		require.NoError(t, err)
		_, err = h.Store.SetPrimary(ctx, u, a.ID)
		require.NoError(t, err)
		assert.ErrorIs(t, h.Store.DeleteAddress(ctx, u, a.ID), emails.ErrPrimary)
		assert.ErrorIs(t, h.Store.DeleteAddress(ctx, other, b.ID), emails.ErrNotFound)
		require.NoError(t, h.Store.DeleteAddress(ctx, u, b.ID))
		assert.ErrorIs(t, h.Store.DeleteAddress(ctx, u, b.ID), emails.ErrNotFound)
		as, err := h.Store.UserAddresses(ctx, u)
		require.NoError(t, err)
		assert.Equal(t, []int64{a.ID}, ids(as))
	})
	t.Run("Find", func(t *testing.T) {
		h := newHarness(t)
		u1, u2 := h.NewUser(t), h.NewUser(t)
		a, _, err := h.Store.AddAddress(ctx, u1, "x@example.com")
		require.NoError(t, err)
		_, _, err = h.Store.AddAddress(ctx, u2, "y@example.com")
		require.NoError(t, err)
		found, err := h.Store.FindAddresses(ctx, "X@EXAMPLE.COM")
		require.NoError(t, err)
		assert.Equal(t, []int64{a.ID}, ids(found))
		found, err = h.Store.FindAddresses(ctx, "x@example.co")
		require.NoError(t, err)
		assert.Empty(t, found, "no prefix or pattern match")
		found, err = h.Store.FindAddresses(ctx, "%@example.com")
		require.NoError(t, err)
		assert.Empty(t, found, "LIKE wildcards are literal")
	})
	t.Run("BadInput", func(t *testing.T) {
		h := newHarness(t)
		u := h.NewUser(t)
		for _, e := range []string{"", string(make([]byte, emails.EmailMaxLength+1))} {
			_, _, err := h.Store.AddAddress(ctx, u, e)
			assert.ErrorIs(t, err, emails.ErrInvalidEmail)
		}
	})
	t.Run("CancelledContext", func(t *testing.T) {
		h := newHarness(t)
		u := h.NewUser(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, _, err := h.Store.AddAddress(cctx, u, "c@example.com")
		assert.Error(t, err)
		as, err := h.Store.UserAddresses(ctx, u)
		require.NoError(t, err)
		assert.Empty(t, as)
	})
}

func ids(as []emails.Address) []int64 {
	out := []int64{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}
