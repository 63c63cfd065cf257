package dashboard_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/dashboard"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/internal/testclient"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/store/postgres"
	"github.com/djauth/auth/testkit"
)

const testSecret = "test-secret-key-0123456789-abcdefghijklmnopqrstuvw"

// strongPassword passes Django's four validators.
const strongPassword = "correct horse battery 9"

// env is a dashboard over a store, with every change it signals.
type env struct {
	t     testing.TB
	store auth.Store[auth.User]
	a     *auth.Auth[auth.User]
	d     *dashboard.Dashboard[auth.User]
	h     http.Handler

	mu     sync.Mutex
	users  []dashboard.UserChanged
	groups []dashboard.GroupChanged
}

type envOption func(*dashboard.Config[auth.User])

func newMemoryEnv(t testing.TB, opts ...envOption) *env {
	return newEnv(t, memory.New[auth.User](), opts...)
}

func newPostgresEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	pool := pgtest.NewPool(t)
	_, err := postgres.Migrate(context.Background(), pool)
	require.NoError(t, err)
	s, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(t, err)
	return newEnv(t, s, opts...)
}

func newEnv(t testing.TB, s auth.Store[auth.User], opts ...envOption) *env {
	t.Helper()
	ctx := context.Background()
	_, err := auth.Register(ctx, s, auth.AuthModels()...)
	require.NoError(t, err)
	a, err := auth.New(auth.Config[auth.User]{
		Store: s, Hashers: hashers.New(hashers.MD5{}), SecretKey: testSecret,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AllowedHosts: []string{"testserver"},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	cfg := dashboard.Config[auth.User]{Auth: a}
	for _, o := range opts {
		o(&cfg)
	}
	d, err := dashboard.New(cfg)
	require.NoError(t, err)
	e := &env{t: t, store: s, a: a, d: d}
	d.Signals().UserChanged.Connect(func(_ context.Context, c dashboard.UserChanged) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.users = append(e.users, c)
	})
	d.Signals().GroupChanged.Connect(func(_ context.Context, c dashboard.GroupChanged) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.groups = append(e.groups, c)
	})
	mux := http.NewServeMux()
	a.Routes(mux, "")
	d.Mount(mux)
	e.h = mux
	return e
}

// user creates an active user with the password "pw", edited by edit.
func (e *env) user(username string, edit ...func(*auth.User)) *auth.User {
	e.t.Helper()
	u := auth.NewUser(username)
	u.Email = username + "@example.com"
	enc, err := e.a.Hashers().Make(context.Background(), "pw")
	require.NoError(e.t, err)
	u.Password = enc
	for _, f := range edit {
		f(&u)
	}
	require.NoError(e.t, e.store.CreateUser(context.Background(), &u))
	return &u
}

func staff(u *auth.User)     { u.IsStaff = true }
func superuser(u *auth.User) { u.IsStaff, u.IsSuperuser = true, true }

func (e *env) grant(u *auth.User, perms ...string) {
	e.t.Helper()
	if len(perms) > 0 {
		require.NoError(e.t, e.store.AddUserPermissions(context.Background(), u.ID, perms...))
	}
}

func (e *env) reload(id int64) *auth.User {
	e.t.Helper()
	u, err := e.store.GetUser(context.Background(), id)
	require.NoError(e.t, err)
	return u
}

func (e *env) userChanges() []dashboard.UserChanged {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]dashboard.UserChanged(nil), e.users...)
}

func (e *env) groupChanges() []dashboard.GroupChanged {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]dashboard.GroupChanged(nil), e.groups...)
}

// client is a browser; as logs it in as u (nil: anonymous).
type client struct {
	t   testing.TB
	h   http.Handler
	jar map[string]string
}

func (e *env) as(u *auth.User) *client {
	e.t.Helper()
	c := &client{t: e.t, h: e.h, jar: map[string]string{}}
	if u != nil {
		ck, err := testkit.LoginUser(context.Background(), e.a, u, testkit.LoginOptions{})
		require.NoError(e.t, err)
		c.jar[ck.Name] = ck.Value
	}
	return c
}

func (c *client) get(target string, hdr ...string) *http.Response {
	return testclient.Do(c.h, c.jar, http.MethodGet, target, nil, hdr...)
}

func (c *client) post(target string, form url.Values, hdr ...string) *http.Response {
	if form == nil {
		form = url.Values{}
	}
	return testclient.Do(c.h, c.jar, http.MethodPost, target, form, hdr...)
}

// page GETs target, requires 200 and returns the body.
func (c *client) page(target string) string {
	c.t.Helper()
	resp := c.get(target)
	b := body(c.t, resp)
	require.Equal(c.t, http.StatusOK, resp.StatusCode, "GET %s: %s", target, b)
	return b
}

func body(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func userURL(id int64, part string) string { return fmt.Sprintf("/admin/auth/user/%d/%s/", id, part) }

// rowUsernames returns the usernames of a user list page, in order.
func rowUsernames(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<th scope="row"><a href="/admin/auth/user/\d+/change/">([^<]*)</a>`).FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// changeForm is the form of the user's change page with u's values.
func changeForm(u *auth.User, groups []int64, perms ...string) url.Values {
	f := url.Values{"username": {u.Username}, "first_name": {u.FirstName}, "last_name": {u.LastName}, "email": {u.Email}}
	for name, on := range map[string]bool{"is_active": u.IsActive, "is_staff": u.IsStaff, "is_superuser": u.IsSuperuser} {
		if on {
			f.Set(name, "on")
		}
	}
	for _, g := range groups {
		f.Add("groups", fmt.Sprint(g))
	}
	f["user_permissions"] = perms
	return f
}
