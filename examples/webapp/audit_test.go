package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/internal/pgtest"
)

// TestDashboardAuditAndImpersonation: a change made in the dashboard is
// in its audit log and on the user's page; the superuser logs in as
// alice from her page, every page then carries the banner, one click
// ends it, and both ends are in the log. Run on the memory stores and on
// PostgreSQL (djauth_audit, django-organizations' tables).
func TestDashboardAuditAndImpersonation(t *testing.T) {
	t.Parallel()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		checkAuditAndImpersonation(t, startSite(t, config{SecretKey: testSecret, Demo: true, InsecureCookies: true}))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		db := pgtest.NewDatabase(t)
		checkAuditAndImpersonation(t, startSite(t, config{DatabaseURL: db.URL, SecretKey: testSecret, Demo: true, InsecureCookies: true}))
	})
}

func checkAuditAndImpersonation(t *testing.T, s *site) {
	admin := &client{t: t}
	admin.login(s, "admin", s.demos["admin"])
	resp := admin.get(s.srv.URL + "/admin/auth/user/?q=alice")
	m := regexp.MustCompile(`href="(/admin/auth/user/(\d+)/change/)">alice<`).FindStringSubmatch(resp.body)
	require.NotNil(t, m, resp.body)
	alicePage, aliceID := s.srv.URL+m[1], m[2]
	index := admin.get(s.srv.URL + "/admin/").body
	assert.Contains(t, index, `href="/admin/audit/"`)
	assert.Contains(t, index, `href="/admin/organizations/organization/"`)
	assert.Equal(t, http.StatusOK, admin.get(s.srv.URL+"/admin/organizations/organization/").StatusCode)

	form := url.Values{"username": {"alice"}, "email": {"alice@example.com"}, "first_name": {"Alicia"}, "is_active": {"on"},
		"user_permissions": {permViewReport}}
	require.Equal(t, http.StatusFound, admin.post(alicePage, form).StatusCode)
	log := admin.get(s.srv.URL + "/admin/audit/?target=alice&action=user_changed").body
	assert.Contains(t, log, "changed: first_name")
	page := admin.get(alicePage).body
	assert.Contains(t, page, "changed: first_name")
	assert.Contains(t, page, "Log in as alice")

	// Log in as alice: the button's form.
	resp = admin.post(s.srv.URL+auth.DefaultImpersonateURL, url.Values{auth.ImpersonateUserIDField: {aliceID},
		auth.ImpersonateReturnField: {m[1]}, "next": {"/"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	assert.Equal(t, "alice", admin.me(s)["username"])
	home := admin.get(s.srv.URL + "/")
	require.Equal(t, http.StatusOK, home.StatusCode)
	assert.Contains(t, home.body, "You are logged in as <strong>alice</strong> on behalf of <strong>admin</strong>.")
	assert.Contains(t, home.body, `action="`+auth.DefaultStopImpersonationURL+`"`)
	assert.Contains(t, admin.get(s.srv.URL+"/accounts/profile/").body, "djauth-impersonation")
	// alice is not staff: the dashboard is closed to her session.
	assert.Equal(t, http.StatusForbidden, admin.get(s.srv.URL+"/admin/").StatusCode)

	resp = admin.post(s.srv.URL+auth.DefaultStopImpersonationURL, url.Values{})
	require.Contains(t, []int{http.StatusFound, http.StatusSeeOther}, resp.StatusCode, resp.body)
	assert.Equal(t, m[1], resp.Header.Get("Location"))
	assert.Equal(t, "admin", admin.me(s)["username"])
	assert.NotContains(t, admin.get(s.srv.URL+"/").body, "djauth-impersonation\"")
	log = admin.get(s.srv.URL + "/admin/audit/?actor=admin").body
	_, log, _ = strings.Cut(log, "<tbody>") // the rows, not the action filter's options
	assert.Contains(t, log, "impersonation_started")
	assert.Contains(t, log, "impersonation_ended")
	assert.True(t, strings.Index(log, "impersonation_ended") < strings.Index(log, "impersonation_started"), "newest first")
}
