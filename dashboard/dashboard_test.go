package dashboard_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/dashboard"
)

// TestCrossSiteRefused: a POST that the browser marks cross-site, or
// whose Origin is another site, is refused before the page runs, and
// changes nothing; the same POST from the same origin works.
func TestCrossSiteRefused(t *testing.T) {
	t.Parallel()
	e := newMemoryEnv(t)
	admin := e.as(e.user("root", superuser))
	target := e.user("target")
	form := changeForm(target, nil)
	form.Set("first_name", "Changed")
	for _, hdr := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Origin", "https://evil.example"},
	} {
		resp := admin.post(userURL(target.ID, "change"), form, hdr...)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, hdr)
		assert.Equal(t, "", e.reload(target.ID).FirstName, hdr)
	}
	resp := admin.post(userURL(target.ID, "change"), form, "Sec-Fetch-Site", "same-origin")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "Changed", e.reload(target.ID).FirstName)
	assert.Contains(t, resp.Header.Get("Cache-Control"), "no-store")
	assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
}

// TestUserListMemory and TestUserListPostgres: search, filters, ordering
// and pages of 100 over 230 users.
func TestUserListMemory(t *testing.T) {
	t.Parallel()
	testUserList(t, newMemoryEnv(t))
}

func TestUserListPostgres(t *testing.T) {
	t.Parallel()
	testUserList(t, newPostgresEnv(t))
}

func testUserList(t *testing.T, e *env) {
	ctx := context.Background()
	admin := e.user("aaadmin", superuser)
	g := auth.Group{Name: "team"}
	require.NoError(t, e.store.CreateGroup(ctx, &g))
	for i := range 230 {
		u := e.user(fmt.Sprintf("user%03d", i), func(u *auth.User) {
			u.IsStaff = i%10 == 0
			u.IsActive = i%7 != 0
			if i%50 == 0 {
				u.LastName = "Smith"
			}
			if i == 123 {
				u.Email = "Special.Person@Example.org"
			}
		})
		if i%25 == 0 {
			require.NoError(t, e.store.AddUserGroups(ctx, u.ID, g.ID))
		}
	}
	c := e.as(admin)
	p := c.page("/admin/auth/user/")
	names := rowUsernames(p)
	require.Len(t, names, dashboard.PerPage)
	assert.Equal(t, "aaadmin", names[0], "ordered by username")
	assert.Equal(t, "user098", names[99])
	assert.Contains(t, p, "231 users")
	assert.Contains(t, p, `href="/admin/auth/user/?p=2"`)
	assert.Contains(t, p, `href="/admin/auth/user/?p=3"`)
	assert.NotContains(t, p, `?p=4"`)

	p = c.page("/admin/auth/user/?p=3")
	names = rowUsernames(p)
	require.Len(t, names, 31)
	assert.Equal(t, "user199", names[0])
	for _, bad := range []string{"4", "0", "-1", "x", "99999999999999999999"} {
		assert.Equal(t, http.StatusNotFound, c.get("/admin/auth/user/?p="+bad).StatusCode, bad)
	}

	p = c.page("/admin/auth/user/?q=SMITH")
	assert.Equal(t, []string{"user000", "user050", "user100", "user150", "user200"}, rowUsernames(p), "last_name icontains")
	assert.Contains(t, p, "5 users (231 total)")
	assert.Equal(t, []string{"user123"}, rowUsernames(c.page("/admin/auth/user/?q=person%40example")), "email icontains")
	assert.Equal(t, []string{"user123"}, rowUsernames(c.page("/admin/auth/user/?q=+user123+")), "trimmed")
	assert.Empty(t, rowUsernames(c.page("/admin/auth/user/?q=nobody-at-all")))
	assert.Empty(t, rowUsernames(c.page("/admin/auth/user/?q=%00")), "text no store holds matches nothing")
	assert.Empty(t, rowUsernames(c.page("/admin/auth/user/?q=%ff")))
	c.page("/admin/auth/user/?q=" + strings.Repeat("a", 300))

	staffNames := rowUsernames(c.page("/admin/auth/user/?is_staff__exact=1"))
	assert.Len(t, staffNames, 24, "23 + the admin")
	assert.Len(t, rowUsernames(c.page("/admin/auth/user/?is_superuser__exact=1")), 1)
	inactive := rowUsernames(c.page("/admin/auth/user/?is_active__exact=0"))
	assert.Len(t, inactive, 33)
	assert.Equal(t, "user000", inactive[0])
	grouped := rowUsernames(c.page(fmt.Sprintf("/admin/auth/user/?groups__id__exact=%d", g.ID)))
	assert.Equal(t, []string{"user000", "user025", "user050", "user075", "user100", "user125", "user150", "user175", "user200", "user225"}, grouped)
	both := rowUsernames(c.page(fmt.Sprintf("/admin/auth/user/?groups__id__exact=%d&is_staff__exact=1&q=smith", g.ID)))
	assert.Equal(t, []string{"user000", "user050", "user100", "user150", "user200"}, both)
	// Unknown filter values are ignored, as choices that do not exist.
	assert.Len(t, rowUsernames(c.page("/admin/auth/user/?is_staff__exact=maybe&groups__id__exact=999&o=password")), 100)

	p = c.page("/admin/auth/user/?o=-username")
	assert.Equal(t, "user229", rowUsernames(p)[0])
	assert.Contains(t, p, `aria-sort="descending"`)
	p = c.page("/admin/auth/user/?o=-username&p=3")
	assert.Equal(t, "aaadmin", rowUsernames(p)[30])
	// Page links keep the search, filters and order.
	p = c.page("/admin/auth/user/?is_active__exact=1&o=email")
	assert.Contains(t, p, `href="/admin/auth/user/?is_active__exact=1&amp;o=email&amp;p=2"`)
}

// TestSuperuserFlag: only superusers change the superuser status, and a
// staff member who is not one cannot change a superuser at all.
func TestSuperuserFlag(t *testing.T) {
	t.Parallel()
	e := newMemoryEnv(t)
	changer := e.user("changer", staff)
	e.grant(changer, dashboard.PermChangeUser)
	root := e.user("root", superuser)
	plain := e.user("plain")
	c := e.as(changer)

	form := changeForm(plain, nil)
	form.Set("is_superuser", "on")
	resp := c.post(userURL(plain.ID, "change"), form)
	b := body(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, b, "Only superusers can change the superuser status.")
	assert.Contains(t, b, `role="alert"`)
	assert.False(t, e.reload(plain.ID).IsSuperuser)

	// Escalating oneself is refused the same way.
	form = changeForm(changer, nil)
	form.Set("is_superuser", "on")
	assert.Contains(t, body(t, c.post(userURL(changer.ID, "change"), form)), "Only superusers can change the superuser status.")
	assert.False(t, e.reload(changer.ID).IsSuperuser)

	// The box is shown disabled.
	assert.Regexp(t, `name="is_superuser"[^>]* disabled`, c.page(userURL(plain.ID, "change")))

	// A superuser's page is read-only, and its forms are refused.
	p := c.page(userURL(root.ID, "change"))
	assert.Contains(t, p, "View user")
	assert.NotContains(t, p, `name="username"`)
	rootForm := changeForm(root, nil)
	rootForm.Set("email", "mine@example.com")
	assert.Equal(t, http.StatusForbidden, c.post(userURL(root.ID, "change"), rootForm).StatusCode)
	assert.Equal(t, http.StatusForbidden, c.post(userURL(root.ID, "password"),
		url.Values{"password1": {strongPassword}, "password2": {strongPassword}}).StatusCode)
	assert.Equal(t, http.StatusForbidden, c.get(userURL(root.ID, "password")).StatusCode)
	assert.Equal(t, "root@example.com", e.reload(root.ID).Email)
	e.grant(changer, dashboard.PermDeleteUser)
	assert.Equal(t, http.StatusForbidden, c.post(userURL(root.ID, "delete"), nil).StatusCode)
	assert.NotContains(t, c.page(userURL(root.ID, "change")), userURL(root.ID, "delete"), "no delete link")
	e.reload(root.ID)
	assert.Empty(t, e.userChanges())

	// A superuser sets and clears it.
	s := e.as(root)
	form = changeForm(plain, nil)
	form.Set("is_superuser", "on")
	require.Equal(t, http.StatusFound, s.post(userURL(plain.ID, "change"), form).StatusCode)
	assert.True(t, e.reload(plain.ID).IsSuperuser)
	form.Del("is_superuser")
	require.Equal(t, http.StatusFound, s.post(userURL(plain.ID, "change"), form).StatusCode)
	assert.False(t, e.reload(plain.ID).IsSuperuser)
}

// TestSelfLockout: your own page refuses to clear your active, staff and
// superuser status, and your own account cannot be deleted.
func TestSelfLockout(t *testing.T) {
	t.Parallel()
	e := newMemoryEnv(t)
	root := e.user("root", superuser)
	c := e.as(root)
	for field, msg := range map[string]string{
		"is_active":    "You cannot deactivate your own account here.",
		"is_staff":     "You cannot remove your own staff status here.",
		"is_superuser": "You cannot remove your own superuser status here.",
	} {
		form := changeForm(root, nil)
		form.Del(field)
		resp := c.post(userURL(root.ID, "change"), form)
		require.Equal(t, http.StatusOK, resp.StatusCode, field)
		assert.Contains(t, body(t, resp), html.EscapeString(msg), field)
		u := e.reload(root.ID)
		assert.True(t, u.IsActive && u.IsStaff && u.IsSuperuser, field)
	}
	resp := c.post(userURL(root.ID, "delete"), nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body(t, resp), "You cannot delete your own account.")
	e.reload(root.ID)
	assert.NotContains(t, c.page(userURL(root.ID, "change")), `/delete/"`, "no delete link on your own page")
	// Other fields of one's own account still change.
	form := changeForm(root, nil)
	form.Set("first_name", "Ruth")
	require.Equal(t, http.StatusFound, c.post(userURL(root.ID, "change"), form).StatusCode)
	assert.Equal(t, "Ruth", e.reload(root.ID).FirstName)
	c.page("/admin/")
}

// TestBadInput: unknown IDs are 404, bad form values are form errors,
// other methods 405; nothing answers 500.
func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newMemoryEnv(t)
	root := e.user("root", superuser)
	target := e.user("target")
	e.user("Taken")
	g := auth.Group{Name: "existing"}
	require.NoError(t, e.store.CreateGroup(context.Background(), &g))
	c := e.as(root)
	for _, path := range []string{
		"/admin/auth/user/99999/change/", "/admin/auth/user/abc/change/", "/admin/auth/user/0/change/",
		"/admin/auth/user/-1/password/", "/admin/auth/user/99999999999999999999/delete/",
		"/admin/auth/group/999/change/", "/admin/auth/group/x/delete/", "/admin/nope/", "/admin/auth/user/1/change/extra/",
	} {
		resp := c.get(path)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, path)
		assert.Contains(t, body(t, resp), "Not found", path)
		assert.Equal(t, http.StatusNotFound, c.post(path, url.Values{}).StatusCode, path)
	}
	assert.Equal(t, http.StatusMethodNotAllowed, testDo(c, http.MethodPut, userURL(target.ID, "change")).StatusCode)
	assert.Equal(t, http.StatusMethodNotAllowed, c.post("/admin/", nil).StatusCode)
	assert.Equal(t, http.StatusMethodNotAllowed, c.post("/admin/auth/user/", nil).StatusCode)

	formErr := func(path string, form url.Values, want string) {
		t.Helper()
		resp := c.post(path, form)
		b := body(t, resp)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s %v: %s", path, form, b)
		assert.Contains(t, b, `role="alert"`)
		assert.Contains(t, b, html.EscapeString(want), "%s %v", path, form)
	}
	add := func(username, p1, p2 string) url.Values {
		return url.Values{"username": {username}, "password1": {p1}, "password2": {p2}}
	}
	formErr("/admin/auth/user/add/", add("", strongPassword, strongPassword), "This field is required.")
	formErr("/admin/auth/user/add/", add("taken", strongPassword, strongPassword), "A user with that username already exists.")
	formErr("/admin/auth/user/add/", add("bad name!", strongPassword, strongPassword), "Enter a valid username")
	formErr("/admin/auth/user/add/", add("a\x00b", strongPassword, strongPassword), "Enter a valid username")
	formErr("/admin/auth/user/add/", add("ok\xff", strongPassword, strongPassword), "Enter a valid username")
	formErr("/admin/auth/user/add/", add(strings.Repeat("u", 151), strongPassword, strongPassword), "150")
	formErr("/admin/auth/user/add/", add("newone", strongPassword, "other"), "The two password fields didn’t match.")
	formErr("/admin/auth/user/add/", add("newone", "password", "password"), "This password is too common.")
	formErr("/admin/auth/user/add/", add("newone", "", ""), "This field is required.")
	n, err := e.store.CountUsers(context.Background(), auth.UserQuery{})
	require.NoError(t, err)
	assert.Equal(t, 3, n, "no user was added")

	edit := func(f func(url.Values)) url.Values {
		v := changeForm(target, nil)
		f(v)
		return v
	}
	cu := userURL(target.ID, "change")
	formErr(cu, edit(func(v url.Values) { v.Set("email", "not-an-email") }), "Enter a valid email address.")
	formErr(cu, edit(func(v url.Values) { v.Set("username", "TAKEN") }), "A user with that username already exists.")
	formErr(cu, edit(func(v url.Values) { v.Set("username", "") }), "This field is required.")
	formErr(cu, edit(func(v url.Values) { v.Set("first_name", strings.Repeat("é", 151)) }), "Enter a valid value")
	formErr(cu, edit(func(v url.Values) { v.Set("last_name", "a\x00b") }), "Enter a valid value")
	formErr(cu, edit(func(v url.Values) { v.Set("first_name", "\xff") }), "Enter a valid value")
	formErr(cu, edit(func(v url.Values) { v.Add("groups", "999") }), "999 is not one of the available choices.")
	formErr(cu, edit(func(v url.Values) { v.Add("groups", "x") }), "x is not one of the available choices.")
	formErr(cu, edit(func(v url.Values) { v.Add("user_permissions", "auth.fly") }), "auth.fly is not one of the available choices.")
	u := e.reload(target.ID)
	assert.Equal(t, "target", u.Username)
	assert.Equal(t, "target@example.com", u.Email)
	assert.Empty(t, e.userChanges(), "no change was made")

	pw := userURL(target.ID, "password")
	formErr(pw, url.Values{"password1": {strongPassword}, "password2": {"x"}}, "The two password fields didn’t match.")
	formErr(pw, url.Values{"password1": {"target"}, "password2": {"target"}}, "too similar")
	formErr(pw, url.Values{}, "This field is required.")
	assert.Equal(t, http.StatusNotFound, c.get(userURL(target.ID, "reset")).StatusCode, "not configured, not mounted")

	formErr("/admin/auth/group/add/", url.Values{"name": {""}}, "This field is required.")
	formErr("/admin/auth/group/add/", url.Values{"name": {"existing"}}, "Group with this Name already exists.")
	formErr("/admin/auth/group/add/", url.Values{"name": {strings.Repeat("g", 151)}}, "Enter a valid name")
	formErr("/admin/auth/group/add/", url.Values{"name": {"ok"}, "permissions": {"nope.nope"}}, "nope.nope is not one of")
	formErr(fmt.Sprintf("/admin/auth/group/%d/change/", g.ID), url.Values{"name": {"\x00"}}, "Enter a valid name")
	gs, err := e.store.ListGroups(context.Background())
	require.NoError(t, err)
	assert.Len(t, gs, 1)
	// A body over the limit is a 400.
	big := url.Values{"username": {strings.Repeat("x", 300<<10)}}
	assert.Equal(t, http.StatusBadRequest, c.post("/admin/auth/user/add/", big).StatusCode)
}

func testDo(c *client, method, target string) *http.Response {
	req := httptest.NewRequest(method, target, nil)
	req.Host = "testserver"
	for k, v := range c.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	return rec.Result()
}
