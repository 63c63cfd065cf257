package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/testkit"
)

// TestOIDCLogin runs the app with -oidc-* against a real OpenID provider
// (testkit's oidc-provider process) and logs a new user in through it
// from the "Log in with ..." button of the login page.
func TestOIDCLogin(t *testing.T) {
	testkit.NeedNode(t)
	opPort, err := testkit.FreePort()
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	origin := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	issuer := fmt.Sprintf("http://127.0.0.1:%d", opPort)
	id := fmt.Sprintf("127-0-0-1-%d", opPort)
	callback := origin + "/accounts/social/" + id + "/callback/"
	testkit.StartOIDCProvider(t, testkit.OIDCProviderConfig{Port: opPort,
		Clients: []testkit.OIDCClient{{ID: "webapp", Secret: "webapp-secret", RedirectURIs: []string{callback}}},
		Accounts: map[string]map[string]any{
			"ada": {"email": "ada@example.com", "email_verified": true, "preferred_username": "ada", "given_name": "Ada"},
		}})

	_, cfg, err := parseFlags([]string{"-oidc-issuer", issuer, "-origin", origin}, func(k string) string {
		return map[string]string{"OIDC_CLIENT_ID": "webapp", "OIDC_CLIENT_SECRET": "webapp-secret"}[k]
	})
	require.NoError(t, err)
	require.Equal(t, "webapp", cfg.OIDCClientID)
	cfg.InsecureCookies, cfg.Demo, cfg.Hashers = true, false, cheapHashers()
	var out strings.Builder
	cfg.Out = &out
	h, cleanup, err := newApp(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(cleanup)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	assert.Contains(t, out.String(), "register the callback "+callback)

	// The login page shows the button, a POST form to the provider's
	// login URL.
	resp, err := http.Get(origin + "/accounts/login/?next=/api/me")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	loginURL := "/accounts/social/" + id + "/login/"
	assert.Contains(t, string(body), `<form method="post" action="`+loginURL+`" class="social-login">`)
	assert.Contains(t, string(body), "Log in with 127.0.0.1:")

	res, err := testkit.RunSocialLogin(context.Background(), testkit.SocialLogin{StartURL: origin + loginURL, Login: "ada",
		Form: map[string][]string{"next": {"/api/me"}}})
	require.NoError(t, err)
	require.NotNil(t, res.Session, "%d %s: %s", res.Status, res.URL, res.Body)
	assert.Equal(t, origin+"/api/me", res.URL)
	var me meResponse
	require.NoError(t, json.Unmarshal([]byte(res.Body), &me), res.Body)
	assert.True(t, me.Authenticated)
	assert.Equal(t, "ada", me.Username)
	assert.Equal(t, "ada@example.com", me.Email)

	// The identities page lists the identity.
	resp, err = res.Client.Get(origin + "/accounts/social/identities/")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), "ada@example.com")
}

func TestOIDCFlags(t *testing.T) {
	_, _, err := parseFlags([]string{"-oidc-issuer", "https://id.example.com"}, func(string) string { return "" })
	require.ErrorContains(t, err, "-oidc-client-id")
	_, _, err = parseFlags([]string{"-oidc-issuer", "ftp://x", "-oidc-client-id", "a", "-oidc-client-secret", "b"}, func(string) string { return "" })
	require.ErrorContains(t, err, "-oidc-issuer")
	_, cfg, err := parseFlags(nil, func(k string) string {
		return map[string]string{"OIDC_ISSUER": "https://id.example.com/realms/x", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"}[k]
	})
	require.NoError(t, err)
	assert.Equal(t, "https://id.example.com/realms/x", cfg.OIDCIssuer)
	p, err := oidcProvider(cfg.OIDCIssuer, "a", "b")
	require.NoError(t, err)
	assert.Equal(t, "id-example-com", p.ID())
	assert.Equal(t, "id.example.com", p.Name())
	// Without an origin (a non-local address and no -origin) there is no
	// callback URL.
	cfg.Logger, cfg.Hashers = nil, cheapHashers()
	_, _, err = newApp(context.Background(), cfg)
	require.ErrorContains(t, err, "-origin")
}
