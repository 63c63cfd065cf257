package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/throttle"
)

// fakeClock is a clock that a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

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

// withLimiter configures a throttle.Limiter over a memory store on clock,
// trusting httptest's RemoteAddr (192.0.2.1) as a proxy, so that tests
// choose the client address with X-Forwarded-For.
func withLimiter(clock *fakeClock) envOption[auth.User] {
	return func(cfg *auth.Config[auth.User], _ *env[auth.User]) {
		proxies, err := throttle.ParseTrustedProxies("192.0.2.1")
		if err != nil {
			panic(err)
		}
		l, err := throttle.New(throttle.Config{Store: throttle.NewMemoryStore(), TrustedProxies: proxies, Now: clock.Now})
		if err != nil {
			panic(err)
		}
		cfg.Limiter = l
	}
}

func loginFrom(c *client, addr, username, password string) *http.Response {
	c.t.Helper()
	return c.post("/accounts/login/", url.Values{"username": {username}, "password": {password}}, "X-Forwarded-For", addr)
}

func TestLimitScopeMatchesThrottle(t *testing.T) {
	require.Equal(t, throttle.ScopeLogin, auth.LimitScopeLogin)
}

// TestLoginLockedOutCostsNoHash: after ten failures the account is locked;
// the right password is then answered 429 with Retry-After, without
// hashing anything and without logging in, from any address, while
// another account behind the same address logs in.
func TestLoginLockedOutCostsNoHash(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, withLimiter(clock))
	e.createUser("alice", "right")
	e.createUser("bob", "right")
	var locked []auth.LockedOut
	nFailed := 0
	e.a.Signals().UserLoginFailed.Connect(func(context.Context, auth.LoginFailed) { nFailed++ })
	e.a.Signals().UserLockedOut.Connect(func(_ context.Context, ev auth.LockedOut) { locked = append(locked, ev) })
	c := newClient(t, e.app())
	for i := range 10 {
		resp := loginFrom(c, "198.51.100.1", "alice", "wrong")
		require.Equal(t, http.StatusOK, resp.StatusCode, "failure %d is answered normally", i+1)
		require.Contains(t, readBody(t, resp), "Please enter a correct username")
		clock.Advance(time.Minute) // past every delay, so that only the lockout counts
	}
	require.Equal(t, 10, nFailed)
	require.Len(t, locked, 1, "the tenth failure locks")
	require.Equal(t, "alice", locked[0].Key)
	require.Equal(t, auth.LimitScopeLogin, locked[0].Scope)

	runs := e.runs.Load()
	for _, addr := range []string{"198.51.100.1", "203.0.113.9"} {
		resp := loginFrom(c, addr, "alice", "right")
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		require.Equal(t, "840", resp.Header.Get("Retry-After"), "15 minutes after the last failure, a minute ago")
		require.Contains(t, readBody(t, resp), "Too many failed attempts. Please try again in 840 seconds.")
		require.Empty(t, c.session(), "not logged in")
	}
	require.Equal(t, runs, e.runs.Load(), "a locked-out attempt costs no password hash")
	require.Equal(t, 10, nFailed, "refused attempts are not failed logins")
	require.Len(t, locked, 3, "each refused attempt of a locked account is signalled")

	resp := loginFrom(newClient(t, e.app()), "198.51.100.1", "bob", "right")
	require.Equal(t, http.StatusFound, resp.StatusCode, "one locked account does not lock its address")

	clock.Advance(14 * time.Minute)
	resp = loginFrom(c, "198.51.100.1", "alice", "right")
	require.Equal(t, http.StatusFound, resp.StatusCode, "the lockout ends after its cool-off")
}

// TestLoginDelayDoubles: three failures are free; after the fourth the
// next attempt waits a second, after the fifth two, and a refused attempt
// costs no hash.
func TestLoginDelayDoubles(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, withLimiter(clock))
	e.createUser("alice", "right")
	c := newClient(t, e.app())
	for range 4 {
		require.Equal(t, http.StatusOK, loginFrom(c, "198.51.100.1", "alice", "wrong").StatusCode)
	}
	runs := e.runs.Load()
	resp := loginFrom(c, "198.51.100.1", "alice", "wrong")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "1", resp.Header.Get("Retry-After"))
	require.Equal(t, runs, e.runs.Load())
	clock.Advance(time.Second)
	require.Equal(t, http.StatusOK, loginFrom(c, "198.51.100.1", "alice", "wrong").StatusCode)
	require.Equal(t, runs+1, e.runs.Load(), "the attempt after the delay is checked")
	resp = loginFrom(c, "198.51.100.1", "alice", "right")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "2", resp.Header.Get("Retry-After"))
}

// TestLoginSuccessResetsAccount: a login with the right password clears
// the account's failures, so the next three failures are free again.
func TestLoginSuccessResetsAccount(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, withLimiter(clock))
	e.createUser("alice", "right")
	c := newClient(t, e.app())
	for range 4 {
		loginFrom(c, "198.51.100.1", "alice", "wrong")
	}
	clock.Advance(time.Second)
	require.Equal(t, http.StatusFound, loginFrom(c, "198.51.100.1", "alice", "right").StatusCode)
	c2 := newClient(t, e.app())
	for i := range 4 {
		require.Equal(t, http.StatusOK, loginFrom(c2, "198.51.100.1", "alice", "wrong").StatusCode, "failure %d", i+1)
	}
	require.Equal(t, http.StatusTooManyRequests, loginFrom(c2, "198.51.100.1", "alice", "wrong").StatusCode)
}

// TestLoginThrottleKeyIsCleanedUsername: " alice " and "alice" are one
// account to the limiter, as they are to the login form.
func TestLoginThrottleKeyIsCleanedUsername(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, withLimiter(clock))
	e.createUser("alice", "right")
	c := newClient(t, e.app())
	for _, u := range []string{"alice", " alice", "alice ", "\talice"} {
		loginFrom(c, "198.51.100.1", u, "wrong")
	}
	require.Equal(t, http.StatusTooManyRequests, loginFrom(c, "198.51.100.1", "alice", "right").StatusCode)
}

// TestLoginFormErrorsAreNotCounted: a form with errors authenticates
// nothing, so it neither counts nor is refused.
func TestLoginFormErrorsAreNotCounted(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, withLimiter(clock))
	e.createUser("alice", "right")
	c := newClient(t, e.app())
	for range 20 {
		require.Equal(t, http.StatusOK, loginFrom(c, "198.51.100.1", "alice", "").StatusCode)
	}
	require.Equal(t, http.StatusFound, loginFrom(c, "198.51.100.1", "alice", "right").StatusCode)
}

// brokenLimiter is a Limiter whose store is down.
type brokenLimiter struct{}

var errLimiterDown = errors.New("limiter store down")

func (brokenLimiter) Check(context.Context, *http.Request, string, string) (time.Duration, bool, error) {
	return 0, false, errLimiterDown
}

func (brokenLimiter) Fail(context.Context, *http.Request, string, string) (time.Duration, bool, error) {
	return 0, false, errLimiterDown
}

func (brokenLimiter) Succeed(context.Context, *http.Request, string, string) error {
	return errLimiterDown
}

// TestLoginLimiterDownFailsClosed: when the limiter cannot answer, the
// login page answers 500 without hashing or logging in.
func TestLoginLimiterDownFailsClosed(t *testing.T) {
	e := newEnv(t, func(cfg *auth.Config[auth.User], _ *env[auth.User]) { cfg.Limiter = brokenLimiter{} })
	e.createUser("alice", "right")
	runs := e.runs.Load()
	c := newClient(t, e.app())
	resp := c.login("alice", "right")
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	require.Equal(t, runs, e.runs.Load())
	require.Empty(t, c.session())
}

// cancellingHasher is MD5 whose Verify cancels the request's context, as
// a client that half-closes its connection while its password is hashed
// does (from the security review).
type cancellingHasher struct {
	hashers.MD5
	cancel *func()
}

func (h cancellingHasher) Verify(p, e string) (bool, error) {
	(*h.cancel)()
	return h.MD5.Verify(p, e)
}

// TestLimiterCountsFailuresOfGoneClients: a wrong password whose client
// went away during the hash is counted all the same, so that going away
// is not a free guess; the account locks as usual.
func TestLimiterCountsFailuresOfGoneClients(t *testing.T) {
	t.Parallel()
	cancel := func() {}
	reg := hashers.New(cancellingHasher{cancel: &cancel})
	clock := newFakeClock()
	e := newEnv(t, withLimiter(clock), func(cfg *auth.Config[auth.User], e *env[auth.User]) {
		e.hashers = reg
		cfg.Hashers = reg
	})
	u := auth.NewUser("alice")
	var err error
	u.Password, err = hashers.MD5{}.Encode("s3cret", hashers.NewSalt())
	require.NoError(t, err)
	require.NoError(t, e.store.CreateUser(t.Context(), &u))
	app := e.app()
	post := func(pw string) int {
		ctx, c := context.WithCancel(context.Background())
		defer c()
		cancel = c
		form := url.Values{"username": {"alice"}, "password": {pw}}
		req := httptest.NewRequest(http.MethodPost, "http://testserver/accounts/login/", strings.NewReader(form.Encode())).WithContext(ctx)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		return rec.Code
	}
	codes := map[int]int{}
	for i := range 30 {
		codes[post(fmt.Sprintf("wrong%d", i))]++
	}
	assert.Positive(t, codes[http.StatusTooManyRequests], "the failures of clients that went away were counted: %v", codes)
	assert.Equal(t, http.StatusTooManyRequests, post("s3cret"), "the account is throttled")
}
