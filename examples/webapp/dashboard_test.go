package main

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDashboardMounted: /admin/ is the staff dashboard: anonymous
// visitors go to the login page, alice (not staff) gets 403, the
// superuser admin lists and edits users, and a cross-site POST is
// refused.
func TestDashboardMounted(t *testing.T) {
	t.Parallel()
	s := startSite(t, config{SecretKey: testSecret, Demo: true, InsecureCookies: true})
	anon := &client{t: t}
	resp := anon.get(s.srv.URL + "/admin/")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/accounts/login/?next=/admin/", resp.Header.Get("Location"))

	alice := &client{t: t}
	alice.login(s, "alice", s.demos["alice"])
	assert.Equal(t, http.StatusForbidden, alice.get(s.srv.URL+"/admin/").StatusCode)

	admin := &client{t: t}
	admin.login(s, "admin", s.demos["admin"])
	resp = admin.get(s.srv.URL + "/admin/auth/user/?q=alice")
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.body)
	m := regexp.MustCompile(`href="(/admin/auth/user/\d+/change/)">alice<`).FindStringSubmatch(resp.body)
	require.NotNil(t, m, resp.body)
	for _, part := range []string{"sessions", "mfa", "identities", "lockouts", "reset"} {
		assert.Contains(t, admin.get(s.srv.URL+m[1]).body, part+"/", "the %s page is configured", part)
	}
	form := url.Values{"username": {"alice"}, "email": {"alice@example.com"}, "first_name": {"Alice"}, "is_active": {"on"}}
	resp = admin.do(http.MethodPost, s.srv.URL+m[1], form, http.Header{"Sec-Fetch-Site": {"cross-site"}})
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp = admin.post(s.srv.URL+m[1], form)
	require.Equal(t, http.StatusFound, resp.StatusCode, resp.body)
	assert.Contains(t, admin.get(s.srv.URL+m[1]).body, `value="Alice"`)
}
