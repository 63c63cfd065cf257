package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

func TestParsePermission(t *testing.T) {
	t.Parallel()
	tests := []struct {
		perm, app, codename string
		code                string // ValidationError code; empty when valid
	}{
		{"auth.add_user", "auth", "add_user", ""},
		{"reports.publish_report", "reports", "publish_report", ""},
		{"app.code.with.dots", "app", "code.with.dots", ""}, // split at the first dot
		{"a.b", "a", "b", ""},
		{"ünï.cödé", "ünï", "cödé", ""},
		{strings.Repeat("a", 100) + "." + strings.Repeat("c", 100), strings.Repeat("a", 100), strings.Repeat("c", 100), ""},
		{strings.Repeat("é", 100) + ".x", strings.Repeat("é", 100), "x", ""},
		{"", "", "", "invalid"},
		{"nodot", "", "", "invalid"},
		{".add_user", "", "", "invalid"},
		{"auth.", "", "", "invalid"},
		{".", "", "", "invalid"},
		{strings.Repeat("a", 101) + ".x", "", "", "max_length"},
		{"x." + strings.Repeat("c", 101), "", "", "max_length"},
		{"au\x00th.add_user", "", "", "null_characters_not_allowed"},
		{"auth.add\x00", "", "", "null_characters_not_allowed"},
		{"auth.\xff", "", "", "invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.perm, func(t *testing.T) {
			t.Parallel()
			app, codename, err := auth.ParsePermission(tc.perm)
			if tc.code == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.app, app)
				assert.Equal(t, tc.codename, codename)
				return
			}
			require.ErrorIs(t, err, auth.ErrInvalid)
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.code, ve.Code)
			assert.Empty(t, app)
			assert.Empty(t, codename)
		})
	}
}

func FuzzParsePermission(f *testing.F) {
	for _, s := range []string{"auth.add_user", "app.code.with.dots", "", "nodot", ".x", "x.", "a\x00.b", "a.\xff",
		strings.Repeat("a", 101) + ".b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, perm string) {
		app, codename, err := auth.ParsePermission(perm)
		if err != nil {
			if !errors.Is(err, auth.ErrInvalid) {
				t.Fatalf("ParsePermission(%q): %v does not match ErrInvalid", perm, err)
			}
			if app != "" || codename != "" {
				t.Fatalf("ParsePermission(%q) returned parts with an error", perm)
			}
			return
		}
		if app+"."+codename != perm {
			t.Fatalf("ParsePermission(%q) = %q, %q: parts do not rebuild the input", perm, app, codename)
		}
		if app == "" || codename == "" || strings.Contains(app, ".") {
			t.Fatalf("ParsePermission(%q) = %q, %q: bad split", perm, app, codename)
		}
		// A parsed name fits Django's columns.
		p := auth.Permission{Name: "n", Codename: codename, AppLabel: app, Model: "m"}
		if err := p.Validate(); err != nil {
			t.Fatalf("ParsePermission(%q) accepted parts that Validate rejects: %v", perm, err)
		}
	})
}

func TestPermissionFormatting(t *testing.T) {
	t.Parallel()
	p := auth.Permission{Name: "Can add user", Codename: "add_user", AppLabel: "auth", Model: "user"}
	assert.Equal(t, "auth.add_user", p.Key())
	assert.Equal(t, "auth | user | Can add user", p.String())
}

func TestPermissionValidate(t *testing.T) {
	t.Parallel()
	valid := func() auth.Permission {
		return auth.Permission{Name: "Can add user", Codename: "add_user", AppLabel: "auth", Model: "user"}
	}
	tests := []struct {
		name  string
		edit  func(*auth.Permission)
		field string
	}{
		{"Valid", func(*auth.Permission) {}, ""},
		{"NameAtLimit", func(p *auth.Permission) { p.Name = strings.Repeat("n", 255) }, ""},
		{"EmptyName", func(p *auth.Permission) { p.Name = "" }, "Name"},
		{"LongName", func(p *auth.Permission) { p.Name = strings.Repeat("n", 256) }, "Name"},
		{"EmptyCodename", func(p *auth.Permission) { p.Codename = "" }, "Codename"},
		{"LongCodename", func(p *auth.Permission) { p.Codename = strings.Repeat("c", 101) }, "Codename"},
		{"EmptyAppLabel", func(p *auth.Permission) { p.AppLabel = "" }, "AppLabel"},
		{"EmptyModel", func(p *auth.Permission) { p.Model = "" }, "Model"},
		{"LongModel", func(p *auth.Permission) { p.Model = strings.Repeat("m", 101) }, "Model"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := valid()
			tc.edit(&p)
			err := p.Validate()
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
	ct := auth.ContentType{AppLabel: "auth", Model: "user"}
	require.NoError(t, ct.Validate())
	ct.Model = ""
	require.ErrorIs(t, ct.Validate(), auth.ErrInvalid)
	ct = auth.ContentType{AppLabel: strings.Repeat("a", 101), Model: "user"}
	require.ErrorIs(t, ct.Validate(), auth.ErrInvalid)
}

func TestPermSet(t *testing.T) {
	t.Parallel()
	s := auth.NewPermSet("auth.view_user", "reports.publish_report", "auth.view_user")
	assert.Len(t, s, 2)
	assert.True(t, s.Has("auth.view_user"))
	assert.False(t, s.Has("auth.add_user"))
	assert.False(t, s.Has(""))
	assert.True(t, s.HasModule("auth"))
	assert.True(t, s.HasModule("reports"))
	assert.False(t, s.HasModule("aut"), "a prefix of an app label is not the app")
	assert.False(t, s.HasModule("auth.view_user"))
	assert.False(t, s.HasModule("blog"))
	assert.Equal(t, []string{"auth.view_user", "reports.publish_report"}, s.Sorted())

	s.Add("auth.add_user", "auth.add_user")
	assert.Equal(t, []string{"auth.add_user", "auth.view_user", "reports.publish_report"}, s.Sorted())

	other := auth.NewPermSet("blog.add_post")
	u := s.Union(other, nil, auth.NewPermSet("auth.add_user"))
	assert.Equal(t, []string{"auth.add_user", "auth.view_user", "blog.add_post", "reports.publish_report"}, u.Sorted())
	assert.False(t, s.Has("blog.add_post"), "Union does not change its receiver")
	u.Add("x.y")
	assert.False(t, s.Has("x.y"), "Union returns a new set")
	assert.False(t, other.Has("x.y"))

	var empty auth.PermSet
	assert.False(t, empty.Has("auth.view_user"))
	assert.False(t, empty.HasModule("auth"))
	assert.Empty(t, empty.Sorted())
	assert.Equal(t, []string{"blog.add_post"}, empty.Union(other).Sorted(), "a nil set can be read")
	assert.Empty(t, auth.NewPermSet().Sorted())
}

func TestModelSpecPermissions(t *testing.T) {
	t.Parallel()
	t.Run("Defaults", func(t *testing.T) {
		t.Parallel()
		perms, err := auth.ModelSpec{AppLabel: "reports", Model: "Report"}.Permissions()
		require.NoError(t, err)
		require.Equal(t, []auth.Permission{
			{Name: "Can add report", Codename: "add_report", AppLabel: "reports", Model: "report"},
			{Name: "Can change report", Codename: "change_report", AppLabel: "reports", Model: "report"},
			{Name: "Can delete report", Codename: "delete_report", AppLabel: "reports", Model: "report"},
			{Name: "Can view report", Codename: "view_report", AppLabel: "reports", Model: "report"},
		}, perms)
	})
	t.Run("CustomAfterDefaults", func(t *testing.T) {
		t.Parallel()
		perms, err := auth.ModelSpec{AppLabel: "reports", Model: "report", Custom: []auth.PermissionSpec{
			{Codename: "publish_report", Name: "Can publish report"},
		}}.Permissions()
		require.NoError(t, err)
		require.Len(t, perms, 5)
		assert.Equal(t, auth.Permission{Name: "Can publish report", Codename: "publish_report",
			AppLabel: "reports", Model: "report"}, perms[4])
	})
	t.Run("NoDefaults", func(t *testing.T) {
		t.Parallel()
		perms, err := auth.ModelSpec{AppLabel: "a", Model: "m", DefaultPermissions: []string{},
			Custom: []auth.PermissionSpec{{Codename: "only", Name: "Only one"}}}.Permissions()
		require.NoError(t, err)
		require.Len(t, perms, 1)
		assert.Equal(t, "a.only", perms[0].Key())
	})
	t.Run("ChosenDefaults", func(t *testing.T) {
		t.Parallel()
		perms, err := auth.ModelSpec{AppLabel: "a", Model: "Thing", DefaultPermissions: []string{"view", "export"}}.Permissions()
		require.NoError(t, err)
		assert.Equal(t, []string{"a.view_thing", "a.export_thing"}, permissionKeys(perms))
		assert.Equal(t, "Can export thing", perms[1].Name)
	})

	// Django's default verbose_name: camel_case_to_spaces(object_name),
	// checked against django.utils.text.camel_case_to_spaces.
	names := []struct{ model, verbose, want string }{
		{"Report", "", "Can add report"},
		{"AuditEntry", "", "Can add audit entry"},
		{"HTTPResponse", "", "Can add http response"},
		{"XMLHttpRequest", "", "Can add xml http request"},
		{"ContentType", "", "Can add content type"},
		{"OAuth2Token", "", "Can add o auth2 token"},
		{"ABC", "", "Can add abc"},
		{"fooBARBaz", "", "Can add foo bar baz"},
		{"ÉtéReport", "", "Can add été report"},
		{"user", "", "Can add user"},
		{"AuditEntry", "journal line", "Can add journal line"},
	}
	for _, tc := range names {
		t.Run("VerboseName/"+tc.model+"/"+tc.verbose, func(t *testing.T) {
			t.Parallel()
			perms, err := auth.ModelSpec{AppLabel: "a", Model: tc.model, VerboseName: tc.verbose}.Permissions()
			require.NoError(t, err)
			assert.Equal(t, tc.want, perms[0].Name)
			assert.Equal(t, "add_"+strings.ToLower(tc.model), perms[0].Codename)
		})
	}

	errs := []struct {
		name string
		spec auth.ModelSpec
		code string
	}{
		{"DuplicateCustom", auth.ModelSpec{AppLabel: "a", Model: "m", Custom: []auth.PermissionSpec{
			{Codename: "x", Name: "X"}, {Codename: "x", Name: "X again"}}}, "duplicate"},
		{"CustomClashesWithDefault", auth.ModelSpec{AppLabel: "a", Model: "m", Custom: []auth.PermissionSpec{
			{Codename: "add_m", Name: "Can add m twice"}}}, "duplicate"},
		{"NameTooLong", auth.ModelSpec{AppLabel: "a", Model: "m", Custom: []auth.PermissionSpec{
			{Codename: "x", Name: strings.Repeat("n", 256)}}}, "max_length"},
		{"DefaultNameTooLong", auth.ModelSpec{AppLabel: "a", Model: "m", VerboseName: strings.Repeat("v", 250)}, "max_length"},
		{"CodenameTooLong", auth.ModelSpec{AppLabel: "a", Model: strings.Repeat("m", 97)}, "max_length"},
		{"EmptyCodename", auth.ModelSpec{AppLabel: "a", Model: "m", Custom: []auth.PermissionSpec{{Name: "X"}}}, "required"},
		{"EmptyAppLabel", auth.ModelSpec{Model: "m"}, "required"},
		{"EmptyModel", auth.ModelSpec{AppLabel: "a"}, "required"},
		{"ModelTooLong", auth.ModelSpec{AppLabel: "a", Model: strings.Repeat("m", 101)}, "max_length"},
	}
	for _, tc := range errs {
		t.Run("Error/"+tc.name, func(t *testing.T) {
			t.Parallel()
			perms, err := tc.spec.Permissions()
			require.ErrorIs(t, err, auth.ErrInvalid)
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.code, ve.Code)
			assert.Nil(t, perms)
		})
	}
}

func permissionKeys(perms []auth.Permission) []string {
	out := make([]string, len(perms))
	for i, p := range perms {
		out[i] = p.Key()
	}
	return out
}

func TestAuthModels(t *testing.T) {
	t.Parallel()
	var all []string
	names := map[string]string{}
	for _, m := range auth.AuthModels() {
		perms, err := m.Permissions()
		require.NoError(t, err)
		for _, p := range perms {
			all = append(all, p.Key())
			names[p.Key()] = p.Name
		}
	}
	assert.Equal(t, []string{
		"auth.add_permission", "auth.change_permission", "auth.delete_permission", "auth.view_permission",
		"auth.add_group", "auth.change_group", "auth.delete_group", "auth.view_group",
		"auth.add_user", "auth.change_user", "auth.delete_user", "auth.view_user",
		"contenttypes.add_contenttype", "contenttypes.change_contenttype",
		"contenttypes.delete_contenttype", "contenttypes.view_contenttype",
	}, all)
	assert.Equal(t, "Can add user", names["auth.add_user"])
	assert.Equal(t, "Can view content type", names["contenttypes.view_contenttype"])
}

// recordingEnsurer is a PermissionEnsurer that records its calls and can
// fail one model.
type recordingEnsurer struct {
	calls []string
	fail  string
}

func (r *recordingEnsurer) EnsurePermissions(_ context.Context, appLabel, model string, perms []auth.Permission) ([]auth.Permission, error) {
	r.calls = append(r.calls, appLabel+"."+model)
	if appLabel+"."+model == r.fail {
		return nil, errors.New("store down")
	}
	out := make([]auth.Permission, len(perms))
	for i, p := range perms {
		p.ID = int64(len(r.calls)*100 + i)
		out[i] = p
	}
	return out, nil
}

func TestRegister(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("PassesEachModel", func(t *testing.T) {
		t.Parallel()
		r := &recordingEnsurer{}
		perms, err := auth.Register(ctx, r, auth.ModelSpec{AppLabel: "reports", Model: "Report"},
			auth.ModelSpec{AppLabel: "reports", Model: "AuditEntry", DefaultPermissions: []string{"view"}})
		require.NoError(t, err)
		assert.Equal(t, []string{"reports.report", "reports.auditentry"}, r.calls, "model names lowercased")
		assert.Equal(t, []string{"reports.add_report", "reports.change_report", "reports.delete_report",
			"reports.view_report", "reports.view_auditentry"}, permissionKeys(perms))
		assert.Equal(t, int64(200), perms[4].ID, "the stored form is returned")
	})
	t.Run("InvalidSpecStopsBeforeTheStore", func(t *testing.T) {
		t.Parallel()
		r := &recordingEnsurer{}
		perms, err := auth.Register(ctx, r, auth.ModelSpec{AppLabel: "a", Model: "ok"},
			auth.ModelSpec{AppLabel: "a", Model: "bad", Custom: []auth.PermissionSpec{{Codename: "add_bad", Name: "dup"}}})
		require.ErrorIs(t, err, auth.ErrInvalid)
		assert.Equal(t, []string{"a.ok"}, r.calls, "the bad model never reaches the store")
		assert.Len(t, perms, 4, "permissions registered before the failure are returned")
	})
	t.Run("StoreErrorIsWrapped", func(t *testing.T) {
		t.Parallel()
		r := &recordingEnsurer{fail: "a.second"}
		_, err := auth.Register(ctx, r, auth.ModelSpec{AppLabel: "a", Model: "first"},
			auth.ModelSpec{AppLabel: "a", Model: "Second"}, auth.ModelSpec{AppLabel: "a", Model: "third"})
		require.ErrorContains(t, err, "a.second")
		require.ErrorContains(t, err, "store down")
		assert.Equal(t, []string{"a.first", "a.second"}, r.calls, "Register stops at the first failure")
	})
}
