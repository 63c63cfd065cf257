package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/social"
)

// impersonate has c's signed-in superuser impersonate the user id, as a
// dashboard's "log in as" does; c then holds the new session token.
func (c *client) impersonate(id int64) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.s.srv.URL+"/test/impersonate/"+strconv.FormatInt(id, 10), nil)
	require.NoError(c.t, err)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.c.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	require.Equal(c.t, http.StatusOK, resp.StatusCode)
	var out struct {
		SessionToken string `json:"session_token"`
	}
	require.NoError(c.t, json.NewDecoder(resp.Body).Decode(&out))
	require.NotEmpty(c.t, out.SessionToken)
	c.token = out.SessionToken
}

// TestImpersonation: while a superuser acts as another user, me tells
// who, and the API refuses with 403 impersonating every action the HTML
// pages refuse (password, second factors, passkeys, email verification,
// social sign-in and link) and every sign-in to another account; reading
// the target's state and signing out stay allowed.
func TestImpersonation(t *testing.T) {
	s := newApp(t, appOptions{pg: usePG(), social: func(string) []social.Provider {
		// Never reached: the refusal comes first.
		p, err := social.NewOIDC(social.OIDCConfig{ID: "test", Issuer: "http://127.0.0.1:1", ClientID: "c"})
		require.NoError(t, err)
		return []social.Provider{p}
	}})
	root := s.createUser("root", "root@example.com", pw)
	root.IsSuperuser, root.IsStaff = true, true
	require.NoError(t, s.store.UpdateUser(context.Background(), root))
	tina := s.createUser("tina", "tina@example.com", pw)

	c := s.client()
	r := c.do(http.MethodPost, "signin", map[string]any{"username": "root", "password": pw, "transport": "token"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	r = c.do(http.MethodGet, "me", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, false, r.body["impersonating"])
	assert.NotContains(t, r.body, "impersonator")
	before := c.token

	c.impersonate(tina.ID)
	assert.NotEqual(t, before, c.token, "a new token: no fixation")
	r = c.do(http.MethodGet, "me", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "tina", r.body["user"].(map[string]any)["username"])
	assert.Equal(t, true, r.body["impersonating"])
	imp := r.body["impersonator"].(map[string]any)
	assert.Equal(t, "root", imp["username"])
	assert.Equal(t, float64(root.ID), imp["id"])

	for _, tc := range []struct {
		path string
		body any
	}{
		{"password/change", map[string]any{"old_password": pw, "new_password1": "another-long-pass", "new_password2": "another-long-pass"}},
		{"mfa/totp/begin", map[string]any{}},
		{"mfa/totp/confirm", map[string]any{"device_id": 1, "code": "123456"}},
		{"mfa/recovery/regenerate", map[string]any{}},
		{"passkey/register/begin", map[string]any{}},
		{"passkey/register/finish", map[string]any{"name": "k", "credential": map[string]any{}}},
		{"passkey/login/begin", map[string]any{}},
		{"passkey/login/finish", map[string]any{"credential": map[string]any{}}},
		{"passkey/passwordless/begin", map[string]any{}},
		{"passkey/passwordless/finish", map[string]any{"credential": map[string]any{}}},
		{"email/verify", map[string]any{"email": "tina@example.com", "code": "ABCD-EFGH"}},
		{"signin", map[string]any{"username": "root", "password": pw}},
		{"signin/mfa", map[string]any{"factor": "totp", "code": "123456"}},
		{"signup", map[string]any{"username": "x", "password1": pw, "password2": pw}},
		{"passwordless/start", map[string]any{"email": "root@example.com"}},
		{"passwordless/verify", map[string]any{"code": "ABCDEFGH"}},
		{"social/test/start", map[string]any{}},
		{"social/test/callback", map[string]any{"code": "x", "state": "y"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := c.do(http.MethodPost, tc.path, tc.body)
			require.Equal(t, http.StatusForbidden, r.status, "%s", r.raw)
			assert.Equal(t, "impersonating", r.code())
		})
	}
	// Nothing was changed on the target's account.
	u, err := s.store.GetUser(context.Background(), tina.ID)
	require.NoError(t, err)
	assert.Equal(t, tina.Password, u.Password)

	for _, p := range []string{"me", "sessions", "mfa/factors", "orgs"} {
		r := c.do(http.MethodGet, p, nil)
		assert.Equal(t, http.StatusOK, r.status, "GET %s: %s", p, r.raw)
	}
	// Signing out ends the impersonation and the session.
	old := c.token
	r = c.do(http.MethodPost, "signout", map[string]any{})
	require.Equal(t, http.StatusOK, r.status)
	c.token = old
	r = c.do(http.MethodGet, "me", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "invalid_token", r.code())
}
