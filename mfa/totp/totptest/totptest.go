// Package totptest is the conformance suite of totp.Store: the memory
// store and the PostgreSQL store run it, so that the behaviour of both,
// and of a totp.Factor over each, is written once.
//
//	func TestStore(t *testing.T) {
//		totptest.Run(t, func(t *testing.T) totptest.Harness {
//			return totptest.Harness{Store: totp.NewMemoryStore(), NewUser: totptest.Counter()}
//		})
//	}
package totptest

import (
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/mfatest"
	"github.com/djauth/auth/mfa/totp"
)

// A Harness is one empty store and a way to make users that its devices
// may belong to.
type Harness struct {
	// Store is the store under test, empty.
	Store totp.Store
	// NewUser returns the ID of a new user (a row of auth_user for the
	// PostgreSQL store).
	NewUser func(t *testing.T) int64
}

// Counter returns a NewUser for stores without a user table: 1, 2, 3...
func Counter() func(t *testing.T) int64 {
	var n atomic.Int64
	return func(*testing.T) int64 { return n.Add(1) }
}

// Clock is a fake clock for Config.Now, safe for concurrent use (mfatest's).
type Clock = mfatest.Clock

// NewClock returns a Clock at t.
func NewClock(t time.Time) *Clock { return mfatest.NewClock(t) }

// RFCKey is the SHA-1 key of RFC 6238 Appendix B, "12345678901234567890",
// in hex as django-otp stores keys.
var RFCKey = hex.EncodeToString([]byte("12345678901234567890"))

// RFCVectors are RFC 6238 Appendix B's SHA-1 test values: Unix time and
// the 8-digit code at that time (step 30, t0 0).
var RFCVectors = []struct {
	Unix int64
	Code string
}{
	{59, "94287082"},
	{1111111109, "07081804"},
	{1111111111, "14050471"},
	{1234567890, "89005924"},
	{2000000000, "69279037"},
	{20000000000, "65353130"},
}

// t0 is where the suite's clocks start, on a step boundary.
var t0 = time.Unix(1_800_000_000, 0).UTC()

// Run runs the suite; newHarness returns an empty store for each subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("Store", func(t *testing.T) { runStore(t, newHarness) })
	t.Run("Factor", func(t *testing.T) { runFactor(t, newHarness) })
}

// confirmed returns a confirmed device of a new user with key.
func confirmed(t *testing.T, h Harness, key string, digits int) totp.Device {
	t.Helper()
	d, err := totp.NewDevice(h.NewUser(t), "phone")
	require.NoError(t, err)
	d.Confirmed, d.Digits = true, digits
	if key != "" {
		d.Key = key
	}
	d, err = h.Store.Create(t.Context(), d)
	require.NoError(t, err)
	return d
}

func factor(t *testing.T, h Harness, clock *Clock) *totp.Factor {
	t.Helper()
	f, err := totp.New(totp.Config{Store: h.Store, Issuer: "Example", Now: clock.Now})
	require.NoError(t, err)
	return f
}

func get(t *testing.T, h Harness, id int64) totp.Device {
	t.Helper()
	d, err := h.Store.Get(t.Context(), id)
	require.NoError(t, err)
	return d
}

func code(t *testing.T, d totp.Device, at time.Time) string {
	t.Helper()
	c, err := d.CodeAt(at)
	require.NoError(t, err)
	return c
}

func runStore(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("CreateGetList", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		ctx := t.Context()
		user, other := h.NewUser(t), h.NewUser(t)
		var made []totp.Device
		for _, name := range []string{"phone", "tablet", "ключ ☃"} {
			d, err := totp.NewDevice(user, name)
			require.NoError(t, err)
			d.ID = 999
			c, err := h.Store.Create(ctx, d)
			require.NoError(t, err)
			require.NotEqual(t, int64(999), c.ID)
			d.ID = c.ID
			require.Equal(t, d, c)
			require.Equal(t, d, get(t, h, c.ID))
			made = append(made, d)
		}
		list, err := h.Store.List(ctx, user)
		require.NoError(t, err)
		require.Equal(t, made, list)
		list, err = h.Store.List(ctx, other)
		require.NoError(t, err)
		require.Empty(t, list)
		_, err = h.Store.Get(ctx, made[2].ID+1000)
		require.ErrorIs(t, err, mfa.ErrNoDevice)
	})
	t.Run("CountFailureIsCompareAndSwap", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		ctx := t.Context()
		d := confirmed(t, h, "", 6)
		at := t0.Add(1500 * time.Microsecond)
		ok, err := h.Store.CountFailure(ctx, d.ID, totp.Throttle{}, at)
		require.NoError(t, err)
		require.True(t, ok)
		got := get(t, h, d.ID)
		require.Equal(t, 1, got.Throttle.Failures)
		require.True(t, got.Throttle.Last.Equal(at), "Last %v, want %v", got.Throttle.Last, at)

		ok, err = h.Store.CountFailure(ctx, d.ID, totp.Throttle{}, at.Add(time.Second))
		require.NoError(t, err)
		require.False(t, ok, "a stale throttle state must not count")
		require.Equal(t, 1, get(t, h, d.ID).Throttle.Failures)

		ok, err = h.Store.CountFailure(ctx, d.ID, got.Throttle, at.Add(time.Second))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, 2, get(t, h, d.ID).Throttle.Failures)

		_, err = h.Store.CountFailure(ctx, d.ID+1000, totp.Throttle{}, at)
		require.ErrorIs(t, err, mfa.ErrNoDevice)
	})
	t.Run("SucceedOnlyForward", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		ctx := t.Context()
		d, err := totp.NewDevice(h.NewUser(t), "phone")
		require.NoError(t, err)
		d, err = h.Store.Create(ctx, d)
		require.NoError(t, err)
		_, err = h.Store.CountFailure(ctx, d.ID, totp.Throttle{}, t0)
		require.NoError(t, err)

		ok, err := h.Store.Succeed(ctx, d.ID, totp.Success{T: 100, Drift: -1, Confirm: true})
		require.NoError(t, err)
		require.True(t, ok)
		got := get(t, h, d.ID)
		assert.Equal(t, int64(100), got.LastT)
		assert.Equal(t, -1, got.Drift)
		assert.True(t, got.Confirmed)
		assert.Equal(t, totp.Throttle{}, got.Throttle, "a success resets the throttle")

		ok, err = h.Store.Succeed(ctx, d.ID, totp.Success{T: 100, Drift: 3})
		require.NoError(t, err)
		require.False(t, ok, "the same step twice")
		ok, err = h.Store.Succeed(ctx, d.ID, totp.Success{T: 99})
		require.NoError(t, err)
		require.False(t, ok, "an earlier step")
		got = get(t, h, d.ID)
		assert.Equal(t, int64(100), got.LastT)
		assert.Equal(t, -1, got.Drift)

		ok, err = h.Store.Succeed(ctx, d.ID, totp.Success{T: 101})
		require.NoError(t, err)
		require.True(t, ok)
		assert.True(t, get(t, h, d.ID).Confirmed, "Confirm false leaves a confirmed device confirmed")

		_, err = h.Store.Succeed(ctx, d.ID+1000, totp.Success{T: 1})
		require.ErrorIs(t, err, mfa.ErrNoDevice)
	})
	t.Run("RenameDeleteAreTheOwners", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		ctx := t.Context()
		d := confirmed(t, h, "", 6)
		other := h.NewUser(t)
		require.ErrorIs(t, h.Store.Rename(ctx, other, d.ID, "mine"), mfa.ErrNoDevice)
		require.ErrorIs(t, h.Store.Delete(ctx, other, d.ID), mfa.ErrNoDevice)
		require.NoError(t, h.Store.Rename(ctx, d.UserID, d.ID, "work phone"))
		require.Equal(t, "work phone", get(t, h, d.ID).Name)
		require.NoError(t, h.Store.Delete(ctx, d.UserID, d.ID))
		_, err := h.Store.Get(ctx, d.ID)
		require.ErrorIs(t, err, mfa.ErrNoDevice)
		require.ErrorIs(t, h.Store.Delete(ctx, d.UserID, d.ID), mfa.ErrNoDevice)
		require.ErrorIs(t, h.Store.Rename(ctx, d.UserID, d.ID, "x"), mfa.ErrNoDevice)
	})
}

func runFactor(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("RFC6238Vectors", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		for _, v := range RFCVectors {
			d := confirmed(t, h, RFCKey, 8)
			clock := NewClock(time.Unix(v.Unix, 0))
			f := factor(t, h, clock)
			got, err := f.VerifyCode(t.Context(), d.UserID, v.Code)
			require.NoError(t, err, "at %d", v.Unix)
			require.Equal(t, d.PersistentID(), got.PersistentID)
			require.Equal(t, "totp", got.Factor)
			require.Equal(t, (v.Unix / 30), get(t, h, d.ID).LastT)
		}
	})
	t.Run("ReplayRefused", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		clock := NewClock(t0)
		f := factor(t, h, clock)
		d := confirmed(t, h, "", 6)
		c := code(t, d, t0)
		_, err := f.VerifyCode(t.Context(), d.UserID, c)
		require.NoError(t, err)
		clock.Add(10 * time.Second)
		_, err = f.VerifyCode(t.Context(), d.UserID, c)
		require.ErrorIs(t, err, mfa.ErrInvalidCode)
		// the previous step is within tolerance but not after last_t
		clock.Add(500 * time.Millisecond)
		_, err = f.VerifyCode(t.Context(), d.UserID, code(t, d, t0.Add(-30*time.Second)))
		require.ErrorIs(t, err, mfa.ErrThrottled, "the failure above throttles for a second")
		clock.Add(time.Second)
		_, err = f.VerifyCode(t.Context(), d.UserID, code(t, d, t0.Add(-30*time.Second)))
		require.ErrorIs(t, err, mfa.ErrInvalidCode)
		clock.Add(time.Minute)
		_, err = f.VerifyCode(t.Context(), d.UserID, code(t, d, clock.Now()))
		require.NoError(t, err, "a later step")
	})
	t.Run("ToleranceWindow", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name  string
			steps int
			ok    bool
		}{{"previous", -1, true}, {"next", 1, true}, {"two back", -2, false}, {"two ahead", 2, false}} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				f := factor(t, h, NewClock(t0.Add(15*time.Second)))
				d := confirmed(t, h, "", 6)
				_, err := f.VerifyCode(t.Context(), d.UserID, code(t, d, t0.Add(time.Duration(tc.steps)*30*time.Second)))
				if tc.ok {
					require.NoError(t, err)
				} else {
					require.ErrorIs(t, err, mfa.ErrInvalidCode)
				}
			})
		}
	})
	t.Run("DriftLearned", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		clock := NewClock(t0)
		f := factor(t, h, clock)
		d := confirmed(t, h, "", 6)
		// the authenticator runs one step ahead
		_, err := f.VerifyCode(t.Context(), d.UserID, code(t, d, t0.Add(30*time.Second)))
		require.NoError(t, err)
		got := get(t, h, d.ID)
		require.Equal(t, 1, got.Drift)
		require.Equal(t, t0.Unix()/30+1, got.LastT)
		// two steps ahead is now within the window around the drift
		clock.Add(30 * time.Second)
		_, err = f.VerifyCode(t.Context(), d.UserID, code(t, d, t0.Add(90*time.Second)))
		require.NoError(t, err)
		require.Equal(t, 2, get(t, h, d.ID).Drift)

		nosync, err := totp.New(totp.Config{Store: h.Store, Now: clock.Now, NoDriftSync: true})
		require.NoError(t, err)
		clock.Add(90 * time.Second)
		_, err = nosync.VerifyCode(t.Context(), d.UserID, code(t, d, clock.Now().Add(90*time.Second)))
		require.NoError(t, err)
		got = get(t, h, d.ID)
		require.Equal(t, 2, got.Drift, "NoDriftSync keeps the drift")
		require.Equal(t, clock.Now().Unix()/30+3, got.LastT)
	})
	t.Run("Throttling", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		clock := NewClock(t0)
		f := factor(t, h, clock)
		d := confirmed(t, h, "", 6)
		ctx := t.Context()
		wrong := "000000"
		if code(t, d, t0) == wrong {
			wrong = "111111"
		}
		for n := 1; n <= 4; n++ {
			_, err := f.VerifyCode(ctx, d.UserID, wrong)
			require.ErrorIs(t, err, mfa.ErrInvalidCode, "attempt %d", n)
			require.Equal(t, n, get(t, h, d.ID).Throttle.Failures)
			delay := time.Duration(1<<(n-1)) * time.Second
			clock.Add(delay - time.Millisecond)
			// refused without looking at the code, and not counted
			_, err = f.VerifyCode(ctx, d.UserID, code(t, d, clock.Now()))
			var te *mfa.ThrottledError
			require.ErrorAs(t, err, &te, "attempt %d during the delay", n)
			require.Equal(t, time.Millisecond, te.RetryAfter)
			require.Equal(t, n, get(t, h, d.ID).Throttle.Failures)
			clock.Add(time.Millisecond)
		}
		_, err := f.VerifyCode(ctx, d.UserID, code(t, d, clock.Now()))
		require.NoError(t, err)
		require.Equal(t, totp.Throttle{}, get(t, h, d.ID).Throttle, "a success resets the count")

		// malformed codes are failures too
		clock.Add(time.Minute)
		_, err = f.VerifyCode(ctx, d.UserID, "12a456")
		require.ErrorIs(t, err, mfa.ErrInvalidCode)
		require.Equal(t, 1, get(t, h, d.ID).Throttle.Failures)

		slow, err := totp.New(totp.Config{Store: h.Store, Now: clock.Now, ThrottleFactor: 10 * time.Second})
		require.NoError(t, err)
		clock.Add(5 * time.Second)
		_, err = slow.VerifyCode(ctx, d.UserID, wrong)
		require.ErrorIs(t, err, mfa.ErrThrottled, "the factor scales the delay")
	})
	t.Run("ConcurrentSameCode", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		clock := NewClock(t0)
		f := factor(t, h, clock)
		d := confirmed(t, h, "", 6)
		c := code(t, d, t0)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = f.VerifyCode(t.Context(), d.UserID, c)
			}()
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
				t.Fatalf("unexpected error %v", err)
			}
		}
		require.Equal(t, 1, ok, "exactly one of %d concurrent uses of one code succeeds: %v", n, errs)
	})
	t.Run("EnrolConfirm", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		clock := NewClock(t0)
		f := factor(t, h, clock)
		ctx := t.Context()
		user := h.NewUser(t)
		d, err := f.Begin(ctx, user, "phone")
		require.NoError(t, err)
		require.False(t, d.Confirmed)
		require.Len(t, d.Key, 40)
		require.Equal(t, int64(-1), d.LastT)

		// an unconfirmed device never verifies a login
		_, err = f.VerifyCode(ctx, user, code(t, d, t0))
		require.ErrorIs(t, err, mfa.ErrNoDevice)
		devs, err := f.Devices(ctx, user)
		require.NoError(t, err)
		require.Empty(t, devs)
		_, err = f.VerifyDevice(ctx, user, d.ID, code(t, d, t0))
		require.ErrorIs(t, err, mfa.ErrNoDevice)

		other := h.NewUser(t)
		_, err = f.Confirm(ctx, other, d.ID, code(t, d, t0))
		require.ErrorIs(t, err, mfa.ErrNoDevice, "another user's device")
		_, err = f.Confirm(ctx, user, d.ID, "000000x")
		require.ErrorIs(t, err, mfa.ErrInvalidCode)
		clock.Add(time.Second)
		c := code(t, d, clock.Now())
		d, err = f.Confirm(ctx, user, d.ID, c)
		require.NoError(t, err)
		require.True(t, d.Confirmed)
		_, err = f.Confirm(ctx, user, d.ID, c)
		require.ErrorIs(t, err, totp.ErrConfirmed)
		_, err = f.VerifyCode(ctx, user, c)
		require.ErrorIs(t, err, mfa.ErrInvalidCode, "the confirming code is spent")

		devs, err = f.Devices(ctx, user)
		require.NoError(t, err)
		require.Equal(t, []mfa.Device{{Factor: "totp", ID: d.ID, UserID: user, Name: "phone", PersistentID: d.PersistentID()}}, devs)

		require.ErrorIs(t, f.Rename(ctx, user, d.ID, ""), totp.ErrInvalidName)
		require.ErrorIs(t, f.Rename(ctx, other, d.ID, "x"), mfa.ErrNoDevice)
		require.NoError(t, f.Rename(ctx, user, d.ID, "work phone"))
		list, err := f.List(ctx, user)
		require.NoError(t, err)
		require.Equal(t, "work phone", list[0].Name)
		require.ErrorIs(t, f.Remove(ctx, other, d.ID), mfa.ErrNoDevice)
		require.NoError(t, f.Remove(ctx, user, d.ID))
		_, err = f.VerifyCode(ctx, user, code(t, d, clock.Now().Add(time.Minute)))
		require.ErrorIs(t, err, mfa.ErrNoDevice)
	})
	t.Run("SeveralDevices", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		clock := NewClock(t0)
		f := factor(t, h, clock)
		ctx := t.Context()
		a := confirmed(t, h, "", 6)
		b, err := totp.NewDevice(a.UserID, "backup phone")
		require.NoError(t, err)
		b.Confirmed = true
		b, err = h.Store.Create(ctx, b)
		require.NoError(t, err)
		got, err := f.VerifyCode(ctx, a.UserID, code(t, b, t0))
		require.NoError(t, err)
		require.Equal(t, b.ID, got.ID)
		// device a counted the failure, as django-otp's match_token does
		require.Equal(t, 1, get(t, h, a.ID).Throttle.Failures)
		require.Equal(t, 0, get(t, h, b.ID).Throttle.Failures)
	})
	t.Run("CorruptKeyFailsClosed", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		f := factor(t, h, NewClock(t0))
		d := confirmed(t, h, "not hex at all", 6)
		_, err := f.VerifyCode(t.Context(), d.UserID, "123456")
		require.ErrorIs(t, err, mfa.ErrInvalidCode)
		require.ErrorIs(t, err, totp.ErrInvalidDevice)
	})
}
