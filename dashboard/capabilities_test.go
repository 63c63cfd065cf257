package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/dashboard"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/recovery"
	"github.com/djauth/auth/mfa/totp"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/throttle"
)

// TestCapabilityPages: the MFA, identities, sessions and lockouts pages
// list the user's items and act on one of the user's, 404 for another
// user's; every action is signalled.
func TestCapabilityPages(t *testing.T) {
	t.Parallel()
	e := newCapEnv(t)
	ctx := context.Background()
	root := e.user("root", superuser)
	target := e.user("target", func(u *auth.User) { u.Email = "Target@Example.com" })
	other := e.user("other")
	e.mfa.add(mfa.Device{Factor: "totp", ID: 1, UserID: target.ID, Name: "phone", PersistentID: "otp_totp.totpdevice/1"})
	e.mfa.add(mfa.Device{Factor: "totp", ID: 2, UserID: other.ID, Name: "theirs", PersistentID: "otp_totp.totpdevice/2"})
	acc, err := e.identities.CreateAccount(ctx, social.Account{UserID: target.ID, Provider: "github", UID: "77"})
	require.NoError(t, err)
	otherAcc, err := e.identities.CreateAccount(ctx, social.Account{UserID: other.ID, Provider: "github", UID: "88"})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	for _, k := range []struct{ scope, key string }{
		{throttle.ScopeLogin, "target"}, {throttle.ScopePasswordReset, "target@example.com"},
		{throttle.ScopePasswordChange, fmt.Sprint(target.ID)}, {throttle.ScopeLogin, "other"},
	} {
		_, _, err := e.limiter.Fail(ctx, req, k.scope, k.key)
		require.NoError(t, err)
	}
	c := e.as(root)

	p := c.page(userURL(target.ID, "change"))
	for _, part := range []string{"password", "reset", "sessions", "mfa", "identities", "lockouts", "delete"} {
		assert.Contains(t, p, userURL(target.ID, part), "linked")
	}

	p = c.page(userURL(target.ID, "mfa"))
	assert.Contains(t, p, "phone")
	assert.NotContains(t, p, "theirs")
	assert.Equal(t, http.StatusNotFound, c.post(userURL(target.ID, "mfa"), url.Values{"device": {"totp:2"}}).StatusCode)
	assert.Equal(t, http.StatusNotFound, c.post(userURL(target.ID, "mfa"), url.Values{"device": {"garbage"}}).StatusCode)
	require.Equal(t, http.StatusFound, c.post(userURL(target.ID, "mfa"), url.Values{"device": {"totp:1"}}).StatusCode)
	left, _ := e.mfa.Devices(ctx, target.ID)
	assert.Empty(t, left)
	left, _ = e.mfa.Devices(ctx, other.ID)
	assert.Len(t, left, 1)
	assert.Contains(t, c.page(userURL(target.ID, "mfa")), "The device “phone” was removed.")

	assert.Contains(t, c.page(userURL(target.ID, "identities")), "github")
	assert.Equal(t, http.StatusNotFound, c.post(userURL(target.ID, "identities"), url.Values{"account": {fmt.Sprint(otherAcc.ID)}}).StatusCode)
	require.Equal(t, http.StatusFound, c.post(userURL(target.ID, "identities"), url.Values{"account": {fmt.Sprint(acc.ID)}}).StatusCode)
	accs, err := e.identities.ListAccounts(ctx, target.ID)
	require.NoError(t, err)
	assert.Empty(t, accs)
	accs, err = e.identities.ListAccounts(ctx, other.ID)
	require.NoError(t, err)
	assert.Len(t, accs, 1)

	p = c.page(userURL(target.ID, "lockouts"))
	assert.Contains(t, p, throttle.ScopeLogin)
	assert.Contains(t, p, throttle.ScopePasswordReset)
	assert.Contains(t, p, throttle.ScopePasswordChange)
	assert.NotContains(t, p, ">other<")
	require.Equal(t, http.StatusFound, c.post(userURL(target.ID, "lockouts"), nil).StatusCode)
	all, err := e.limiter.Lockouts(ctx)
	require.NoError(t, err)
	var keys []string
	for _, o := range all {
		if o.Kind == throttle.KindKey {
			keys = append(keys, o.Value)
		}
	}
	assert.Equal(t, []string{"other"}, keys, "only the other user's counter is left")

	// Sessions: the target logs in twice; one is revoked, then all.
	s1, s2 := e.as(target), e.as(target)
	ids := regexp.MustCompile(`name="session" value="([^"]+)"`).FindAllStringSubmatch(c.page(userURL(target.ID, "sessions")), -1)
	require.Len(t, ids, 2)
	assert.Equal(t, http.StatusNotFound, c.post(userURL(other.ID, "sessions"), url.Values{"session": {ids[0][1]}}).StatusCode,
		"another user's session ID")
	require.Equal(t, http.StatusFound, c.post(userURL(target.ID, "sessions"), url.Values{"session": {ids[0][1]}}).StatusCode)
	infos, err := e.a.UserSessions(ctx, target.ID)
	require.NoError(t, err)
	assert.Len(t, infos, 1)
	require.Equal(t, http.StatusFound, c.post(userURL(target.ID, "sessions"), url.Values{"all": {"1"}}).StatusCode)
	infos, err = e.a.UserSessions(ctx, target.ID)
	require.NoError(t, err)
	assert.Empty(t, infos)
	_, _ = s1, s2
	// On your own page, "all" keeps the current session.
	e.as(root)
	require.Equal(t, http.StatusFound, c.post(userURL(root.ID, "sessions"), url.Values{"all": {"1"}}).StatusCode)
	c.page("/admin/")

	var actions []dashboard.Action
	for _, ch := range e.userChanges() {
		assert.Equal(t, root.ID, ch.Actor.ID)
		assert.Empty(t, ch.Actor.Password, "no hashes in events")
		assert.Empty(t, ch.Target.Password)
		assert.NotNil(t, ch.Request)
		actions = append(actions, ch.Action)
	}
	assert.Equal(t, []dashboard.Action{dashboard.ActionDeviceRemoved, dashboard.ActionIdentityUnlinked, dashboard.ActionLockoutsReset,
		dashboard.ActionSessionRevoked, dashboard.ActionSessionsRevoked, dashboard.ActionSessionsRevoked}, actions)
}

// TestResetLink: with an accounts.Manager the reset page shows a working
// one-time link once, or queues the reset mail.
func TestResetLink(t *testing.T) {
	t.Parallel()
	outbox := new(mail.Outbox)
	var m *accounts.Manager[auth.User]
	e := newMemoryEnv(t, func(cfg *dashboard.Config[auth.User]) {
		var err error
		m, err = accounts.New(cfg.Auth, accounts.Config{Mailer: outbox})
		require.NoError(t, err)
		t.Cleanup(func() { _ = m.Close() })
		cfg.PasswordReset = m
	})
	mux := http.NewServeMux()
	m.Routes(mux, "")
	e.d.Mount(mux)
	e.h = mux
	root := e.user("root", superuser)
	target := e.user("target")
	c := e.as(root)
	p := c.page(userURL(target.ID, "reset"))
	assert.Contains(t, p, `value="mail"`)
	resp := c.post(userURL(target.ID, "reset"), url.Values{"action": {"link"}})
	b := body(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	link := regexp.MustCompile(`<code>(https://testserver/accounts/reset/[^<]+)</code>`).FindStringSubmatch(b)
	require.NotNil(t, link, b)
	assert.Contains(t, resp.Header.Get("Cache-Control"), "no-store")
	lu, err := url.Parse(link[1])
	require.NoError(t, err)
	assert.NotContains(t, c.page(userURL(target.ID, "reset")), lu.Path, "shown only once")

	u := e.as(nil)
	resp = u.get(lu.Path)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	resp = u.post(resp.Header.Get("Location"), url.Values{"new_password1": {strongPassword}, "new_password2": {strongPassword}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	ok, _, err := e.a.Hashers().Check(context.Background(), strongPassword, e.reload(target.ID).Password)
	require.NoError(t, err)
	assert.True(t, ok, "the link set the password")

	require.Equal(t, http.StatusFound, c.post(userURL(target.ID, "reset"), url.Values{"action": {"mail"}}).StatusCode)
	require.NoError(t, m.Close())
	require.Equal(t, 1, outbox.Len())
	assert.Equal(t, []string{"target@example.com"}, outbox.Messages()[0].To)

	inactive := e.user("gone", func(u *auth.User) { u.IsActive = false })
	resp = c.post(userURL(inactive.ID, "reset"), url.Values{"action": {"link"}})
	b = body(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, b, "No reset link can be made")
	assert.NotContains(t, b, "/accounts/reset/")
	resp = c.post(userURL(target.ID, "reset"), url.Values{"action": {"fly"}})
	assert.Contains(t, body(t, resp), "Choose whether")

	var actions []dashboard.Action
	for _, ch := range e.userChanges() {
		actions = append(actions, ch.Action)
	}
	assert.Equal(t, []dashboard.Action{dashboard.ActionResetLinkMade, dashboard.ActionResetMailSent}, actions)
}

// TestFlowDevices: the adapter of an *mfa.Flow lists confirmed TOTP
// devices and recovery codes, removes one TOTP device or all recovery
// codes, and refuses another user's device.
func TestFlowDevices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := totp.NewMemoryStore()
	tf, err := totp.New(totp.Config{Store: ts})
	require.NoError(t, err)
	rf, err := recovery.New(recovery.Config{Store: recovery.NewMemoryStore()})
	require.NoError(t, err)
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{tf, rf}})
	require.NoError(t, err)
	key := strings.Repeat("3132333435363738393031323334353637383930", 1)
	d1, err := ts.Create(ctx, totp.Device{UserID: 1, Name: "phone", Confirmed: true, Key: key, Step: 30})
	require.NoError(t, err)
	_, err = ts.Create(ctx, totp.Device{UserID: 1, Name: "pending", Confirmed: false, Key: key, Step: 30})
	require.NoError(t, err)
	d3, err := ts.Create(ctx, totp.Device{UserID: 2, Name: "theirs", Confirmed: true, Key: key, Step: 30})
	require.NoError(t, err)
	rec, _, err := rf.Generate(ctx, 1)
	require.NoError(t, err)

	fd := dashboard.FlowDevices(flow)
	devs, err := fd.Devices(ctx, 1)
	require.NoError(t, err)
	var names []string
	for _, d := range devs {
		names = append(names, d.Factor+"/"+d.Name)
	}
	assert.ElementsMatch(t, []string{"totp/phone", "recovery/" + rec.Name}, names)
	assert.ErrorIs(t, fd.RemoveDevice(ctx, 1, "totp", d3.ID), mfa.ErrNoDevice, "another user's device")
	assert.ErrorIs(t, fd.RemoveDevice(ctx, 1, "passkey", 1), mfa.ErrNoDevice)
	require.NoError(t, fd.RemoveDevice(ctx, 1, "totp", d1.ID))
	require.NoError(t, fd.RemoveDevice(ctx, 1, "recovery", rec.ID))
	devs, err = fd.Devices(ctx, 1)
	require.NoError(t, err)
	assert.Empty(t, devs)
	devs, err = fd.Devices(ctx, 2)
	require.NoError(t, err)
	assert.Len(t, devs, 1)
}
