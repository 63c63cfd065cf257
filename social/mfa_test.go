package social_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/store/memory"
)

// fixedCode is a CodeFactor whose one device, of user 1, accepts one code.
type fixedCode struct{ code string }

func (fixedCode) Kind() string { return "totp" }

func (fixedCode) Devices(ctx context.Context, userID int64) ([]mfa.Device, error) {
	if userID != 1 {
		return nil, nil
	}
	return []mfa.Device{{Factor: "totp", ID: 1, UserID: 1, PersistentID: "otp_totp.totpdevice/1"}}, nil
}

func (f fixedCode) VerifyCode(ctx context.Context, userID int64, code string) (mfa.Device, error) {
	if userID != 1 {
		return mfa.Device{}, mfa.ErrNoDevice
	}
	if code != f.code {
		return mfa.Device{}, mfa.ErrInvalidCode
	}
	return mfa.Device{Factor: "totp", ID: 1, UserID: 1, PersistentID: "otp_totp.totpdevice/1"}, nil
}

// TestSecondFactorAfterSocialLogin: a social login goes through
// Auth.Login, so a user with a second factor must still prove it.
func TestSecondFactorAfterSocialLogin(t *testing.T) {
	gh := newGitHubStub(t)
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{fixedCode{code: "123456"}}, Policy: mfa.NewMemoryPolicyStore()})
	require.NoError(t, err)
	s := newSiteOn(t, memory.New[auth.User](), social.NewMemoryStore(), func(base string, cfg *social.Config[auth.User]) {
		p, err := social.NewGitHub(social.GitHubConfig{ClientID: "gh-client", ClientSecret: "gh-secret",
			WebURL: gh.srv.URL, APIURL: gh.srv.URL + "/api"})
		require.NoError(t, err)
		cfg.Providers = []social.Provider{p}
	}, func(c *auth.Config[auth.User]) { c.SecondFactor = flow })
	u := s.addUser("secured", "", "pw", true)
	require.Equal(t, int64(1), u.ID)
	_, err = s.store.CreateAccount(context.Background(), social.Account{UserID: u.ID, Provider: "github", UID: "1001"})
	require.NoError(t, err)

	b := newBrowser(t)
	gh.as("octo")
	p := b.do("POST", s.srv.URL+s.social.LoginURL("github"), url.Values{"next": {"/after/"}})
	require.Equal(t, http.StatusFound, p.status)
	p = b.do("GET", p.loc, nil)
	p = b.do("GET", p.loc, nil)
	require.Equal(t, http.StatusFound, p.status, p.body)
	assert.True(t, strings.HasPrefix(strings.TrimPrefix(p.loc, s.srv.URL), flow.ChallengeURL()+"?next=%2Fafter%2F"), p.loc)
	assert.Equal(t, "user=", b.whoami(s), "pending, not logged in")
	s.mu.Lock()
	assert.Empty(t, s.logins, "no login signal before the second step")
	s.mu.Unlock()

	p = b.do("POST", s.srv.URL+"/code/", url.Values{"code": {"123456"}})
	require.Equal(t, http.StatusOK, p.status, p.body)
	assert.Equal(t, "user=secured", b.whoami(s))
	s.mu.Lock()
	require.Len(t, s.logins, 1)
	assert.Equal(t, social.BackendName, s.logins[0].Backend)
	assert.Equal(t, "totp", s.logins[0].Factor)
	s.mu.Unlock()
}

// TestCrossOriginStartRefused: the POST that starts a login is
// CSRF-protected, so another site cannot start (and complete) a login
// in the victim's browser.
func TestCrossOriginStartRefused(t *testing.T) {
	gh := newGitHubStub(t)
	s := newSite(t, func(base string, cfg *social.Config[auth.User]) {
		p, err := social.NewGitHub(social.GitHubConfig{ClientID: "gh-client", WebURL: gh.srv.URL, APIURL: gh.srv.URL + "/api"})
		require.NoError(t, err)
		cfg.Providers = []social.Provider{p}
	})
	req, err := http.NewRequest("POST", s.srv.URL+s.social.LoginURL("github"), nil)
	require.NoError(t, err)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	b := newBrowser(t)
	resp, err := b.c.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}
