package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/social"
	"github.com/djauth/auth/testkit"
)

// TestSocialThroughOIDCProvider drives the social endpoints against a
// real OpenID provider (panva's oidc-provider, testkit) as a mobile app
// does: start answers the provider's URL on the client's session (token
// transport), the person signs in at the provider, the app catches the
// redirect to the callback URL and posts its code and state to the
// callback endpoint, which signs in (a new account from the verified
// email) and renews the token. A tampered nonce, a wrong state, a state
// of another session and a replayed state are refused.
func TestSocialThroughOIDCProvider(t *testing.T) {
	testkit.NeedNode(t)
	var op *testkit.OIDCProvider
	var callback string
	s := newApp(t, appOptions{pg: usePG(), social: func(base string) []social.Provider {
		callback = base + "/accounts/social/test/callback/"
		op = testkit.StartOIDCProvider(t, testkit.OIDCProviderConfig{
			Clients: []testkit.OIDCClient{{ID: "api-app", Secret: "api-app-secret", RedirectURIs: []string{callback}}},
			Accounts: map[string]map[string]any{"olive": {"email": "olive@example.com", "email_verified": true,
				"preferred_username": "olive", "given_name": "Olive", "family_name": "Oyl"}},
		})
		p, err := social.NewOIDC(social.OIDCConfig{ID: "test", Name: "Test ID", Issuer: op.Issuer(), ClientID: "api-app", ClientSecret: "api-app-secret"})
		require.NoError(t, err)
		return []social.Provider{p}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// start begins a login on c's session and returns the provider's URL.
	start := func(c *client) string {
		t.Helper()
		r := c.do(http.MethodPost, "social/test/start", map[string]any{"transport": "token"})
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		require.NotEmpty(t, c.token, "the login's state lives in the client's session")
		u := r.body["url"].(string)
		require.True(t, strings.HasPrefix(u, op.Issuer()+"/"), u)
		return u
	}
	// atProvider signs olive in at the provider and returns the code and
	// state of the redirect back.
	atProvider := func(authURL string) (code, state string) {
		t.Helper()
		back, err := testkit.RunProviderLogin(ctx, testkit.ProviderLogin{AuthURL: authURL, CallbackURL: callback, Login: "olive", Password: "any"})
		require.NoError(t, err)
		q := back.Query()
		require.NotEmpty(t, q.Get("code"), back.String())
		return q.Get("code"), q.Get("state")
	}
	finish := func(c *client, code, state string) *reply {
		return c.do(http.MethodPost, "social/test/callback", map[string]any{"code": code, "state": state})
	}
	refused := func(r *reply, c *client) {
		t.Helper()
		require.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
		assert.Equal(t, "social_failed", r.code())
		assert.Equal(t, http.StatusUnauthorized, c.do(http.MethodGet, "me", nil).status, "nobody is signed in")
	}
	t.Run("unknown provider", func(t *testing.T) {
		r := s.client().do(http.MethodPost, "social/nope/start", map[string]any{"transport": "token"})
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.Equal(t, "not_found", r.code())
	})
	t.Run("tampered nonce", func(t *testing.T) {
		c := s.client()
		u, err := url.Parse(start(c))
		require.NoError(t, err)
		q := u.Query()
		require.NotEmpty(t, q.Get("nonce"))
		q.Set("nonce", "another-nonce")
		u.RawQuery = q.Encode()
		code, state := atProvider(u.String())
		refused(finish(c, code, state), c)
	})
	t.Run("wrong state, then replayed", func(t *testing.T) {
		c := s.client()
		code, state := atProvider(start(c))
		refused(finish(c, code, state+"x"), c)
		refused(finish(c, code, state), c) // the state serves once
	})
	t.Run("another session's state", func(t *testing.T) {
		victim, attacker := s.client(), s.client()
		code, state := atProvider(start(victim))
		start(attacker)
		refused(finish(attacker, code, state), attacker)
		refused(finish(s.client(), code, state), s.client())
	})
	t.Run("signs in", func(t *testing.T) {
		c := s.client()
		code, state := atProvider(start(c))
		before := c.token
		r := finish(c, code, state)
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		assert.Equal(t, "authenticated", r.body["status"])
		assert.Equal(t, "olive@example.com", r.body["user"].(map[string]any)["email"])
		assert.NotEqual(t, before, c.token, "the sign-in renews the token")
		assert.Equal(t, c.token, r.header.Get("Session-Token"))
		r = c.do(http.MethodGet, "me", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
		assert.Equal(t, "olive@example.com", r.body["user"].(map[string]any)["email"])
		c.token = before
		assert.Equal(t, "invalid_token", c.do(http.MethodGet, "me", nil).code(), "the pre-login token is dead")
	})
}
