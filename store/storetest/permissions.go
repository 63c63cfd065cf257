package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

func (x suite[U]) testContentTypes(t *testing.T, s auth.PermissionStore) {
	ctx := context.Background()
	_, err := s.GetContentType(ctx, "blog", "post")
	require.ErrorIs(t, err, auth.ErrContentTypeNotFound)

	post, err := s.GetOrCreateContentType(ctx, "blog", "post")
	require.NoError(t, err)
	require.Positive(t, post.ID)
	require.Equal(t, auth.ContentType{ID: post.ID, AppLabel: "blog", Model: "post"}, post)

	again, err := s.GetOrCreateContentType(ctx, "blog", "post")
	require.NoError(t, err)
	require.Equal(t, post, again, "GetOrCreateContentType is idempotent")
	got, err := s.GetContentType(ctx, "blog", "post")
	require.NoError(t, err)
	require.Equal(t, post, got)

	comment, err := s.GetOrCreateContentType(ctx, "blog", "comment")
	require.NoError(t, err)
	user, err := s.GetOrCreateContentType(ctx, "auth", "user")
	require.NoError(t, err)
	require.NotEqual(t, post.ID, comment.ID)

	all, err := s.ListContentTypes(ctx)
	require.NoError(t, err)
	require.Equal(t, []auth.ContentType{user, comment, post}, all, "ordered by app label and model")

	_, err = s.GetContentType(ctx, "blog", "Post")
	require.ErrorIs(t, err, auth.ErrContentTypeNotFound, "lookups are exact")

	invalid := []struct{ name, app, model string }{
		{"EmptyAppLabel", "", "post"},
		{"EmptyModel", "blog", ""},
		{"AppLabelTooLong", repeat("a", auth.MaxAppLabelLength+1), "post"},
		{"ModelTooLong", "blog", repeat("m", auth.MaxContentTypeModelLength+1)},
		{"NUL", "blog", "po\x00st"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.GetOrCreateContentType(ctx, tc.app, tc.model)
			require.ErrorIs(t, err, auth.ErrInvalid)
		})
	}
	all, err = s.ListContentTypes(ctx)
	require.NoError(t, err)
	require.Len(t, all, 3, "rejected content types are not written")
}

func (x suite[U]) testRegisterAuthModels(t *testing.T, s auth.PermissionStore) {
	ctx := context.Background()
	perms, err := auth.Register(ctx, s, auth.AuthModels()...)
	require.NoError(t, err)
	require.Len(t, perms, 16)
	seen := map[int64]bool{}
	for _, p := range perms {
		require.Positive(t, p.ID)
		require.Positive(t, p.ContentTypeID)
		require.False(t, seen[p.ID], "IDs are distinct")
		seen[p.ID] = true
	}

	tests := []struct{ key, name, model string }{
		{"auth.add_user", "Can add user", "user"},
		{"auth.change_user", "Can change user", "user"},
		{"auth.delete_group", "Can delete group", "group"},
		{"auth.view_permission", "Can view permission", "permission"},
		{"contenttypes.add_contenttype", "Can add content type", "contenttype"},
		{"contenttypes.view_contenttype", "Can view content type", "contenttype"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			p, err := s.GetPermission(ctx, tc.key)
			require.NoError(t, err)
			assert.Equal(t, tc.key, p.Key())
			assert.Equal(t, tc.name, p.Name)
			assert.Equal(t, tc.model, p.Model)
			ct, err := s.GetContentType(ctx, p.AppLabel, p.Model)
			require.NoError(t, err)
			assert.Equal(t, ct.ID, p.ContentTypeID)
		})
	}

	authPerms, err := s.ListPermissions(ctx, "auth")
	require.NoError(t, err)
	require.Equal(t, []string{
		"auth.add_group", "auth.change_group", "auth.delete_group", "auth.view_group",
		"auth.add_permission", "auth.change_permission", "auth.delete_permission", "auth.view_permission",
		"auth.add_user", "auth.change_user", "auth.delete_user", "auth.view_user",
	}, permKeys(authPerms), "ordered by app label, model and codename")
	all, err := s.ListPermissions(ctx, "")
	require.NoError(t, err)
	require.Len(t, all, 16)
	require.Equal(t, "contenttypes.add_contenttype", all[12].Key())
	none, err := s.ListPermissions(ctx, "nope")
	require.NoError(t, err)
	require.Empty(t, none)

	cts, err := s.ListContentTypes(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"auth.group", "auth.permission", "auth.user", "contenttypes.contenttype"},
		ctKeys(cts))
}

func ctKeys(cts []auth.ContentType) []string {
	out := make([]string, len(cts))
	for i, ct := range cts {
		out[i] = ct.AppLabel + "." + ct.Model
	}
	return out
}

func (x suite[U]) testRegisterIsIdempotent(t *testing.T, s auth.PermissionStore) {
	ctx := context.Background()
	models := append(auth.AuthModels(), reportModel())
	first, err := auth.Register(ctx, s, models...)
	require.NoError(t, err)
	second, err := auth.Register(ctx, s, models...)
	require.NoError(t, err)
	require.Equal(t, first, second, "a second Register returns the stored permissions unchanged")

	// A renamed permission is not rewritten, as in Django; a new custom
	// permission is added beside the old ones.
	changed := reportModel()
	changed.Custom[0].Name = "Can publish a report (renamed)"
	changed.Custom = append(changed.Custom, auth.PermissionSpec{Codename: "export_report", Name: "Can export report"})
	third, err := auth.Register(ctx, s, changed)
	require.NoError(t, err)
	require.Len(t, third, 7)
	p, err := s.GetPermission(ctx, "reports.publish_report")
	require.NoError(t, err)
	require.Equal(t, "Can publish report", p.Name)
	require.Equal(t, "Can export report", third[6].Name)
	require.Positive(t, third[6].ID)

	all, err := s.ListPermissions(ctx, "")
	require.NoError(t, err)
	require.Len(t, all, len(first)+1)
	cts, err := s.ListContentTypes(ctx)
	require.NoError(t, err)
	require.Len(t, cts, 5)
}

func (x suite[U]) testRegisterCustomModel(t *testing.T, s auth.PermissionStore) {
	ctx := context.Background()
	perms, err := auth.Register(ctx, s, reportModel())
	require.NoError(t, err)
	require.Equal(t, []string{
		"reports.add_report", "reports.change_report", "reports.delete_report", "reports.view_report",
		"reports.publish_report", "reports.archive_report",
	}, permKeys(perms), "in the order of the spec")
	names := make([]string, len(perms))
	for i, p := range perms {
		names[i] = p.Name
		assert.Equal(t, "report", p.Model, "model names are lowercased")
	}
	require.Equal(t, []string{
		"Can add report", "Can change report", "Can delete report", "Can view report",
		"Can publish report", "Can archive report",
	}, names)
	ct, err := s.GetContentType(ctx, "reports", "report")
	require.NoError(t, err)
	for _, p := range perms {
		require.Equal(t, ct.ID, p.ContentTypeID)
	}

	// A model without default permissions and with a verbose name.
	audit, err := auth.Register(ctx, s, auth.ModelSpec{
		AppLabel: "reports", Model: "AuditEntry", VerboseName: "audit entry",
		DefaultPermissions: []string{"view"},
		Custom:             []auth.PermissionSpec{{Codename: "purge_auditentry", Name: "Can purge audit entries"}},
	})
	require.NoError(t, err)
	require.Equal(t, []string{"reports.view_auditentry", "reports.purge_auditentry"}, permKeys(audit))
	require.Equal(t, "Can view audit entry", audit[0].Name)

	listed, err := s.ListPermissions(ctx, "reports")
	require.NoError(t, err)
	require.Equal(t, []string{
		"reports.purge_auditentry", "reports.view_auditentry",
		"reports.add_report", "reports.archive_report", "reports.change_report",
		"reports.delete_report", "reports.publish_report", "reports.view_report",
	}, permKeys(listed))
}

func (x suite[U]) testEnsurePermissionsRejectsBadBatch(t *testing.T, s auth.PermissionStore) {
	ctx := context.Background()
	good := auth.Permission{Codename: "do_thing", Name: "Can do thing", AppLabel: "things", Model: "thing"}
	tests := []struct {
		name string
		bad  auth.Permission
	}{
		{"EmptyName", auth.Permission{Codename: "x", AppLabel: "things", Model: "thing"}},
		{"EmptyCodename", auth.Permission{Name: "Can x", AppLabel: "things", Model: "thing"}},
		{"NameTooLong", auth.Permission{Codename: "x", Name: repeat("n", auth.MaxPermissionNameLength+1), AppLabel: "things", Model: "thing"}},
		{"CodenameTooLong", auth.Permission{Codename: repeat("c", auth.MaxCodenameLength+1), Name: "Can x", AppLabel: "things", Model: "thing"}},
		{"CodenameNUL", auth.Permission{Codename: "x\x00", Name: "Can x", AppLabel: "things", Model: "thing"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.EnsurePermissions(ctx, "things", "thing", []auth.Permission{good, tc.bad})
			require.ErrorIs(t, err, auth.ErrInvalid)
		})
	}
	t.Run("InvalidContentType", func(t *testing.T) {
		_, err := s.EnsurePermissions(ctx, "", "thing", []auth.Permission{good})
		require.ErrorIs(t, err, auth.ErrInvalid)
	})
	_, err := s.GetContentType(ctx, "things", "thing")
	require.ErrorIs(t, err, auth.ErrContentTypeNotFound, "a rejected batch creates no content type")
	_, err = s.GetPermission(ctx, "things.do_thing")
	require.ErrorIs(t, err, auth.ErrPermissionNotFound, "a rejected batch creates no permission")

	// Register reports a bad spec without writing it.
	_, err = auth.Register(ctx, s, auth.ModelSpec{AppLabel: "things", Model: "thing",
		Custom: []auth.PermissionSpec{{Codename: "add_thing", Name: "Can add thing twice"}}})
	require.ErrorIs(t, err, auth.ErrInvalid)
	all, err := s.ListPermissions(ctx, "")
	require.NoError(t, err)
	require.Empty(t, all)
}

func (x suite[U]) testCreatePermission(t *testing.T, s auth.PermissionStore) {
	ctx := context.Background()
	p := auth.Permission{Codename: "approve_post", Name: "Can approve post", AppLabel: "blog", Model: "post"}
	require.ErrorIs(t, s.CreatePermission(ctx, &p), auth.ErrContentTypeNotFound)
	assert.Zero(t, p.ID)

	ct, err := s.GetOrCreateContentType(ctx, "blog", "post")
	require.NoError(t, err)
	require.NoError(t, s.CreatePermission(ctx, &p))
	require.Positive(t, p.ID)
	require.Equal(t, ct.ID, p.ContentTypeID)

	got, err := s.GetPermission(ctx, "blog.approve_post")
	require.NoError(t, err)
	require.Equal(t, p, got)
	require.Equal(t, "blog | post | Can approve post", got.String())

	dup := auth.Permission{Codename: "approve_post", Name: "Another name", AppLabel: "blog", Model: "post"}
	require.ErrorIs(t, s.CreatePermission(ctx, &dup), auth.ErrDuplicatePermission)
	got, err = s.GetPermission(ctx, "blog.approve_post")
	require.NoError(t, err)
	require.Equal(t, "Can approve post", got.Name, "a duplicate does not overwrite")

	bad := auth.Permission{Codename: "", Name: "Can nothing", AppLabel: "blog", Model: "post"}
	require.ErrorIs(t, s.CreatePermission(ctx, &bad), auth.ErrInvalid)

	// A codename is unique per content type, not per app.
	_, err = s.GetOrCreateContentType(ctx, "news", "post")
	require.NoError(t, err)
	other := auth.Permission{Codename: "approve_post", Name: "Can approve post", AppLabel: "news", Model: "post"}
	require.NoError(t, s.CreatePermission(ctx, &other))
	require.NotEqual(t, p.ID, other.ID)
	all, err := s.ListPermissions(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []string{"blog.approve_post", "news.approve_post"}, permKeys(all))
}

func (x suite[U]) testGetPermission(t *testing.T, s auth.PermissionStore) {
	ctx := context.Background()
	register(t, s)
	tests := []struct {
		perm string
		err  error
	}{
		{"auth.add_user", nil},
		{"reports.publish_report", nil},
		{"nope.nope", auth.ErrPermissionNotFound},
		{"auth.add_nothing", auth.ErrPermissionNotFound},
		{"reports.add_user", auth.ErrPermissionNotFound},
		{"AUTH.add_user", auth.ErrPermissionNotFound},
		{"auth.add_user.extra", auth.ErrPermissionNotFound},
		{"add_user", auth.ErrInvalid},
		{"", auth.ErrInvalid},
		{".add_user", auth.ErrInvalid},
		{"auth.", auth.ErrInvalid},
		{"auth.add\x00user", auth.ErrPermissionNotFound}, // no store can hold it: not found
	}
	for _, tc := range tests {
		t.Run(tc.perm, func(t *testing.T) {
			p, err := s.GetPermission(ctx, tc.perm)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.perm, p.Key())
		})
	}
}

func (x suite[U]) testDeletePermission(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	g := createGroup(t, s, "publishers")
	u := x.create(t, s, "writer")
	id := x.au(u).ID
	require.NoError(t, s.AddUserGroups(ctx, id, g.ID))
	require.NoError(t, s.AddUserPermissions(ctx, id, "reports.publish_report", "reports.view_report"))
	require.NoError(t, s.AddGroupPermissions(ctx, g.ID, "reports.publish_report", "reports.add_report"))

	require.NoError(t, s.DeletePermission(ctx, "reports.publish_report"))
	_, err := s.GetPermission(ctx, "reports.publish_report")
	require.ErrorIs(t, err, auth.ErrPermissionNotFound)
	direct, err := s.ListUserPermissions(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{"reports.view_report"}, permKeys(direct))
	viaGroup, err := s.ListGroupPermissions(ctx, g.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"reports.add_report"}, permKeys(viaGroup))
	_, err = s.UsersWithPermission(ctx, "reports.publish_report", auth.WithPermOptions{})
	require.ErrorIs(t, err, auth.ErrPermissionNotFound)

	require.ErrorIs(t, s.DeletePermission(ctx, "reports.publish_report"), auth.ErrPermissionNotFound, "deleting twice")
	require.ErrorIs(t, s.DeletePermission(ctx, "nope.nope"), auth.ErrPermissionNotFound)
	require.ErrorIs(t, s.DeletePermission(ctx, "nodot"), auth.ErrInvalid)
	_, err = s.GetContentType(ctx, "reports", "report")
	require.NoError(t, err, "the content type stays")

	// Register brings it back, without the old grants.
	_, err = auth.Register(ctx, s, reportModel())
	require.NoError(t, err)
	set, err := s.UserPermissionSet(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{"reports.view_report"}, set.Sorted())
}

// testSharedCodename covers two models of one app with the same codename,
// which Django allows (codenames are unique per content type): the key
// "app_label.codename" then names both.
func (x suite[U]) testSharedCodename(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	shared := []auth.PermissionSpec{{Codename: "export", Name: "Can export"}}
	// Register "summary" before "invoice", so that creation order and
	// model order differ.
	_, err := auth.Register(ctx, s,
		auth.ModelSpec{AppLabel: "billing", Model: "summary", DefaultPermissions: []string{}, Custom: shared},
		auth.ModelSpec{AppLabel: "billing", Model: "invoice", DefaultPermissions: []string{}, Custom: shared})
	require.NoError(t, err)

	p, err := s.GetPermission(ctx, "billing.export")
	require.NoError(t, err)
	require.Equal(t, "invoice", p.Model, "GetPermission returns the first in ListPermissions order")

	u := x.create(t, s, "exporter")
	id := x.au(u).ID
	require.NoError(t, s.AddUserPermissions(ctx, id, "billing.export"))
	rows, err := s.ListUserPermissions(ctx, id)
	require.NoError(t, err)
	require.Len(t, rows, 2, "a grant by key covers every permission the key names")
	require.Equal(t, []string{"invoice", "summary"}, []string{rows[0].Model, rows[1].Model})
	set, err := s.UserPermissionSet(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{"billing.export"}, set.Sorted())
	holders, err := s.UsersWithPermission(ctx, "billing.export", auth.WithPermOptions{})
	require.NoError(t, err)
	require.Equal(t, []int64{id}, x.ids(holders), "a user holding both appears once")

	require.NoError(t, s.RemoveUserPermissions(ctx, id, "billing.export"))
	rows, err = s.ListUserPermissions(ctx, id)
	require.NoError(t, err)
	require.Empty(t, rows, "a revoke by key covers every permission the key names")

	require.NoError(t, s.DeletePermission(ctx, "billing.export"))
	all, err := s.ListPermissions(ctx, "billing")
	require.NoError(t, err)
	require.Empty(t, all, "a delete by key deletes every permission the key names")
}
