package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/memory"
)

func TestDemoUsersPrinted(t *testing.T) {
	t.Parallel()
	s := startSite(t, config{SecretKey: testSecret, Demo: true, InsecureCookies: true})
	require.Len(t, s.demos, 2, s.out)
	assert.Len(t, s.demos["admin"], 16)
	assert.Len(t, s.demos["alice"], 16)
	assert.NotEqual(t, s.demos["admin"], s.demos["alice"])
	assert.NotContains(t, s.out, "random key", "a given key is used as is")
}

func TestPages(t *testing.T) {
	t.Parallel()
	s := startSite(t, config{SecretKey: testSecret, Demo: true, InsecureCookies: true})
	login := func(next string) string { return "/accounts/login/?next=" + next }
	tests := []struct {
		user     string // "" is anonymous
		path     string
		status   int
		location string
	}{
		{"", "/", http.StatusOK, ""},
		{"", "/accounts/login/", http.StatusOK, ""},
		{"", "/accounts/profile/", http.StatusFound, login("/accounts/profile/")},
		{"", "/reports/", http.StatusFound, login("/reports/")},
		{"", "/reports/publish/", http.StatusFound, login("/reports/publish/")},
		{"", "/api/me", http.StatusOK, ""},
		{"", "/healthz", http.StatusOK, ""},
		{"", "/nowhere/", http.StatusNotFound, ""},
		{"", "/accounts/logout/", http.StatusMethodNotAllowed, ""},
		{"alice", "/", http.StatusOK, ""},
		{"alice", "/accounts/profile/", http.StatusOK, ""},
		{"alice", "/reports/", http.StatusOK, ""},
		{"alice", "/reports/publish/", http.StatusForbidden, ""},
		{"alice", "/api/me", http.StatusOK, ""},
		// The demo organization: alice's role there gives her
		// reports.publish_report in it only.
		{"", "/o/demo/reports/", http.StatusFound, login("/o/demo/reports/")},
		{"alice", "/o/demo/reports/", http.StatusOK, ""},
		{"alice", "/o/nowhere/reports/", http.StatusNotFound, ""},
		{"alice", "/orgs/", http.StatusOK, ""},
		{"alice", "/orgs/demo/", http.StatusOK, ""},
		{"alice", "/orgs/demo/roles/", http.StatusOK, ""},
		{"admin", "/o/demo/reports/", http.StatusOK, ""},
		{"admin", "/", http.StatusOK, ""},
		{"admin", "/accounts/profile/", http.StatusOK, ""},
		{"admin", "/reports/", http.StatusOK, ""},
		{"admin", "/reports/publish/", http.StatusOK, ""},
		{"admin", "/api/me", http.StatusOK, ""},
	}
	clients := map[string]*client{"": {t: t}}
	for _, name := range []string{"alice", "admin"} {
		c := &client{t: t}
		c.login(s, name, s.demos[name])
		clients[name] = c
	}
	for _, tt := range tests {
		t.Run(tt.user+tt.path, func(t *testing.T) {
			c := &client{t: t, session: clients[tt.user].session}
			resp := c.get(s.srv.URL + tt.path)
			assert.Equal(t, tt.status, resp.StatusCode, resp.body)
			assert.Equal(t, tt.location, resp.Header.Get("Location"))
			// The site's own pages show who is logged in; the library's
			// pages (/orgs/) have their own look.
			if tt.user != "" && tt.status == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") &&
				!strings.HasPrefix(tt.path, "/orgs/") {
				assert.Contains(t, resp.body, "Logged in as <strong>"+tt.user+"</strong>")
			}
		})
	}
}

func TestAPIMe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New[auth.User]()
	s := startSite(t, config{SecretKey: testSecret, Demo: true, InsecureCookies: true, Store: store})
	alice, err := store.GetUserByUsername(ctx, "alice")
	require.NoError(t, err)
	// Two groups, created out of order, one granting a permission.
	for _, name := range []string{"writers", "readers"} {
		g := auth.Group{Name: name}
		require.NoError(t, store.CreateGroup(ctx, &g))
		require.NoError(t, store.AddUserGroups(ctx, alice.ID, g.ID))
		if name == "writers" {
			require.NoError(t, store.AddGroupPermissions(ctx, g.ID, "reports.add_report"))
		}
	}

	t.Run("anonymous", func(t *testing.T) {
		c := &client{t: t}
		assert.Equal(t, map[string]any{"authenticated": false}, c.me(s))
		assert.Empty(t, c.session, "an anonymous /api/me starts no session")
	})
	t.Run("alice", func(t *testing.T) {
		c := &client{t: t}
		c.login(s, "alice", s.demos["alice"])
		assert.Equal(t, jsonValue(t, meResponse{
			Authenticated: true,
			ID:            alice.ID,
			Username:      "alice",
			Email:         "alice@example.com",
			Groups:        []string{"readers", "writers"},
			Permissions:   []string{"reports.add_report", "reports.view_report"},
		}), c.me(s))
	})
	t.Run("admin", func(t *testing.T) {
		c := &client{t: t}
		c.login(s, "admin", s.demos["admin"])
		all, err := store.ListPermissions(ctx, "")
		require.NoError(t, err)
		var keys []string
		for _, p := range all {
			keys = append(keys, p.Key())
		}
		got := c.me(s)
		assert.Equal(t, true, got["is_superuser"])
		assert.Equal(t, true, got["is_staff"])
		assert.Equal(t, []any{}, got["groups"], "no groups is [], not null")
		assert.Equal(t, jsonValue(t, map[string]any{"p": auth.NewPermSet(keys...).Sorted()})["p"], got["permissions"],
			"a superuser holds every permission of the store")
		assert.Len(t, got["permissions"], 16+5+5, "auth and contenttypes models, the dashboard's (organizations.organization, djauth.view_auditentry), and reports with publish_report")
	})
	t.Run("revoked permission takes effect on the next request", func(t *testing.T) {
		bob := auth.NewUser("bob")
		require.NoError(t, store.CreateUser(ctx, &bob))
		require.NoError(t, setPassword(ctx, store, bob.ID, "bob-password"))
		require.NoError(t, store.AddUserPermissions(ctx, bob.ID, "reports.view_report"))
		c := &client{t: t}
		c.login(s, "bob", "bob-password")
		assert.Equal(t, http.StatusOK, c.get(s.srv.URL+"/reports/").StatusCode)
		require.NoError(t, store.RemoveUserPermissions(ctx, bob.ID, "reports.view_report"))
		assert.Equal(t, http.StatusForbidden, c.get(s.srv.URL+"/reports/").StatusCode)
		assert.Equal(t, []any{}, c.me(s)["permissions"])
	})
}

// setPassword stores the cheap test hash of password for the user.
func setPassword(ctx context.Context, store auth.Store[auth.User], id int64, password string) error {
	u, err := store.GetUser(ctx, id)
	if err != nil {
		return err
	}
	if u.Password, err = cheapHashers().Make(ctx, password); err != nil {
		return err
	}
	return store.UpdateUser(ctx, u)
}

func TestHealthzDoesNoSessionWork(t *testing.T) {
	t.Parallel()
	s := startSite(t, config{SecretKey: testSecret, Demo: true, InsecureCookies: true})
	for _, loggedIn := range []bool{false, true} {
		c := &client{t: t}
		if loggedIn {
			c.login(s, "alice", s.demos["alice"])
		}
		resp := c.get(s.srv.URL + "/healthz")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.JSONEq(t, `{"ok": true}`, resp.body)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		assert.Empty(t, resp.Header.Values("Set-Cookie"), "healthz sets no cookie")
		assert.Empty(t, resp.Header.Values("Vary"), "healthz is not behind the session middleware")
	}
}

func TestLoginNext(t *testing.T) {
	t.Parallel()
	s := startSite(t, config{SecretKey: testSecret, Demo: true, InsecureCookies: true})
	tests := []struct {
		name, next, location string
	}{
		{"no next goes to the profile", "", "/accounts/profile/"},
		{"local next", "/reports/", "/reports/"},
		{"local next with query", "/reports/?page=2", "/reports/?page=2"},
		{"other host refused", "https://evil.example/", "/accounts/profile/"},
		{"scheme-relative refused", "//evil.example/", "/accounts/profile/"},
		{"javascript refused", "javascript:alert(1)", "/accounts/profile/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &client{t: t}
			form := url.Values{"username": {"alice"}, "password": {s.demos["alice"]}}
			if tt.next != "" {
				form.Set("next", tt.next)
			}
			resp := c.post(s.srv.URL+"/accounts/login/", form)
			require.Equal(t, http.StatusFound, resp.StatusCode, resp.body)
			assert.Equal(t, tt.location, resp.Header.Get("Location"))
			assert.Equal(t, "alice", c.me(s)["username"])
		})
	}
	t.Run("next from the guard's redirect", func(t *testing.T) {
		t.Parallel()
		c := &client{t: t}
		loc := c.get(s.srv.URL + "/reports/").Header.Get("Location")
		require.Equal(t, "/accounts/login/?next=/reports/", loc)
		form := c.get(s.srv.URL + loc)
		require.Equal(t, http.StatusOK, form.StatusCode)
		assert.Contains(t, form.body, `value="/reports/"`, "the form carries next in a hidden field")
		resp := c.post(s.srv.URL+loc, url.Values{"username": {"alice"}, "password": {s.demos["alice"]}})
		require.Equal(t, http.StatusFound, resp.StatusCode)
		assert.Equal(t, "/reports/", resp.Header.Get("Location"))
		assert.Equal(t, http.StatusOK, c.get(s.srv.URL+"/reports/").StatusCode)
	})
	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		for _, creds := range [][2]string{{"alice", "wrong"}, {"nobody", "wrong"}, {"admin", s.demos["alice"]}} {
			c := &client{t: t}
			resp := c.post(s.srv.URL+"/accounts/login/?next=/reports/", url.Values{"username": {creds[0]}, "password": {creds[1]}})
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, resp.body, "Please enter a correct username and password.")
			assert.Equal(t, map[string]any{"authenticated": false}, c.me(s))
		}
	})
	t.Run("cross-origin POST refused", func(t *testing.T) {
		t.Parallel()
		c := &client{t: t}
		resp := c.do(http.MethodPost, s.srv.URL+"/accounts/login/",
			url.Values{"username": {"alice"}, "password": {s.demos["alice"]}},
			http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}})
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Empty(t, c.session)
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	s := startSite(t, config{SecretKey: testSecret, Demo: true, InsecureCookies: true})
	c := &client{t: t}
	c.login(s, "alice", s.demos["alice"])
	old := c.session
	assert.Equal(t, "alice", c.me(s)["username"])

	// GET must not log anyone out.
	assert.Equal(t, http.StatusMethodNotAllowed, c.get(s.srv.URL+"/accounts/logout/").StatusCode)
	assert.Equal(t, "alice", c.me(s)["username"])

	resp := c.post(s.srv.URL+"/accounts/logout/", url.Values{})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, c.session, "the cookie is expired")
	assert.Equal(t, map[string]any{"authenticated": false}, c.me(s))

	// Replaying the old cookie: the session is gone on the server.
	replay := &client{t: t, session: old}
	assert.Equal(t, map[string]any{"authenticated": false}, replay.me(s))
	assert.Equal(t, "/accounts/login/?next=/reports/", replay.get(s.srv.URL+"/reports/").Header.Get("Location"))
}

func TestSessionCookieFlags(t *testing.T) {
	t.Parallel()
	for _, insecure := range []bool{true, false} {
		s := startSite(t, config{SecretKey: testSecret, Demo: true, InsecureCookies: insecure})
		c := &client{t: t}
		resp := c.post(s.srv.URL+"/accounts/login/", url.Values{"username": {"alice"}, "password": {s.demos["alice"]}})
		require.Equal(t, http.StatusFound, resp.StatusCode)
		cookies := resp.Cookies()
		require.Len(t, cookies, 1)
		ck := cookies[0]
		assert.Equal(t, "sessionid", ck.Name)
		assert.True(t, ck.HttpOnly)
		assert.Equal(t, http.SameSiteLaxMode, ck.SameSite)
		assert.Equal(t, !insecure, ck.Secure)
		assert.Equal(t, int(auth.DefaultSessionLifetime.Seconds()), ck.MaxAge)
	}
}

func TestSecretKey(t *testing.T) {
	t.Parallel()
	t.Run("memory mode generates one", func(t *testing.T) {
		s := startSite(t, config{Demo: true, InsecureCookies: true})
		assert.Contains(t, s.out, "using a random key")
		c := &client{t: t}
		c.login(s, "alice", s.demos["alice"])
		assert.Equal(t, "alice", c.me(s)["username"])
	})
	t.Run("PostgreSQL mode requires one", func(t *testing.T) {
		_, _, err := newApp(context.Background(), config{DatabaseURL: "postgres://127.0.0.1:1/none"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "SECRET_KEY")
	})
	t.Run("short key refused", func(t *testing.T) {
		_, _, err := newApp(context.Background(), config{SecretKey: "short"})
		assert.ErrorIs(t, err, auth.ErrConfig)
	})
}

func TestDemoUsersOnlyInEmptyStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New[auth.User]()
	u := auth.NewUser("existing")
	require.NoError(t, store.CreateUser(ctx, &u))
	s := startSite(t, config{SecretKey: testSecret, Demo: true, Store: store})
	assert.Empty(t, s.demos)
	assert.Contains(t, s.out, "no demo users created")
	n, err := store.CountUsers(ctx, auth.UserQuery{})
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	s = startSite(t, config{SecretKey: testSecret, Demo: false})
	assert.Empty(t, s.demos)
	assert.NotContains(t, s.out, "Demo users")
}

// TestPageLayout checks what the example's own pages need to read well on
// a phone and with a screen reader: a viewport, the stylesheet, one h1
// naming the page, the page list under its own heading in a nav, and the
// profile's permissions under a heading.
func TestPageLayout(t *testing.T) {
	t.Parallel()
	s := startSite(t, config{SecretKey: testSecret, Demo: true, InsecureCookies: true})
	alice := &client{t: t}
	alice.login(s, "alice", s.demos["alice"])
	tests := []struct {
		name   string
		c      *client
		path   string
		h1     string
		extras []string
	}{
		{"anonymous home", &client{t: t}, "/", "djauth example", []string{`<a class="button" href="/accounts/login/">Log in</a>`}},
		{"home", alice, "/", "djauth example", []string{`<button type="submit">Log out</button>`}},
		{"profile", alice, "/accounts/profile/", "Profile", []string{
			`<h2 id="perms">Your permissions</h2>`, "<li><code>" + permViewReport + "</code></li>"}},
		{"reports", alice, "/reports/", "Reports", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := tt.c.get(s.srv.URL + tt.path)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			body := resp.body
			assert.Contains(t, body, `<html lang="en">`)
			assert.Contains(t, body, `<meta name="viewport" content="width=device-width, initial-scale=1">`)
			assert.Contains(t, body, "<style>")
			assert.Contains(t, body, "--accent: #2563eb", "the login page's accent colour")
			assert.Equal(t, 1, strings.Count(body, "<h1"), "one h1")
			assert.Contains(t, body, "<h1>"+tt.h1+"</h1>")
			assert.Contains(t, body, `<nav aria-labelledby="pages">`+"\n"+`<h2 id="pages">Pages</h2>`)
			for _, want := range tt.extras {
				assert.Contains(t, body, want)
			}
		})
	}
}

// TestLoginThrottled: the example throttles password guessing, so a few
// wrong passwords in a row make the next attempt wait (429 with
// Retry-After), even with the right password, until the wait is over.
func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	s := startSite(t, config{SecretKey: testSecret, Demo: true, InsecureCookies: true})
	c := &client{t: t}
	var resp response
	for range 10 {
		resp = c.post(s.srv.URL+"/accounts/login/", url.Values{"username": {"alice"}, "password": {"wrong"}})
		if resp.StatusCode == http.StatusTooManyRequests {
			break
		}
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "repeated failures are throttled")
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	resp = c.post(s.srv.URL+"/accounts/login/", url.Values{"username": {"alice"}, "password": {s.demos["alice"]}})
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "the right password waits too")
	assert.Empty(t, c.session)
}
