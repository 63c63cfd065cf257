package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// impEnv is an Auth with an admin, two users, the impersonation routes
// and the banner over the whole site.
type impEnv struct {
	*env[auth.User]
	admin, alice, boss, ghost *auth.User
	h                         http.Handler
	mu                        sync.Mutex
	events                    []string
}

func newImpEnv(t *testing.T, opts ...envOption[auth.User]) *impEnv {
	e := &impEnv{env: newEnv(t, opts...)}
	e.admin = e.createUser("admin", "pw-admin", func(u *auth.User) { u.IsSuperuser, u.IsStaff = true, true })
	e.alice = e.createUser("alice", "pw-alice")
	e.boss = e.createUser("boss", "pw-boss", func(u *auth.User) { u.IsSuperuser = true })
	e.ghost = e.createUser("ghost", "pw-ghost", func(u *auth.User) { u.IsActive = false })
	s := e.a.Signals()
	s.UserLoggedIn.Connect(func(_ context.Context, ev auth.LoggedIn[auth.User]) {
		imp := ""
		if ev.Impersonator != nil {
			imp = " by " + ev.Impersonator.Username
		}
		e.event("login " + ev.User.Username + imp)
	})
	s.UserLoggedOut.Connect(func(_ context.Context, ev auth.LoggedOut[auth.User]) {
		name := "-"
		if ev.User != nil {
			name = ev.User.Username
		}
		e.event("logout " + name)
	})
	s.ImpersonationStarted.Connect(func(_ context.Context, ev auth.Impersonated[auth.User]) {
		e.event("started " + ev.Impersonator.Username + " as " + ev.User.Username)
	})
	s.ImpersonationEnded.Connect(func(_ context.Context, ev auth.Impersonated[auth.User]) {
		e.event("ended " + strconv.FormatInt(ev.ImpersonatorID, 10) + " as " + ev.User.Username + " restored=" + strconv.FormatBool(ev.Restored))
	})
	mux := http.NewServeMux()
	e.a.Routes(mux, "")
	stop := e.a.ImpersonationRoutes(mux, "")
	mux.HandleFunc("/whoami/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(e.a.User(r).String()))
	})
	mux.HandleFunc("/page/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><html><head><title>x</title></head><BODY class=\"app\"><h1>App page</h1></BODY></html>"))
	})
	mux.HandleFunc("/json/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"body":"<body>"}`))
	})
	mux.Handle("/sensitive/", e.a.RefuseWhileImpersonating(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("changed"))
	})))
	e.h = e.a.ImpersonationBanner(stop)(mux)
	return e
}

func (e *impEnv) event(s string) {
	e.mu.Lock()
	e.events = append(e.events, s)
	e.mu.Unlock()
}

func (e *impEnv) takeEvents() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.events
	e.events = nil
	return out
}

func (e *impEnv) loggedIn(t *testing.T, username, password string) *client {
	t.Helper()
	c := newClient(t, e.h)
	resp := c.login(username, password)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	e.takeEvents()
	return c
}

func impWho(t *testing.T, c *client) string {
	t.Helper()
	return readBody(t, c.get("/whoami/"))
}

func start(c *client, id int64, extra ...string) *http.Response {
	form := url.Values{"user_id": {strconv.FormatInt(id, 10)}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	return c.post(auth.DefaultImpersonateURL, form)
}

func TestImpersonateRefused(t *testing.T) {
	t.Parallel()
	e := newImpEnv(t)
	for _, c := range []struct {
		name   string
		actor  string
		target int64
		code   int
	}{
		{"non-superuser", "alice", 1, http.StatusForbidden},
		{"inactive target", "admin", 0, http.StatusForbidden},
		{"superuser target", "admin", -1, http.StatusForbidden},
		{"self", "admin", -2, http.StatusForbidden},
		{"unknown target", "admin", 9999, http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := e.loggedIn(t, c.actor, "pw-"+c.actor)
			target := c.target
			switch target {
			case 1:
				target = e.admin.ID
			case 0:
				target = e.ghost.ID
			case -1:
				target = e.boss.ID
			case -2:
				target = e.admin.ID
			}
			token := cl.session()
			resp := start(cl, target)
			assert.Equal(t, c.code, resp.StatusCode)
			assert.Equal(t, token, cl.session(), "the session is untouched")
			assert.Equal(t, c.actor, impWho(t, cl))
			assert.Empty(t, e.takeEvents())
		})
	}
	t.Run("anonymous", func(t *testing.T) {
		cl := newClient(t, e.h)
		resp := start(cl, e.alice.ID)
		assert.Equal(t, http.StatusFound, resp.StatusCode)
		assert.Contains(t, resp.Header.Get("Location"), "/accounts/login/")
	})
	t.Run("bad form", func(t *testing.T) {
		cl := e.loggedIn(t, "admin", "pw-admin")
		for _, v := range []string{"", "x", "-3", "0", "01", "99999999999999999999"} {
			resp := cl.post(auth.DefaultImpersonateURL, url.Values{"user_id": {v}})
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode, v)
		}
		resp := cl.get(auth.DefaultImpersonateURL)
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		assert.Equal(t, "admin", impWho(t, cl))
	})
}

func TestImpersonateStartAndStop(t *testing.T) {
	t.Parallel()
	e := newImpEnv(t)
	c := e.loggedIn(t, "admin", "pw-admin")
	adminToken := c.session()

	resp := start(c, e.alice.ID, "next", "/page/", "return", "/dashboard/users/")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/page/", resp.Header.Get("Location"))
	impToken := c.session()
	assert.NotEqual(t, adminToken, impToken, "the token is renewed on start")
	assert.Equal(t, "alice", impWho(t, c))
	assert.Equal(t, []string{"login alice by admin", "started admin as alice"}, e.takeEvents())

	// The old admin token is dead: a stolen copy of it is anonymous.
	stale := newClient(t, e.h)
	stale.cookies[auth.DefaultSessionCookieName] = &http.Cookie{Name: auth.DefaultSessionCookieName, Value: adminToken}
	assert.Equal(t, "AnonymousUser", impWho(t, stale))

	// The banner is on HTML pages, right after <body>, and not on JSON.
	page := readBody(t, c.get("/page/"))
	assert.Contains(t, page, `<BODY class="app"><div class="djauth-impersonation" role="region" aria-label="Impersonation">`)
	assert.Contains(t, page, "You are logged in as <strong>alice</strong> on behalf of <strong>admin</strong>.")
	assert.Contains(t, page, `<form method="post" action="/accounts/impersonate/stop/"><button type="submit">Stop impersonating</button></form>`)
	assert.NotContains(t, page, "<script")
	assert.NotContains(t, page, "style=")
	jsonResp := c.get("/json/")
	assert.Equal(t, `{"body":"<body>"}`, readBody(t, jsonResp))
	profile := c.get("/accounts/profile/")
	assert.Contains(t, readBody(t, profile), "on behalf of <strong>admin</strong>", "the library's own pages too")

	// No nesting.
	resp = start(c, e.alice.ID)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "alice", impWho(t, c))

	// Sensitive POSTs are refused; a GET is allowed.
	assert.Equal(t, http.StatusForbidden, c.post("/sensitive/", nil).StatusCode)
	assert.Equal(t, http.StatusForbidden, c.post("/sensitive/", nil, "Accept", "application/json").StatusCode)
	assert.Equal(t, http.StatusOK, c.get("/sensitive/").StatusCode)
	e.takeEvents()

	resp = c.post(auth.DefaultStopImpersonationURL, nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/dashboard/users/", resp.Header.Get("Location"), "back where it started")
	assert.NotEqual(t, impToken, c.session(), "the token is renewed on stop")
	assert.Equal(t, "admin", impWho(t, c))
	assert.Equal(t, []string{"ended " + strconv.FormatInt(e.admin.ID, 10) + " as alice restored=true"}, e.takeEvents())
	assert.NotContains(t, readBody(t, c.get("/page/")), "djauth-impersonation")
	assert.Equal(t, http.StatusOK, c.post("/sensitive/", nil).StatusCode)

	// A second click is harmless.
	resp = c.post(auth.DefaultStopImpersonationURL, nil)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "admin", impWho(t, c))
}

func TestImpersonationCSRF(t *testing.T) {
	t.Parallel()
	e := newImpEnv(t)
	c := e.loggedIn(t, "admin", "pw-admin")
	resp := c.post(auth.DefaultImpersonateURL, url.Values{"user_id": {strconv.FormatInt(e.alice.ID, 10)}}, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "admin", impWho(t, c))
	require.Equal(t, http.StatusSeeOther, start(c, e.alice.ID).StatusCode)
	resp = c.post(auth.DefaultStopImpersonationURL, nil, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "alice", impWho(t, c))
}

func TestStopImpersonationAfterDemotion(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		change func(u *auth.User)
	}{
		{"no longer superuser", func(u *auth.User) { u.IsSuperuser = false }},
		{"deactivated", func(u *auth.User) { u.IsActive = false }},
		{"password changed", func(u *auth.User) { u.Password = "md5$x$" + strings.Repeat("0", 32) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newImpEnv(t)
			cl := e.loggedIn(t, "admin", "pw-admin")
			require.Equal(t, http.StatusSeeOther, start(cl, e.alice.ID).StatusCode)
			e.takeEvents()
			admin, err := e.store.GetUser(t.Context(), e.admin.ID)
			require.NoError(t, err)
			c.change(admin)
			require.NoError(t, e.store.UpdateUser(t.Context(), admin))

			// The stop handler itself is not behind the banner's check
			// when mounted alone: call StopImpersonation directly.
			var stopErr error
			h := e.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				stopErr = e.a.StopImpersonation(r)
			}))
			direct := newClient(t, h)
			direct.cookies = cl.cookies
			direct.post("/x/", nil)
			assert.ErrorIs(t, stopErr, auth.ErrImpersonatorRevoked)
			assert.Equal(t, "AnonymousUser", impWho(t, cl), "logged out, not back in")
			assert.Equal(t, []string{"ended " + strconv.FormatInt(e.admin.ID, 10) + " as alice restored=false", "logout alice"}, e.takeEvents())
		})
	}
	t.Run("banner fails closed", func(t *testing.T) {
		t.Parallel()
		e := newImpEnv(t)
		cl := e.loggedIn(t, "admin", "pw-admin")
		require.Equal(t, http.StatusSeeOther, start(cl, e.alice.ID).StatusCode)
		admin, err := e.store.GetUser(t.Context(), e.admin.ID)
		require.NoError(t, err)
		admin.IsSuperuser = false
		require.NoError(t, e.store.UpdateUser(t.Context(), admin))
		assert.Equal(t, "AnonymousUser", impWho(t, cl), "the next request ends the impersonation")
		resp := cl.post(auth.DefaultStopImpersonationURL, nil)
		assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
		assert.Equal(t, "AnonymousUser", impWho(t, cl))
	})
	t.Run("stop handler", func(t *testing.T) {
		t.Parallel()
		e := newImpEnv(t)
		cl := e.loggedIn(t, "admin", "pw-admin")
		require.Equal(t, http.StatusSeeOther, start(cl, e.alice.ID).StatusCode)
		admin, err := e.store.GetUser(t.Context(), e.admin.ID)
		require.NoError(t, err)
		admin.IsSuperuser = false
		require.NoError(t, e.store.UpdateUser(t.Context(), admin))
		// Without the banner in front, the stop handler logs out.
		mux := http.NewServeMux()
		e.a.ImpersonationRoutes(mux, "")
		bare := newClient(t, mux)
		bare.cookies = cl.cookies
		resp := bare.post(auth.DefaultStopImpersonationURL, nil)
		assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
		assert.Equal(t, "/accounts/login/", resp.Header.Get("Location"))
		assert.Equal(t, "AnonymousUser", impWho(t, cl))
	})
}

func TestLogoutWhileImpersonating(t *testing.T) {
	t.Parallel()
	e := newImpEnv(t)
	c := e.loggedIn(t, "admin", "pw-admin")
	require.Equal(t, http.StatusSeeOther, start(c, e.alice.ID).StatusCode)
	e.takeEvents()
	resp := c.post("/accounts/logout/", nil)
	assert.Less(t, resp.StatusCode, 400)
	assert.Equal(t, "AnonymousUser", impWho(t, c))
	assert.Equal(t, []string{"ended " + strconv.FormatInt(e.admin.ID, 10) + " as alice restored=false", "logout alice"}, e.takeEvents())
}

func TestLoginEndsImpersonation(t *testing.T) {
	t.Parallel()
	e := newImpEnv(t)
	c := e.loggedIn(t, "admin", "pw-admin")
	require.Equal(t, http.StatusSeeOther, start(c, e.alice.ID).StatusCode)
	e.takeEvents()
	// A real login of the same user on this session is nobody's
	// impersonation any more, and the audit trail is told it ended.
	require.Equal(t, http.StatusFound, c.login("alice", "pw-alice").StatusCode)
	assert.Equal(t, []string{"ended " + strconv.FormatInt(e.admin.ID, 10) + " as alice restored=false", "login alice"}, e.takeEvents())
	assert.NotContains(t, readBody(t, c.get("/page/")), "djauth-impersonation")
	assert.Equal(t, http.StatusOK, c.post("/sensitive/", nil).StatusCode)
}

// stepUp is a SecondFactor that asks no second step at login and whose
// step-up is refused until ok is set.
type stepUp struct {
	mu sync.Mutex
	ok bool
}

type stepUpErr struct{}

func (stepUpErr) Error() string       { return "step-up required" }
func (stepUpErr) RedirectURL() string { return "/verify/?next=/x/" }

func (s *stepUp) Required(context.Context, *auth.User) (bool, error) { return false, nil }
func (s *stepUp) Begin(*http.Request, *auth.User, string) error      { return errors.New("unused") }
func (s *stepUp) ChallengeURL() string                               { return "/challenge/" }
func (s *stepUp) CheckStepUp(r *http.Request, maxAge time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if maxAge != auth.ImpersonationStepUpMaxAge {
		return errors.New("unexpected max age")
	}
	if !s.ok {
		return stepUpErr{}
	}
	return nil
}

func TestImpersonateNeedsStepUp(t *testing.T) {
	t.Parallel()
	su := &stepUp{}
	e := newImpEnv(t, func(cfg *auth.Config[auth.User], _ *env[auth.User]) { cfg.SecondFactor = su })
	c := e.loggedIn(t, "admin", "pw-admin")
	resp := start(c, e.alice.ID)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/verify/?next=/x/", resp.Header.Get("Location"))
	assert.Equal(t, "admin", impWho(t, c))
	su.mu.Lock()
	su.ok = true
	su.mu.Unlock()
	assert.Equal(t, http.StatusSeeOther, start(c, e.alice.ID).StatusCode)
	assert.Equal(t, "alice", impWho(t, c))
}

func TestImpersonatorAccessor(t *testing.T) {
	t.Parallel()
	e := newImpEnv(t)
	var got []string
	h := e.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := e.a.Impersonator(r)
		if ok {
			got = append(got, u.Username)
		} else {
			got = append(got, "-")
		}
		if r.URL.Path == "/start/" {
			require.NoError(t, e.a.Impersonate(r, e.alice))
		}
		if r.URL.Path == "/stop/" {
			require.NoError(t, e.a.StopImpersonation(r))
			assert.ErrorIs(t, e.a.StopImpersonation(r), auth.ErrNotImpersonating)
		}
	}))
	c := e.loggedIn(t, "admin", "pw-admin")
	c.h = h
	c.post("/start/", nil)
	c.get("/x/")
	c.post("/stop/", nil)
	c.get("/x/")
	assert.Equal(t, []string{"-", "admin", "admin", "-"}, got)
}

func TestImpersonationBannerResponses(t *testing.T) {
	t.Parallel()
	e := newImpEnv(t)
	mux := http.NewServeMux()
	stop := e.a.ImpersonationRoutes(mux, "")
	write := func(ct, body string, hdr ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			for i := 0; i+1 < len(hdr); i += 2 {
				w.Header().Set(hdr[i], hdr[i+1])
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = w.Write([]byte(body))
		}
	}
	mux.Handle("/html/", write("text/html", "<html><body><p>x</p></body></html>"))
	mux.Handle("/sniffed/", write("", "<!DOCTYPE html><html><body>x</body></html>"))
	mux.Handle("/fragment/", write("text/html", "<p>no body tag</p>"))
	mux.Handle("/bodyish/", write("text/html", "<bodyguard></bodyguard><body\n id=b>y"))
	mux.Handle("/gzip/", write("text/html", "\x1f\x8b<body>", "Content-Encoding", "gzip"))
	mux.Handle("/text/", write("text/plain", "<body>"))
	mux.Handle("/redirect/", http.RedirectHandler("/html/", http.StatusFound))
	h := e.a.ImpersonationBanner(stop)(e.a.ImpersonationBanner(stop)(mux)) // twice: one banner
	c := e.loggedIn(t, "admin", "pw-admin")
	require.Equal(t, http.StatusSeeOther, start(c, e.alice.ID).StatusCode)
	c.h = h
	banner := `<div class="djauth-impersonation"`
	for _, tc := range []struct {
		path   string
		method string
		want   string // the body, with BANNER for the banner; "" = unchanged
	}{
		{"/html/", http.MethodGet, "<html><body>BANNER<p>x</p></body></html>"},
		{"/sniffed/", http.MethodGet, "<!DOCTYPE html><html><body>BANNERx</body></html>"},
		{"/fragment/", http.MethodGet, "<p>no body tag</p>"},
		{"/bodyish/", http.MethodGet, "<bodyguard></bodyguard><body\n id=b>BANNERy"},
		{"/gzip/", http.MethodGet, "\x1f\x8b<body>"},
		{"/text/", http.MethodGet, "<body>"},
		{"/html/", http.MethodHead, ""},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			resp := c.do(tc.method, tc.path, nil)
			body := readBody(t, resp)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, strconv.Itoa(len(body)), resp.Header.Get("Content-Length"))
			if tc.want == "" {
				assert.NotContains(t, body, banner)
				return
			}
			i := strings.Index(body, banner)
			if !strings.Contains(tc.want, "BANNER") {
				assert.Equal(t, tc.want, body)
				return
			}
			require.GreaterOrEqual(t, i, 0, body)
			j := strings.Index(body, "</div>") + len("</div>")
			assert.Equal(t, tc.want, body[:i]+"BANNER"+body[j:])
			assert.Equal(t, 1, strings.Count(body, banner))
		})
	}
	resp := c.get("/redirect/")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
}

func FuzzBodyOpenEnd(f *testing.F) {
	for _, s := range []string{"<body>", "<BODY class=x>", "<bodyx><body>", "<body", "<body\t>", "", "<html><body/>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		i := auth.BodyOpenEnd([]byte(s))
		if i < 0 {
			return
		}
		if i > len(s) || s[i-1] != '>' || !strings.Contains(strings.ToLower(s[:i]), "<body") {
			t.Fatalf("BodyOpenEnd(%q) = %d", s, i)
		}
	})
}
