package throttle_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/throttle"
)

// clock is a fake clock that a test moves by hand.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }
func newClock() *clock                   { return &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }
func request(remote string) *http.Request {
	r := httptest.NewRequest("POST", "/accounts/login/", nil)
	r.RemoteAddr = remote
	return r
}

func newLimiter(t *testing.T, c *clock, cfg throttle.Config) *throttle.Limiter {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = throttle.NewMemoryStore()
	}
	cfg.Now = c.Now
	l, err := throttle.New(cfg)
	require.NoError(t, err)
	return l
}

// TestDelaysDoubleThenLock walks the default login rule for one account:
// three free failures, then 1, 2, 4, 8, 16, 32 seconds, and a lockout of
// 15 minutes after the tenth.
func TestDelaysDoubleThenLock(t *testing.T) {
	c := newClock()
	l := newLimiter(t, c, throttle.Config{})
	ctx := t.Context()
	r := request("203.0.113.5:1234")
	wantWait := []time.Duration{0, 0, 0, 1, 2, 4, 8, 16, 32, 15 * 60}
	for i, want := range wantWait {
		wait, locked, err := l.Check(ctx, r, throttle.ScopeLogin, "alice")
		require.NoError(t, err)
		require.Zero(t, wait, "attempt %d may go ahead", i+1)
		require.False(t, locked)
		wait, locked, err = l.Fail(ctx, r, throttle.ScopeLogin, "alice")
		require.NoError(t, err)
		require.Equal(t, want*time.Second, wait, "after failure %d", i+1)
		require.Equal(t, i == 9, locked, "after failure %d", i+1)
		// Just before the wait ends the attempt is refused, at its end it is let through.
		if want > 0 {
			c.advance(want*time.Second - time.Microsecond)
			wait, got, err := l.Check(ctx, r, throttle.ScopeLogin, "alice")
			require.NoError(t, err)
			require.Equal(t, time.Microsecond, wait)
			require.Equal(t, locked, got)
			c.advance(time.Microsecond)
		}
	}
	// The cool-off ended: the counter expired, and failing again starts over.
	wait, _, err := l.Fail(ctx, r, throttle.ScopeLogin, "alice")
	require.NoError(t, err)
	require.Zero(t, wait)
}

func TestDelayCapped(t *testing.T) {
	c := newClock()
	l := newLimiter(t, c, throttle.Config{Rules: map[string]throttle.Rule{
		throttle.ScopeLogin: {
			Key:     throttle.Policy{FreeFailures: 1, BaseDelay: time.Second, MaxDelay: 5 * time.Second, LockoutAfter: -1, CoolOff: time.Hour},
			Address: throttle.Policy{FreeFailures: 1000},
		},
	}})
	r := request("203.0.113.5:1234")
	var last time.Duration
	for range 50 {
		wait, locked, err := l.Fail(t.Context(), r, throttle.ScopeLogin, "bob")
		require.NoError(t, err)
		require.False(t, locked, "LockoutAfter < 0 never locks")
		last = wait
	}
	require.Equal(t, 5*time.Second, last)
}

func TestSuccessResetsAccountNotAddress(t *testing.T) {
	c := newClock()
	l := newLimiter(t, c, throttle.Config{Rules: map[string]throttle.Rule{
		throttle.ScopeLogin: {Address: throttle.Policy{FreeFailures: 11, LockoutAfter: 20}},
	}})
	ctx := t.Context()
	r := request("203.0.113.5:1234")
	for range 12 {
		_, _, err := l.Fail(ctx, r, throttle.ScopeLogin, "alice")
		require.NoError(t, err)
	}
	require.NoError(t, l.Succeed(ctx, r, throttle.ScopeLogin, "alice"))
	// The account is clean, but the address still owes its delay.
	wait, locked, err := l.Check(ctx, request("198.51.100.1:1"), throttle.ScopeLogin, "alice")
	require.NoError(t, err)
	require.Zero(t, wait)
	require.False(t, locked)
	wait, _, err = l.Check(ctx, r, throttle.ScopeLogin, "carol")
	require.NoError(t, err)
	require.Equal(t, time.Second, wait)
}

// TestAccountLockoutIsPerAccount: failures on one account lock it from
// every address, and do not stop another user behind the same address.
func TestAccountLockoutIsPerAccount(t *testing.T) {
	c := newClock()
	l := newLimiter(t, c, throttle.Config{})
	ctx := t.Context()
	nat := request("203.0.113.5:1234")
	for range 10 {
		_, _, err := l.Fail(ctx, nat, throttle.ScopeLogin, "alice")
		require.NoError(t, err)
	}
	wait, locked, err := l.Check(ctx, request("198.51.100.7:9"), throttle.ScopeLogin, "alice")
	require.NoError(t, err)
	require.True(t, locked)
	require.Equal(t, 15*time.Minute, wait)
	wait, _, err = l.Check(ctx, nat, throttle.ScopeLogin, "bob")
	require.NoError(t, err)
	require.Zero(t, wait, "10 failures are far below the address's free 30")
}

func TestAddressLockout(t *testing.T) {
	c := newClock()
	l := newLimiter(t, c, throttle.Config{})
	ctx := t.Context()
	r := request("[2001:db8:1:2::1]:1234")
	for i := range 300 {
		// A fresh username each time: only the address counter grows.
		_, _, err := l.Fail(ctx, r, throttle.ScopeLogin, string(rune('a'+i%26))+string(rune('0'+i/26)))
		require.NoError(t, err)
	}
	// Another address of the same /64 is the same counter.
	wait, locked, err := l.Check(ctx, request("[2001:db8:1:2::99]:1"), throttle.ScopeLogin, "zed")
	require.NoError(t, err)
	require.True(t, locked)
	require.Equal(t, 15*time.Minute, wait)
	wait, _, err = l.Check(ctx, request("[2001:db8:1:3::1]:1"), throttle.ScopeLogin, "zed")
	require.NoError(t, err)
	require.Zero(t, wait)
}

func TestScopesAreSeparate(t *testing.T) {
	c := newClock()
	l := newLimiter(t, c, throttle.Config{})
	ctx := t.Context()
	r := request("203.0.113.5:1234")
	wait, _, err := l.Fail(ctx, r, throttle.ScopePasswordReset, "a@example.com")
	require.NoError(t, err)
	require.Zero(t, wait, "a second mail may follow at once")
	wait, _, err = l.Fail(ctx, r, throttle.ScopePasswordReset, "a@example.com")
	require.NoError(t, err)
	require.Equal(t, time.Minute, wait, "then a minute")
	wait, _, err = l.Check(ctx, r, throttle.ScopeLogin, "a@example.com")
	require.NoError(t, err)
	require.Zero(t, wait)
}

func TestLockoutsAndReset(t *testing.T) {
	c := newClock()
	l := newLimiter(t, c, throttle.Config{})
	ctx := t.Context()
	r := request("203.0.113.5:1234")
	for range 10 {
		_, _, err := l.Fail(ctx, r, throttle.ScopeLogin, "alice")
		require.NoError(t, err)
	}
	got, err := l.Lockouts(ctx)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, throttle.KindAddress, got[0].Kind)
	require.False(t, got[0].Blocked(c.now), "10 failures are free for an address")
	require.Equal(t, "alice", got[1].Value)
	require.True(t, got[1].Locked)
	require.True(t, got[1].Blocked(c.now))
	require.Equal(t, c.now.Add(15*time.Minute), got[1].Until)
	n, err := l.Reset(ctx, throttle.KindKey, "alice")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	wait, _, err := l.Check(ctx, r, throttle.ScopeLogin, "alice")
	require.NoError(t, err)
	require.Zero(t, wait)
	n, err = l.Reset(ctx, throttle.KindAddress, "203.0.113.5")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got, err = l.Lockouts(ctx)
	require.NoError(t, err)
	require.Empty(t, got)
}

// TestCoolOffWithRealClock runs the limiter on time.Now inside a synctest
// bubble: the lockout ends when the fake clock passes the cool-off, and
// Prune then drops the counters.
func TestCoolOffWithRealClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := throttle.NewMemoryStore()
		l, err := throttle.New(throttle.Config{Store: store})
		require.NoError(t, err)
		ctx := t.Context()
		r := request("203.0.113.5:1234")
		for range 10 {
			_, _, err := l.Fail(ctx, r, throttle.ScopeLogin, "alice")
			require.NoError(t, err)
		}
		time.Sleep(15*time.Minute - time.Second)
		wait, locked, err := l.Check(ctx, r, throttle.ScopeLogin, "alice")
		require.NoError(t, err)
		require.True(t, locked)
		require.Equal(t, time.Second, wait)
		time.Sleep(time.Second)
		wait, _, err = l.Check(ctx, r, throttle.ScopeLogin, "alice")
		require.NoError(t, err)
		require.Zero(t, wait)
		time.Sleep(time.Hour) // the longest default cool-off
		n, err := l.Prune(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		require.Zero(t, store.Len())
	})
}

func TestNewRefusesBadConfig(t *testing.T) {
	_, err := throttle.New(throttle.Config{})
	require.ErrorIs(t, err, throttle.ErrConfig)
	_, err = throttle.New(throttle.Config{Store: throttle.NewMemoryStore(), Rules: map[string]throttle.Rule{
		"login": {Key: throttle.Policy{BaseDelay: time.Hour, MaxDelay: time.Hour, CoolOff: time.Minute}},
	}})
	require.ErrorIs(t, err, throttle.ErrConfig)
}

func TestTrustedProxyAddress(t *testing.T) {
	c := newClock()
	trusted, err := throttle.ParseTrustedProxies("10.0.0.0/8")
	require.NoError(t, err)
	l := newLimiter(t, c, throttle.Config{TrustedProxies: trusted})
	r := request("10.0.0.2:80")
	r.Header.Set("X-Forwarded-For", "6.6.6.6, 198.51.100.4")
	require.Equal(t, "198.51.100.4", l.AddressKey(r))
}
