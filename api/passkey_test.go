package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/api"
	"github.com/djauth/auth/mfa/passkey/passkeytest"
)

// TestPasskeyCeremonies runs every passkey ceremony through the API with
// a software authenticator, as a cookie-less client: a signed-in user
// registers a passkey; a new client signs in with it alone (passwordless,
// token transport asked by header); a password sign-in then needs the
// second step, which the passkey completes. A replayed assertion and
// another origin are refused.
func TestPasskeyCeremonies(t *testing.T) {
	s := newApp(t, appOptions{pg: usePG()})
	authn := passkeytest.NewAuthenticator(t, "http://localhost", "localhost")
	kim := signedIn(t, s, "kim")

	r := kim.do(http.MethodPost, "passkey/register/begin", map[string]any{})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	var creation protocol.CredentialCreation
	require.NoError(t, json.Unmarshal(r.raw, &creation))
	body, cred := authn.Create(&creation)
	r = kim.do(http.MethodPost, "passkey/register/finish", map[string]any{"name": "Laptop", "credential": json.RawMessage(body)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	r = kim.do(http.MethodGet, "mfa/factors", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.raw), `"Laptop"`)

	// assertion begins a ceremony on c and answers it with the passkey.
	assertion := func(c *client, path string, in map[string]any) []byte {
		t.Helper()
		r := c.do(http.MethodPost, "passkey/"+path+"/begin", in)
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		var opts protocol.CredentialAssertion
		require.NoError(t, json.Unmarshal(r.raw, &opts))
		return authn.Get(&opts, cred)
	}

	// Passwordless: a new client, no cookies, token transport by header.
	c := s.client()
	c.header.Set(api.TransportHeader, api.TransportToken)
	got := assertion(c, "passwordless", map[string]any{"conditional": false})
	require.NotEmpty(t, c.token, "the challenge lives in the token's session")
	pending := c.token
	r = c.do(http.MethodPost, "passkey/passwordless/finish", map[string]any{"credential": json.RawMessage(got)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.NotEqual(t, pending, c.token, "the sign-in renews the token")
	r = c.do(http.MethodGet, "me", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "kim", r.body["user"].(map[string]any)["username"])
	assert.Equal(t, true, r.body["mfa"].(map[string]any)["verified"])
	assert.Equal(t, "passkey", r.body["mfa"].(map[string]any)["factor"])

	// The same assertion again, on a new ceremony: refused.
	c2 := s.client()
	c2.header.Set(api.TransportHeader, api.TransportToken)
	_ = assertion(c2, "passwordless", map[string]any{})
	r = c2.do(http.MethodPost, "passkey/passwordless/finish", map[string]any{"credential": json.RawMessage(got)})
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
	assert.Equal(t, "verification_failed", r.code(), "the challenge of the other ceremony does not match")
	assert.Equal(t, http.StatusUnauthorized, c2.do(http.MethodGet, "me", nil).status)

	// Another origin: refused.
	c3 := s.client()
	c3.header.Set(api.TransportHeader, api.TransportToken)
	authn.Origin = "https://evil.example"
	bad := assertion(c3, "passwordless", map[string]any{})
	authn.Origin = "http://localhost"
	r = c3.do(http.MethodPost, "passkey/passwordless/finish", map[string]any{"credential": json.RawMessage(bad)})
	assert.Equal(t, "verification_failed", r.code(), "%s", r.raw)
	assert.Equal(t, http.StatusUnauthorized, c3.do(http.MethodGet, "me", nil).status)

	// Second factor: the password sign-in waits for the passkey.
	c4 := s.client()
	r = c4.do(http.MethodPost, "signin", map[string]any{"username": "kim", "password": pw, "transport": "token"})
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.raw)
	assert.Contains(t, r.body["factors"], "passkey")
	got = assertion(c4, "login", map[string]any{})
	r = c4.do(http.MethodPost, "passkey/login/finish", map[string]any{"credential": json.RawMessage(got)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	r = c4.do(http.MethodGet, "me", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "kim", r.body["user"].(map[string]any)["username"])
}
