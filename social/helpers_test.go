package social_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/store/memory"
)

const testSecret = "test-secret-key-0123456789-abcdefghijklmnopqrstuvw"

// site is an app with the social login mounted, and its stores.
type site struct {
	t      *testing.T
	a      *auth.Auth[auth.User]
	users  auth.Store[auth.User]
	store  social.Store
	social *social.Social[auth.User]
	srv    *httptest.Server
	logins []auth.LoggedIn[auth.User]
	mu     sync.Mutex
	log    *syncBuffer
}

// syncBuffer is the site's log, safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// take returns the log so far and empties it.
func (b *syncBuffer) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.b.String()
	b.b.Reset()
	return s
}

// newSite starts an app server; configure builds the Config's providers
// once the server's URL is known.
func newSite(t *testing.T, configure func(baseURL string, cfg *social.Config[auth.User])) *site {
	t.Helper()
	return newSiteOn(t, memory.New[auth.User](), social.NewMemoryStore(), configure)
}

// newSiteOn is newSite on the given stores.
func newSiteOn(t *testing.T, users auth.Store[auth.User], store social.Store, configure func(baseURL string, cfg *social.Config[auth.User]), opts ...func(*auth.Config[auth.User])) *site {
	t.Helper()
	s := &site{t: t, users: users, store: store, log: &syncBuffer{}}
	mux := http.NewServeMux()
	var handler http.Handler
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(s.srv.Close)
	acfg := auth.Config[auth.User]{Store: s.users, Hashers: hashers.New(hashers.MD5{}), SecretKey: testSecret,
		Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, social.NewBackend[auth.User]("")},
		Sessions: auth.SessionConfig{InsecureCookie: true}, Logger: slog.New(slog.NewTextHandler(s.log, nil))}
	for _, o := range opts {
		o(&acfg)
	}
	a, err := auth.New(acfg)
	require.NoError(t, err)
	if flow, ok := acfg.SecondFactor.(*mfa.Flow[auth.User]); ok {
		mux.Handle("/code/", a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := flow.VerifyCode(r, "totp", r.FormValue("code")); err != nil {
				http.Error(w, err.Error(), http.StatusForbidden)
			}
		})))
	}
	t.Cleanup(func() { _ = a.Close() })
	a.Signals().UserLoggedIn.Connect(func(ctx context.Context, ev auth.LoggedIn[auth.User]) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.logins = append(s.logins, ev)
	})
	cfg := social.Config[auth.User]{Store: s.store, BaseURL: s.srv.URL, SignUp: true}
	configure(s.srv.URL, &cfg)
	s.social, err = social.New(a, cfg)
	require.NoError(t, err)
	s.a = a
	a.Routes(mux, "")
	mux.Handle("/accounts/social/", s.social.Handler())
	mux.Handle("/whoami/", a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "user=%s", a.User(r).Username())
	})))
	handler = mux
	return s
}

func (s *site) addUser(username, email, password string, active bool) *auth.User {
	s.t.Helper()
	u := auth.NewUser(username)
	u.Email, u.IsActive = email, active
	enc, err := s.a.Hashers().Make(context.Background(), password)
	require.NoError(s.t, err)
	u.Password = enc
	require.NoError(s.t, s.users.CreateUser(context.Background(), &u))
	return &u
}

// browser is an http.Client with a cookie jar that follows no redirect
// by itself, so that a test can see and alter each hop.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	url    string
	loc    string
	body   string
}

func (b *browser) do(method, target string, form url.Values) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	require.NoError(b.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	p := page{status: resp.StatusCode, url: target, body: string(raw)}
	if loc := resp.Header.Get("Location"); loc != "" {
		u, err := resp.Request.URL.Parse(loc)
		require.NoError(b.t, err)
		p.loc = u.String()
	}
	return p
}

var (
	formRe   = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
)

// providerLogin follows redirects from p, filling in the provider's login
// (as login) and consent forms, until a redirect leaves for the site; it
// returns that redirect's target without following it.
func (b *browser) providerLogin(p page, login, siteURL string) string {
	b.t.Helper()
	for range 20 {
		if p.loc != "" {
			if strings.HasPrefix(p.loc, siteURL) {
				return p.loc
			}
			p = b.do("GET", p.loc, nil)
			continue
		}
		m := formRe.FindStringSubmatch(p.body)
		require.NotNil(b.t, m, "no form on %s (%d): %s", p.url, p.status, p.body)
		form := url.Values{}
		for _, h := range hiddenRe.FindAllStringSubmatch(m[2], -1) {
			form.Set(h[1], html.UnescapeString(h[2]))
		}
		if strings.Contains(m[2], `name="login"`) {
			form.Set("login", login)
			form.Set("password", "any")
		}
		action, err := url.Parse(p.url)
		require.NoError(b.t, err)
		target, err := action.Parse(html.UnescapeString(m[1]))
		require.NoError(b.t, err)
		p = b.do("POST", target.String(), form)
	}
	b.t.Fatal("the provider login did not end")
	return ""
}

// start posts the site's login form of provider and returns the redirect
// to the provider's authorization endpoint.
func (b *browser) start(s *site, provider string, form url.Values) string {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	p := b.do("POST", s.srv.URL+s.social.LoginURL(provider), form)
	require.Equal(b.t, http.StatusFound, p.status, p.body)
	return p.loc
}

func (b *browser) whoami(s *site) string {
	b.t.Helper()
	return b.do("GET", s.srv.URL+"/whoami/", nil).body
}

// withParam returns u with the query parameter k set to v.
func withParam(t *testing.T, u, k, v string) string {
	t.Helper()
	p, err := url.Parse(u)
	require.NoError(t, err)
	q := p.Query()
	q.Set(k, v)
	p.RawQuery = q.Encode()
	return p.String()
}

func param(t *testing.T, u, k string) string {
	t.Helper()
	p, err := url.Parse(u)
	require.NoError(t, err)
	return p.Query().Get(k)
}
