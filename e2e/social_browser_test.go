package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/testkit"
)

// TestBrowserSocialLogin logs in in Chromium with a real OpenID provider
// (oidc-provider, started by package testkit): the site's "Log in with" page, the
// provider's login form, and back to the site, logged in as the user the
// login created; a second login after logging out finds the linked
// account and logs the same user in.
func TestBrowserSocialLogin(t *testing.T) {
	requireBrowser(t)
	testkit.NeedNode(t)
	// The site needs the issuer before the provider, the provider the
	// site's callback: the provider's port is chosen first.
	port, err := testkit.FreePort()
	require.NoError(t, err)
	issuer := fmt.Sprintf("http://127.0.0.1:%d", port)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	s := newPagesSite(t, func(string) []social.Provider {
		p, err := social.NewOIDC(social.OIDCConfig{ID: "test", Name: "Test OP", Issuer: issuer,
			ClientID: "app", ClientSecret: "app-secret", HTTPClient: &http.Client{Timeout: 10 * time.Second}})
		require.NoError(t, err)
		return []social.Provider{p}
	})
	op := testkit.StartOIDCProvider(t, testkit.OIDCProviderConfig{
		Port:    port,
		Clients: []testkit.OIDCClient{{ID: "app", Secret: "app-secret", RedirectURIs: []string{s.social.CallbackURL("test")}}},
		Accounts: map[string]map[string]any{
			"carol": {"email": "carol@example.com", "email_verified": true, "preferred_username": "carol", "given_name": "Carol"},
		},
	})
	d := startBrowser(ctx, t, tmp)
	shot := func(name string) { screenshotTo(t, ctx, d, tmp, name) }

	// login goes through the site's confirmation page to the provider,
	// fills its forms until the browser is back on the site, and says
	// whether the provider asked for a login.
	login := func(first bool) (askedLogin bool) {
		t.Helper()
		require.NoError(t, d.navigate(ctx, s.origin+s.social.LoginURL("test")))
		require.NoError(t, d.waitSource(ctx, "<h1>Log in with Test OP</h1>"))
		if first {
			shot("social_start.png")
		}
		require.NoError(t, d.press(ctx, "Continue to Test OP"))
		for range 10 {
			u, err := d.waitURL(ctx, func(u string) bool {
				// Back on the site past the social pages: not the start
				// page the button was pressed on (the URL may not have
				// changed yet) nor the callback.
				back := strings.HasPrefix(u, s.origin+"/") && !strings.Contains(u, "/accounts/social/")
				return back || strings.HasPrefix(u, op.Issuer()+"/interaction/")
			})
			if err != nil {
				page, _ := d.source(ctx)
				t.Fatalf("%v\n%s", err, page)
			}
			if strings.HasPrefix(u, s.origin+"/") {
				return askedLogin
			}
			// The URL changes before the provider's page has loaded:
			// wait for its form before deciding what it asks.
			require.NoError(t, d.waitSource(ctx, "</form>"))
			page, err := d.source(ctx)
			require.NoError(t, err)
			if strings.Contains(page, `name="login"`) {
				askedLogin = true
				require.NoError(t, d.typeInto(ctx, `input[name="login"]`, "carol"))
				require.NoError(t, d.typeInto(ctx, `input[name="password"]`, "any password"))
				if first {
					shot("social_provider_login.png")
				}
			} else {
				t.Logf("the provider asks: %s", u)
			}
			// The login form's "Sign-in", or the consent form's "Continue".
			require.NoError(t, d.click(ctx, `form[method="post"] button[type="submit"]`))
			_, err = d.waitURL(ctx, func(next string) bool { return next != u })
			require.NoError(t, err)
		}
		t.Fatal("the provider's pages did not lead back to the site")
		return false
	}

	// 1. The first login creates carol, with the provider's verified
	// address recorded as verified (so the site's email gate lets her in),
	// and logs her in.
	assert.True(t, login(true), "the provider asked for its login")
	require.NoError(t, d.waitPath(ctx, s.origin, "/accounts/profile/"))
	require.NoError(t, d.waitSource(ctx, "You are logged in as carol."))
	shot("social_logged_in.png")
	u, err := s.users.GetUserByUsername(ctx, "carol")
	require.NoError(t, err)
	assert.Equal(t, "carol@example.com", u.Email)
	assert.Equal(t, "Carol", u.FirstName)
	acct, err := s.accts.GetAccount(ctx, "test", "carol")
	require.NoError(t, err)
	assert.Equal(t, u.ID, acct.UserID)
	assert.True(t, s.address(t, "carol@example.com").Verified)

	// 2. Log out of the site; the next login (the provider remembers
	// carol) finds the linked account: the same user, no new one.
	require.NoError(t, d.press(ctx, "Log out"))
	require.NoError(t, d.waitSource(ctx, "Log in again"))
	t.Logf("second login: the provider asked for its login: %v", login(false))
	require.NoError(t, d.waitPath(ctx, s.origin, "/accounts/profile/"))
	require.NoError(t, d.waitSource(ctx, "You are logged in as carol."))
	all, err := s.accts.ListAccounts(ctx, u.ID)
	require.NoError(t, err)
	assert.Len(t, all, 1)
	n, err := s.users.CountUsers(ctx, auth.UserQuery{})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n)
}
