package social_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/social"
)

// githubStub answers like github.com and api.github.com: the authorize
// page (which logs in the user named by next), the token endpoint with
// PKCE, /user and /user/emails.
type githubStub struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	next string // login of the user the next authorization is for
	// codes maps a code to its user and PKCE challenge; spent codes
	// are deleted.
	codes  map[string][2]string
	tokens map[string]string // access token -> login
	users  map[string]map[string]any
	emails map[string][]map[string]any
	n      int
}

func newGitHubStub(t *testing.T) *githubStub {
	g := &githubStub{t: t, codes: map[string][2]string{}, tokens: map[string]string{},
		users: map[string]map[string]any{
			"octo":   {"id": 1001, "login": "octo", "name": "Octo Cat", "email": "octo-public@example.com"},
			"sneaky": {"id": 1002, "login": "sneaky", "name": "", "email": "victim@example.com"},
			"quiet":  {"id": 1003, "login": "quiet", "name": "Quiet One", "email": nil},
		},
		emails: map[string][]map[string]any{
			"octo": {{"email": "octo-old@example.com", "primary": false, "verified": true},
				{"email": "octo@example.com", "primary": true, "verified": true}},
			"sneaky": {{"email": "victim@example.com", "primary": true, "verified": false}},
			"quiet":  {{"email": "quiet@example.com", "primary": true, "verified": false}},
		}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != "gh-client" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
			http.Error(w, "bad authorize request", http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.n++
		code := fmt.Sprintf("code-%d", g.n)
		g.codes[code] = [2]string{g.next, q.Get("code_challenge")}
		g.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	})
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		g.mu.Lock()
		defer g.mu.Unlock()
		c, ok := g.codes[r.PostForm.Get("code")]
		delete(g.codes, r.PostForm.Get("code"))
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		if !ok || r.PostForm.Get("client_secret") != "gh-secret" || base64.RawURLEncoding.EncodeToString(sum[:]) != c[1] {
			// GitHub answers errors with status 200.
			fmt.Fprint(w, "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.")
			return
		}
		g.n++
		tok := fmt.Sprintf("gho_%d", g.n)
		g.tokens[tok] = c[0]
		fmt.Fprint(w, url.Values{"access_token": {tok}, "token_type": {"bearer"}, "scope": {"read:user,user:email"}}.Encode())
	})
	api := func(w http.ResponseWriter, r *http.Request) (string, bool) {
		g.mu.Lock()
		defer g.mu.Unlock()
		login, ok := g.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		if !ok {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		}
		w.Header().Set("Content-Type", "application/json")
		return login, ok
	}
	mux.HandleFunc("GET /api/user", func(w http.ResponseWriter, r *http.Request) {
		if login, ok := api(w, r); ok {
			_ = json.NewEncoder(w).Encode(g.users[login])
		}
	})
	mux.HandleFunc("GET /api/user/emails", func(w http.ResponseWriter, r *http.Request) {
		if login, ok := api(w, r); ok {
			_ = json.NewEncoder(w).Encode(g.emails[login])
		}
	})
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

func (g *githubStub) as(login string) { g.mu.Lock(); g.next = login; g.mu.Unlock() }

func TestGitHub(t *testing.T) {
	gh := newGitHubStub(t)
	s := newSite(t, func(base string, cfg *social.Config[auth.User]) {
		p, err := social.NewGitHub(social.GitHubConfig{ClientID: "gh-client", ClientSecret: "gh-secret",
			WebURL: gh.srv.URL, APIURL: gh.srv.URL + "/api"})
		require.NoError(t, err)
		cfg.Providers = []social.Provider{p}
	})
	ctx := context.Background()
	login := func(b *browser, as string) (string, page) {
		gh.as(as)
		authURL := b.start(s, "github", nil)
		p := b.do("GET", authURL, nil)
		require.Equal(t, http.StatusFound, p.status, p.body)
		return p.loc, b.do("GET", p.loc, nil)
	}

	t.Run("verified primary email signs up", func(t *testing.T) {
		b := newBrowser(t)
		_, p := login(b, "octo")
		require.Equal(t, http.StatusFound, p.status, p.body)
		assert.Equal(t, "user=octo", b.whoami(s))
		u, err := s.users.GetUserByUsername(ctx, "octo")
		require.NoError(t, err)
		assert.Equal(t, "octo@example.com", u.Email)
		assert.Equal(t, "Octo", u.FirstName)
		acct, err := s.store.GetAccount(ctx, "github", "1001")
		require.NoError(t, err)
		var extra map[string]any
		require.NoError(t, json.Unmarshal(acct.ExtraData, &extra))
		assert.Equal(t, "octo", extra["login"])
		assert.Equal(t, "octo@example.com", extra["email"])
	})

	t.Run("replayed code is refused", func(t *testing.T) {
		b := newBrowser(t)
		cb, p := login(b, "octo")
		require.Equal(t, http.StatusFound, p.status)
		b2 := newBrowser(t)
		authURL := b2.start(s, "github", nil)
		p = b2.do("GET", withParam(t, cb, "state", param(t, authURL, "state")), nil)
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Equal(t, "user=", b2.whoami(s))
	})

	t.Run("unverified email does not take over the account that has it", func(t *testing.T) {
		s.addUser("victim", "victim@example.com", "victim-password", true)
		b := newBrowser(t)
		_, p := login(b, "sneaky")
		assert.Equal(t, http.StatusConflict, p.status)
		assert.Equal(t, "user=", b.whoami(s))
		_, err := s.store.GetAccount(ctx, "github", "1002")
		require.ErrorIs(t, err, social.ErrAccountNotFound)
	})

	t.Run("unverified email is not copied into a new account", func(t *testing.T) {
		b := newBrowser(t)
		_, p := login(b, "quiet")
		require.Equal(t, http.StatusFound, p.status, p.body)
		u, err := s.users.GetUserByUsername(ctx, "quiet")
		require.NoError(t, err)
		assert.Empty(t, u.Email)
	})

	t.Run("a taken username gets a suffix", func(t *testing.T) {
		// "OCTO" exists in another case, and the identity is new.
		gh.mu.Lock()
		gh.users["octo2"] = map[string]any{"id": 1004, "login": "OCTO"}
		gh.emails["octo2"] = nil
		gh.mu.Unlock()
		b := newBrowser(t)
		_, p := login(b, "octo2")
		require.Equal(t, http.StatusFound, p.status, p.body)
		who := strings.TrimPrefix(b.whoami(s), "user=")
		assert.True(t, strings.HasPrefix(who, "OCTO") && len(who) == len("OCTO")+5, who)
	})

	t.Run("logged-in user links GitHub", func(t *testing.T) {
		u := s.addUser("linker", "", "linker-password", true)
		gh.mu.Lock()
		gh.users["lk"] = map[string]any{"id": 1005, "login": "lk"}
		gh.emails["lk"] = nil
		gh.mu.Unlock()
		b := newBrowser(t)
		p := b.do("POST", s.srv.URL+auth.DefaultLoginURL, url.Values{"username": {"linker"}, "password": {"linker-password"}})
		require.Equal(t, http.StatusFound, p.status)
		gh.as("lk")
		authURL := b.start(s, "github", url.Values{"process": {"connect"}})
		p = b.do("GET", authURL, nil)
		p = b.do("GET", p.loc, nil)
		require.Equal(t, http.StatusOK, p.status, p.body)
		assert.Contains(t, p.body, "Linked")
		acct, err := s.store.GetAccount(ctx, "github", "1005")
		require.NoError(t, err)
		assert.Equal(t, u.ID, acct.UserID)
		// Linking octo's identity, which belongs to another user, fails.
		gh.as("octo")
		authURL = b.start(s, "github", url.Values{"process": {"connect"}})
		p = b.do("GET", authURL, nil)
		p = b.do("GET", p.loc, nil)
		assert.Equal(t, http.StatusConflict, p.status)
	})

	t.Run("GET on the login URL only shows a button", func(t *testing.T) {
		b := newBrowser(t)
		p := b.do("GET", s.srv.URL+s.social.LoginURL("github")+"?next=/somewhere/", nil)
		assert.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, `<form method="post" action="/accounts/social/github/login/">`)
		assert.Contains(t, p.body, `value="/somewhere/"`)
		p = b.do("GET", s.srv.URL+"/accounts/social/nope/login/", nil)
		assert.Equal(t, http.StatusNotFound, p.status)
		assert.Equal(t, []social.Button{{Provider: "github", Name: "GitHub", URL: "/accounts/social/github/login/"}}, s.social.Buttons())
	})
}
