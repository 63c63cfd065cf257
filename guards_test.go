package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

func okHandler(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) })
}

// guardEnv has alice (no permissions), perm (auth.add_user and
// auth.change_user) and a set of guarded pages.
func guardEnv(t *testing.T, opts ...envOption[auth.User]) (*env[auth.User], http.Handler) {
	e := newEnv(t, opts...)
	ctx := context.Background()
	_, err := auth.Register(ctx, e.store, auth.AuthModels()...)
	require.NoError(t, err)
	e.createUser("alice", "pw")
	p := e.createUser("perm", "pw")
	require.NoError(t, e.store.AddUserPermissions(ctx, p.ID, "auth.add_user", "auth.change_user"))
	e.createUser("admin", "pw", func(u *auth.User) { u.IsSuperuser = true })
	return e, e.app(func(mux *http.ServeMux) {
		mux.Handle("/private/", e.a.LoginRequired(okHandler("private")))
		mux.Handle("/one/", e.a.PermissionRequired("auth.add_user")(okHandler("one")))
		mux.Handle("/many/", e.a.PermissionRequired("auth.add_user", "auth.change_user")(okHandler("many")))
		mux.Handle("/nonexistent/", e.a.PermissionRequired("auth.add_user", "nonexistent.perm")(okHandler("no")))
		mux.Handle("/named/", e.a.UserPassesTest(func(u *auth.RequestUser[auth.User]) bool {
			return u.Username() == "perm"
		})(okHandler("named")))
	})
}

// TestLoginRequired ports Django's test_decorators LoginRequiredTestCase
// and redirect_to_login's quoting.
func TestLoginRequired(t *testing.T) {
	t.Parallel()
	_, app := guardEnv(t)
	c := newClient(t, app)
	for target, want := range map[string]string{
		"/private/":                   "/accounts/login/?next=/private/",
		"/private/?page=2":            "/accounts/login/?next=/private/%3Fpage%3D2",
		"/private/a%20b?x=1&y=%C3%A9": "/accounts/login/?next=/private/a%2520b%3Fx%3D1%26y%3D%25C3%25A9",
	} {
		resp := c.get(target)
		assert.Equal(t, http.StatusFound, resp.StatusCode, target)
		assert.Equal(t, want, resp.Header.Get("Location"), target)
	}
	c.login("alice", "pw")
	assert.Equal(t, "private", readBody(t, c.get("/private/")))
}

func TestLoginRequiredCustomLoginURL(t *testing.T) {
	t.Parallel()
	_, app := guardEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) { c.LoginURL = "/somewhere/?lang=en" })
	resp := newClient(t, app).get("/private/?a=1")
	assert.Equal(t, "/somewhere/?lang=en&next=/private/%3Fa%3D1", resp.Header.Get("Location"))

	_, app = guardEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) { c.LoginURL = "https://sso.example.com/login/" })
	resp = newClient(t, app).get("/private/")
	assert.Equal(t, "https://sso.example.com/login/?next=http%3A//testserver/private/", resp.Header.Get("Location"),
		"another host gets the absolute URL")
	// Built from the checked host only (Django's get_host): an untrusted
	// Host is not put in the link to the login page.
	resp = newClient(t, app).get("http://evil.example/private/")
	assert.Equal(t, "https://sso.example.com/login/?next=/private/", resp.Header.Get("Location"))
}

func TestRedirectToLoginURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ login, next, want string }{
		{"/accounts/login/", "/reports/?page=2", "/accounts/login/?next=/reports/%3Fpage%3D2"},
		{"/login/", "/a b/~x_y.z-1", "/login/?next=/a%20b/~x_y.z-1"},
		{"/login/?next=/old/&x=1", "/new/", "/login/?next=/new/&x=1"},
		{"/login/?a=1+2", "/", "/login/?a=1%202&next=/"},
		{"/login/#frag", "/é", "/login/?next=/%C3%A9#frag"},
	} {
		assert.Equal(t, tc.want, auth.RedirectToLoginURL(tc.login, tc.next, "next"), tc.login+" "+tc.next)
	}
}

// TestJSONGets401 and 403 instead of redirects.
func TestJSONGets401(t *testing.T) {
	t.Parallel()
	_, app := guardEnv(t)
	c := newClient(t, app)
	resp := c.get("/private/", "Accept", "application/json")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var body map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	assert.Equal(t, map[string]string{"error": "authentication required", "login_url": "/accounts/login/"}, body)

	resp = c.get("/one/", "Accept", "text/html;q=0.9, application/json;q=0.8")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	c.login("alice", "pw")
	resp = c.get("/one/", "Accept", "application/json")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
}

// TestPermissionRequired ports Django's PermissionRequiredDecoratorTest and
// PermissionsRequiredMixin: anonymous users log in, others get 403.
func TestPermissionRequired(t *testing.T) {
	t.Parallel()
	_, app := guardEnv(t)
	for _, tc := range []struct {
		user, path string
		code       int
	}{
		{"", "/one/", http.StatusFound},
		{"alice", "/one/", http.StatusForbidden},
		{"perm", "/one/", http.StatusOK},
		{"perm", "/many/", http.StatusOK},
		{"perm", "/nonexistent/", http.StatusForbidden},
		{"admin", "/nonexistent/", http.StatusOK},
		{"", "/named/", http.StatusFound},
		{"alice", "/named/", http.StatusForbidden},
		{"perm", "/named/", http.StatusOK},
	} {
		t.Run(tc.user+tc.path, func(t *testing.T) {
			c := newClient(t, app)
			if tc.user != "" {
				c.login(tc.user, "pw")
			}
			resp := c.get(tc.path)
			assert.Equal(t, tc.code, resp.StatusCode)
			if tc.code == http.StatusFound {
				assert.Equal(t, "/accounts/login/?next="+tc.path, resp.Header.Get("Location"))
			}
		})
	}
	e := newEnv(t)
	assert.Panics(t, func() { e.a.PermissionRequired() })
	assert.Panics(t, func() { e.a.UserPassesTest(nil) })
}

// TestLoginRequiredMiddleware ports Django 5.1's LoginRequiredMiddleware
// tests: everything needs a login except marked handlers and the login
// page.
func TestLoginRequiredMiddleware(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	mux := http.NewServeMux()
	e.a.Routes(mux, "")
	mux.Handle("/public/", auth.LoginNotRequired(okHandler("public")))
	mux.Handle("/secret/", okHandler("secret"))
	sub := http.NewServeMux()
	sub.Handle("/nested/open/", auth.LoginNotRequired(okHandler("nested open")))
	sub.Handle("/nested/closed/", okHandler("nested closed"))
	mux.Handle("/nested/", sub)
	app := e.a.Middleware(e.a.LoginRequiredMiddleware(mux))
	c := newClient(t, app)

	assert.Equal(t, "public", readBody(t, c.get("/public/")))
	assert.Equal(t, "nested open", readBody(t, c.get("/nested/open/")))
	assert.Equal(t, http.StatusOK, c.get("/accounts/login/").StatusCode)
	for _, p := range []string{"/secret/", "/nested/closed/", "/unknown/"} {
		resp := c.get(p)
		assert.Equal(t, http.StatusFound, resp.StatusCode, p)
		assert.Equal(t, "/accounts/login/?next="+p, resp.Header.Get("Location"))
	}
	c.login("alice", "pw")
	assert.Equal(t, "secret", readBody(t, c.get("/secret/")))
	assert.Equal(t, "nested closed", readBody(t, c.get("/nested/closed/")))
}

// TestChecksWithoutGuards: the checks beside the guards, used inside a
// handler, with Deny answering.
func TestChecksWithoutGuards(t *testing.T) {
	t.Parallel()
	e, _ := guardEnv(t)
	var got []error
	app := e.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/check/", func(w http.ResponseWriter, r *http.Request) {
			got = []error{
				e.a.CheckLogin(r),
				e.a.CheckPerms(r, "auth.add_user"),
				e.a.CheckTest(r, func(u *auth.RequestUser[auth.User]) bool { return u.HasModulePerms("auth") }),
			}
			for _, err := range got {
				if err != nil {
					e.a.Deny(w, r, err)
					return
				}
			}
		})
	})
	c := newClient(t, app)
	resp := c.get("/check/")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	for _, err := range got {
		assert.ErrorIs(t, err, auth.ErrLoginRequired)
	}
	c.login("alice", "pw")
	c.get("/check/")
	assert.NoError(t, got[0])
	assert.ErrorIs(t, got[1], auth.ErrPermissionDenied)
	assert.ErrorIs(t, got[2], auth.ErrPermissionDenied)
	c.login("perm", "pw")
	c.get("/check/")
	assert.Equal(t, []error{nil, nil, nil}, got)

	rec := httptest.NewRecorder()
	e.a.Deny(rec, httptest.NewRequest(http.MethodGet, "/", nil), errStoreDown)
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
}

// TestForbiddenPage: a logged-in user without the permission gets the 403
// template, which names them and links back to login with next.
func TestForbiddenPage(t *testing.T) {
	t.Parallel()
	_, app := guardEnv(t)
	c := newClient(t, app)
	c.login("alice", "pw")
	resp := c.get("/one/?page=2")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	body := readBody(t, resp)
	assert.Contains(t, body, "<h1>403 · Permission denied</h1>")
	assert.Contains(t, body, "You are logged in as alice, but your account is not allowed to see this page.")
	assert.Contains(t, body, `href="/accounts/login/?next=/one/%3Fpage%3D2"`)
}
