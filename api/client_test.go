package api_test

import (
	"encoding/base32"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClientOnlyFlow drives the API as a mobile app does: a plain
// http.Client with no cookie jar, the session token in a bearer header.
// Sign up, read the verification code from the outbox, verify, sign in
// for a token, read me, sign in a second time, list the two sessions,
// revoke the other one, sign out. On the memory stores and on
// PostgreSQL.
func TestClientOnlyFlow(t *testing.T) { eachStore(t, testClientOnlyFlow) }

func testClientOnlyFlow(t *testing.T, pg bool) {
	s := newApp(t, appOptions{pg: pg})
	c := s.client()

	r := c.do(http.MethodPost, "signup", map[string]any{
		"username": "jane", "email": "jane@example.com",
		"password1": "a-long-passphrase", "password2": "a-long-passphrase", "transport": "token",
	})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, "verification_required", r.body["status"])

	// Unverified: the gate refuses the sign-in.
	r = c.do(http.MethodPost, "signin", map[string]any{"username": "jane", "password": "a-long-passphrase", "transport": "token"})
	require.Equal(t, http.StatusForbidden, r.status, "%s", r.raw)
	assert.Equal(t, "login_refused", r.code())

	code := s.mailCode("jane@example.com")
	r = c.do(http.MethodPost, "email/verify", map[string]any{"email": "jane@example.com", "code": "WRONG-CODE"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.raw)
	assert.Equal(t, "invalid_code", r.code())
	r = c.do(http.MethodPost, "email/verify", map[string]any{"email": "jane@example.com", "code": code})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	c.token = ""
	r = c.do(http.MethodPost, "signin", map[string]any{"username": "jane", "password": "a-long-passphrase", "transport": "token"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "authenticated", r.body["status"])
	first := c.token
	require.NotEmpty(t, first)
	assert.Equal(t, first, r.header.Get("Session-Token"))
	assert.Empty(t, r.header.Values("Set-Cookie"), "token transport sets no cookie")

	r = c.do(http.MethodGet, "me", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "jane", r.body["user"].(map[string]any)["username"])

	// A second device signs in.
	c2 := s.client()
	r = c2.do(http.MethodPost, "signin", map[string]any{"username": "jane", "password": "a-long-passphrase", "transport": "token"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	require.NotEqual(t, first, c2.token)

	r = c.do(http.MethodGet, "sessions", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	list := r.body["sessions"].([]any)
	require.Len(t, list, 2)
	var other string
	for _, e := range list {
		m := e.(map[string]any)
		if !m["current"].(bool) {
			other = m["id"].(string)
		}
	}
	require.NotEmpty(t, other)
	r = c.do(http.MethodDelete, "sessions/"+other, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	// The revoked device's token is dead: 401, never a fresh session.
	r = c2.do(http.MethodGet, "me", nil)
	require.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "invalid_token", r.code())

	r = c.do(http.MethodGet, "sessions", nil)
	require.Len(t, r.body["sessions"].([]any), 1)

	// Organizations: create one, list it, make it current, see it in me.
	r = c.do(http.MethodPost, "orgs", map[string]any{"name": "Acme Corp"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	org := r.body["organization"].(map[string]any)
	assert.Equal(t, "acme-corp", org["slug"])
	r = c.do(http.MethodGet, "orgs", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, r.body["organizations"].([]any), 1)
	assert.Nil(t, r.body["current"])
	r = c.do(http.MethodPost, "orgs/switch", map[string]any{"org_id": org["id"]})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	r = c.do(http.MethodGet, "me", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.NotNil(t, r.body["organization"], "%s", r.raw)
	assert.Equal(t, org["id"], r.body["organization"].(map[string]any)["id"])
	r = c.do(http.MethodGet, "orgs", nil)
	assert.Equal(t, org["id"], r.body["current"])

	r = c.do(http.MethodPost, "signout", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "", c.token, "the body says the token ended")
	c.token = first
	r = c.do(http.MethodGet, "me", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "invalid_token", r.code())
}

// TestClientMFA signs in with a password and then a TOTP code, after
// enrolling the authenticator app through the API.
func TestClientMFA(t *testing.T) {
	s := newApp(t, appOptions{})
	u := s.createUser("max", "max@example.com", "a-long-passphrase")
	c := s.client()
	r := c.do(http.MethodPost, "signin", map[string]any{"username": "max", "password": "a-long-passphrase", "transport": "token"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	r = c.do(http.MethodPost, "mfa/totp/begin", map[string]any{"name": "Phone"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	id := r.body["device_id"]
	devs, err := s.totp.List(t.Context(), u.ID)
	require.NoError(t, err)
	require.Len(t, devs, 1)
	secret := base32Key(t, devs[0].Key)
	r = c.do(http.MethodPost, "mfa/totp/confirm", map[string]any{"device_id": id, "code": "000000"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.raw)
	assert.Equal(t, "invalid_code", r.code())
	r = c.do(http.MethodPost, "mfa/totp/confirm", map[string]any{"device_id": id, "code": "000000"})
	require.Equal(t, http.StatusTooManyRequests, r.status, "the device is throttled after a failure: %s", r.raw)
	assert.NotEmpty(t, r.header.Get("Retry-After"))
	s.advance(time.Minute)
	code, err := totp.GenerateCode(secret, s.now())
	require.NoError(t, err)
	r = c.do(http.MethodPost, "mfa/totp/confirm", map[string]any{"device_id": id, "code": code})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	r = c.do(http.MethodPost, "mfa/recovery/regenerate", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	codes := r.body["codes"].([]any)
	require.NotEmpty(t, codes)

	r = c.do(http.MethodGet, "mfa/factors", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	// A new sign-in now needs the second step.
	c2 := s.client()
	r = c2.do(http.MethodPost, "signin", map[string]any{"username": "max", "password": "a-long-passphrase", "transport": "token"})
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.raw)
	assert.Equal(t, "mfa_required", r.body["status"])
	assert.ElementsMatch(t, []any{"totp", "recovery"}, r.body["factors"])
	pendingToken := c2.token
	require.NotEmpty(t, pendingToken)
	r = c2.do(http.MethodGet, "me", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status, "a pending sign-in gives no access")
	assert.Equal(t, "not_authenticated", r.code())

	r = c2.do(http.MethodPost, "signin/mfa", map[string]any{"factor": "recovery", "code": "nope-nope"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.raw)
	assert.Equal(t, "invalid_code", r.code())
	r = c2.do(http.MethodPost, "signin/mfa", map[string]any{"factor": "sms", "code": "123456"})
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "unknown_factor", r.code())
	s.advance(time.Minute)
	r = c2.do(http.MethodPost, "signin/mfa", map[string]any{"factor": "recovery", "code": codes[0].(string)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "authenticated", r.body["status"])
	assert.NotEqual(t, pendingToken, c2.token, "completing the second step renews the token")
	r = c2.do(http.MethodGet, "me", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, map[string]any{"verified": true, "factor": "recovery"}, r.body["mfa"])

	// Without a pending sign-in.
	c3 := s.client()
	r = c3.do(http.MethodPost, "signin/mfa", map[string]any{"factor": "totp", "code": "123456"})
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Equal(t, "mfa_not_pending", r.code())
}

// base32Key is the base32 secret of a hex TOTP key, as an authenticator
// app reads it from the otpauth URI.
func base32Key(t *testing.T, hexKey string) string {
	t.Helper()
	b, err := hex.DecodeString(hexKey)
	require.NoError(t, err)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}
