package mfa_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
)

// Impersonation with a real Flow: it needs a recent verification of the
// impersonator (the Flow's CheckStepUp), and the impersonated session is
// not sent to verify the target's factors.
func TestImpersonationStepUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	require.NoError(t, e.policy.SetPolicy(context.Background(), mfa.Policy{Everyone: true}))
	admin := e.createUser("admin", "pw", func(u *auth.User) { u.IsSuperuser = true })
	alice := e.createUser("alice", "pw")
	e.totp.add(admin.ID, "111111")
	e.totp.add(alice.ID, "222222")
	e.recovery.add(admin.ID, "rec-a")
	e.recovery.add(alice.ID, "rec-b")
	mux := http.NewServeMux()
	stop := e.a.ImpersonationRoutes(mux, "")
	mux.Handle("/", e.handler)
	c := e.client()
	c.h = e.a.ImpersonationBanner(stop)(mux)
	c.password("admin", "pw")
	c.text("/code/", url.Values{"factor": {"totp"}, "code": {"111111"}})
	code, _ := c.guard()
	require.Equal(t, http.StatusOK, code)

	form := url.Values{"user_id": {strconv.FormatInt(alice.ID, 10)}}
	e.clock.Add(auth.ImpersonationStepUpMaxAge + time.Minute)
	resp := c.post(auth.DefaultImpersonateURL, form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Location"), mfa.DefaultVerifyURL, "a stale verification is stepped up")
	require.Contains(t, c.whoami(), "admin")

	require.Equal(t, "ok", c.text("/session-code/", url.Values{"factor": {"totp"}, "code": {"111111"}}))
	resp = c.post(auth.DefaultImpersonateURL, form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, auth.DefaultLoginRedirectURL, resp.Header.Get("Location"))
	require.Contains(t, c.whoami(), "alice")
	code, _ = c.guard()
	require.Equal(t, http.StatusOK, code, "the target's factors are not asked for")
}
