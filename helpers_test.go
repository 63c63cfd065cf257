package auth_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/store/memory"
)

// testSecret is a 50-character test key; testFallback an older one.
const (
	testSecret   = "test-secret-key-0123456789-abcdefghijklmnopqrstuvw"
	testFallback = "old-secret-key-9876543210-zyxwvutsrqponmlkjihgfedc"
)

// countingHasher is MD5 that counts every Encode and Verify: Django's
// CountingMD5PasswordHasher. It is cheap, so tests stay fast.
type countingHasher struct {
	hashers.MD5
	runs *atomic.Int64
}

func (h countingHasher) Encode(password, salt string) (string, error) {
	h.runs.Add(1)
	return h.MD5.Encode(password, salt)
}

func (h countingHasher) Verify(password, encoded string) (bool, error) {
	h.runs.Add(1)
	return h.MD5.Verify(password, encoded)
}

// env is one Auth over a fresh memory store with a counting hasher.
type env[U any] struct {
	t       testing.TB
	store   *memory.Store[U]
	hashers *hashers.Registry
	runs    *atomic.Int64
	a       *auth.Auth[U]
}

type envOption[U any] func(*auth.Config[U], *env[U])

func newEnv(t testing.TB, opts ...envOption[auth.User]) *env[auth.User] {
	return newEnvOf[auth.User](t, opts...)
}

func newEnvOf[U any](t testing.TB, opts ...envOption[U]) *env[U] {
	t.Helper()
	e := &env[U]{t: t, store: memory.New[U](), runs: new(atomic.Int64)}
	e.hashers = hashers.New(countingHasher{runs: e.runs})
	cfg := auth.Config[U]{
		Store:     e.store,
		Hashers:   e.hashers,
		Backends:  []auth.Backend[U]{&auth.ModelBackend[U]{}},
		SecretKey: testSecret,
		Logger:    slog.New(slog.DiscardHandler),
		// Django's test settings allow the test client's host.
		AllowedHosts: []string{"testserver"},
	}
	for _, o := range opts {
		o(&cfg, e)
	}
	a, err := auth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	e.a = a
	return e
}

// createUser stores an active user with the password.
func (e *env[U]) createUser(username, password string, edit ...func(*auth.User)) *U {
	e.t.Helper()
	u := new(U)
	au := any(u).(interface{ AuthUser() *auth.User }).AuthUser()
	*au = auth.NewUser(username)
	enc, err := e.hashers.Make(e.t.Context(), password)
	require.NoError(e.t, err)
	au.Password = enc
	for _, f := range edit {
		f(au)
	}
	require.NoError(e.t, e.store.CreateUser(context.Background(), u))
	return u
}

// client is a browser with one cookie jar talking to a handler.
type client struct {
	t       testing.TB
	h       http.Handler
	cookies map[string]*http.Cookie
	headers http.Header
}

func newClient(t testing.TB, h http.Handler) *client {
	return &client{t: t, h: h, cookies: map[string]*http.Cookie{}, headers: http.Header{}}
}

func (c *client) session() string {
	if ck, ok := c.cookies[auth.DefaultSessionCookieName]; ok {
		return ck.Value
	}
	return ""
}

func (c *client) do(method, target string, form url.Values, hdr ...string) *http.Response {
	c.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, target, body)
	if strings.HasPrefix(target, "/") {
		req.Host = "testserver" // as Django's test client
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range c.headers {
		req.Header[k] = vs
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	resp := rec.Result()
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return resp
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

func (c *client) login(username, password string) *http.Response {
	c.t.Helper()
	return c.post("/accounts/login/", url.Values{"username": {username}, "password": {password}})
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	var b strings.Builder
	_, err := io_Copy(&b, resp)
	require.NoError(t, err)
	return b.String()
}

// app mounts the auth routes and a few test pages, wrapped in Middleware.
func (e *env[U]) app(extra ...func(mux *http.ServeMux)) http.Handler {
	mux := http.NewServeMux()
	e.a.Routes(mux, "")
	mux.HandleFunc("/whoami/", func(w http.ResponseWriter, r *http.Request) {
		ru := e.a.UserFromContext(r.Context())
		_, _ = w.Write([]byte(ru.String()))
	})
	mux.HandleFunc("/noop/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})
	for _, f := range extra {
		f(mux)
	}
	return e.a.Middleware(mux)
}

// changePasswordTo returns a handler that saves raw as the request user's
// password with UpdateUser and keeps the request's session logged in with
// UpdateSessionAuthHash, as a password change page does.
func (e *env[U]) changePasswordTo(raw string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := e.a.UserFromContext(r.Context()).User()
		enc, err := e.hashers.Make(r.Context(), raw)
		require.NoError(e.t, err)
		auth.UserOf(u).Password = enc
		require.NoError(e.t, e.store.UpdateUser(r.Context(), u))
		require.NoError(e.t, e.a.UpdateSessionAuthHash(r, u))
	}
}

func io_Copy(b *strings.Builder, resp *http.Response) (int64, error) {
	defer resp.Body.Close()
	return io.Copy(b, resp.Body)
}

// registryWith prefers the counting MD5 hasher and still verifies SHA1.
func registryWith(runs *atomic.Int64) *hashers.Registry {
	return hashers.New(countingHasher{runs: runs}, hashers.SHA1{})
}
