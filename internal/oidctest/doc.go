// Package oidctest runs a real OpenID provider for tests: panva's
// oidc-provider (Node.js), from social/testdata/oidc-provider, installed
// with npm ci from its lock file the first time a test needs it.
//
//	op := oidctest.New(t, map[string]map[string]any{
//		"alice": {"email": "alice@example.com", "email_verified": true},
//	})
//	op.Clients = []oidctest.Client{{ID: "app", Secret: "app-secret",
//		RedirectURIs: []string{site + "/accounts/social/test/callback/"}}}
//	op.Start("key-1")
//	// configure social.NewOIDC with Issuer: op.Issuer() ...
//
// The provider's development login form takes any password: the login
// name picks the account, whose claims are the map's value (sub is the
// login name). Consent is implied for every scope asked for.
//
// # Skipping and failing
//
// Without node on PATH the test is skipped with a message, except under
// CI=true, where it fails (testenv.Node); -short skips it too. .ci/run
// installs Node.js and runs npm ci.
package oidctest
