package social_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/store/memory"
)

// TestWithEmailAddresses: with package emails' addresses, a sign-up
// records its verified email as allauth does (so mandatory verification
// lets the user in), an address of account_emailaddress matches an
// account, and the login gate applies to social logins.
func TestWithEmailAddresses(t *testing.T) {
	ctx := context.Background()
	gh := newGitHubStub(t)
	users := memory.New[auth.User]()
	addrs := emails.NewMemoryStore(true, nil)
	mgr, err := emails.NewManager(emails.Config{Store: addrs, SecretKey: testSecret})
	require.NoError(t, err)
	s := newSiteOn(t, users, social.NewMemoryStore(), func(base string, cfg *social.Config[auth.User]) {
		p, err := social.NewGitHub(social.GitHubConfig{ClientID: "gh-client", ClientSecret: "gh-secret",
			WebURL: gh.srv.URL, APIURL: gh.srv.URL + "/api"})
		require.NoError(t, err)
		cfg.Providers = []social.Provider{p}
		cfg.Emails = addrs
	}, func(c *auth.Config[auth.User]) { c.LoginGate = &emails.Gate[auth.User]{Manager: mgr} })

	login := func(b *browser, as string) page {
		gh.as(as)
		p := b.do("GET", b.start(s, "github", nil), nil)
		return b.do("GET", p.loc, nil)
	}

	t.Run("sign-up records the verified address", func(t *testing.T) {
		b := newBrowser(t)
		p := login(b, "octo")
		require.Equal(t, http.StatusFound, p.status, p.body+s.log.take())
		assert.Equal(t, "user=octo", b.whoami(s))
		u, err := users.GetUserByUsername(ctx, "octo")
		require.NoError(t, err)
		as, err := addrs.UserAddresses(ctx, u.ID)
		require.NoError(t, err)
		require.Len(t, as, 1)
		assert.Equal(t, "octo@example.com", as[0].Email)
		assert.True(t, as[0].Verified)
		assert.True(t, as[0].Primary)
	})

	t.Run("the gate refuses a user without a verified address", func(t *testing.T) {
		b := newBrowser(t)
		p := login(b, "quiet") // GitHub does not vouch for its address
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.Contains(t, p.body, "has not been verified")
		assert.Equal(t, "user=", b.whoami(s))
	})

	t.Run("a secondary address matches an account", func(t *testing.T) {
		owner := s.addUser("owner", "main@example.com", "pw", true)
		_, _, err := addrs.AddAddress(ctx, owner.ID, "lk@example.com")
		require.NoError(t, err)
		gh.mu.Lock()
		gh.users["lk"] = map[string]any{"id": 1010, "login": "lk"}
		gh.emails["lk"] = []map[string]any{{"email": "LK@example.com", "primary": true, "verified": true}}
		gh.mu.Unlock()
		b := newBrowser(t)
		p := login(b, "lk")
		require.Equal(t, http.StatusOK, p.status, p.body)
		assert.Contains(t, p.body, "Log in to link GitHub")
		_, err = users.GetUserByUsername(ctx, "lk")
		require.ErrorIs(t, err, auth.ErrUserNotFound, "no second account for the address")
	})
}
