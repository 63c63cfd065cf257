package oidctest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/oidctest"
)

// TestProviderDiscoveryAndRotation: the started provider serves its
// discovery document for its issuer and a key with the kid asked for; a
// restart with another kid rotates it; after Stop nothing listens.
func TestProviderDiscoveryAndRotation(t *testing.T) {
	op := oidctest.New(t, map[string]map[string]any{"alice": {"email": "alice@example.com"}})
	op.Clients = []oidctest.Client{{ID: "app", Secret: "s", RedirectURIs: []string{"http://127.0.0.1/cb"}}}
	get := func(url string, out any) {
		t.Helper()
		resp, err := http.Get(url)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
	kids := func() []string {
		t.Helper()
		var disc struct{ Issuer, JWKSURI string }
		var raw map[string]any
		get(op.Issuer()+"/.well-known/openid-configuration", &raw)
		disc.Issuer, _ = raw["issuer"].(string)
		disc.JWKSURI, _ = raw["jwks_uri"].(string)
		assert.Equal(t, op.Issuer(), disc.Issuer)
		var jwks struct {
			Keys []struct{ Kid string } `json:"keys"`
		}
		get(disc.JWKSURI, &jwks)
		var out []string
		for _, k := range jwks.Keys {
			out = append(out, k.Kid)
		}
		return out
	}

	op.Start("key-1")
	assert.Equal(t, []string{"key-1"}, kids())
	op.Stop()
	op.Start("key-2")
	assert.Equal(t, []string{"key-2"}, kids())
	op.Stop()
	_, err := http.Get(op.Issuer() + "/.well-known/openid-configuration")
	assert.Error(t, err, "stopped")
}
