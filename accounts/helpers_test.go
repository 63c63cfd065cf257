package accounts_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/internal/testclient"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/store/memory"
)

// testSecret is a 50-character test key.
const testSecret = "test-secret-key-0123456789-abcdefghijklmnopqrstuvw"

// env is an Auth and a Manager over a fresh memory store, with the fast
// MD5 hasher, an Outbox and a log buffer.
type env struct {
	t       testing.TB
	store   *memory.Store[auth.User]
	hashers *hashers.Registry
	a       *auth.Auth[auth.User]
	m       *accounts.Manager[auth.User]
	outbox  *mail.Outbox
	logs    *syncBuffer
	handler http.Handler
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// envConfig is the configuration newEnv builds: the accounts.Config and,
// beside it, the Auth's AllowedHosts.
type envConfig struct {
	accounts.Config
	AllowedHosts []string
	Limiter      auth.Limiter
	Sessions     auth.SessionConfig
	SecondFactor auth.SecondFactor[auth.User]
	LoginGate    auth.LoginGate[auth.User]
	Backends     []auth.Backend[auth.User]
	I18n         i18n.Config
}

type option func(*envConfig)

func newEnv(t testing.TB, opts ...option) *env {
	t.Helper()
	return newEnvHashers(t, hashers.New(hashers.MD5{}), opts...)
}

// newEnvHashers is newEnv with the registry reg in place of plain MD5.
func newEnvHashers(t testing.TB, reg *hashers.Registry, opts ...option) *env {
	t.Helper()
	e := &env{t: t, store: memory.New[auth.User](), hashers: reg,
		outbox: new(mail.Outbox), logs: new(syncBuffer)}
	logger := slog.New(slog.NewTextHandler(e.logs, nil))
	cfg := envConfig{Config: accounts.Config{Mailer: e.outbox}, AllowedHosts: []string{"testserver"}}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := auth.New(auth.Config[auth.User]{
		Store:        e.store,
		Hashers:      e.hashers,
		SecretKey:    testSecret,
		Logger:       logger,
		AllowedHosts: cfg.AllowedHosts,
		Limiter:      cfg.Limiter,
		Sessions:     cfg.Sessions,
		SecondFactor: cfg.SecondFactor,
		LoginGate:    cfg.LoginGate,
		Backends:     cfg.Backends,
		I18n:         cfg.I18n,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	m, err := accounts.New(a, cfg.Config)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	e.a, e.m = a, m
	mux := http.NewServeMux()
	m.Routes(mux, "")
	mux.HandleFunc("/whoami/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, a.UserFromContext(r.Context()).String())
	})
	e.handler = a.Middleware(mux)
	return e
}

// createUser stores an active user with the password and the email
// "<username>@example.com" unless edit changes it.
func (e *env) createUser(username, password string, edit ...func(*auth.User)) *auth.User {
	e.t.Helper()
	u := auth.NewUser(username)
	u.Email = username + "@example.com"
	enc, err := e.hashers.Make(e.t.Context(), password)
	require.NoError(e.t, err)
	u.Password = enc
	for _, f := range edit {
		f(&u)
	}
	require.NoError(e.t, e.store.CreateUser(context.Background(), &u))
	return &u
}

// reload returns the stored user.
func (e *env) reload(id int64) *auth.User {
	e.t.Helper()
	u, err := e.store.GetUser(context.Background(), id)
	require.NoError(e.t, err)
	return u
}

// checkPassword reports whether the stored user's password is pw.
func (e *env) checkPassword(id int64, pw string) bool {
	ok, _, _ := e.hashers.Check(e.t.Context(), pw, e.reload(id).Password)
	return ok
}

// client is a browser with a cookie jar.
type client struct {
	t       testing.TB
	h       http.Handler
	cookies map[string]string
}

func (e *env) client() *client {
	return &client{t: e.t, h: e.handler, cookies: map[string]string{}}
}

func (c *client) do(method, target string, form url.Values, hdr ...string) *http.Response {
	return testclient.Do(c.h, c.cookies, method, target, form, hdr...)
}

// send serves req with the client's cookies and keeps the cookies the
// response sets.
func (c *client) send(req *http.Request) *http.Response {
	return testclient.Send(c.h, c.cookies, req)
}

func (c *client) get(target string, hdr ...string) *http.Response {
	return c.do(http.MethodGet, target, nil, hdr...)
}

func (c *client) post(target string, form url.Values, hdr ...string) *http.Response {
	if form == nil {
		form = url.Values{}
	}
	return c.do(http.MethodPost, target, form, hdr...)
}

func (c *client) login(username, password string) {
	c.t.Helper()
	resp := c.post("/accounts/login/", url.Values{"username": {username}, "password": {password}})
	require.Equal(c.t, http.StatusFound, resp.StatusCode, "login of %s", username)
}

func (c *client) whoami() string {
	return body(c.t, c.get("/whoami/"))
}

func body(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// resetLink asks for a reset of email and returns the path of the one
// link mailed.
func (e *env) resetLink(c *client, email string) string {
	e.t.Helper()
	before := e.outbox.Len()
	resp := c.post("/accounts/password_reset/", url.Values{"email": {email}})
	require.Equal(e.t, http.StatusFound, resp.StatusCode)
	msgs := waitMails(e.t, e.outbox, before+1)
	require.Len(e.t, msgs, before+1)
	return linkPath(e.t, msgs[len(msgs)-1].Text)
}

// waitMails waits until outbox holds at least n messages, which the
// Manager's mail workers deliver after the request has been answered, and
// returns them. It fails the test after 10 seconds.
func waitMails(t testing.TB, outbox *mail.Outbox, n int) []mail.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for outbox.Len() < n {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %d mails, have %d", n, outbox.Len())
		}
		time.Sleep(time.Millisecond)
	}
	return outbox.Messages()
}

// settle closes the Manager, which first sends every queued mail, so that
// the outbox and the logs are final: a test that expects no mail (or
// exactly n) checks after settle.
func (e *env) settle() {
	e.t.Helper()
	require.NoError(e.t, e.m.Close())
}

// linkPath finds the reset link in a mail body and returns its path.
func linkPath(t testing.TB, text string) string {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "http://") || strings.HasPrefix(line, "https://") {
			u, err := url.Parse(strings.TrimSpace(line))
			require.NoError(t, err)
			return u.Path
		}
	}
	t.Fatalf("no link in mail:\n%s", text)
	return ""
}
