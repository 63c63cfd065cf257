package social_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/social"
)

// swapClient rewrites the client credentials of token requests to
// another client's when on is set: the site then redeems codes as that
// client, and gets ID tokens whose audience is not its own.
type swapClient struct {
	on         atomic.Bool
	id, secret string
	base       http.RoundTripper
}

func (s *swapClient) RoundTrip(r *http.Request) (*http.Response, error) {
	if s.on.Load() && r.Header.Get("Authorization") != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(s.id+":"+s.secret)))
	}
	return s.base.RoundTrip(r)
}

// oidcEnv is a site whose provider "test" is a real oidc-provider.
type oidcEnv struct {
	op     *op
	site   *site
	swap   *swapClient
	offset atomic.Int64 // added to the verifier's clock, in seconds
}

func newOIDCEnv(t *testing.T) *oidcEnv {
	needNode(t)
	e := &oidcEnv{op: &op{t: t, port: freePort(t), accounts: map[string]map[string]any{
		"alice":   {"email": "alice@example.com", "email_verified": true, "preferred_username": "alice", "given_name": "Alice", "family_name": "Liddell"},
		"bob":     {"email": "bob@example.com", "email_verified": true, "preferred_username": "bobby"},
		"mallory": {"email": "carol@example.com", "email_verified": false, "preferred_username": "mallory"},
		"dave":    {"email": "dave@example.com", "email_verified": true},
	}}}
	e.swap = &swapClient{id: "other", secret: "other-secret", base: http.DefaultTransport}
	e.site = newSite(t, func(base string, cfg *social.Config[auth.User]) {
		p, err := social.NewOIDC(social.OIDCConfig{ID: "test", Name: "Test OP", Issuer: e.op.issuer(),
			ClientID: "app", ClientSecret: "app-secret", HTTPClient: &http.Client{Transport: e.swap, Timeout: 10 * time.Second},
			Now: func() time.Time { return time.Now().Add(time.Duration(e.offset.Load()) * time.Second) }})
		require.NoError(t, err)
		cfg.Providers = []social.Provider{p}
		cfg.StoreTokens, cfg.EncryptTokens = true, true
	})
	cb := e.site.social.CallbackURL("test")
	e.op.clients = []opClient{{ID: "app", Secret: "app-secret", RedirectURIs: []string{cb}},
		{ID: "other", Secret: "other-secret", RedirectURIs: []string{cb}}}
	e.op.start("key-1")
	t.Cleanup(e.op.stop)
	return e
}

// login runs a login of account at the provider in b, with tamper
// altering the authorization URL first, and returns the page the
// callback answers.
func (e *oidcEnv) login(b *browser, account string, tamper func(string) string) (callback string, p page) {
	authURL := b.start(e.site, "test", nil)
	if tamper != nil {
		authURL = tamper(authURL)
	}
	callback = b.providerLogin(b.do("GET", authURL, nil), account, e.site.srv.URL)
	return callback, b.do("GET", callback, nil)
}

func TestOIDCProviderFlows(t *testing.T) {
	e := newOIDCEnv(t)
	s := e.site
	ctx := context.Background()

	t.Run("success creates the user, then logs it in again", func(t *testing.T) {
		b := newBrowser(t)
		authURL := b.start(s, "test", nil)
		assert.Equal(t, "S256", param(t, authURL, "code_challenge_method"))
		assert.NotEmpty(t, param(t, authURL, "nonce"))
		assert.NotEmpty(t, param(t, authURL, "state"))
		cb := b.providerLogin(b.do("GET", authURL, nil), "alice", s.srv.URL)
		p := b.do("GET", cb, nil)
		require.Equal(t, http.StatusFound, p.status, p.body)
		assert.Equal(t, auth.DefaultLoginRedirectURL, strings.TrimPrefix(p.loc, s.srv.URL))
		assert.Equal(t, "user=alice", b.whoami(s))

		u, err := s.users.GetUserByUsername(ctx, "alice")
		require.NoError(t, err)
		assert.False(t, hashers.IsUsable(u.Password))
		assert.Len(t, u.Password, 1+hashers.UnusablePasswordSuffixLength)
		assert.Equal(t, "alice@example.com", u.Email)
		assert.Equal(t, "Alice", u.FirstName)
		acct, err := s.store.GetAccount(ctx, "test", "alice")
		require.NoError(t, err)
		assert.Equal(t, u.ID, acct.UserID)
		assert.Contains(t, string(acct.ExtraData), `"email":"alice@example.com"`)

		// The token is stored, encrypted.
		apps, err := s.store.EnsureApp(ctx, social.App{Provider: "test", Name: "Test OP", ClientID: "app"})
		require.NoError(t, err)
		tok, err := s.store.GetToken(ctx, apps.ID, acct.ID)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(tok.Token, "djauth-gcm1$"), tok.Token)
		plain, err := s.social.Cipher().Open(acct.ID, tok.Token)
		require.NoError(t, err)
		assert.NotEmpty(t, plain)

		s.mu.Lock()
		last := s.logins[len(s.logins)-1]
		s.mu.Unlock()
		assert.Equal(t, social.BackendName, last.Backend)
		assert.Equal(t, "alice", last.User.Username)

		// A second login, in another browser, finds the same user.
		b2 := newBrowser(t)
		_, p = e.login(b2, "alice", nil)
		require.Equal(t, http.StatusFound, p.status, p.body)
		assert.Equal(t, "user=alice", b2.whoami(s))
		n, err := s.users.CountUsers(ctx, auth.UserQuery{})
		require.NoError(t, err)
		assert.Equal(t, 1, n)
	})

	t.Run("bad state", func(t *testing.T) {
		b := newBrowser(t)
		authURL := b.start(s, "test", nil)
		cb := b.providerLogin(b.do("GET", authURL, nil), "alice", s.srv.URL)
		p := b.do("GET", withParam(t, cb, "state", "forged"), nil)
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, "was not started here")
		// The state served once: the genuine callback now fails too.
		p = b.do("GET", cb, nil)
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Equal(t, "user=", b.whoami(s))
		// A callback in a browser that started nothing.
		p = newBrowser(t).do("GET", cb, nil)
		assert.Equal(t, http.StatusBadRequest, p.status)
	})

	t.Run("replayed code", func(t *testing.T) {
		b := newBrowser(t)
		cb, p := e.login(b, "alice", nil)
		require.Equal(t, http.StatusFound, p.status, p.body)
		// The same callback again: the login state is spent.
		p = b.do("GET", cb, nil)
		assert.Equal(t, http.StatusBadRequest, p.status)
		// The old code with the state of a new login: the provider
		// refuses a code redeemed once.
		b2 := newBrowser(t)
		authURL := b2.start(s, "test", nil)
		s.log.take()
		p = b2.do("GET", withParam(t, cb, "state", param(t, authURL, "state")), nil)
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.body, "could not be verified")
		assert.Contains(t, s.log.take(), "invalid_grant")
		assert.Equal(t, "user=", b2.whoami(s))
	})

	t.Run("wrong nonce", func(t *testing.T) {
		b := newBrowser(t)
		s.log.take()
		_, p := e.login(b, "alice", func(u string) string { return withParam(t, u, "nonce", "another-nonce") })
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, s.log.take(), "nonce mismatch")
		assert.Equal(t, "user=", b.whoami(s))
	})

	t.Run("wrong audience", func(t *testing.T) {
		b := newBrowser(t)
		s.log.take()
		e.swap.on.Store(true)
		defer e.swap.on.Store(false)
		_, p := e.login(b, "alice", func(u string) string { return withParam(t, u, "client_id", "other") })
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, s.log.take(), "audience")
		assert.Equal(t, "user=", b.whoami(s))
	})

	t.Run("expired ID token", func(t *testing.T) {
		b := newBrowser(t)
		s.log.take()
		e.offset.Store(int64((3 * time.Hour).Seconds()))
		defer e.offset.Store(0)
		_, p := e.login(b, "alice", nil)
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, s.log.take(), "expired")
		assert.Equal(t, "user=", b.whoami(s))
	})

	t.Run("denied consent", func(t *testing.T) {
		b := newBrowser(t)
		authURL := b.start(s, "test", nil)
		cb := s.social.CallbackURL("test") + "?" + url.Values{"state": {param(t, authURL, "state")}, "error": {"access_denied"}}.Encode()
		p := b.do("GET", cb, nil)
		assert.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, "You did not allow the login")
		assert.Equal(t, "user=", b.whoami(s))
	})

	t.Run("verified email of an existing account is linked only after its login", func(t *testing.T) {
		bob := s.addUser("bob", "BOB@example.com", "bob-password", true)
		b := newBrowser(t)
		_, p := e.login(b, "bob", nil)
		require.Equal(t, http.StatusOK, p.status, p.body)
		assert.Contains(t, p.body, "Log in to link Test OP")
		assert.Equal(t, "user=", b.whoami(s))
		_, err := s.store.GetAccount(ctx, "test", "bob")
		require.ErrorIs(t, err, social.ErrAccountNotFound)

		// Not logged in: the link page sends to the login page.
		p = b.do("GET", s.srv.URL+s.social.LinkURL(), nil)
		require.Equal(t, http.StatusFound, p.status)
		assert.Contains(t, p.loc, auth.DefaultLoginURL)
		p = b.do("POST", s.srv.URL+auth.DefaultLoginURL, url.Values{"username": {"bob"}, "password": {"bob-password"}, "next": {s.social.LinkURL()}})
		require.Equal(t, http.StatusFound, p.status, p.body)
		p = b.do("GET", p.loc, nil)
		require.Equal(t, http.StatusOK, p.status, p.body)
		assert.Contains(t, p.body, "to your account bob?")
		p = b.do("POST", s.srv.URL+s.social.LinkURL(), url.Values{"action": {"link"}})
		require.Equal(t, http.StatusOK, p.status, p.body)
		acct, err := s.store.GetAccount(ctx, "test", "bob")
		require.NoError(t, err)
		assert.Equal(t, bob.ID, acct.UserID)
		// The pending link served once.
		p = b.do("POST", s.srv.URL+s.social.LinkURL(), url.Values{"action": {"link"}})
		assert.Equal(t, http.StatusNotFound, p.status)

		b2 := newBrowser(t)
		_, p = e.login(b2, "bob", nil)
		require.Equal(t, http.StatusFound, p.status, p.body)
		assert.Equal(t, "user=bob", b2.whoami(s))
	})

	t.Run("unverified email of an existing account is refused", func(t *testing.T) {
		s.addUser("carol", "carol@example.com", "carol-password", true)
		b := newBrowser(t)
		_, p := e.login(b, "mallory", nil)
		assert.Equal(t, http.StatusConflict, p.status)
		assert.Contains(t, p.body, "does not vouch for")
		assert.Equal(t, "user=", b.whoami(s))
		_, err := s.users.GetUserByUsername(ctx, "mallory")
		require.ErrorIs(t, err, auth.ErrUserNotFound)
		_, err = s.store.GetAccount(ctx, "test", "mallory")
		require.ErrorIs(t, err, social.ErrAccountNotFound)
	})

	t.Run("inactive user is refused", func(t *testing.T) {
		dave := s.addUser("dave", "", "dave-password", false)
		_, err := s.store.CreateAccount(ctx, social.Account{UserID: dave.ID, Provider: "test", UID: "dave"})
		require.NoError(t, err)
		b := newBrowser(t)
		_, p := e.login(b, "dave", nil)
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.Contains(t, p.body, auth.MsgInactive)
		assert.Equal(t, "user=", b.whoami(s))
	})

	t.Run("rotated signing key", func(t *testing.T) {
		// The site holds key-1 from the logins above; the restarted
		// provider signs with key-2 only.
		e.op.stop()
		e.op.start("key-2")
		b := newBrowser(t)
		s.log.take()
		_, p := e.login(b, "alice", nil)
		require.Equal(t, http.StatusFound, p.status, p.body+s.log.take())
		assert.Equal(t, "user=alice", b.whoami(s))
	})
}
