package social_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/store/memory"
)

// wayIn is a backend that logs nobody in by credentials but says whether
// a user could sign in another way (as passkeys and passwordless do).
type wayIn struct {
	mu  sync.Mutex
	ids map[int64]bool
}

func (*wayIn) Name() string { return "test.WayIn" }
func (*wayIn) Authenticate(context.Context, *http.Request, auth.Credentials) (*auth.User, error) {
	return nil, nil
}
func (*wayIn) GetUser(context.Context, int64) (*auth.User, error) { return nil, auth.ErrUserNotFound }
func (w *wayIn) CanSignIn(_ context.Context, id int64) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ids[id], nil
}

// identitiesSite is a GitHub site whose Auth also has a wayIn backend and,
// when flow is set, that second factor flow.
func identitiesSite(t *testing.T, gh *githubStub, way *wayIn, flow *mfa.Flow[auth.User]) (*site, *[]social.IdentityChange) {
	t.Helper()
	s := newSiteOn(t, memory.New[auth.User](), social.NewMemoryStore(), func(base string, cfg *social.Config[auth.User]) {
		p, err := social.NewGitHub(social.GitHubConfig{ClientID: "gh-client", ClientSecret: "gh-secret",
			WebURL: gh.srv.URL, APIURL: gh.srv.URL + "/api"})
		require.NoError(t, err)
		cfg.Providers = []social.Provider{p}
	}, func(c *auth.Config[auth.User]) {
		c.Backends = append(c.Backends, way)
		if flow != nil {
			c.SecondFactor = flow
		}
	})
	var mu sync.Mutex
	changes := &[]social.IdentityChange{}
	t.Cleanup(s.social.IdentityChanged().Connect(func(_ context.Context, ch social.IdentityChange) {
		mu.Lock()
		defer mu.Unlock()
		*changes = append(*changes, ch)
	}))
	return s, changes
}

func TestIdentitiesPage(t *testing.T) {
	ctx := context.Background()
	gh := newGitHubStub(t)
	way := &wayIn{ids: map[int64]bool{}}
	s, changes := identitiesSite(t, gh, way, nil)
	page := s.srv.URL + s.social.IdentitiesURL()

	t.Run("anonymous is sent to log in", func(t *testing.T) {
		p := newBrowser(t).do("GET", page, nil)
		require.Equal(t, http.StatusFound, p.status)
		assert.Equal(t, s.srv.URL+auth.DefaultLoginURL+"?next=%2Faccounts%2Fsocial%2Fidentities%2F", p.loc)
	})

	// octo signs up with GitHub: no password, one identity.
	b := newBrowser(t)
	gh.as("octo")
	p := b.do("GET", b.start(s, "github", nil), nil)
	p = b.do("GET", p.loc, nil)
	require.Equal(t, http.StatusFound, p.status, p.body)
	require.Len(t, *changes, 1)
	assert.Equal(t, social.IdentityLinked, (*changes)[0].Action)
	acct, err := s.store.GetAccount(ctx, "github", "1001")
	require.NoError(t, err)
	octo := acct.UserID

	t.Run("the last way in cannot be removed", func(t *testing.T) {
		p := b.do("GET", page, nil)
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, `<th scope="row">GitHub</th><td data-label="Account">octo@example.com</td>`)
		assert.Contains(t, p.body, "Your only way to log in")
		assert.NotContains(t, p.body, `value="remove"`)
		assert.Contains(t, p.body, `action="/accounts/social/github/login/"`)
		assert.Contains(t, p.body, `name="process" value="connect"`)
		p = b.do("POST", page, url.Values{"action": {"remove"}, "id": {itoa(acct.ID)}})
		require.Equal(t, http.StatusSeeOther, p.status)
		p = b.do("GET", p.loc, nil)
		assert.Contains(t, p.body, `role="alert"><p>This identity is your only way to log in.`)
		_, err := s.store.GetAccount(ctx, "github", "1001")
		require.NoError(t, err, "still linked")
		assert.Len(t, *changes, 1)
	})

	t.Run("another identity makes both removable", func(t *testing.T) {
		second, err := s.store.CreateAccount(ctx, social.Account{UserID: octo, Provider: "gitlab", UID: "gl-7",
			ExtraData: []byte(`{"preferred_username":"octo-gl"}`)})
		require.NoError(t, err)
		p := b.do("GET", page, nil)
		assert.Contains(t, p.body, `<th scope="row">gitlab</th><td data-label="Account">octo-gl</td>`)
		assert.Equal(t, 2, strings.Count(p.body, `value="remove"`))
		p = b.do("POST", page, url.Values{"action": {"remove"}, "id": {itoa(second.ID)}})
		require.Equal(t, http.StatusSeeOther, p.status)
		assert.Contains(t, b.do("GET", p.loc, nil).body, "The gitlab identity octo-gl was removed.")
		_, err = s.store.GetAccount(ctx, "gitlab", "gl-7")
		require.ErrorIs(t, err, social.ErrAccountNotFound)
		require.Len(t, *changes, 2)
		assert.Equal(t, social.IdentityUnlinked, (*changes)[1].Action)
		assert.Equal(t, octo, (*changes)[1].UserID)
		assert.Equal(t, "gl-7", (*changes)[1].Account.UID)
	})

	t.Run("an identity of another user is not removed", func(t *testing.T) {
		other := s.addUser("other", "", "other-pw", true)
		theirs, err := s.store.CreateAccount(ctx, social.Account{UserID: other.ID, Provider: "github", UID: "9"})
		require.NoError(t, err)
		p := b.do("POST", page, url.Values{"action": {"remove"}, "id": {itoa(theirs.ID)}})
		require.Equal(t, http.StatusSeeOther, p.status)
		assert.Contains(t, b.do("GET", p.loc, nil).body, "That identity is not linked to your account.")
		_, err = s.store.GetAccount(ctx, "github", "9")
		require.NoError(t, err)
	})

	t.Run("another way in (passkey, email login) allows the removal", func(t *testing.T) {
		way.mu.Lock()
		way.ids[octo] = true
		way.mu.Unlock()
		p := b.do("GET", page, nil)
		assert.Contains(t, p.body, `value="remove"`)
		p = b.do("POST", page, url.Values{"action": {"remove"}, "id": {itoa(acct.ID)}})
		require.Equal(t, http.StatusSeeOther, p.status)
		_, err := s.store.GetAccount(ctx, "github", "1001")
		require.ErrorIs(t, err, social.ErrAccountNotFound)
		assert.Contains(t, b.do("GET", page, nil).body, "No identity is linked to your account.")
	})

	t.Run("a usable password allows the removal", func(t *testing.T) {
		u := s.addUser("pwuser", "", "pw-pass", true)
		a, err := s.store.CreateAccount(ctx, social.Account{UserID: u.ID, Provider: "github", UID: "1234"})
		require.NoError(t, err)
		b := newBrowser(t)
		p := b.do("POST", s.srv.URL+auth.DefaultLoginURL, url.Values{"username": {"pwuser"}, "password": {"pw-pass"}})
		require.Equal(t, http.StatusFound, p.status)
		p = b.do("POST", page, url.Values{"action": {"remove"}, "id": {itoa(a.ID)}})
		require.Equal(t, http.StatusSeeOther, p.status)
		_, err = s.store.GetAccount(ctx, "github", "1234")
		require.ErrorIs(t, err, social.ErrAccountNotFound)
	})

	t.Run("connecting sends the linked signal", func(t *testing.T) {
		n := len(*changes)
		gh.as("quiet")
		p := b.do("GET", b.start(s, "github", url.Values{"process": {"connect"}, "next": {s.social.IdentitiesURL()}}), nil)
		p = b.do("GET", p.loc, nil)
		require.Equal(t, http.StatusOK, p.status, p.body)
		require.Len(t, *changes, n+1)
		assert.Equal(t, social.IdentityLinked, (*changes)[n].Action)
		assert.Equal(t, "1003", (*changes)[n].Account.UID)
		assert.Equal(t, octo, (*changes)[n].UserID)
	})
}

// TestIdentityRemovalStepUp: with an mfa.Flow, a removal needs a recent
// verification; a user with a second factor is sent to verify.
func TestIdentityRemovalStepUp(t *testing.T) {
	ctx := context.Background()
	gh := newGitHubStub(t)
	var offset atomic.Int64
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{fixedCode{code: "123456"}}, Policy: mfa.NewMemoryPolicyStore(),
		Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
	require.NoError(t, err)
	s, changes := identitiesSite(t, gh, &wayIn{}, flow)
	u := s.addUser("secured", "", "pw", true)
	require.Equal(t, int64(1), u.ID)
	a1, err := s.store.CreateAccount(ctx, social.Account{UserID: u.ID, Provider: "github", UID: "1"})
	require.NoError(t, err)
	b := newBrowser(t)
	p := b.do("POST", s.srv.URL+auth.DefaultLoginURL, url.Values{"username": {"secured"}, "password": {"pw"}})
	require.Equal(t, http.StatusFound, p.status)
	// The second step of the login.
	p = b.do("POST", s.srv.URL+"/code/", url.Values{"code": {"123456"}})
	require.Equal(t, http.StatusOK, p.status, p.body)
	p = b.do("POST", s.srv.URL+s.social.IdentitiesURL(), url.Values{"action": {"remove"}, "id": {itoa(a1.ID)}})
	// Verified at login: within the step-up window, the removal goes.
	require.Equal(t, http.StatusSeeOther, p.status)
	assert.Equal(t, s.srv.URL+s.social.IdentitiesURL(), p.loc)
	_, err = s.store.GetAccount(ctx, "github", "1")
	require.ErrorIs(t, err, social.ErrAccountNotFound)
	assert.Len(t, *changes, 1)

	// A verification older than the window sends the browser to verify
	// again, and nothing is removed.
	a2, err := s.store.CreateAccount(ctx, social.Account{UserID: u.ID, Provider: "github", UID: "2"})
	require.NoError(t, err)
	offset.Store(int64(social.DefaultStepUpMaxAge + time.Second))
	p = b.do("POST", s.srv.URL+s.social.IdentitiesURL(), url.Values{"action": {"remove"}, "id": {itoa(a2.ID)}})
	require.Equal(t, http.StatusSeeOther, p.status)
	assert.True(t, strings.HasPrefix(p.loc, s.srv.URL+mfa.DefaultVerifyURL), p.loc)
	_, err = s.store.GetAccount(ctx, "github", "2")
	require.NoError(t, err)
	assert.Len(t, *changes, 1)

	// Connecting another identity is a new way in: the same step-up,
	// and the provider is never reached without it.
	p = b.do("POST", s.srv.URL+s.social.LoginURL("github"), url.Values{"process": {"connect"}})
	require.Equal(t, http.StatusSeeOther, p.status)
	assert.True(t, strings.HasPrefix(p.loc, s.srv.URL+mfa.DefaultVerifyURL), p.loc)
}

// TestLoginPageButtons: the root login page shows the buttons given in
// RouteLinks.SocialLogins as POST forms carrying next.
func TestLoginPageButtons(t *testing.T) {
	s := newSite(t, func(base string, cfg *social.Config[auth.User]) {
		p, err := social.NewGitHub(social.GitHubConfig{ClientID: "gh-client", ClientSecret: "gh-secret"})
		require.NoError(t, err)
		cfg.Providers = []social.Provider{p}
	})
	mux := http.NewServeMux()
	s.a.RoutesWithLinks(mux, "/site/", auth.RouteLinks{SocialLogins: s.social.Buttons()})
	rec := httptest.NewRecorder()
	s.a.Middleware(mux).ServeHTTP(rec, httptest.NewRequest("GET", "/site/login/?next=/reports/", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	assert.Contains(t, body, `<form method="post" action="/accounts/social/github/login/" class="social-login">`)
	assert.Contains(t, body, `<input type="hidden" name="next" value="/reports/">`)
	assert.Contains(t, body, "Log in with GitHub")
	assert.NotContains(t, newBrowser(t).do("GET", s.srv.URL+auth.DefaultLoginURL, nil).body, "Log in with", "none without SocialLogins")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
