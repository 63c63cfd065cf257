package accounts_test

import (
	"html/template"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/validation"
)

func esc(s string) string { return template.HTMLEscapeString(s) }

// TestPasswordChange ports Django's ChangePasswordTest and
// PasswordChangeFormTest: wrong old password, mismatch, required fields,
// validators (every failure shown), success and its redirect.
func TestPasswordChange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		form     url.Values
		want     []string
		unwanted []string
	}{
		{"invalid old password", url.Values{"old_password": {"donuts"}, "new_password1": {"password1"}, "new_password2": {"password1"}},
			[]string{esc(accounts.MsgPasswordIncorrect)}, nil},
		{"mismatched passwords", url.Values{"old_password": {"password"}, "new_password1": {"password1"}, "new_password2": {"donuts"}},
			[]string{esc(accounts.MsgPasswordMismatch)}, []string{"too common"}},
		{"required", url.Values{},
			[]string{"This field is required."}, nil},
		{"every validator failure", url.Values{"old_password": {"password"}, "new_password1": {"1234567"}, "new_password2": {"1234567"}},
			[]string{"This password is too short. It must contain at least 8 characters.",
				"This password is too common.", "This password is entirely numeric."}, nil},
		{"similar to username", url.Values{"old_password": {"password"}, "new_password1": {"testclient"}, "new_password2": {"testclient"}},
			[]string{"The password is too similar to the username."}, nil},
		// Text no store can hold is a field error, never a 500, and the old
		// password is not checked.
		{"NUL in old password", url.Values{"old_password": {"pass\x00word"}, "new_password1": {newPassword}, "new_password2": {newPassword}},
			[]string{auth.MsgNullCharacters}, []string{esc(accounts.MsgPasswordIncorrect)}},
		{"invalid UTF-8 old password", url.Values{"old_password": {"pass\xffword"}, "new_password1": {newPassword}, "new_password2": {newPassword}},
			[]string{esc(auth.MsgInvalidUTF8)}, []string{esc(accounts.MsgPasswordIncorrect)}},
		{"NUL in new password", url.Values{"old_password": {"password"}, "new_password1": {"a\x00" + newPassword}, "new_password2": {newPassword}},
			[]string{auth.MsgNullCharacters}, []string{esc(accounts.MsgPasswordMismatch)}},
		{"invalid UTF-8 new passwords", url.Values{"old_password": {"password"}, "new_password1": {"\xc3" + newPassword}, "new_password2": {"\xc3" + newPassword}},
			[]string{esc(auth.MsgInvalidUTF8)}, []string{esc(accounts.MsgPasswordMismatch), "too common"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := e.createUser("testclient", "password")
			c := e.client()
			c.login("testclient", "password")
			resp := c.post("/accounts/password_change/", tc.form)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			b := body(t, resp)
			for _, w := range tc.want {
				assert.Contains(t, b, w)
			}
			for _, w := range tc.unwanted {
				assert.NotContains(t, b, w)
			}
			assert.Contains(t, b, "<title>Error: Password change</title>")
			assert.True(t, e.checkPassword(u.ID, "password"), "password unchanged")
			assert.Equal(t, "testclient", c.whoami())
		})
	}
}

func TestPasswordChangeSucceeds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("testclient", "password")
	c := e.client()
	c.login("testclient", "password")
	resp := c.get("/accounts/password_change/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Cache-Control"), "no-store")
	b := body(t, resp)
	for _, f := range []string{`name="old_password"`, `name="new_password1"`, `name="new_password2"`, "Your password must contain at least 8 characters."} {
		assert.Contains(t, b, f)
	}
	// Django's fields do not strip: surrounding spaces are kept.
	resp = c.post("/accounts/password_change/", url.Values{
		"old_password": {"password"}, "new_password1": {" horse-battery "}, "new_password2": {" horse-battery "},
	})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/accounts/password_change/done/", resp.Header.Get("Location"))
	assert.True(t, e.checkPassword(u.ID, " horse-battery "))
	assert.Equal(t, "testclient", c.whoami(), "the session survives")
	resp = c.get("/accounts/password_change/done/")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body(t, resp), "Your password was changed.")

	fresh := e.client()
	resp = fresh.post("/accounts/login/", url.Values{"username": {"testclient"}, "password": {"password"}})
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the old password no longer logs in")
	fresh.login("testclient", " horse-battery ")
}

// TestPasswordChangeSessions ports Django's SessionAuthenticationTests:
// the changing session survives with a new session key, other sessions of
// the user end.
func TestPasswordChangeSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("testclient", "password")
	e.createUser("other", "password")
	c1, c2, c3 := e.client(), e.client(), e.client()
	c1.login("testclient", "password")
	c2.login("testclient", "password")
	c3.login("other", "password")
	before := c1.cookies["sessionid"]
	resp := c1.post("/accounts/password_change/", url.Values{
		"old_password": {"password"}, "new_password1": {"horse-battery"}, "new_password2": {"horse-battery"},
	})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.NotEqual(t, before, c1.cookies["sessionid"], "the session token is renewed")
	assert.Equal(t, "testclient", c1.whoami())
	assert.Equal(t, "AnonymousUser", c2.whoami(), "another session of the user ends")
	assert.Equal(t, "other", c3.whoami(), "another user's session is untouched")
}

// TestPasswordChangeGuards: login required, cross-origin POST refused,
// other methods refused.
func TestPasswordChangeGuards(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("testclient", "password")
	anon := e.client()
	for _, path := range []string{"/accounts/password_change/", "/accounts/password_change/done/"} {
		resp := anon.get(path)
		assert.Equal(t, http.StatusFound, resp.StatusCode)
		assert.Equal(t, "/accounts/login/?next="+path, resp.Header.Get("Location"))
	}
	c := e.client()
	c.login("testclient", "password")
	form := url.Values{"old_password": {"password"}, "new_password1": {"password1"}, "new_password2": {"password1"}}
	resp := c.post("/accounts/password_change/", form, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp = c.post("/accounts/password_change/", form, "Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.True(t, e.checkPassword(u.ID, "password"))
	assert.Equal(t, http.StatusMethodNotAllowed, c.do(http.MethodPut, "/accounts/password_change/", nil).StatusCode)
	assert.Equal(t, http.StatusMethodNotAllowed, c.post("/accounts/password_change/done/", nil).StatusCode)
}

// TestPasswordChangeValidatorsOff: an empty non-nil list turns validation
// off; nil means Django's defaults.
func TestPasswordChangeValidatorsOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *envConfig) { c.PasswordValidators = []validation.Validator{} })
	u := e.createUser("testclient", "password")
	c := e.client()
	c.login("testclient", "password")
	resp := c.post("/accounts/password_change/", url.Values{"old_password": {"password"}, "new_password1": {"1"}, "new_password2": {"1"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.True(t, e.checkPassword(u.ID, "1"))
	assert.Len(t, e.m.Validators(), 0)
	assert.Len(t, newEnv(t).m.Validators(), 4)
}
