// Package recoverytest is the conformance suite of recovery.Store: every
// implementation runs Run, so that the memory store, djauth's table and
// django-otp's tables behave alike.
//
//	func TestConformance(t *testing.T) {
//		recoverytest.Run(t, func(t *testing.T) recoverytest.Setup {
//			return recoverytest.Setup{Store: recovery.NewMemoryStore()}
//		})
//	}
package recoverytest

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/mfatest"
	"github.com/djauth/auth/mfa/recovery"
)

// Setup is what a test of the suite needs from the implementation under
// test.
type Setup struct {
	// Store is an empty store, for this test only.
	Store recovery.Store
	// NewUser returns the ID of a new user whose devices the store may
	// keep (a row of auth_user, for a store whose tables reference it).
	// nil means that any positive ID will do.
	NewUser func(t *testing.T) int64
}

type env struct {
	f     *recovery.Factor
	clock *mfatest.Clock
	store recovery.Store
	users func(t *testing.T) int64
}

func setup(t *testing.T, newSetup func(t *testing.T) Setup) env {
	t.Helper()
	s := newSetup(t)
	require.NotNil(t, s.Store, "Setup.Store")
	clock := mfatest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	f, err := recovery.New(recovery.Config{Store: s.Store, Now: clock.Now})
	require.NoError(t, err)
	users := s.NewUser
	if users == nil {
		var mu sync.Mutex
		next := int64(1000)
		users = func(*testing.T) int64 {
			mu.Lock()
			defer mu.Unlock()
			next++
			return next
		}
	}
	return env{f: f, clock: clock, store: s.Store, users: users}
}

// Run runs the conformance suite; newSetup is called once per subtest.
func Run(t *testing.T, newSetup func(t *testing.T) Setup) {
	ctx := context.Background()

	t.Run("GenerateAndUseOnce", func(t *testing.T) {
		e := setup(t, newSetup)
		user := e.users(t)
		dev, codes, err := e.f.Generate(ctx, user)
		require.NoError(t, err)
		assert.Equal(t, recovery.Kind, dev.Factor)
		assert.Equal(t, user, dev.UserID)
		assert.Equal(t, recovery.DefaultName, dev.Name)
		assert.True(t, strings.HasSuffix(dev.PersistentID, "/"+strconv.FormatInt(dev.ID, 10)), dev.PersistentID)
		require.Len(t, codes, recovery.DefaultCount)
		seen := map[string]bool{}
		for _, c := range codes {
			canon := recovery.Normalize(c)
			assert.Len(t, canon, recovery.CodeLength, c)
			assert.False(t, seen[canon], "duplicate code %s", c)
			seen[canon] = true
		}
		devs, err := e.f.Devices(ctx, user)
		require.NoError(t, err)
		assert.Equal(t, []mfa.Device{dev}, devs)

		for i, c := range codes {
			got, err := e.f.VerifyCode(ctx, user, c)
			require.NoError(t, err, "code %d", i)
			assert.Equal(t, dev, got)
			n, err := e.f.Remaining(ctx, user)
			require.NoError(t, err)
			assert.Equal(t, len(codes)-i-1, n)
			e.clock.Add(time.Hour) // past any delay of the reuse below
			_, err = e.f.VerifyCode(ctx, user, c)
			assert.ErrorIs(t, err, mfa.ErrInvalidCode, "reused code %d", i)
			e.clock.Add(time.Hour)
		}
		devs, err = e.f.Devices(ctx, user)
		require.NoError(t, err)
		assert.Len(t, devs, 1, "a device with no codes left is still listed")
	})

	t.Run("RegenerateVoidsOldSet", func(t *testing.T) {
		e := setup(t, newSetup)
		user := e.users(t)
		dev1, old, err := e.f.Generate(ctx, user)
		require.NoError(t, err)
		_, err = e.f.VerifyCode(ctx, user, old[0])
		require.NoError(t, err)
		dev2, fresh, err := e.f.Generate(ctx, user)
		require.NoError(t, err)
		assert.Equal(t, dev1.ID, dev2.ID, "regenerating keeps the device")
		n, err := e.f.Remaining(ctx, user)
		require.NoError(t, err)
		assert.Equal(t, recovery.DefaultCount, n)
		for _, c := range old[1:] {
			_, err := e.f.VerifyCode(ctx, user, c)
			assert.ErrorIs(t, err, mfa.ErrInvalidCode, "old code %s", c)
			e.clock.Add(time.Hour)
		}
		_, err = e.f.VerifyCode(ctx, user, fresh[3])
		assert.NoError(t, err)
		devs, err := e.f.Devices(ctx, user)
		require.NoError(t, err)
		assert.Len(t, devs, 1)
	})

	t.Run("TypedForms", func(t *testing.T) {
		e := setup(t, newSetup)
		user := e.users(t)
		_, codes, err := e.f.Generate(ctx, user)
		require.NoError(t, err)
		canon := recovery.Normalize(codes[0])
		forms := []string{
			strings.ToUpper(codes[1]),
			" " + strings.ReplaceAll(recovery.Format(recovery.Normalize(codes[2])), "-", " ") + "\n",
			recovery.Normalize(codes[3]),
			recovery.Format(recovery.Normalize(codes[4])),
			canon[:5] + "--" + strings.ToUpper(canon[5:]),
		}
		for _, typed := range forms {
			_, err := e.f.VerifyCode(ctx, user, typed)
			assert.NoError(t, err, "%q", typed)
		}
	})

	t.Run("NoDevice", func(t *testing.T) {
		e := setup(t, newSetup)
		user := e.users(t)
		devs, err := e.f.Devices(ctx, user)
		require.NoError(t, err)
		assert.Empty(t, devs)
		_, err = e.f.VerifyCode(ctx, user, "abcd-efgh-jkmn-pqrs")
		assert.ErrorIs(t, err, mfa.ErrNoDevice)
		_, err = e.f.VerifyCode(ctx, user, " - ")
		assert.ErrorIs(t, err, mfa.ErrNoDevice, "malformed input, no device")
		n, err := e.f.Remaining(ctx, user)
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.NoError(t, e.f.Remove(ctx, user))
	})

	t.Run("UsersApart", func(t *testing.T) {
		e := setup(t, newSetup)
		alice, bob := e.users(t), e.users(t)
		_, ac, err := e.f.Generate(ctx, alice)
		require.NoError(t, err)
		_, _, err = e.f.Generate(ctx, bob)
		require.NoError(t, err)
		_, err = e.f.VerifyCode(ctx, bob, ac[0])
		assert.ErrorIs(t, err, mfa.ErrInvalidCode)
		_, err = e.f.VerifyCode(ctx, alice, ac[0])
		assert.NoError(t, err, "bob's failure does not throttle alice")
		require.NoError(t, e.f.Remove(ctx, bob))
		n, err := e.f.Remaining(ctx, alice)
		require.NoError(t, err)
		assert.Equal(t, recovery.DefaultCount-1, n, "removing bob's codes leaves alice's")
	})

	t.Run("Remove", func(t *testing.T) {
		e := setup(t, newSetup)
		user := e.users(t)
		_, codes, err := e.f.Generate(ctx, user)
		require.NoError(t, err)
		require.NoError(t, e.f.Remove(ctx, user))
		devs, err := e.f.Devices(ctx, user)
		require.NoError(t, err)
		assert.Empty(t, devs)
		_, err = e.f.VerifyCode(ctx, user, codes[0])
		assert.ErrorIs(t, err, mfa.ErrNoDevice)
	})

	t.Run("Malformed", func(t *testing.T) {
		e := setup(t, newSetup)
		user := e.users(t)
		_, codes, err := e.f.Generate(ctx, user)
		require.NoError(t, err)
		for _, typed := range []string{"", "   ", "- -", strings.Repeat("a", 65)} {
			_, err := e.f.VerifyCode(ctx, user, typed)
			assert.ErrorIs(t, err, mfa.ErrInvalidCode, "%q", typed)
		}
		_, err = e.f.VerifyCode(ctx, user, codes[0])
		assert.NoError(t, err, "a refused malformed code does not count as a failure")
	})

	t.Run("Throttling", func(t *testing.T) {
		e := setup(t, newSetup)
		user := e.users(t)
		_, codes, err := e.f.Generate(ctx, user)
		require.NoError(t, err)
		wrong := "2222-2222-2222-2222"

		_, err = e.f.VerifyCode(ctx, user, wrong) // failure 1 at t0
		require.ErrorIs(t, err, mfa.ErrInvalidCode)
		_, err = e.f.VerifyCode(ctx, user, codes[0])
		var te *mfa.ThrottledError
		require.ErrorAs(t, err, &te, "a right code during the delay is refused")
		assert.Equal(t, time.Second, te.RetryAfter)
		assert.ErrorIs(t, err, mfa.ErrThrottled)
		n, err := e.f.Remaining(ctx, user)
		require.NoError(t, err)
		assert.Equal(t, recovery.DefaultCount, n, "a refused attempt does not use the code")

		e.clock.Add(999 * time.Millisecond)
		_, err = e.f.VerifyCode(ctx, user, codes[0])
		require.ErrorAs(t, err, &te)
		assert.Equal(t, time.Millisecond, te.RetryAfter)

		e.clock.Add(time.Millisecond)             // t0+1s
		_, err = e.f.VerifyCode(ctx, user, wrong) // failure 2
		require.ErrorIs(t, err, mfa.ErrInvalidCode)
		e.clock.Add(time.Second) // t0+2s: 1 s of the 2 s left
		_, err = e.f.VerifyCode(ctx, user, codes[0])
		require.ErrorAs(t, err, &te)
		assert.Equal(t, time.Second, te.RetryAfter)
		e.clock.Add(time.Second)                  // t0+3s
		_, err = e.f.VerifyCode(ctx, user, wrong) // failure 3
		require.ErrorIs(t, err, mfa.ErrInvalidCode)
		_, err = e.f.VerifyCode(ctx, user, wrong)
		require.ErrorAs(t, err, &te, "refused, not counted")
		assert.Equal(t, 4*time.Second, te.RetryAfter)
		e.clock.Add(4 * time.Second)
		_, err = e.f.VerifyCode(ctx, user, codes[0])
		require.NoError(t, err, "allowed after 2^(3-1) s")

		_, err = e.f.VerifyCode(ctx, user, wrong) // a success reset the count: failure 1
		require.ErrorIs(t, err, mfa.ErrInvalidCode)
		_, err = e.f.VerifyCode(ctx, user, codes[1])
		require.ErrorAs(t, err, &te)
		assert.Equal(t, time.Second, te.RetryAfter, "the success reset the failure count")

		e.clock.Add(time.Second)
		_, _, err = e.f.Generate(ctx, user)
		require.NoError(t, err)
		_, err = e.f.VerifyCode(ctx, user, codes[1])
		assert.ErrorIs(t, err, mfa.ErrInvalidCode)
		_, err = e.f.VerifyCode(ctx, user, wrong)
		assert.ErrorIs(t, err, mfa.ErrThrottled, "regenerating does not reset the count")
	})

	t.Run("ConcurrentUseOfOneCode", func(t *testing.T) {
		e := setup(t, newSetup)
		user := e.users(t)
		_, codes, err := e.f.Generate(ctx, user)
		require.NoError(t, err)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = e.f.VerifyCode(ctx, user, codes[0])
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, mfa.ErrInvalidCode), errors.Is(err, mfa.ErrThrottled):
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		assert.Equal(t, 1, ok, "successes of %d parallel uses of one code", n)
		left, err := e.f.Remaining(ctx, user)
		require.NoError(t, err)
		assert.Equal(t, recovery.DefaultCount-1, left)
	})

	t.Run("CanceledContext", func(t *testing.T) {
		e := setup(t, newSetup)
		user := e.users(t)
		_, codes, err := e.f.Generate(ctx, user)
		require.NoError(t, err)
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		_, err = e.f.VerifyCode(canceled, user, codes[0])
		assert.Error(t, err)
		assert.NotErrorIs(t, err, mfa.ErrInvalidCode, "a store failure is not a wrong code")
		_, _, err = e.f.Generate(canceled, user)
		assert.Error(t, err)
		_, err = e.f.VerifyCode(ctx, user, codes[0])
		assert.NoError(t, err, "the failed calls changed nothing")
	})
}
