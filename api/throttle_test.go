package api_test

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// retryAfter reads a throttled answer's Retry-After, in the error shape
// with code throttled.
func retryAfter(t *testing.T, r *reply) time.Duration {
	t.Helper()
	require.Equal(t, http.StatusTooManyRequests, r.status, "%s", r.raw)
	assert.Equal(t, "throttled", r.code())
	n, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After %q", r.header.Get("Retry-After"))
	require.Positive(t, n)
	return time.Duration(n) * time.Second
}

// TestSigninLockout: wrong passwords are throttled as on the login page
// (3 free failures, then a growing delay, locked for 15 minutes after
// 10), 429 throttled with Retry-After; while throttled the right password
// is refused alike (no oracle), and it works once the wait is over.
func TestSigninLockout(t *testing.T) {
	s := newApp(t, appOptions{pg: usePG()})
	s.createUser("lou", "lou@example.com", pw)
	var lockouts atomic.Int32
	s.a.Signals().UserLockedOut.Connect(func(context.Context, auth.LockedOut) { lockouts.Add(1) })
	signin := func(password string) *reply {
		return s.client().do(http.MethodPost, "signin", map[string]any{"username": "lou", "password": password, "transport": "token"})
	}
	failures, throttledSeen := 0, 0
	var wait time.Duration
	for failures < 10 {
		r := signin("wrong")
		if r.status == http.StatusTooManyRequests {
			throttledSeen++
			wait = retryAfter(t, r)
			assert.Equal(t, http.StatusTooManyRequests, signin(pw).status, "the right password is refused while throttled")
			s.advance(wait + time.Second)
			continue
		}
		require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.raw)
		assert.Equal(t, "invalid_credentials", r.code())
		failures++
		if failures <= 3 {
			assert.Zero(t, throttledSeen, "three failures are free")
		}
	}
	assert.Positive(t, throttledSeen)
	// Locked out: the wait is the cool-off, far above the delays.
	r := signin(pw)
	wait = retryAfter(t, r)
	assert.Greater(t, wait, 5*time.Minute, "locked out for the cool-off")
	assert.LessOrEqual(t, wait, 15*time.Minute)
	assert.Positive(t, lockouts.Load(), "UserLockedOut was sent")
	s.advance(wait / 2)
	retryAfter(t, signin(pw))
	s.advance(wait)
	r = signin(pw)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "authenticated", r.body["status"])
}

// TestMFACodeThrottling: the second step's codes are throttled per
// device (django-otp's growing delay) and by the Limiter, 429 with
// Retry-After even for the right code; a pending sign-in takes five
// wrong codes, the fifth is 401 too_many_attempts, and then no code,
// not even the right one, finishes it (409 mfa_not_pending).
func TestMFACodeThrottling(t *testing.T) {
	s := newApp(t, appOptions{pg: usePG()})
	u := s.createUser("mia", "mia@example.com", pw)
	ctx := context.Background()
	d, err := s.totp.Begin(ctx, u.ID, "Phone")
	require.NoError(t, err)
	secret := base32Key(t, d.Key)
	code, err := totp.GenerateCode(secret, s.now())
	require.NoError(t, err)
	_, err = s.totp.Confirm(ctx, u.ID, d.ID, code)
	require.NoError(t, err)
	s.advance(time.Minute) // the confirming code is spent

	c := s.client()
	r := c.do(http.MethodPost, "signin", map[string]any{"username": "mia", "password": pw, "transport": "token"})
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.raw)
	wrong := func() *reply {
		return c.do(http.MethodPost, "signin/mfa", map[string]any{"factor": "totp", "code": "000000"})
	}
	right := func() *reply {
		code, err := totp.GenerateCode(secret, s.now())
		require.NoError(t, err)
		return c.do(http.MethodPost, "signin/mfa", map[string]any{"factor": "totp", "code": code})
	}
	r = wrong()
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.raw)
	assert.Equal(t, "invalid_code", r.code())
	r = right()
	wait := retryAfter(t, r)
	assert.LessOrEqual(t, wait, time.Minute)

	var last *reply
	for range 20 {
		last = wrong()
		if last.status == http.StatusTooManyRequests {
			// Waits stay short: the pending sign-in lasts 5 minutes.
			s.advance(retryAfter(t, last) + time.Second)
			continue
		}
		if last.status != http.StatusUnprocessableEntity {
			break
		}
	}
	require.Equal(t, http.StatusUnauthorized, last.status, "%s", last.raw)
	assert.Equal(t, "too_many_attempts", last.code())
	s.advance(time.Minute)
	r = right()
	require.Equal(t, http.StatusConflict, r.status, "%s", r.raw)
	assert.Equal(t, "mfa_not_pending", r.code())
	r = c.do(http.MethodGet, "me", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status, "nobody is signed in")
}

// TestPasswordlessCodeGuessing: wrong sign-in codes are throttled by the
// Limiter (429 with Retry-After, also for the right code meanwhile), and
// a request takes five codes at most: after them the right code no
// longer signs in.
func TestPasswordlessCodeGuessing(t *testing.T) {
	s := newApp(t, appOptions{pg: usePG()})
	s.createUser("pat", "pat@example.com", pw)
	c := s.client()
	start := func() string {
		r := c.do(http.MethodPost, "passwordless/start", map[string]any{"email": "pat@example.com", "transport": "token"})
		require.Equal(t, http.StatusAccepted, r.status, "%s", r.raw)
		return s.mailCode("pat@example.com")
	}
	verify := func(code string) *reply {
		return c.do(http.MethodPost, "passwordless/verify", map[string]any{"code": code})
	}
	code := start()
	// Wrong codes are free three times, then the Limiter makes them wait.
	wrongs := 0
	r := verify("WRONGCODE")
	for ; r.status == http.StatusUnprocessableEntity; r = verify("WRONGCODE") {
		assert.Equal(t, "invalid_code", r.code())
		wrongs++
		require.Less(t, wrongs, 5, "throttled before the request is used up")
	}
	assert.GreaterOrEqual(t, wrongs, 3)
	wait := retryAfter(t, r)
	retryAfter(t, verify(code)) // the right code waits too: no oracle
	// The request takes five codes: guess on until five were counted.
	for wrongs < 5 {
		s.advance(wait + time.Second)
		r = verify("WRONGCODE")
		if r.status == http.StatusTooManyRequests {
			wait = retryAfter(t, r)
			continue
		}
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.raw)
		wrongs++
	}
	for r = verify(code); r.status == http.StatusTooManyRequests; r = verify(code) {
		s.advance(retryAfter(t, r) + time.Second)
	}
	assert.Equal(t, http.StatusUnprocessableEntity, r.status, "the request is void after five attempts: %s", r.raw)
	assert.Equal(t, "invalid_code", r.code())
	r = c.do(http.MethodGet, "me", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status)

	// The control: a new request's code signs in once the waits are over.
	s.advance(time.Hour)
	r = verify(start())
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "authenticated", r.body["status"])
}
