package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
)

// testSecret is a 50-character key for the tests.
const testSecret = "webapp-test-secret-0123456789-abcdefghijklmnopqrst"

// cheapHashers makes fast PBKDF2 hashes so that tests with many logins
// stay quick; the Django interop test uses hashers.Default instead.
func cheapHashers() *hashers.Registry { return hashers.New(hashers.PBKDF2{Iterations: 1000}) }

// site is one running instance of the app.
type site struct {
	srv   *httptest.Server
	out   string            // what newApp printed
	demos map[string]string // demo username -> password
}

var demoLine = regexp.MustCompile(`(?m)^\s+username (\S+)\s+password (\S+)`)

// startSite runs newApp(cfg) on an httptest server, closed with the test.
func startSite(t *testing.T, cfg config) *site {
	t.Helper()
	var out bytes.Buffer
	cfg.Out = &out
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Hashers == nil && cfg.DjangoVersion == "" {
		cfg.Hashers = cheapHashers()
	}
	h, cleanup, err := newApp(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(cleanup)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := &site{srv: srv, out: out.String(), demos: map[string]string{}}
	for _, m := range demoLine.FindAllStringSubmatch(s.out, -1) {
		s.demos[m[1]] = m[2]
	}
	return s
}

// client is a browser without redirects: it keeps the sessionid cookie
// itself, so one client can talk to several sites (two instances of one
// deployment) with the same cookie.
type client struct {
	t       *testing.T
	session string
}

// response is a finished response with its body read.
type response struct {
	*http.Response
	body string
}

func (c *client) do(method, rawURL string, form url.Values, header http.Header) response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, rawURL, body)
	require.NoError(c.t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.session != "" {
		req.AddCookie(&http.Cookie{Name: auth.DefaultSessionCookieName, Value: c.session})
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	require.NoError(c.t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	require.NoError(c.t, resp.Body.Close())
	for _, ck := range resp.Cookies() {
		if ck.Name != auth.DefaultSessionCookieName {
			continue
		}
		if ck.MaxAge < 0 || ck.Value == "" {
			c.session = ""
		} else {
			c.session = ck.Value
		}
	}
	return response{Response: resp, body: string(b)}
}

func (c *client) get(rawURL string) response { return c.do(http.MethodGet, rawURL, nil, nil) }

func (c *client) post(rawURL string, form url.Values) response {
	return c.do(http.MethodPost, rawURL, form, nil)
}

// login posts the login form of s and requires the redirect of a success.
func (c *client) login(s *site, username, password string) {
	c.t.Helper()
	resp := c.post(s.srv.URL+"/accounts/login/", url.Values{"username": {username}, "password": {password}})
	require.Equal(c.t, http.StatusFound, resp.StatusCode, "login of %s: %s", username, resp.body)
	require.NotEmpty(c.t, c.session, "login of %s set no session cookie", username)
}

// me returns the decoded /api/me of s.
func (c *client) me(s *site) map[string]any {
	c.t.Helper()
	resp := c.get(s.srv.URL + "/api/me")
	require.Equal(c.t, http.StatusOK, resp.StatusCode, resp.body)
	require.Equal(c.t, "application/json", resp.Header.Get("Content-Type"))
	var m map[string]any
	require.NoError(c.t, json.Unmarshal([]byte(resp.body), &m), resp.body)
	return m
}

// jsonValue turns v into what encoding/json decodes it to in a map[string]any.
func jsonValue(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}
