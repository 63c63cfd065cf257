package api_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/api"
)

// TestReviewImpersonationCannotEnrolTargetMFA: the HTML MFA pages refuse
// an impersonated session (RefuseWhileImpersonating), but the API's
// mfa/totp/begin, mfa/totp/confirm and mfa/recovery/regenerate do not,
// and Impersonate's UserLoggedIn marks the session verified "by login",
// so CheckStepUp passes for a target without devices. A superuser acting
// as a user can plant a second factor on the account (locking the owner
// out of their next login) and, once it is confirmed, read fresh recovery codes (recovery/regenerate).
// The passkey registration ceremony is not refused either.
func TestReviewImpersonationCannotEnrolTargetMFA(t *testing.T) {
	s := newApp(t, appOptions{})
	admin := s.createUser("root", "root@example.com", pw)
	admin.IsSuperuser, admin.IsStaff = true, true
	require.NoError(t, s.store.UpdateUser(t.Context(), admin))
	victim := s.createUser("vic", "vic@example.com", pw)

	mux := http.NewServeMux()
	s.a.ImpersonationRoutes(mux, "")
	s.api.Routes(mux)
	srv := httptest.NewServer(s.a.Middleware(mux))
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path, ctype, body string) *http.Response {
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := c.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	resp := post(api.DefaultPrefix+"signin", "application/json", `{"username":"root","password":"`+pw+`"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp = post(auth.DefaultImpersonateURL, "application/x-www-form-urlencoded",
		url.Values{auth.ImpersonateUserIDField: {strconv.FormatInt(victim.ID, 10)}}.Encode())
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "impersonation started")

	for _, ep := range []struct{ path, body string }{
		{"mfa/totp/begin", `{"name":"planted"}`},
		{"passkey/register/begin", `{}`},
	} {
		resp = post(api.DefaultPrefix+ep.path, "application/json", ep.body)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s: an impersonator must not enrol a factor on the target", ep.path)
	}
}

// TestReviewRevokingImpersonatorSessionsEndsImpersonation: an
// impersonation session is indexed under the target (SessionKeyUserID),
// so logging out every session of the superuser (RevokeUserSessions, the
// dashboard's and the API's "log out everywhere" for a stolen admin
// account) leaves the impersonation running: the session keeps acting
// as the target. Neither the banner (which only checks that the
// impersonator is still an active superuser with the same password) nor
// StopImpersonation notices.
func TestReviewRevokingImpersonatorSessionsEndsImpersonation(t *testing.T) {
	s := newApp(t, appOptions{})
	admin := s.createUser("root", "root@example.com", pw)
	admin.IsSuperuser, admin.IsStaff = true, true
	require.NoError(t, s.store.UpdateUser(t.Context(), admin))
	victim := s.createUser("vic", "vic@example.com", pw)

	mux := http.NewServeMux()
	stop := s.a.ImpersonationRoutes(mux, "")
	s.api.Routes(mux)
	srv := httptest.NewServer(s.a.ImpersonationBanner(stop)(mux))
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path, ctype, body string) *http.Response {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := c.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	require.Equal(t, http.StatusOK, do(http.MethodPost, api.DefaultPrefix+"signin", "application/json", `{"username":"root","password":"`+pw+`"}`).StatusCode)
	require.Equal(t, http.StatusSeeOther, do(http.MethodPost, auth.DefaultImpersonateURL, "application/x-www-form-urlencoded",
		url.Values{auth.ImpersonateUserIDField: {strconv.FormatInt(victim.ID, 10)}}.Encode()).StatusCode)
	require.Equal(t, http.StatusOK, do(http.MethodGet, api.DefaultPrefix+"me", "", "").StatusCode)

	// The administrator's account is thought stolen: every session of it
	// is logged out.
	_, err := s.a.RevokeUserSessions(t.Context(), admin.ID)
	require.NoError(t, err)

	assert.Equal(t, http.StatusUnauthorized, do(http.MethodGet, api.DefaultPrefix+"me", "", "").StatusCode,
		"the superuser's impersonation session must end with the superuser's sessions")
}
