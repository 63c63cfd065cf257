package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/dashboard"
)

func TestFlowsMemory(t *testing.T) {
	t.Parallel()
	testFlows(t, newMemoryEnv(t))
}

func TestFlowsPostgres(t *testing.T) {
	t.Parallel()
	testFlows(t, newPostgresEnv(t))
}

// testFlows adds a user, edits its fields, groups and permissions, sets
// its password, and adds, edits and deletes a group and the user, checking
// the store and the signals at each step.
func testFlows(t *testing.T, e *env) {
	ctx := context.Background()
	root := e.user("root", superuser)
	c := e.as(root)

	resp := c.post("/admin/auth/user/add/", url.Values{"username": {"  newbie  "}, "password1": {strongPassword}, "password2": {strongPassword}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	m := regexp.MustCompile(`^/admin/auth/user/(\d+)/change/$`).FindStringSubmatch(resp.Header.Get("Location"))
	require.NotNil(t, m)
	newbie, err := e.store.GetUserByUsername(ctx, "newbie")
	require.NoError(t, err)
	assert.Equal(t, m[1], fmt.Sprint(newbie.ID))
	assert.True(t, newbie.IsActive)
	assert.False(t, newbie.IsStaff)
	ok, _, err := e.a.Hashers().Check(ctx, strongPassword, newbie.Password)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Contains(t, c.page(resp.Header.Get("Location")), "was added successfully")
	assert.Equal(t, http.StatusOK, c.post("/admin/auth/user/add/", url.Values{"username": {"NEWBIE"},
		"password1": {strongPassword}, "password2": {strongPassword}}).StatusCode, "a username differing only in case is taken")

	// Groups and permissions.
	resp = c.post("/admin/auth/group/add/", url.Values{"name": {"editors"}, "permissions": {dashboard.PermViewUser, dashboard.PermChangeGroup}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	g, err := e.store.GetGroupByName(ctx, "editors")
	require.NoError(t, err)
	gp, err := e.store.GroupPermissionSet(ctx, newbie.ID)
	require.NoError(t, err)
	assert.Empty(t, gp)
	gu := fmt.Sprintf("/admin/auth/group/%d/change/", g.ID)
	p := c.page(gu)
	assert.Regexp(t, `value="auth.view_user" checked`, p)
	assert.Contains(t, p, "<legend>auth | user</legend>")
	require.Equal(t, http.StatusFound, c.post(gu, url.Values{"name": {"Editors"}, "permissions": {dashboard.PermViewUser}}).StatusCode)
	perms, err := e.store.ListGroupPermissions(ctx, g.ID)
	require.NoError(t, err)
	require.Len(t, perms, 1)
	assert.Equal(t, dashboard.PermViewUser, perms[0].Key())

	form := changeForm(newbie, []int64{g.ID}, dashboard.PermAddGroup, dashboard.PermDeleteUser)
	form.Set("first_name", "New")
	form.Set("email", "New@EXAMPLE.com")
	form.Set("is_staff", "on")
	require.Equal(t, http.StatusFound, c.post(userURL(newbie.ID, "change"), form).StatusCode)
	u := e.reload(newbie.ID)
	assert.Equal(t, "New", u.FirstName)
	assert.Equal(t, "New@example.com", u.Email, "the domain is lower-cased (normalize_email)")
	assert.True(t, u.IsStaff)
	assert.Equal(t, newbie.Password, u.Password, "the password is untouched")
	ugs, err := e.store.ListUserGroups(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, ugs, 1)
	ups, err := e.store.UserPermissionSet(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{dashboard.PermAddGroup, dashboard.PermDeleteUser}, ups.Sorted())
	p = c.page(userURL(u.ID, "change"))
	assert.Contains(t, p, "was changed successfully")
	assert.Regexp(t, fmt.Sprintf(`name="groups" value="%d" checked`, g.ID), p)
	// Saving the same values changes nothing and says so.
	form = changeForm(u, []int64{g.ID}, dashboard.PermDeleteUser, dashboard.PermAddGroup)
	require.Equal(t, http.StatusFound, c.post(userURL(u.ID, "change"), form).StatusCode)
	assert.Contains(t, c.page(userURL(u.ID, "change")), "No fields changed.")
	// Clearing groups and permissions.
	require.Equal(t, http.StatusFound, c.post(userURL(u.ID, "change"), changeForm(u, nil)).StatusCode)
	ugs, err = e.store.ListUserGroups(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, ugs)

	// The new staff member now sees the dashboard but only what the
	// permissions allow (none left: the index says so).
	require.Equal(t, http.StatusFound, c.post(userURL(u.ID, "password"),
		url.Values{"password1": {strongPassword + "!"}, "password2": {strongPassword + "!"}}).StatusCode)
	ok, _, err = e.a.Hashers().Check(ctx, strongPassword+"!", e.reload(u.ID).Password)
	require.NoError(t, err)
	assert.True(t, ok)
	staffer := e.as(e.reload(u.ID))
	assert.Contains(t, staffer.page("/admin/"), "You don’t have permission to view or edit anything.")

	// Setting one's own password keeps one's session.
	require.Equal(t, http.StatusFound, c.post(userURL(root.ID, "password"),
		url.Values{"password1": {strongPassword}, "password2": {strongPassword}}).StatusCode)
	c.page("/admin/")

	// Deleting.
	require.Equal(t, http.StatusFound, c.post(fmt.Sprintf("/admin/auth/group/%d/delete/", g.ID), nil).StatusCode)
	_, err = e.store.GetGroup(ctx, g.ID)
	assert.ErrorIs(t, err, auth.ErrGroupNotFound)
	assert.Contains(t, c.page(userURL(u.ID, "delete")), "Are you sure")
	require.Equal(t, http.StatusFound, c.post(userURL(u.ID, "delete"), nil).StatusCode)
	_, err = e.store.GetUser(ctx, u.ID)
	assert.ErrorIs(t, err, auth.ErrUserNotFound)
	assert.Equal(t, http.StatusFound, staffer.get("/admin/").StatusCode, "the deleted user's session is gone")

	type ev struct {
		action dashboard.Action
		fields []string
	}
	var got []ev
	for _, ch := range e.userChanges() {
		got = append(got, ev{ch.Action, ch.Fields})
	}
	assert.Equal(t, []ev{
		{dashboard.ActionAdded, nil},
		{dashboard.ActionChanged, []string{"first_name", "email", "is_staff", "groups", "user_permissions"}},
		{dashboard.ActionChanged, []string{"groups", "user_permissions"}},
		{dashboard.ActionPasswordSet, nil},
		{dashboard.ActionPasswordSet, nil},
		{dashboard.ActionDeleted, nil},
	}, got)
	var gev []ev
	for _, ch := range e.groupChanges() {
		gev = append(gev, ev{ch.Action, ch.Fields})
		assert.Equal(t, root.ID, ch.Actor.ID)
	}
	assert.Equal(t, []ev{{dashboard.ActionAdded, nil}, {dashboard.ActionChanged, []string{"name", "permissions"}},
		{dashboard.ActionDeleted, nil}}, gev)
}
