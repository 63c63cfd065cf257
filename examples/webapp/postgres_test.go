package main

// PostgreSQL mode: two instances on one database, and a database that
// Django 3.2 (Debian's, under /usr/bin/python3) migrated and filled. The
// tests need AUTH_TEST_DATABASE_URL (see internal/pgtest); without it they
// skip, and with CI=true they fail instead, as they do without Django.

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/internal/pgtest"
)

func TestTwoInstancesShareOneDatabase(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	cfg := config{DatabaseURL: db.URL, SecretKey: testSecret, Demo: true, InsecureCookies: true}
	a := startSite(t, cfg)
	b := startSite(t, cfg)
	require.Len(t, a.demos, 2, a.out)
	require.Empty(t, b.demos, "the second instance finds the users of the first")
	assert.Contains(t, b.out, "no demo users created")

	c := &client{t: t}
	c.login(a, "alice", a.demos["alice"])
	loggedIn := c.session

	// The login on A is honoured by B.
	assert.Equal(t, "alice", c.me(b)["username"])
	assert.Equal(t, http.StatusOK, c.get(b.srv.URL+"/reports/").StatusCode)
	assert.Equal(t, http.StatusForbidden, c.get(b.srv.URL+"/reports/publish/").StatusCode)

	// A logout on B is seen by A, even with a replayed copy of the cookie.
	resp := c.post(b.srv.URL+"/accounts/logout/", url.Values{})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	replay := &client{t: t, session: loggedIn}
	assert.Equal(t, map[string]any{"authenticated": false}, replay.me(a))
	assert.Equal(t, "/accounts/login/?next=/reports/", replay.get(a.srv.URL+"/reports/").Header.Get("Location"))

	// The admin logs in on B and is seen by A.
	admin := &client{t: t}
	admin.login(b, "admin", a.demos["admin"])
	assert.Equal(t, true, admin.me(a)["is_superuser"])
	assert.Equal(t, http.StatusOK, admin.get(a.srv.URL+"/reports/publish/").StatusCode)
}

func TestPostgresDemoDefaultsOff(t *testing.T) {
	t.Parallel()
	// main turns -demo off for PostgreSQL unless it is given; the same
	// config newApp gets then creates no users.
	db := pgtest.NewDatabase(t)
	s := startSite(t, config{DatabaseURL: db.URL, SecretKey: testSecret})
	assert.Empty(t, s.demos)
	c := &client{t: t}
	assert.Equal(t, map[string]any{"authenticated": false}, c.me(s))
	conn, err := pgx.Connect(context.Background(), db.URL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count(*) FROM auth_user").Scan(&n))
	assert.Zero(t, n)
}

// djangoUsers creates, in Django, users whose hashes come from three
// hasher settings, with groups and direct permissions:
//
//   - dj_editor: Django 3.2's pbkdf2_sha256 at 260,000 iterations, in
//     editors and viewers, with auth.add_group directly;
//   - dj_legacy: pbkdf2_sha1 (PASSWORD_HASHERS switched to
//     PBKDF2SHA1PasswordHasher), in viewers;
//   - dj_root: superuser;
//   - dj_gone: inactive, with a permission;
//   - dj_staff: staff, no permissions.
const djangoUsers = `
import json
from django.contrib.auth.models import User, Group, Permission
from django.test.utils import override_settings
perm = lambda app, code: Permission.objects.get(content_type__app_label=app, codename=code)
editors = Group.objects.create(name='editors')
editors.permissions.add(perm('auth', 'change_user'), perm('auth', 'view_group'))
viewers = Group.objects.create(name='viewers')
viewers.permissions.add(perm('auth', 'view_user'))
editor = User.objects.create_user('dj_editor', 'editor@example.com', 'editor-pw')
editor.groups.add(viewers, editors)
editor.user_permissions.add(perm('auth', 'add_group'))
with override_settings(PASSWORD_HASHERS=['django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher']):
    legacy = User.objects.create_user('dj_legacy', '', 'legacy-pw')
legacy.groups.add(viewers)
User.objects.create_superuser('dj_root', 'root@example.com', 'root-pw')
gone = User.objects.create_user('dj_gone', '', 'gone-pw', is_active=False)
gone.user_permissions.add(perm('auth', 'view_user'))
User.objects.create_user('dj_staff', 'staff@example.com', 'staff-pw', is_staff=True)
print(json.dumps({u.username: u.password.split('$')[0] + '$' + u.password.split('$')[1] for u in User.objects.all()}))
`

// djangoView is what Django says about every user: the fields of /api/me
// and whether check_password (the module function, which never re-hashes)
// accepts the stored hash.
const djangoView = `
import json
from django.contrib.auth.models import User
from django.contrib.auth.hashers import check_password
pw = {'dj_editor': 'editor-pw', 'dj_legacy': 'legacy-pw', 'dj_root': 'root-pw', 'dj_gone': 'gone-pw', 'dj_staff': 'staff-pw'}
out = {}
for u in User.objects.all():
    out[u.username] = {
        'me': {'authenticated': True, 'id': u.pk, 'username': u.username, 'email': u.email,
               'is_staff': u.is_staff, 'is_superuser': u.is_superuser,
               'groups': sorted(g.name for g in u.groups.all()),
               'permissions': sorted(u.get_all_permissions())},
        'hash': u.password,
        'verifies': check_password(pw[u.username], u.password),
    }
print(json.dumps(out))
`

func TestDjangoDatabase(t *testing.T) {
	djangotest.Python(t, "psycopg2")
	t.Parallel()
	db := pgtest.NewDatabase(t)
	django := djangotest.Project{DB: db}
	django.Manage(t, "migrate", "--no-input", "-v", "0")
	var algorithms map[string]string
	django.Shell(t, djangoUsers, &algorithms)
	require.Equal(t, map[string]string{
		"dj_editor": "pbkdf2_sha256$260000",
		"dj_legacy": "pbkdf2_sha1$260000",
		"dj_root":   "pbkdf2_sha256$260000",
		"dj_gone":   "pbkdf2_sha256$260000",
		"dj_staff":  "pbkdf2_sha256$260000",
	}, algorithms, "Django 3.2 made the hashes")

	// The app as main starts it with -database-url: no -demo, Django
	// 6.0's hashers (the preferred one is pbkdf2_sha256 at 1,200,000).
	s := startSite(t, config{DatabaseURL: db.URL, SecretKey: testSecret, Hashers: hashers.Default()})
	assert.Empty(t, s.demos)

	passwords := map[string]string{"dj_editor": "editor-pw", "dj_legacy": "legacy-pw", "dj_root": "root-pw", "dj_staff": "staff-pw"}
	got := map[string]map[string]any{}
	for name, pw := range passwords {
		c := &client{t: t}
		c.login(s, name, pw)
		got[name] = c.me(s)
	}
	// The inactive user is refused, as Django refuses it.
	c := &client{t: t}
	resp := c.post(s.srv.URL+"/accounts/login/", url.Values{"username": {"dj_gone"}, "password": {"gone-pw"}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, map[string]any{"authenticated": false}, c.me(s))

	// Django's view, read after the app registered the reports
	// permissions (which the superuser then holds in Django too).
	var djangoSees map[string]struct {
		Me       map[string]any
		Hash     string
		Verifies bool
	}
	django.Shell(t, djangoView, &djangoSees)
	for name := range passwords {
		assert.Equal(t, djangoSees[name].Me, got[name], "%s: /api/me is what Django computes", name)
		assert.True(t, strings.HasPrefix(djangoSees[name].Hash, "pbkdf2_sha256$1200000$"),
			"%s: the hash was upgraded on login, got %s", name, hashers.MaskHash(djangoSees[name].Hash, 6))
		assert.True(t, djangoSees[name].Verifies, "%s: Django's check_password accepts the upgraded hash", name)
	}
	assert.Contains(t, got["dj_root"]["permissions"], "reports.publish_report")
	assert.Equal(t, []any{"auth.add_group", "auth.change_user", "auth.view_group", "auth.view_user"}, got["dj_editor"]["permissions"])
	assert.Equal(t, []any{"editors", "viewers"}, got["dj_editor"]["groups"])
	assert.True(t, djangoSees["dj_gone"].Verifies)
}

// TestDjangoDatabaseDjangoVersion is TestDjangoDatabase with the app
// started as `webapp -django-version 3.2`: every login succeeds and leaves
// the hash Django 3.2 wrote byte for byte unchanged, so the users' Django
// sessions (whose auth hash is an HMAC of it) stay valid.
func TestDjangoDatabaseDjangoVersion(t *testing.T) {
	djangotest.Python(t, "psycopg2")
	t.Parallel()
	db := pgtest.NewDatabase(t)
	django := djangotest.Project{DB: db}
	django.Manage(t, "migrate", "--no-input", "-v", "0")
	django.Shell(t, djangoUsers, nil)
	type view struct {
		Me       map[string]any
		Hash     string
		Verifies bool
	}
	var before map[string]view
	django.Shell(t, djangoView, &before)

	_, cfg, err := parseFlags([]string{"-database-url", db.URL, "-secret-key", testSecret, "-django-version", "3.2"}, func(string) string { return "" })
	require.NoError(t, err)
	s := startSite(t, cfg)
	passwords := map[string]string{"dj_editor": "editor-pw", "dj_root": "root-pw", "dj_staff": "staff-pw", "dj_legacy": "legacy-pw"}
	for name, pw := range passwords {
		c := &client{t: t}
		c.login(s, name, pw)
		assert.Equal(t, name, c.me(s)["username"])
	}
	var after map[string]view
	django.Shell(t, djangoView, &after)
	for name := range passwords {
		if name == "dj_legacy" {
			// pbkdf2_sha1 is not Django 3.2's preferred hasher: Django's own
			// login would upgrade it to pbkdf2_sha256 at 260,000 too.
			assert.True(t, strings.HasPrefix(after[name].Hash, "pbkdf2_sha256$260000$"), hashers.MaskHash(after[name].Hash, 6))
		} else {
			assert.Equal(t, before[name].Hash, after[name].Hash, "%s: the login left Django's hash as it was", name)
		}
		assert.True(t, after[name].Verifies, name)
	}
}
