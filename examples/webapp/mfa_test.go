package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/totp"
	"github.com/djauth/auth/mfa/totp/totptest"
	"github.com/djauth/auth/store/memory"
)

// enrolTOTP enrols a TOTP device for userID through the Go API, as the
// enrolment page does: Begin, then Confirm with the code of now. It
// returns the confirmed device.
func enrolTOTP(t *testing.T, store totp.Store, clock *totptest.Clock, userID int64) totp.Device {
	t.Helper()
	f, err := totp.New(totp.Config{Store: store, Now: clock.Now})
	require.NoError(t, err)
	d, err := f.Begin(t.Context(), userID, "Phone")
	require.NoError(t, err)
	code, err := d.CodeAt(clock.Now())
	require.NoError(t, err)
	d, err = f.Confirm(t.Context(), userID, d.ID, code)
	require.NoError(t, err)
	require.True(t, d.Confirmed)
	return d
}

// twoStepLogin posts the password, checks that it leads to the challenge
// page and nowhere else, gives a wrong code (the page stays, nobody is
// logged in), then the right one, and checks the login: a new session
// token, the user in /api/me, the device under otp_device_id's place.
func twoStepLogin(t *testing.T, s *site, c *client, username, password string, dev totp.Device, clock *totptest.Clock) {
	t.Helper()
	resp := c.post(s.srv.URL+"/accounts/login/", url.Values{"username": {username}, "password": {password}})
	require.Equal(t, http.StatusFound, resp.StatusCode, resp.body)
	require.True(t, strings.HasPrefix(resp.Header.Get("Location"), mfa.DefaultChallengeURL), resp.Header.Get("Location"))
	pending := c.session
	assert.Equal(t, map[string]any{"authenticated": false}, c.me(s), "nobody is logged in before the second step")
	resp = c.get(s.srv.URL + "/reports/")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/accounts/login/"), "a pending login opens no page")

	resp = c.get(s.srv.URL + mfa.DefaultChallengeURL)
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.body)
	assert.Contains(t, resp.body, `name="code"`)

	good, err := dev.CodeAt(clock.Now())
	require.NoError(t, err)
	wrong := "000000"
	if good == wrong {
		wrong = "111111"
	}
	resp = c.post(s.srv.URL+mfa.DefaultChallengeURL, url.Values{"factor": {totp.Kind}, "code": {wrong}})
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a wrong code stays on the challenge")
	assert.Contains(t, resp.body, `name="code"`)
	assert.Contains(t, resp.body, `aria-invalid="true"`)
	assert.Equal(t, map[string]any{"authenticated": false}, c.me(s))

	// A failure throttles the device for a second (django-otp's
	// OTP_TOTP_THROTTLE_FACTOR); the next code is still in the same step.
	clock.Add(2 * time.Second)
	resp = c.post(s.srv.URL+mfa.DefaultChallengeURL, url.Values{"factor": {totp.Kind}, "code": {good}})
	require.Equal(t, http.StatusFound, resp.StatusCode, resp.body)
	assert.NotEqual(t, pending, c.session, "the session token is renewed at the second step")
	assert.Equal(t, username, c.me(s)["username"])
}

// TestMFATwoStepLogin: a demo user enrols TOTP through the Go API; the
// password alone then leads to the challenge, where a wrong code keeps
// the user out and the right one logs them in. The other demo user, who
// has no device, still logs in with the password printed at startup.
func TestMFATwoStepLogin(t *testing.T) {
	t.Parallel()
	clock := totptest.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	store := memory.New[auth.User]()
	ts := totp.NewMemoryStore()
	s := startSite(t, config{Demo: true, Store: store, TOTPStore: ts, Now: clock.Now, SecretKey: testSecret,
		InsecureCookies: true, Origin: "http://localhost:8000"})
	require.Contains(t, s.out, "Passkeys are bound to http://localhost:8000")
	alice, err := store.GetUserByUsername(context.Background(), "alice")
	require.NoError(t, err)
	dev := enrolTOTP(t, ts, clock, alice.ID)
	// The confirming code's step is spent; the login uses the next one.
	clock.Add(totp.DefaultStep * time.Second)

	c := &client{t: t}
	twoStepLogin(t, s, c, "alice", s.demos["alice"], dev, clock)
	resp := c.get(s.srv.URL + "/reports/")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a verified session opens the pages")

	resp = c.post(s.srv.URL+"/accounts/logout/", url.Values{})
	require.Less(t, resp.StatusCode, 400)
	assert.Equal(t, map[string]any{"authenticated": false}, c.me(s))

	admin := &client{t: t}
	admin.login(s, "admin", s.demos["admin"])
	assert.Equal(t, "admin", admin.me(s)["username"], "a user without a device logs in with the password")
	resp = admin.get(s.srv.URL + "/")
	assert.Contains(t, resp.body, `<a href="/accounts/mfa/">Two-factor authentication</a>`)
}

// TestMFAEveryone: with -mfa-required everyone and no grace period, a
// user without a device logs in with the password but is sent from the
// site's pages to the enrolment page; the home page stays open.
func TestMFAEveryone(t *testing.T) {
	t.Parallel()
	s := startSite(t, config{Demo: true, SecretKey: testSecret, InsecureCookies: true, MFARequired: "everyone"})
	c := &client{t: t}
	c.login(s, "alice", s.demos["alice"])
	for _, path := range []string{"/reports/", "/accounts/profile/"} {
		resp := c.get(s.srv.URL + path)
		require.Equal(t, http.StatusFound, resp.StatusCode, path)
		loc, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		assert.Equal(t, mfa.DefaultEnrolURL, loc.Path, path)
		assert.Equal(t, path, loc.Query().Get("next"), path)
	}
	resp := c.get(s.srv.URL + "/")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestMFAFlags: the policy and origin flags are parsed and checked.
func TestMFAFlags(t *testing.T) {
	t.Parallel()
	getenv := func(string) string { return "" }
	_, cfg, err := parseFlags([]string{"-mfa-required", "staff", "-mfa-grace", "168h", "-origin", "https://example.com"}, getenv)
	require.NoError(t, err)
	assert.Equal(t, "staff", cfg.MFARequired)
	assert.Equal(t, 168*time.Hour, cfg.MFAGrace)
	p, err := mfaPolicy(cfg.MFARequired, cfg.MFAGrace)
	require.NoError(t, err)
	assert.Equal(t, mfa.Policy{Staff: true, Superusers: true, Grace: 168 * time.Hour}, p)

	_, _, err = parseFlags([]string{"-mfa-required", "admins"}, getenv)
	assert.ErrorContains(t, err, `-mfa-required "admins": want none, superusers, staff or everyone`)
	_, _, err = parseFlags([]string{"-mfa-required", "staff", "-mfa-grace", "-1h"}, getenv)
	assert.ErrorIs(t, err, mfa.ErrInvalidPolicy)
	_, _, err = parseFlags([]string{"-origin", "example.com"}, getenv)
	assert.ErrorContains(t, err, "want scheme://host[:port]")

	for addr, want := range map[string]string{
		"127.0.0.1:8000": "http://localhost:8000", "[::1]:9000": "http://localhost:9000",
		":8080": "http://localhost:8080", "192.0.2.7:8000": "",
	} {
		got, err := passkeyOrigin("", addr)
		require.NoError(t, err)
		assert.Equal(t, want, got, addr)
	}
	got, err := passkeyOrigin("https://example.com/", "127.0.0.1:8000")
	require.NoError(t, err)
	assert.Equal(t, "https://example.com", got, "-origin wins")
}
