package mfa_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
)

// events records the login signals.
type events struct {
	mu     sync.Mutex
	in     []auth.LoggedIn[auth.User]
	failed []auth.LoginFailed
}

func (e *env) record() *events {
	ev := &events{}
	e.t.Cleanup(e.a.Signals().UserLoggedIn.Connect(func(_ context.Context, l auth.LoggedIn[auth.User]) {
		ev.mu.Lock()
		ev.in = append(ev.in, l)
		ev.mu.Unlock()
	}))
	e.t.Cleanup(e.a.Signals().UserLoginFailed.Connect(func(_ context.Context, l auth.LoginFailed) {
		ev.mu.Lock()
		ev.failed = append(ev.failed, l)
		ev.mu.Unlock()
	}))
	return ev
}

func superuser(u *auth.User) { u.IsSuperuser, u.IsStaff = true, true }

func TestTwoStepLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ev := e.record()
	alice := e.createUser("alice", "pw", superuser)
	dev := e.totp.add(alice.ID, "123456")
	c := e.client()
	c.get("/whoami/")
	before := c.session()

	resp := c.post("/accounts/login/?next=/reports/", url.Values{"username": {"alice"}, "password": {"pw"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "/accounts/mfa/challenge/?next=/reports/", resp.Header.Get("Location"))
	pending := c.session()
	require.NotEmpty(t, pending)
	require.NotEqual(t, before, pending, "the pending state has a new token")
	// The pending state is nobody: no user, no permissions, no
	// _auth_user_id, no last login, no signal.
	require.Equal(t, "AnonymousUser perm=false device=", c.whoami())
	require.Nil(t, e.reloadUser(alice.ID).LastLogin)
	require.Empty(t, ev.in)
	require.Contains(t, c.text("/pending/", nil), "alice remaining=5")

	require.Equal(t, "ok", c.text("/code/", url.Values{"factor": {"totp"}, "code": {"123456"}}))
	require.NotEqual(t, pending, c.session(), "completion renews the token")
	require.Equal(t, "alice perm=true device="+dev.PersistentID, c.whoami())
	require.NotNil(t, e.reloadUser(alice.ID).LastLogin)
	require.Len(t, ev.in, 1)
	require.Equal(t, "totp", ev.in[0].Factor)
	require.Equal(t, dev.PersistentID, ev.in[0].Device)
	require.Equal(t, "alice", auth.UserOf(ev.in[0].User).Username)
	require.Equal(t, mfa.ErrNoPendingLogin.Error(), c.text("/pending/", nil), "the pending state is gone")

	old := &client{t: t, h: e.handler, cookies: map[string]string{"sessionid": pending}}
	require.Equal(t, "AnonymousUser perm=false device=", old.whoami(), "the pending cookie is anonymous")
	old = &client{t: t, h: e.handler, cookies: map[string]string{"sessionid": before}}
	require.Equal(t, "AnonymousUser perm=false device=", old.whoami())
}

func (e *env) reloadUser(id int64) *auth.User {
	e.t.Helper()
	u, err := e.store.GetUser(context.Background(), id)
	require.NoError(e.t, err)
	return u
}

func TestOneStepWithoutDevice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ev := e.record()
	e.createUser("bob", "pw")
	c := e.client()
	resp := c.password("bob", "pw")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, auth.DefaultLoginRedirectURL, resp.Header.Get("Location"))
	require.Equal(t, "bob perm=false device=", c.whoami())
	require.Len(t, ev.in, 1)
	require.Empty(t, ev.in[0].Factor)
}

// Any caller of Login, not only the login page, gets the second step.
func TestLoginOfAnyCallerIsTwoStep(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.createUser("alice", "pw", superuser)
	e.totp.add(alice.ID, "123456")
	c := e.client()
	got := c.text("/api-login/", url.Values{"username": {"alice"}, "password": {"pw"}})
	require.Equal(t, auth.ErrSecondFactorRequired.Error()+" user=AnonymousUser", got)
	require.Equal(t, "AnonymousUser perm=false device=", c.whoami())
	require.Contains(t, c.text("/pending/", nil), "alice")
}

// A logged-in user whose session starts a pending login of another user
// (or their own) is logged out by it.
func TestPendingLogsOutEarlierUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("bob", "pw")
	alice := e.createUser("alice", "pw")
	e.totp.add(alice.ID, "1")
	c := e.client()
	c.password("bob", "pw")
	require.Contains(t, c.whoami(), "bob")
	c.password("alice", "pw")
	require.Equal(t, "AnonymousUser perm=false device=", c.whoami())
}

func TestPendingEnds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		after func(e *env, c *client, alice *auth.User)
	}{
		{"expired", func(e *env, c *client, _ *auth.User) { e.clock.Add(mfa.DefaultPendingTimeout) }},
		{"expired and clock back", func(e *env, c *client, _ *auth.User) {
			e.clock.Add(mfa.DefaultPendingTimeout)
			require.Equal(t, mfa.ErrNoPendingLogin.Error(), c.text("/pending/", nil))
			e.clock.Add(-mfa.DefaultPendingTimeout)
		}},
		{"password changed", func(e *env, c *client, alice *auth.User) {
			require.NoError(t, e.a.SetPassword(context.Background(), e.reloadUser(alice.ID), "new"))
		}},
		{"user deleted", func(e *env, c *client, alice *auth.User) {
			require.NoError(t, e.store.DeleteUser(context.Background(), alice.ID))
		}},
		{"user deactivated", func(e *env, c *client, alice *auth.User) {
			u := e.reloadUser(alice.ID)
			u.IsActive = false
			require.NoError(t, e.store.UpdateUser(context.Background(), u))
		}},
		{"abandoned for another login", func(e *env, c *client, _ *auth.User) {
			e.createUser("bob", "pw")
			c.password("bob", "pw")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice := e.createUser("alice", "pw")
			e.totp.add(alice.ID, "123456")
			c := e.client()
			c.password("alice", "pw")
			e.clock.Add(mfa.DefaultPendingTimeout - time.Second)
			require.Contains(t, c.text("/pending/", nil), "alice", "still pending just before the timeout")
			tc.after(e, c, alice)
			require.Equal(t, mfa.ErrNoPendingLogin.Error(), c.text("/code/", url.Values{"factor": {"totp"}, "code": {"123456"}}))
			require.NotContains(t, c.whoami(), "alice")
			require.Zero(t, e.totp.calls(), "no code is checked without a pending login")
		})
	}
}

func TestAttemptCap(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *mfa.FlowConfig) { c.MaxAttempts = 3 })
	ev := e.record()
	alice := e.createUser("alice", "pw")
	e.totp.add(alice.ID, "123456")
	c := e.client()
	c.password("alice", "pw")
	wrong := url.Values{"factor": {"totp"}, "code": {"000000"}}
	require.Equal(t, mfa.ErrInvalidCode.Error(), c.text("/code/", wrong))
	require.Contains(t, c.text("/pending/", nil), "remaining=2")
	require.Equal(t, mfa.ErrInvalidCode.Error(), c.text("/code/", wrong))
	got := c.text("/code/", wrong)
	require.True(t, strings.HasPrefix(got, mfa.ErrTooManyAttempts.Error()), got)
	require.Equal(t, mfa.ErrNoPendingLogin.Error(), c.text("/code/", url.Values{"factor": {"totp"}, "code": {"123456"}}))
	require.Equal(t, 3, e.totp.calls())
	require.Len(t, ev.failed, 3)
	for _, f := range ev.failed {
		require.Equal(t, "totp", f.Factor)
		require.Equal(t, "alice", f.Credentials["username"])
		require.Equal(t, auth.CleansedSubstitute, f.Credentials["otp_token"])
	}
	require.Empty(t, ev.in)
}

// A device that the factor throttles costs no attempt: no code was tried.
func TestThrottledDeviceNotCounted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.totp.maxFail = 1
	alice := e.createUser("alice", "pw")
	e.totp.add(alice.ID, "123456")
	c := e.client()
	c.password("alice", "pw")
	require.Equal(t, mfa.ErrInvalidCode.Error(), c.text("/code/", url.Values{"factor": {"totp"}, "code": {"1"}}))
	got := c.text("/code/", url.Values{"factor": {"totp"}, "code": {"123456"}})
	require.Contains(t, got, "too many failed attempts")
	require.Contains(t, c.text("/pending/", nil), "remaining=4")
	// The other factor still works.
	e.recovery.add(alice.ID, "rec-1")
	require.Equal(t, "ok", c.text("/code/", url.Values{"factor": {"recovery"}, "code": {"rec-1"}}))
	require.Contains(t, c.whoami(), "alice")
}

func TestUnknownFactorNotCounted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.createUser("alice", "pw")
	e.totp.add(alice.ID, "123456")
	c := e.client()
	c.password("alice", "pw")
	require.Contains(t, c.text("/code/", url.Values{"factor": {"sms"}, "code": {"1"}}), mfa.ErrUnknownFactor.Error())
	require.Equal(t, mfa.ErrNoDevice.Error(), c.text("/code/", url.Values{"factor": {"recovery"}, "code": {"1"}}))
	require.Contains(t, c.text("/pending/", nil), "remaining=5")
}

func TestCompleteCeremony(t *testing.T) {
	t.Parallel()
	keys := ceremonyFactor{inner: newCodeFactor("passkey")}
	e := newEnv(t, func(c *mfa.FlowConfig) { c.Factors = append(c.Factors, keys) })
	ev := e.record()
	alice := e.createUser("alice", "pw")
	bob := e.createUser("bob", "pw")
	key := keys.inner.add(alice.ID, "")
	bobKey := keys.inner.add(bob.ID, "")
	var (
		mu   sync.Mutex
		errs []error
	)
	h := e.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := key
		if r.URL.Query().Get("bob") != "" {
			d = bobKey
		}
		err := e.flow.Complete(r, d)
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}))
	c := e.client()
	c.password("alice", "pw")
	cc := &client{t: t, h: h, cookies: c.cookies}
	cc.get("/?bob=1")
	cc.get("/")
	require.ErrorIs(t, errs[0], mfa.ErrWrongUser)
	require.NoError(t, errs[1])
	require.Equal(t, "alice perm=false device="+key.PersistentID, c.whoami())
	require.Len(t, ev.in, 1)
	require.Equal(t, "passkey", ev.in[0].Factor)
}

func TestNewFlowConfig(t *testing.T) {
	t.Parallel()
	f := newCodeFactor("totp")
	for name, cfg := range map[string]mfa.FlowConfig{
		"no factors":    {},
		"nil factor":    {Factors: []mfa.Factor{nil}},
		"empty kind":    {Factors: []mfa.Factor{newCodeFactor("")}},
		"repeated kind": {Factors: []mfa.Factor{f, newCodeFactor("totp")}},
		"negative":      {Factors: []mfa.Factor{f}, MaxAttempts: -1},
		"absolute URL":  {Factors: []mfa.Factor{f}, ChallengeURL: "https://evil.example/"},
		"scheme-less":   {Factors: []mfa.Factor{f}, VerifyURL: "//evil.example/"},
		"query":         {Factors: []mfa.Factor{f}, EnrolURL: "/mfa/?x=1"},
	} {
		_, err := mfa.NewFlow[auth.User](cfg)
		require.ErrorIs(t, err, auth.ErrConfig, name)
	}
}

func TestFlowServesOneAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := auth.New(auth.Config[auth.User]{Store: e.store, SecretKey: testSecret, SecondFactor: e.flow})
	require.ErrorIs(t, err, auth.ErrConfig)
	unbound, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{newCodeFactor("totp")}})
	require.NoError(t, err)
	_, err = unbound.Required(context.Background(), &auth.User{})
	require.NoError(t, err)
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	_, err = unbound.Pending(r)
	require.True(t, errors.Is(err, mfa.ErrNotBound))
}

func TestVerifySessionDevice(t *testing.T) {
	t.Parallel()
	keys := ceremonyFactor{inner: newCodeFactor("passkey")}
	e := newEnv(t, func(c *mfa.FlowConfig) { c.Factors = append(c.Factors, keys) })
	require.NoError(t, e.policy.SetPolicy(context.Background(), mfa.Policy{Everyone: true}))
	alice := e.createUser("alice", "pw")
	bob := e.createUser("bob", "pw")
	c := e.client()
	c.password("alice", "pw")
	key := keys.inner.add(alice.ID, "")
	bobKey := keys.inner.add(bob.ID, "")
	code, loc := c.guard()
	require.Equal(t, http.StatusFound, code)
	require.Equal(t, toVerify, loc)
	var errs []error
	h := e.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := key
		if r.URL.Query().Get("bob") != "" {
			d = bobKey
		}
		errs = append(errs, e.flow.VerifySessionDevice(r, d))
	}))
	cc := &client{t: t, h: h, cookies: c.cookies}
	cc.get("/?bob=1")
	cc.get("/")
	require.ErrorIs(t, errs[0], mfa.ErrWrongUser)
	require.NoError(t, errs[1])
	require.Contains(t, c.whoami(), "device="+key.PersistentID)
}

// countingLimiter is an auth.Limiter that refuses a key after max
// failures, counting under a lock as the stores of package throttle do.
type countingLimiter struct {
	mu    sync.Mutex
	max   int
	fails map[string]int
}

func (l *countingLimiter) Check(_ context.Context, _ *http.Request, scope, key string) (time.Duration, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fails[scope+"/"+key] >= l.max {
		return time.Minute, true, nil
	}
	return 0, false, nil
}

func (l *countingLimiter) Fail(_ context.Context, _ *http.Request, scope, key string) (time.Duration, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails[scope+"/"+key]++
	return 0, false, nil
}

func (l *countingLimiter) Succeed(_ context.Context, _ *http.Request, scope, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, scope+"/"+key)
	return nil
}

// The challenge counts wrong codes with the Auth's Limiter too, per user:
// once it refuses, no code reaches the factor, across pending logins.
func TestChallengeUsesLimiter(t *testing.T) {
	t.Parallel()
	lim := &countingLimiter{max: 2, fails: map[string]int{}}
	e := newEnvLimited(t, lim, func(c *mfa.FlowConfig) { c.MaxAttempts = 10 })
	u := e.createUser("alice", "pw")
	e.totp.add(u.ID, "123456")
	c := e.client()
	c.password("alice", "pw")
	for range 2 {
		require.Contains(t, c.text("/code/", url.Values{"factor": {"totp"}, "code": {"000000"}}), "invalid code")
	}
	checked := e.totp.calls()
	// A new pending login does not reset the user's count.
	c.password("alice", "pw")
	got := c.text("/code/", url.Values{"factor": {"totp"}, "code": {"123456"}})
	require.Contains(t, got, "too many failed attempts")
	require.Equal(t, checked, e.totp.calls(), "a refused attempt checks no code")
	require.Contains(t, c.whoami(), "AnonymousUser")
}
