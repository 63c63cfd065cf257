package dashboard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/dashboard"
	"github.com/djauth/auth/throttle"
)

// TestReviewLockoutResetCannotReachASuperuser: only a superuser may act
// on a superuser (doc.go), yet the lockouts page of an ordinary user
// resets every counter whose key matches that user's username, ID *or
// email* (matchesUser). A staff member with auth.change_user sets an
// ordinary user's email to a superuser's login name (sites where the
// username is the address) and resets "that user's" lockouts: the
// superuser's login lockout is cleared, so password guessing against the
// superuser can go on without limit.
func TestReviewLockoutResetCannotReachASuperuser(t *testing.T) {
	e := newCapEnv(t)
	ctx := context.Background()
	boss := e.user("boss@example.com", superuser)
	_ = boss
	helper := e.user("helper", staff)
	e.grant(helper, dashboard.PermViewUser, dashboard.PermChangeUser)
	proxy := e.user("proxy", func(u *auth.User) { u.Email = "Boss@Example.com" })

	req := httptest.NewRequest(http.MethodPost, "/", nil)
	for range 10 {
		_, _, err := e.limiter.Fail(ctx, req, throttle.ScopeLogin, auth.NormalizeUsername(boss.Username))
		require.NoError(t, err)
	}
	c := e.as(helper)
	// Refused on the superuser's own page, as documented.
	assert.Equal(t, http.StatusForbidden, c.post(userURL(boss.ID, "lockouts"), nil).StatusCode)
	// The same reset through an ordinary user whose email is the
	// superuser's login name.
	c.post(userURL(proxy.ID, "lockouts"), nil).Body.Close()

	all, err := e.limiter.Lockouts(ctx)
	require.NoError(t, err)
	var left []string
	for _, o := range all {
		if o.Kind == throttle.KindKey {
			left = append(left, o.Value)
		}
	}
	assert.Contains(t, left, "boss@example.com", "the superuser's login counter must survive a reset on another user's page")
}
