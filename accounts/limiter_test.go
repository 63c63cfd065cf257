package accounts_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/throttle"
)

// fakeClock is a clock that a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// withLimiter gives the Auth a throttle.Limiter on clock that trusts
// httptest's RemoteAddr (192.0.2.1) as a proxy, so that X-Forwarded-For
// chooses the client address.
func withLimiter(t testing.TB, clock *fakeClock) option {
	proxies, err := throttle.ParseTrustedProxies("192.0.2.1")
	require.NoError(t, err)
	l, err := throttle.New(throttle.Config{Store: throttle.NewMemoryStore(), TrustedProxies: proxies, Now: clock.Now})
	require.NoError(t, err)
	return func(c *envConfig) { c.Limiter = l }
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func TestLimitScopesMatchThrottle(t *testing.T) {
	require.Equal(t, throttle.ScopePasswordReset, accounts.LimitScopePasswordReset)
	require.Equal(t, throttle.ScopePasswordChange, accounts.LimitScopePasswordChange)
}

// TestPasswordResetThrottledPerEmail: two mails go at once, the third
// request waits a minute (429, Retry-After, no mail), whatever the case
// of the address and whether it has an account; another email from
// another address is not held up.
func TestPasswordResetThrottledPerEmail(t *testing.T) {
	t.Parallel()
	clock := newClock()
	e := newEnv(t, withLimiter(t, clock))
	e.createUser("staff", "password", mailTo("staff@example.com"))
	reset := func(c *client, addr, email string) *http.Response {
		return c.post("/accounts/password_reset/", url.Values{"email": {email}}, "X-Forwarded-For", addr)
	}
	c := e.client()
	require.Equal(t, http.StatusFound, reset(c, "198.51.100.1", "staff@example.com").StatusCode)
	require.Equal(t, http.StatusFound, reset(c, "198.51.100.2", "STAFF@example.com").StatusCode)
	resp := reset(c, "198.51.100.3", "staff@example.com")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "60", resp.Header.Get("Retry-After"))
	require.Contains(t, body(t, resp), "Too many failed attempts. Please try again in 60 seconds.")

	// An email without an account is throttled the same way: a 429 does
	// not tell which emails have accounts.
	require.Equal(t, http.StatusFound, reset(c, "198.51.100.1", "nobody@example.com").StatusCode)
	require.Equal(t, http.StatusFound, reset(c, "198.51.100.1", "nobody@example.com").StatusCode)
	require.Equal(t, http.StatusTooManyRequests, reset(c, "198.51.100.1", "nobody@example.com").StatusCode)

	require.Equal(t, http.StatusFound, reset(c, "203.0.113.7", "other@example.com").StatusCode)
	clock.Advance(time.Minute)
	require.Equal(t, http.StatusFound, reset(c, "198.51.100.3", "staff@example.com").StatusCode)
	e.settle()
	require.Len(t, e.outbox.Messages(), 3, "two, none for the refused request, one after the wait")
}

// TestPasswordResetThrottledPerAddress: one address asking for mails to
// many emails is held up after ten free ones and one more.
func TestPasswordResetThrottledPerAddress(t *testing.T) {
	t.Parallel()
	clock := newClock()
	e := newEnv(t, withLimiter(t, clock))
	c := e.client()
	for i := range 11 {
		resp := c.post("/accounts/password_reset/", url.Values{"email": {string(rune('a'+i)) + "@example.com"}}, "X-Forwarded-For", "198.51.100.1")
		require.Equal(t, http.StatusFound, resp.StatusCode, "request %d", i+1)
	}
	resp := c.post("/accounts/password_reset/", url.Values{"email": {"z@example.com"}}, "X-Forwarded-For", "198.51.100.1")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "10", resp.Header.Get("Retry-After"))
}

// TestPasswordChangeThrottled: wrong old passwords on the change page
// are counted per user; once locked, even the right one is refused with
// 429 without hashing, and the LockedOut signal fires.
func TestPasswordChangeThrottled(t *testing.T) {
	t.Parallel()
	clock := newClock()
	runs := new(atomic.Int64)
	g := gatedHasher{runs: runs, gated: new(atomic.Bool), gate: make(chan struct{})}
	e := newEnvHashers(t, hashers.New(g), withLimiter(t, clock))
	u := e.createUser("testclient", "password")
	var locked []auth.LockedOut
	e.a.Signals().UserLockedOut.Connect(func(_ context.Context, ev auth.LockedOut) { locked = append(locked, ev) })
	c := e.client()
	c.login("testclient", "password")
	change := func(old string) *http.Response {
		return c.post("/accounts/password_change/", url.Values{
			"old_password": {old}, "new_password1": {"horse-battery"}, "new_password2": {"horse-battery"},
		}, "X-Forwarded-For", "198.51.100.1")
	}
	for i := range 10 {
		resp := change("wrong")
		require.Equal(t, http.StatusOK, resp.StatusCode, "attempt %d", i+1)
		require.Contains(t, body(t, resp), "Your old password was entered incorrectly.")
		clock.Advance(time.Minute)
	}
	require.Len(t, locked, 1)
	require.Equal(t, accounts.LimitScopePasswordChange, locked[0].Scope)
	before := runs.Load()
	resp := change("password")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "840", resp.Header.Get("Retry-After"))
	require.Equal(t, before, runs.Load(), "a refused change costs no hash")
	require.True(t, e.checkPassword(u.ID, "password"), "unchanged")
	clock.Advance(14 * time.Minute)
	require.Equal(t, http.StatusFound, change("password").StatusCode)
	require.True(t, e.checkPassword(u.ID, "horse-battery"))
}

// TestResetThrottleKeyFoldsEmail (from the security review): the per-email
// counter is keyed as users are matched (NFKC and full case folding), so
// spelling the address with a long s "ſ" or other case variants is the
// same counter, not a new one for the same mailbox.
func TestResetThrottleKeyFoldsEmail(t *testing.T) {
	t.Parallel()
	clock := newClock()
	e := newEnv(t, withLimiter(t, clock))
	e.createUser("victim", "password", mailTo("sass@example.com"))
	c := e.client()
	reset := func(addr, email string) int {
		return c.post("/accounts/password_reset/", url.Values{"email": {email}}, "X-Forwarded-For", addr).StatusCode
	}
	require.Equal(t, http.StatusFound, reset("198.51.100.1", "sass@example.com"))
	require.Equal(t, http.StatusFound, reset("198.51.100.2", "SASS@example.com"))
	for i, v := range []string{"ſass@example.com", "saſs@example.com", "sasſ@EXAMPLE.com"} {
		assert.Equal(t, http.StatusTooManyRequests, reset(fmt.Sprintf("203.0.113.%d", i+1), v), v)
	}
	e.settle()
	assert.Len(t, e.outbox.Messages(), 2, "no more mails to the mailbox than the limit allows")
}
