package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrowserSignupAndVerification signs up in Chromium with the fields
// found by their labels, lands on "Verify your email address", opens the
// mailed link (whose page verifies nothing until its button is pressed),
// presses it and logs in; a second account types the mailed code on the
// code page instead.
func TestBrowserSignupAndVerification(t *testing.T) {
	requireBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	s := newPagesSite(t, nil)
	d := startBrowser(ctx, t, tmp)
	shot := func(name string) { screenshotTo(t, ctx, d, tmp, name) }
	const password = "correct horse battery staple"

	signUp := func(username, email string) {
		t.Helper()
		require.NoError(t, d.navigate(ctx, s.origin+"/accounts/signup/"))
		require.NoError(t, d.waitSource(ctx, "<h1>Sign up</h1>"))
		require.NoError(t, d.fillLabel(ctx, "Username", username))
		require.NoError(t, d.fillLabel(ctx, "Email address", email))
		require.NoError(t, d.fillLabel(ctx, "Password", password))
		require.NoError(t, d.fillLabel(ctx, "Password (again)", password))
		require.NoError(t, d.press(ctx, "Sign up"))
		require.NoError(t, d.waitPath(ctx, s.origin, "/accounts/confirm-email/"))
		require.NoError(t, d.waitSource(ctx, "<h1>Verify your email address</h1>"))
	}
	logIn := func(username string) {
		t.Helper()
		require.NoError(t, d.navigate(ctx, s.origin+"/accounts/login/"))
		require.NoError(t, d.fillLabel(ctx, "Username", username))
		require.NoError(t, d.fillLabel(ctx, "Password", password))
		require.NoError(t, d.press(ctx, "Log in"))
	}
	profile := func(username string) {
		t.Helper()
		require.NoError(t, d.waitPath(ctx, s.origin, "/accounts/profile/"))
		require.NoError(t, d.waitSource(ctx, "You are logged in as "+username+"."))
	}

	// 1. Sign up: the login gate holds the new account back until its
	// address is verified.
	signUp("ann", "ann@example.com")
	shot("signup_verify_email.png")
	assert.False(t, s.address(t, "ann@example.com").Verified)
	logIn("ann")
	require.NoError(t, d.waitPath(ctx, s.origin, "/accounts/confirm-email/"), "an unverified account cannot log in")

	// 2. The mailed link opens a confirmation page; the GET verifies
	// nothing (a mail scanner may follow links).
	link, _ := s.verificationMail(t, "ann@example.com")
	require.NoError(t, d.navigate(ctx, link))
	require.NoError(t, d.waitSource(ctx, "<h1>Confirm email address</h1>"))
	page, err := d.source(ctx)
	require.NoError(t, err)
	assert.Contains(t, page, "ann@example.com is an email address of the account ann.")
	shot("signup_confirm_page.png")
	assert.False(t, s.address(t, "ann@example.com").Verified, "GET of the link must not verify")

	// 3. The button verifies; then ann logs in.
	require.NoError(t, d.press(ctx, "Confirm"))
	require.NoError(t, d.waitSource(ctx, "<h1>Email address verified</h1>"))
	shot("signup_confirmed.png")
	assert.True(t, s.address(t, "ann@example.com").Verified)
	require.NoError(t, d.press(ctx, "Log in"))
	require.NoError(t, d.waitPath(ctx, s.origin, "/accounts/login/"))
	logIn("ann")
	profile("ann")
	shot("signup_logged_in.png")

	// 4. A second account verifies with the code: the verify page links to
	// the code page, which knows the address from the sign-up.
	require.NoError(t, d.press(ctx, "Log out"))
	require.NoError(t, d.waitSource(ctx, "Log in again"))
	signUp("bob", "bob@example.com")
	_, code := s.verificationMail(t, "bob@example.com")
	require.NoError(t, d.press(ctx, "Type the code"))
	require.NoError(t, d.waitPath(ctx, s.origin, "/accounts/confirm-email/code/"))
	email, err := d.labelValue(ctx, "Email address")
	require.NoError(t, err)
	assert.Equal(t, "bob@example.com", email)
	require.NoError(t, d.fillLabel(ctx, "Code from the mail", "WRONG000"))
	require.NoError(t, d.press(ctx, "Verify"))
	require.NoError(t, d.waitSource(ctx, "The code is wrong or has expired."))
	assert.False(t, s.address(t, "bob@example.com").Verified)
	require.NoError(t, d.fillLabel(ctx, "Code from the mail", code))
	require.NoError(t, d.press(ctx, "Verify"))
	require.NoError(t, d.waitSource(ctx, "<h1>Email address verified</h1>"))
	shot("signup_code_confirmed.png")
	assert.True(t, s.address(t, "bob@example.com").Verified)
	logIn("bob")
	profile("bob")
}
