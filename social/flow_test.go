package social_test

import (
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/social"
)

// githubSite is a site with the GitHub stub as its provider; edit
// adjusts the Config.
func githubSite(t *testing.T, gh *githubStub, edit func(cfg *social.Config[auth.User])) *site {
	return newSite(t, func(base string, cfg *social.Config[auth.User]) {
		p, err := social.NewGitHub(social.GitHubConfig{ClientID: "gh-client", ClientSecret: "gh-secret",
			WebURL: gh.srv.URL, APIURL: gh.srv.URL + "/api"})
		require.NoError(t, err)
		cfg.Providers = []social.Provider{p}
		if edit != nil {
			edit(cfg)
		}
	})
}

func TestSignUpClosed(t *testing.T) {
	gh := newGitHubStub(t)
	s := githubSite(t, gh, func(cfg *social.Config[auth.User]) { cfg.SignUp = false })
	b := newBrowser(t)
	gh.as("octo")
	p := b.do("GET", b.start(s, "github", nil), nil)
	p = b.do("GET", p.loc, nil)
	assert.Equal(t, http.StatusForbidden, p.status)
	assert.Contains(t, p.body, "sign-up is closed")
	n, err := s.users.CountUsers(context.Background(), auth.UserQuery{})
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestStateExpires(t *testing.T) {
	gh := newGitHubStub(t)
	var now atomic.Int64
	now.Store(time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC).Unix())
	s := githubSite(t, gh, func(cfg *social.Config[auth.User]) {
		cfg.Now = func() time.Time { return time.Unix(now.Load(), 0) }
		cfg.StateTTL = 5 * time.Minute
	})
	b := newBrowser(t)
	gh.as("octo")
	p := b.do("GET", b.start(s, "github", nil), nil)
	now.Add(int64((5 * time.Minute).Seconds()))
	p = b.do("GET", p.loc, nil)
	assert.Equal(t, http.StatusBadRequest, p.status)
	assert.Contains(t, p.body, "has expired")
	assert.Equal(t, "user=", b.whoami(s))
}

func TestPendingLink(t *testing.T) {
	gh := newGitHubStub(t)
	var now atomic.Int64
	now.Store(time.Now().Unix())
	s := githubSite(t, gh, func(cfg *social.Config[auth.User]) {
		cfg.Now = func() time.Time { return time.Unix(now.Load(), 0) }
	})
	s.addUser("octoowner", "octo@example.com", "owner-pw", true)
	s.addUser("someone", "someone@example.com", "someone-pw", true)
	pending := func() *browser {
		b := newBrowser(t)
		gh.as("octo")
		p := b.do("GET", b.start(s, "github", nil), nil)
		p = b.do("GET", p.loc, nil)
		require.Equal(t, http.StatusOK, p.status, p.body)
		require.Contains(t, p.body, "Log in to link GitHub")
		return b
	}
	logIn := func(b *browser, user, pw string) {
		p := b.do("POST", s.srv.URL+auth.DefaultLoginURL, url.Values{"username": {user}, "password": {pw}})
		require.Equal(t, http.StatusFound, p.status, p.body)
	}

	t.Run("another account cannot take the link", func(t *testing.T) {
		b := pending()
		logIn(b, "someone", "someone-pw")
		p := b.do("POST", s.srv.URL+s.social.LinkURL(), url.Values{"action": {"link"}})
		assert.Equal(t, http.StatusForbidden, p.status)
		_, err := s.store.GetAccount(context.Background(), "github", "1001")
		require.ErrorIs(t, err, social.ErrAccountNotFound)
	})
	t.Run("cancel", func(t *testing.T) {
		b := pending()
		logIn(b, "octoowner", "owner-pw")
		p := b.do("POST", s.srv.URL+s.social.LinkURL(), url.Values{"action": {"cancel"}})
		assert.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, "was not linked")
		_, err := s.store.GetAccount(context.Background(), "github", "1001")
		require.ErrorIs(t, err, social.ErrAccountNotFound)
	})
	t.Run("expires", func(t *testing.T) {
		b := pending()
		logIn(b, "octoowner", "owner-pw")
		now.Add(int64((16 * time.Minute).Seconds()))
		defer now.Store(time.Now().Unix())
		p := b.do("POST", s.srv.URL+s.social.LinkURL(), url.Values{"action": {"link"}})
		assert.Equal(t, http.StatusNotFound, p.status)
		_, err := s.store.GetAccount(context.Background(), "github", "1001")
		require.ErrorIs(t, err, social.ErrAccountNotFound)
	})
	t.Run("cross-origin confirmation refused", func(t *testing.T) {
		b := pending()
		logIn(b, "octoowner", "owner-pw")
		req, err := http.NewRequest("POST", s.srv.URL+s.social.LinkURL(), nil)
		require.NoError(t, err)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := b.c.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		_, err = s.store.GetAccount(context.Background(), "github", "1001")
		require.ErrorIs(t, err, social.ErrAccountNotFound)
	})
}

func TestProvidersFromApps(t *testing.T) {
	ctx := context.Background()
	st := social.NewMemoryStore()
	_, err := st.AddApp(ctx, social.App{Provider: "github", Name: "GitHub", ClientID: "gh", Secret: "s", SiteIDs: []int64{1}})
	require.NoError(t, err)
	_, err = st.AddApp(ctx, social.App{Provider: "twitter", Name: "Twitter", ClientID: "tw", SiteIDs: []int64{1}})
	require.NoError(t, err)
	_, err = st.AddApp(ctx, social.App{Provider: "google", Name: "Google", ClientID: "go", SiteIDs: []int64{2}})
	require.NoError(t, err)
	ps, err := social.ProvidersFromApps(ctx, st, 1, social.DefaultAppProviders())
	require.NoError(t, err)
	require.Len(t, ps, 1, "unknown providers and other sites' apps are left out")
	assert.Equal(t, "github", ps[0].ID())
	assert.Equal(t, "gh", ps[0].ClientID())
	_, err = st.AddApp(ctx, social.App{Provider: "github", Name: "GitHub 2", ClientID: "gh2", SiteIDs: []int64{1}})
	require.NoError(t, err)
	_, err = social.ProvidersFromApps(ctx, st, 1, social.DefaultAppProviders())
	require.ErrorContains(t, err, "two apps")
}

func TestNewChecksConfig(t *testing.T) {
	a := newSite(t, func(string, *social.Config[auth.User]) {}).a
	gh, err := social.NewGitHub(social.GitHubConfig{ClientID: "x"})
	require.NoError(t, err)
	for name, cfg := range map[string]social.Config[auth.User]{
		"no store":     {BaseURL: "https://example.com"},
		"no base":      {Store: social.NewMemoryStore()},
		"base path":    {Store: social.NewMemoryStore(), BaseURL: "https://example.com/app"},
		"bad prefix":   {Store: social.NewMemoryStore(), BaseURL: "https://example.com", Prefix: "social"},
		"two github":   {Store: social.NewMemoryStore(), BaseURL: "https://example.com", Providers: []social.Provider{gh, gh}},
		"no backend":   {Store: social.NewMemoryStore(), BaseURL: "https://example.com", Backend: "nope"},
		"nil provider": {Store: social.NewMemoryStore(), BaseURL: "https://example.com", Providers: []social.Provider{nil}},
	} {
		_, err := social.New(a, cfg)
		assert.Error(t, err, name)
	}
	_, err = social.NewOIDC(social.OIDCConfig{ID: "Bad ID", Issuer: "https://x", ClientID: "c"})
	assert.Error(t, err)
	_, err = social.NewOIDC(social.OIDCConfig{ID: "ok", ClientID: "c"})
	assert.Error(t, err)
}
