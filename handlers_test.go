package auth_test

import (
	"bytes"
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

func TestLoginPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newClient(t, e.app())
	resp := c.get("/accounts/login/?next=/reports/")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "max-age=0, no-cache, no-store, must-revalidate, private", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	body := readBody(t, resp)
	assert.Contains(t, body, `name="username"`)
	assert.Contains(t, body, `name="password"`)
	assert.Contains(t, body, `name="next" value="/reports/"`)
	assert.Contains(t, body, `action="/accounts/login/"`)
	assert.NotContains(t, body, "Forgotten your password?", "no reset link unless configured")

	// An unsafe next is not put in the form.
	body = readBody(t, c.get("/accounts/login/?next=http://evil.example/"))
	assert.NotContains(t, body, "evil.example")
	assert.Equal(t, http.StatusMethodNotAllowed, c.do(http.MethodPut, "/accounts/login/", nil).StatusCode)
}

// TestLoginPagePasswordResetLink: LoginHandlerLinking puts a link on the
// login page; LoginHandler shows none.
func TestLoginPagePasswordResetLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	app := e.app(func(mux *http.ServeMux) {
		mux.Handle("/linked/login/", e.a.LoginHandlerLinking("/accounts/password_reset/"))
	})
	c := newClient(t, app)
	assert.Contains(t, readBody(t, c.get("/linked/login/")), `<a href="/accounts/password_reset/">Forgotten your password?</a>`)
	assert.NotContains(t, readBody(t, c.get("/accounts/login/")), "Forgotten your password?")
}

// TestLoginErrors: one generic message for every failure; field errors for
// empty fields; the inactive message only for a right password with
// AllowAllUsersModelBackend (Django's AuthenticationForm).
func TestLoginErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	e.createUser("sleepy", "pw", func(u *auth.User) { u.IsActive = false })
	allowAll := newEnv(t, func(c *auth.Config[auth.User], e *env[auth.User]) {
		c.Backends = []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{AllowInactive: true}}
	})
	allowAll.createUser("sleepy", "pw", func(u *auth.User) { u.IsActive = false })
	generic := template.HTMLEscapeString(auth.MsgInvalidLogin)
	for _, tc := range []struct {
		name     string
		e        *env[auth.User]
		user, pw string
		want     string
	}{
		{"wrong password", e, "alice", "nope", generic},
		{"unknown user", e, "bob", "pw", generic},
		{"wrong case", e, "Alice", "pw", generic},
		{"inactive, model backend", e, "sleepy", "pw", generic},
		{"inactive, wrong password, allow all", allowAll, "sleepy", "nope", generic},
		{"inactive, right password, allow all", allowAll, "sleepy", "pw", auth.MsgInactive},
		{"empty username", e, "", "pw", auth.MsgRequired},
		{"empty password", e, "alice", "", auth.MsgRequired},
		// AuthenticationForm has no max-length error: a long name is just
		// a wrong one.
		{"long username", e, strings.Repeat("a", 151), "pw", generic},
		{"only Python whitespace", e, " \x1c\x1f\u3000", "pw", auth.MsgRequired},
		{"NUL in username", e, "ali\x00ce", "pw", auth.MsgNullCharacters},
		{"NUL in password", e, "alice", "p\x00w", auth.MsgNullCharacters},
		{"invalid UTF-8 username", e, "ali\xffce", "pw", template.HTMLEscapeString(auth.MsgInvalidUTF8)},
		{"invalid UTF-8 password", e, "alice", "p\xc3w", template.HTMLEscapeString(auth.MsgInvalidUTF8)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, tc.e.app())
			resp := c.login(tc.user, tc.pw)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			body := readBody(t, resp)
			assert.Contains(t, body, tc.want)
			assert.Equal(t, "AnonymousUser", readBody(t, c.get("/whoami/")))
		})
	}
}

// TestLoginNormalizesUsername: surrounding space is stripped with
// Python's str.strip (which counts U+001C to U+001F and U+3000 as space)
// and the name NFKC-normalized, as Django's UsernameField does.
func TestLoginNormalizesUsername(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("ﬁle", "pw") // stored NFKC-normalized as "file"
	for _, name := range []string{"  ﬁle ", "\x1cﬁle\x1f", "\u3000file\x1d\x1e", "\u0085file\u00a0"} {
		c := newClient(t, e.app())
		assert.Equal(t, http.StatusFound, c.login(name, "pw").StatusCode, "%q", name)
		assert.Equal(t, "file", readBody(t, c.get("/whoami/")), "%q", name)
	}
}

// credentialsBackend records the usernames it is asked about and knows
// no one.
type credentialsBackend struct{ usernames *[]string }

func (credentialsBackend) Name() string { return "test.CredentialsBackend" }
func (b credentialsBackend) Authenticate(_ context.Context, _ *http.Request, c auth.Credentials) (*auth.User, error) {
	*b.usernames = append(*b.usernames, c[auth.CredentialUsername])
	return nil, nil
}
func (credentialsBackend) GetUser(context.Context, int64) (*auth.User, error) {
	return nil, auth.ErrUserNotFound
}

// TestLoginUsernameCleaning: what reaches the backends. A name over
// MaxUsernameLength characters is passed on stripped but not
// NFKC-normalized (Django's UsernameField.to_python); a field error (NUL,
// invalid UTF-8, empty) reaches no backend, store or hasher.
func TestLoginUsernameCleaning(t *testing.T) {
	t.Parallel()
	var got []string
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) {
		c.Backends = []auth.Backend[auth.User]{credentialsBackend{&got}}
	})
	c := newClient(t, e.app())
	long := strings.Repeat("ﬁ", auth.MaxUsernameLength+1)
	fits := strings.Repeat("ﬁ", auth.MaxUsernameLength)
	for _, name := range []string{" " + long + "\x1f", fits} {
		assert.Equal(t, http.StatusOK, c.login(name, "pw").StatusCode)
	}
	assert.Equal(t, []string{long, strings.Repeat("fi", auth.MaxUsernameLength)}, got)
	got = nil
	for _, form := range []url.Values{
		{"username": {"a\x00b"}, "password": {"pw"}},
		{"username": {"a\xffb"}, "password": {"pw"}},
		{"username": {"alice"}, "password": {"p\x00w"}},
		{"username": {"alice"}, "password": {"\xff"}},
		{"username": {"\x1c \x1f"}, "password": {"pw"}},
	} {
		resp := c.post("/accounts/login/", form)
		assert.Equal(t, http.StatusOK, resp.StatusCode, "%q", form)
	}
	assert.Empty(t, got, "no backend asked")
	assert.Zero(t, e.runs.Load(), "no hasher run")
}

// TestLoginLastValue: like Django's QueryDict.get, the last of repeated
// fields counts, for the credentials and for next.
func TestLoginLastValue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	c := newClient(t, e.app())
	resp := c.post("/accounts/login/?next=/q1/&next=/q2/", url.Values{"username": {"bob", "alice"}, "password": {"x", "pw"}})
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/q2/", resp.Header.Get("Location"))
	resp = newClient(t, e.app()).post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"pw"}, "next": {"/f1/", "/f2/"}})
	assert.Equal(t, "/f2/", resp.Header.Get("Location"))
}

// TestLoginSecurityCheck ports Django's LoginTest.test_security_check:
// unsafe next values fall back to LOGIN_REDIRECT_URL, safe ones are used.
func TestLoginSecurityCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("testclient", "password")
	app := e.app()
	for _, bad := range []string{
		"http://example.com", "https://example.com", "ftp://example.com", "///example.com",
		"//example.com", `javascript:alert("XSS")`,
	} {
		c := newClient(t, app)
		resp := c.post("/accounts/login/?next="+url.QueryEscape(bad), url.Values{"username": {"testclient"}, "password": {"password"}})
		assert.Equal(t, http.StatusFound, resp.StatusCode)
		assert.Equal(t, auth.DefaultLoginRedirectURL, resp.Header.Get("Location"), bad)
	}
	for _, good := range []string{
		"/view/?param=http://example.com", "/view/?param=https://example.com", "/view?param=ftp://example.com",
		"view/?param=//example.com", "https://testserver/", "HTTPS://testserver/", "//testserver/", "/url%20with%20spaces/",
	} {
		c := newClient(t, app)
		// The form field wins over the query, as in Django.
		resp := c.post("/accounts/login/?next=/ignored/", url.Values{"username": {"testclient"}, "password": {"password"}, "next": {good}})
		assert.Equal(t, http.StatusFound, resp.StatusCode)
		loc := resp.Header.Get("Location")
		assert.NotEqual(t, auth.DefaultLoginRedirectURL, loc, good)
		assert.NotContains(t, loc, "ignored")
	}
}

// TestLoginSecurityCheckHTTPS: a request over TLS refuses an http next.
func TestLoginSecurityCheckHTTPS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) { c.RedirectAllowedHosts = []string{"sso.example"} })
	e.createUser("testclient", "password")
	c := newClient(t, e.app())
	resp := c.post("https://testserver/accounts/login/", url.Values{
		"username": {"testclient"}, "password": {"password"}, "next": {"http://testserver/x"},
	})
	assert.Equal(t, auth.DefaultLoginRedirectURL, resp.Header.Get("Location"))
	c = newClient(t, e.app())
	resp = c.post("https://testserver/accounts/login/", url.Values{
		"username": {"testclient"}, "password": {"password"}, "next": {"https://sso.example/back"},
	})
	assert.Equal(t, "https://sso.example/back", resp.Header.Get("Location"), "RedirectAllowedHosts")
}

// TestLoginCrossOriginRefused: CSRF protection by http.CrossOriginProtection.
func TestLoginCrossOriginRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	c := newClient(t, e.app())
	form := url.Values{"username": {"alice"}, "password": {"pw"}}
	resp := c.post("/accounts/login/", form, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp = c.post("/accounts/login/", form, "Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "AnonymousUser", readBody(t, c.get("/whoami/")))
	c.login("alice", "pw")
	resp = c.post("/accounts/logout/", nil, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "alice", readBody(t, c.get("/whoami/")), "a cross-site POST does not log out")
	resp = c.post("/accounts/logout/", nil, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestMaxLengthMessage(t *testing.T) {
	t.Parallel()
	assert.Empty(t, auth.MaxLengthMessage(strings.Repeat("é", 3), 3), "counted in characters, not bytes")
	assert.Equal(t, "Ensure this value has at most 3 characters (it has 4).", auth.MaxLengthMessage("éééé", 3))
}

// TestProtect: an app's own page wrapped with Protect gets the session
// user, never_cache and the cross-origin refusal of the auth pages.
func TestProtect(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	app := e.app(func(mux *http.ServeMux) {
		mux.Handle("/form/", e.a.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(e.a.User(r).String()))
		})))
	})
	c := newClient(t, app)
	c.login("alice", "pw")
	resp := c.post("/form/", nil, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "max-age=0, no-cache, no-store, must-revalidate, private", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "alice", readBody(t, resp))
	resp = c.post("/form/", nil, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}

// TestLogout ports Django's LogoutTest: POST only, redirects by next,
// LOGOUT_REDIRECT_URL or the logged-out page, never cached.
func TestLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("testclient", "password")
	withSetting := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) { c.LogoutRedirectURL = "/custom/" })
	withSetting.createUser("testclient", "password")
	for _, tc := range []struct {
		name   string
		e      *env[auth.User]
		target string
		form   url.Values
		code   int
		loc    string
	}{
		{"page", e, "/accounts/logout/", nil, http.StatusOK, ""},
		{"next in query", e, "/accounts/logout/?next=/somewhere/", nil, http.StatusFound, "/somewhere/"},
		{"next in form", e, "/accounts/logout/", url.Values{"next": {"/login/"}}, http.StatusFound, "/login/"},
		// Django 4.1+: an unsafe or missing next falls back to the request's
		// path, which is a redirect when the request had a query.
		{"unsafe next", e, "/accounts/logout/?next=http://evil.example/", nil, http.StatusFound, "/accounts/logout/"},
		{"unsafe next in form", e, "/accounts/logout/", url.Values{"next": {"http://evil.example/"}}, http.StatusOK, ""},
		{"query without next", e, "/accounts/logout/?x=1", nil, http.StatusFound, "/accounts/logout/"},
		{"next is the full path", e, "/accounts/logout/?a=1", url.Values{"next": {"/accounts/logout/?a=1"}}, http.StatusOK, ""},
		{"next is this page", e, "/accounts/logout/", url.Values{"next": {"/accounts/logout/"}}, http.StatusOK, ""},
		{"same host", e, "/accounts/logout/?next=http://testserver/x", nil, http.StatusFound, "http://testserver/x"},
		{"setting", withSetting, "/accounts/logout/", nil, http.StatusFound, "/custom/"},
		{"next beats setting", withSetting, "/accounts/logout/?next=/n/", nil, http.StatusFound, "/n/"},
		{"unsafe next, setting", withSetting, "/accounts/logout/?next=//evil.example/", nil, http.StatusFound, "/custom/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, tc.e.app())
			c.login("testclient", "password")
			resp := c.post(tc.target, tc.form)
			assert.Equal(t, tc.code, resp.StatusCode)
			assert.Equal(t, tc.loc, resp.Header.Get("Location"))
			assert.Contains(t, resp.Header.Get("Cache-Control"), "no-store")
			assert.Equal(t, "AnonymousUser", readBody(t, c.get("/whoami/")))
		})
	}
	c := newClient(t, e.app())
	c.login("testclient", "password")
	resp := c.get("/accounts/logout/")
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "POST", resp.Header.Get("Allow"))
	assert.Equal(t, "testclient", readBody(t, c.get("/whoami/")), "GET does not log out")
}

// TestLogoutGetPage: a GET on the logout URL (a link, a bookmark) gets a
// 405 page in the login page's layout with a button that posts the
// logout, carrying a safe next and never an unsafe one.
func TestLogoutGetPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("testclient", "password")
	c := newClient(t, e.app())
	c.login("testclient", "password")
	resp := c.get("/accounts/logout/?next=/bye/")
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "POST", resp.Header.Get("Allow"))
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Contains(t, resp.Header.Get("Cache-Control"), "no-store")
	body := readBody(t, resp)
	assert.Contains(t, body, `<meta name="viewport"`, "the shared layout")
	assert.Contains(t, body, `<form method="post" action="/accounts/logout/">`)
	assert.Contains(t, body, `<input type="hidden" name="next" value="/bye/">`)
	assert.Contains(t, body, `<button type="submit">Log out</button>`)
	assert.NotContains(t, readBody(t, c.get("/accounts/logout/?next=//evil.example/")), "evil.example")
	assert.Equal(t, "testclient", readBody(t, c.get("/whoami/")), "GET does not log out")
	resp = c.do(http.MethodHead, "/accounts/logout/", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Empty(t, readBody(t, resp))

	// The button's POST logs out.
	resp = c.post("/accounts/logout/", url.Values{"next": {"/bye/"}}, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/bye/", resp.Header.Get("Location"))
	assert.Equal(t, "AnonymousUser", readBody(t, c.get("/whoami/")))
}

// TestCustomTemplates: an app replaces the login page; the logged-out page
// keeps its default.
func TestCustomTemplates(t *testing.T) {
	t.Parallel()
	tmpl := template.Must(template.New("login").Parse(`<form>{{range .Errors}}[{{.}}]{{end}}next={{.Next}}</form>`))
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) {
		c.Templates = &auth.Templates{Login: tmpl}
	})
	e.createUser("alice", "pw")
	c := newClient(t, e.app())
	assert.Equal(t, "<form>next=/x/</form>", readBody(t, c.get("/accounts/login/?next=/x/")))
	assert.Contains(t, readBody(t, c.login("alice", "bad")), "[Please enter a correct username")
	c.login("alice", "pw")
	assert.Contains(t, readBody(t, c.post("/accounts/logout/", nil)), "Logged out")
}

// TestRoutesPrefix mounts the pages elsewhere.
func TestRoutesPrefix(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) { c.LoginURL = "/auth/login/" })
	e.createUser("alice", "pw")
	mux := http.NewServeMux()
	e.a.Routes(mux, "/auth")
	c := newClient(t, e.a.Middleware(mux))
	require.Equal(t, http.StatusOK, c.get("/auth/login/").StatusCode)
	resp := c.post("/auth/login/", url.Values{"username": {"alice"}, "password": {"pw"}})
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, http.StatusOK, c.post("/auth/logout/", nil).StatusCode)
}

// TestRedirectLocation: the Location header is the next value that passed
// the check, not a cleaned copy, percent-encoded as Django's
// HttpResponseRedirect does (iri_to_uri). http.Redirect resolved dot
// segments, which turned "/./\evil.example" (a path on this site) into
// "/\evil.example", which browsers read as the host evil.example; tabs
// and newlines (which a browser would drop) and backslashes (which it
// would read as slashes) are encoded, so no CR or LF reaches the header.
func TestRedirectLocation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("testclient", "password")
	app := e.app()
	for _, tc := range []struct{ next, want string }{
		{`/./\evil.example`, "/./%5Cevil.example"},
		{`/a/../\evil.example`, "/a/../%5Cevil.example"},
		{`/x/..\/evil.example`, "/x/..%5C/evil.example"},
		{`/.\/evil.example/`, "/.%5C/evil.example/"},
		{"/a/./b/../c?x=/../\\evil", "/a/./b/../c?x=/../%5Cevil"},
		{`view/../\evil.example`, "view/../%5Cevil.example"},
		{"/a\n\\\\b", "/a%0A%5C%5Cb"},
		{"/a\t\\evil.example", "/a%09%5Cevil.example"},
		{"/a\t/\\evil.example", "/a%09/%5Cevil.example"},
		{"/a\r\nSet-Cookie: x=1", "/a%0D%0ASet-Cookie:%20x=1"},
		{" /caf\u00e9/\x01?q=a b", "%20/caf%C3%A9/%01?q=a%20b"},
		{"/p/\x7f#f", "/p/%7F#f"},
		{`/ok/?a=%2e%2e&b="<>^{|}`, "/ok/?a=%2e%2e&b=%22%3C%3E%5E%7B%7C%7D"},
		{"/keep/:@!$&'()*+,;=[]~?#", "/keep/:@!$&'()*+,;=[]~?#"},
	} {
		require.True(t, auth.URLHasAllowedHostAndScheme(tc.next, []string{"testserver"}, false), "%q", tc.next)
		for _, page := range []string{"/accounts/login/", "/accounts/logout/"} {
			c := newClient(t, app)
			c.login("testclient", "password")
			resp := c.post(page, url.Values{"username": {"testclient"}, "password": {"password"}, "next": {tc.next}})
			assert.Equal(t, http.StatusFound, resp.StatusCode, "%s %q", page, tc.next)
			assert.Equal(t, tc.want, resp.Header.Get("Location"), "%s %q", page, tc.next)
		}
	}
}

// lockedBuffer is a log sink that tests read while handlers write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestPlainHTTPLoginWarning: a login over plain HTTP that sets a Secure
// session cookie (which the browser drops) logs one warning per Auth that
// names the setting for local development; over TLS, or with
// Sessions.InsecureCookie, nothing is logged.
func TestPlainHTTPLoginWarning(t *testing.T) {
	t.Parallel()
	newLogged := func(insecure bool) (*env[auth.User], *lockedBuffer) {
		logs := new(lockedBuffer)
		e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) {
			c.Logger = slog.New(slog.NewTextHandler(logs, nil))
			c.Sessions.InsecureCookie = insecure
		})
		e.createUser("alice", "pw")
		return e, logs
	}
	form := url.Values{"username": {"alice"}, "password": {"pw"}}

	e, logs := newLogged(false)
	c := newClient(t, e.app())
	resp := c.post("https://testserver/accounts/login/", form)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Empty(t, logs.String(), "no warning over TLS")
	for range 3 {
		resp := newClient(t, e.app()).login("alice", "pw")
		require.Equal(t, http.StatusFound, resp.StatusCode)
		require.True(t, resp.Cookies()[0].Secure)
	}
	out := logs.String()
	assert.Equal(t, 1, strings.Count(out, "level=WARN"), "once per Auth: %s", out)
	assert.Contains(t, out, "plain HTTP")
	assert.Contains(t, out, "Config.Sessions.InsecureCookie")
	assert.Contains(t, out, "cookie="+auth.DefaultSessionCookieName)

	e, logs = newLogged(true)
	require.Equal(t, http.StatusFound, newClient(t, e.app()).login("alice", "pw").StatusCode)
	assert.Empty(t, logs.String(), "no warning with InsecureCookie")
}

// TestLoginPageAnnouncesErrors: field errors are tied to their inputs
// (aria-invalid, aria-describedby) and announced (role="alert"), and the
// focus goes to the first field in error.
func TestLoginPageAnnouncesErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newClient(t, e.app())
	body := readBody(t, c.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {""}}))
	assert.Contains(t, body, `id="id_password" autocomplete="current-password" required aria-invalid="true" aria-describedby="id_password_error" autofocus>`)
	assert.Contains(t, body, `<p class="field-error" id="id_password_error">This field is required.</p>`)
	assert.Contains(t, body, `<div class="errors" id="id_errors" role="alert">`, "the error summary is announced")
	assert.Contains(t, body, `<li><a href="#id_password">Password: This field is required.</a></li>`, "and links to the field")
	assert.NotContains(t, body, `id="id_username" value="alice" maxlength="150" autocapitalize="none" autocomplete="username" required autofocus`)

	body = readBody(t, c.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"wrong"}}))
	assert.Contains(t, body, `<div class="errors" id="id_errors" role="alert">`)
	assert.Contains(t, body, `<form method="post" action="/accounts/login/" aria-describedby="id_errors">`)
}

// TestProfilePage: the default LOGIN_REDIRECT_URL is a page of Routes, so
// a new site lands somewhere after login: it names the user and has a
// logout button; an anonymous visitor is sent to the login page.
func TestProfilePage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	c := newClient(t, e.app())
	resp := c.get("/accounts/profile/")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/accounts/login/?next=/accounts/profile/", resp.Header.Get("Location"))

	resp = c.login("alice", "pw")
	require.Equal(t, auth.DefaultLoginRedirectURL, resp.Header.Get("Location"))
	resp = c.get(auth.DefaultLoginRedirectURL)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body := readBody(t, resp)
	assert.Contains(t, body, "You are logged in as alice.")
	assert.Contains(t, body, `<form method="post" action="/accounts/logout/">`)
	assert.NotContains(t, body, "Change your password", "no password change page is mounted")
}

// TestPagesRefuseFraming (from the security review): every page of the
// library tells browsers not to frame it (Django's XFrameOptionsMiddleware),
// or a framed one-button page such as the 405 logout page could be clicked
// through.
func TestPagesRefuseFraming(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	c := newClient(t, e.app())
	for _, p := range []string{"/accounts/logout/", "/accounts/login/", "/accounts/profile/"} {
		resp := c.get(p)
		assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"), p)
		assert.Equal(t, "frame-ancestors 'none'", resp.Header.Get("Content-Security-Policy"), p)
	}
}
