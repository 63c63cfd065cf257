package postgres_test

// Interop tests with a real Django (Debian's Django 3.2 under
// /usr/bin/python3) and the project in testdata/django. They skip when
// Django is not installed, and fail instead when CI=true.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// djangoDB is a throwaway database together with the settings Django
// needs to reach it.
type djangoDB struct {
	pgtest.Database
	autoField  string // DEFAULT_AUTO_FIELD; empty means the project's (BigAutoField)
	customUser bool   // AUTH_USER_MODEL = "accounts.User"
}

// project is the Django test project pointed at db, with its settings.
func (db djangoDB) project() djangotest.Project {
	p := djangotest.Project{DB: db.Database}
	if db.customUser {
		p.Env = append(p.Env, "DJAUTH_DJANGO_CUSTOM_USER=1")
	}
	if db.autoField != "" {
		p.Env = append(p.Env, "DJAUTH_DJANGO_AUTO_FIELD="+db.autoField)
	}
	return p
}

func (db djangoDB) manage(t *testing.T, args ...string) string {
	t.Helper()
	return db.project().Manage(t, args...)
}

func (db djangoDB) shell(t *testing.T, code string, v any) {
	t.Helper()
	db.project().Shell(t, code, v)
}

func newDjangoDB(t *testing.T) (djangoDB, *pgxpool.Pool) {
	t.Helper()
	db := djangoDB{Database: pgtest.NewDatabase(t)}
	cfg, err := pgxpool.ParseConfig(db.URL)
	require.NoError(t, err)
	return db, pgtest.PoolFromConfig(t, cfg)
}

// djangoSetup is the data that Django creates in TestDjangoMigratedDatabase.
const djangoSetup = `
import json
from django.contrib.auth.models import User, Group, Permission
perm = lambda code: Permission.objects.get(content_type__app_label='auth', codename=code)
editors = Group.objects.create(name='editors')
editors.permissions.add(perm('change_user'), perm('view_group'))
viewers = Group.objects.create(name='viewers')
viewers.permissions.add(perm('view_user'))
alice = User.objects.create_user('dj_alice', 'alice@example.com', 'pw', first_name='Alice', last_name='Liddell')
alice.groups.add(editors, viewers)
alice.user_permissions.add(perm('add_group'))
bob = User.objects.create_user('dj_bob', '', 'pw')
bob.user_permissions.add(perm('view_user'))
User.objects.create_superuser('dj_root', 'root@example.com', 'pw')
gone = User.objects.create_user('dj_gone', '', 'pw', is_active=False)
gone.user_permissions.add(perm('view_user'))
print(json.dumps('ok'))
`

// djangoPerms asks Django for every user's get_all_permissions, and for
// the stored direct and group permissions (ModelBackend's
// get_user_permissions and get_group_permissions with the active and
// superuser rules switched off, as the store's sets are defined).
const djangoPerms = `
import json
from django.contrib.auth.models import User
from django.contrib.auth.backends import ModelBackend
b = ModelBackend()
out = {}
for u in User.objects.all():
    raw = User.objects.get(pk=u.pk)
    raw.is_active, raw.is_superuser = True, False
    out[u.username] = {'user': sorted(b.get_user_permissions(raw)), 'group': sorted(b.get_group_permissions(raw)),
                       'all': sorted(u.get_all_permissions())}
print(json.dumps(out))
`

func TestDjangoMigratedDatabase(t *testing.T) {
	djangotest.Python(t, "psycopg2")
	t.Parallel()
	ctx := context.Background()
	db, pool := newDjangoDB(t)
	db.manage(t, "migrate", "--no-input", "-v", "0")
	db.shell(t, djangoSetup, nil)
	before := dumpSchema(t, pool)

	rep, err := postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	assert.False(t, rep.Created, "the Django schema is recognised")
	assert.True(t, rep.SerialIDs, "Django 3.2 makes serial ids")
	assert.Empty(t, rep.Recorded)
	assert.Equal(t, []string{"0001_session", "0002_throttle", "0003_session_user", "0004_recovery", "0005_passkey", "0007_mfa_policy", "0008_passwordless", "0010_audit"}, rep.Applied)
	assert.Equal(t, before, dumpSchema(t, pool), "Migrate leaves Django's tables as they are")

	s, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(t, err)

	// Read what Django wrote.
	alice, err := s.GetUserByUsername(ctx, "dj_alice")
	require.NoError(t, err)
	assert.Equal(t, "Alice Liddell", alice.FullName())
	assert.Equal(t, "alice@example.com", alice.Email)
	assert.True(t, strings.HasPrefix(alice.Password, "pbkdf2_sha256$"))
	assert.True(t, alice.IsActive)
	assert.Equal(t, time.UTC, alice.DateJoined.Location())

	// Write through the store: a new user with a group and a grant.
	var editors auth.Group
	editors, err = s.GetGroupByName(ctx, "editors")
	require.NoError(t, err)
	carol := auth.NewUser("go_carol")
	require.NoError(t, s.CreateUser(ctx, &carol))
	require.NoError(t, s.AddUserGroups(ctx, carol.ID, editors.ID))
	require.NoError(t, s.AddUserPermissions(ctx, carol.ID, "auth.delete_user", "contenttypes.view_contenttype"))
	alice.FirstName = "Alicia"
	require.NoError(t, s.UpdateUser(ctx, alice))

	// Django and the store agree on every user's permissions.
	var django map[string]struct{ User, Group, All []string }
	db.shell(t, djangoPerms, &django)
	require.Len(t, django, 5)
	users, err := s.ListUsers(ctx, auth.UserQuery{})
	require.NoError(t, err)
	require.Len(t, users, 5)
	everything, err := s.ListPermissions(ctx, "")
	require.NoError(t, err)
	var allKeys []string
	for _, p := range everything {
		allKeys = append(allKeys, p.Key())
	}
	slices.Sort(allKeys)
	for _, u := range users {
		_, perms, err := s.GetUserWithPermissions(ctx, u.ID)
		require.NoError(t, err)
		want := django[u.Username]
		assert.Equal(t, orEmpty(want.User), perms.User.Sorted(), "%s: user permissions", u.Username)
		assert.Equal(t, orEmpty(want.Group), perms.Group.Sorted(), "%s: group permissions", u.Username)
		// Django's rules on top of the stored sets: nothing for inactive
		// users, everything for active superusers.
		all := perms.User.Union(perms.Group).Sorted()
		switch {
		case !u.IsActive:
			all = []string{}
		case u.IsSuperuser:
			all = allKeys
		}
		assert.Equal(t, orEmpty(want.All), all, "%s: all permissions", u.Username)
	}

	// with_perm agrees too.
	for _, perm := range []string{"auth.view_user", "auth.change_user", "auth.delete_user"} {
		var want []string
		db.shell(t, fmt.Sprintf(`import json
from django.contrib.auth.models import User
print(json.dumps(sorted(u.username for u in User.objects.with_perm(%q))))`, perm), &want)
		got, err := s.UsersWithPermission(ctx, perm, auth.WithPermOptions{})
		require.NoError(t, err)
		var names []string
		for _, u := range got {
			names = append(names, u.Username)
		}
		slices.Sort(names)
		assert.Equal(t, want, names, "with_perm(%s)", perm)
	}

	// Django reads what the store wrote.
	var first string
	db.shell(t, `import json
from django.contrib.auth.models import User
print(json.dumps(User.objects.get(username='dj_alice').first_name))`, &first)
	assert.Equal(t, "Alicia", first)

	// Django's migrate still has nothing to do.
	assert.Contains(t, db.manage(t, "migrate", "--no-input"), "No migrations to apply.")
}

// TestDjangoAutoFieldProject covers projects that kept Django's old
// DEFAULT_AUTO_FIELD (AutoField), whose many-to-many tables have integer
// ids.
func TestDjangoAutoFieldProject(t *testing.T) {
	djangotest.Python(t, "psycopg2")
	t.Parallel()
	ctx := context.Background()
	db, pool := newDjangoDB(t)
	db.autoField = "django.db.models.AutoField"
	db.manage(t, "migrate", "--no-input", "-v", "0")
	var idType string
	require.NoError(t, pool.QueryRow(ctx, `SELECT data_type FROM information_schema.columns
		WHERE table_name = 'auth_user_groups' AND column_name = 'id'`).Scan(&idType))
	require.Equal(t, "integer", idType)

	rep, err := postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	assert.False(t, rep.Created)
	s, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(t, err)
	u := auth.NewUser("go_dave")
	require.NoError(t, s.CreateUser(ctx, &u))
	g := auth.Group{Name: "g"}
	require.NoError(t, s.CreateGroup(ctx, &g))
	require.NoError(t, s.AddUserGroups(ctx, u.ID, g.ID))
	require.NoError(t, s.AddGroupPermissions(ctx, g.ID, "auth.view_user"))
	set, err := s.GroupPermissionSet(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"auth.view_user"}, set.Sorted())
}

// TestDjangoCustomUserModel covers a project whose AUTH_USER_MODEL is a
// custom model (testdata/django/accounts): Django makes accounts_user and
// its membership tables instead of auth_user's, and the store is pointed
// at them with Options.
func TestDjangoCustomUserModel(t *testing.T) {
	djangotest.Python(t, "psycopg2")
	t.Parallel()
	ctx := context.Background()
	db, pool := newDjangoDB(t)
	db.customUser = true
	db.manage(t, "migrate", "--no-input", "-v", "0")
	db.shell(t, `import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
User = get_user_model()
g = Group.objects.create(name='callers')
g.permissions.add(Permission.objects.get(codename='view_group'))
u = User.objects.create_user('dj_gina', 'gina@example.com', 'pw', phone='+1 555 0199')
u.groups.add(g)
u.user_permissions.add(Permission.objects.get(codename='add_user', content_type__app_label='accounts'))
print(json.dumps('ok'))`, nil)

	rep, err := postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	assert.True(t, rep.CustomUserModel)
	assert.False(t, rep.Created)
	assert.Contains(t, rep.Lines()[0], "with a custom user model")
	assert.Zero(t, tableCount(t, pool, "auth_user"), "Migrate does not add auth_user")

	s, err := postgres.New[accountsUser](pool, postgres.Options{
		UserTable:            "accounts_user",
		UserGroupsTable:      "accounts_user_groups",
		UserPermissionsTable: "accounts_user_user_permissions",
	})
	require.NoError(t, err)
	gina, err := s.GetUserByUsername(ctx, "dj_gina")
	require.NoError(t, err)
	assert.Equal(t, "+1 555 0199", gina.Phone)
	_, perms, err := s.GetUserWithPermissions(ctx, gina.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"accounts.add_user"}, perms.User.Sorted())
	assert.Equal(t, []string{"auth.view_group"}, perms.Group.Sorted())

	hal := accountsUser{User: auth.NewUser("go_hal"), Phone: "+1 555 0142"}
	require.NoError(t, s.CreateUser(ctx, &hal))
	g, err := s.GetGroupByName(ctx, "callers")
	require.NoError(t, err)
	require.NoError(t, s.AddUserGroups(ctx, hal.ID, g.ID))
	var got struct {
		Phone string
		Perms []string
	}
	db.shell(t, `import json
from django.contrib.auth import get_user_model
u = get_user_model().objects.get(username='go_hal')
print(json.dumps({'phone': u.phone, 'perms': sorted(u.get_all_permissions())}))`, &got)
	assert.Equal(t, "+1 555 0142", got.Phone)
	assert.Equal(t, []string{"auth.view_group"}, got.Perms)
}

func TestDjangoUsesDatabaseMigratedByStore(t *testing.T) {
	djangotest.Python(t, "psycopg2")
	t.Parallel()
	ctx := context.Background()
	db, pool := newDjangoDB(t)

	rep, err := postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	require.True(t, rep.Created)
	s, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(t, err)
	registered, err := auth.Register(ctx, s, auth.AuthModels()...)
	require.NoError(t, err)

	// A password hash that Django made, stored by the store.
	var encoded string
	db.shell(t, `import json
from django.contrib.auth.hashers import make_password
print(json.dumps(make_password('s3cret')))`, &encoded)
	erin := auth.NewUser("go_erin")
	erin.Password = encoded
	erin.Email = "erin@example.com"
	require.NoError(t, s.CreateUser(ctx, &erin))
	require.NoError(t, s.AddUserPermissions(ctx, erin.ID, "auth.view_group"))
	before := dumpSchema(t, pool)

	out := db.manage(t, "migrate", "--no-input")
	assert.Contains(t, out, "No migrations to apply.")
	assert.Equal(t, before, dumpSchema(t, pool), "Django's migrate changes nothing")
	show := db.manage(t, "showmigrations", "auth", "contenttypes")
	assert.NotContains(t, show, "[ ]", show)
	assert.Equal(t, 14, strings.Count(show, "[X]"), show)

	// Django's post-migrate found the permissions that Register made, with
	// the same names, and created no others.
	var djangoPerms [][]string
	db.shell(t, `import json
from django.contrib.auth.models import Permission
print(json.dumps(sorted([p.content_type.app_label + '.' + p.codename, p.name] for p in Permission.objects.all())))`, &djangoPerms)
	var ours [][]string
	for _, p := range registered {
		ours = append(ours, []string{p.Key(), p.Name})
	}
	slices.SortFunc(ours, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	assert.Equal(t, ours, djangoPerms)

	// Django authenticates the user the store wrote and sees its grant,
	// then creates a user that the store reads.
	var res struct {
		Auth  bool
		Perms []string
	}
	db.shell(t, `import json
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
u = authenticate(username='go_erin', password='s3cret')
User.objects.create_user('dj_frank', 'frank@example.com', 'pw', last_name='Frank')
print(json.dumps({'auth': u is not None, 'perms': sorted(u.get_all_permissions()) if u else []}))`, &res)
	assert.True(t, res.Auth, "Django authenticates a user written by the store")
	assert.Equal(t, []string{"auth.view_group"}, res.Perms)

	frank, err := s.GetUserByUsername(ctx, "dj_frank")
	require.NoError(t, err)
	assert.Equal(t, "Frank", frank.LastName)
	assert.Greater(t, frank.ID, erin.ID, "Django's inserts continue the identity sequence")
}

// TestSchemaMatchesDjango compares the schema Migrate creates with the one
// Django 3.2 creates (project settings: DEFAULT_AUTO_FIELD = BigAutoField,
// as "startproject" writes it). The only differences allowed are those of
// serial (Django < 4.1) against identity (Django ≥ 4.1, and Migrate)
// primary keys; they are logged.
func TestSchemaMatchesDjango(t *testing.T) {
	djangotest.Python(t, "psycopg2")
	t.Parallel()
	ctx := context.Background()
	dj, djPool := newDjangoDB(t)
	dj.manage(t, "migrate", "--no-input", "-v", "0")
	_, ourPool := newDjangoDB(t)
	_, err := postgres.Migrate(ctx, ourPool)
	require.NoError(t, err)

	djangoSchema, ourSchema := dumpSchema(t, djPool), dumpSchema(t, ourPool)
	for _, d := range diffLines(djangoSchema, ourSchema) {
		t.Log("raw difference:", d)
	}
	assert.Equal(t, normalizeIDs(djangoSchema), normalizeIDs(ourSchema))

	// django_migrations has the same columns as Django makes it.
	djMig, ourMig := dumpTable(t, djPool, "django_migrations"), dumpTable(t, ourPool, "django_migrations")
	assert.Equal(t, normalizeIDs(djMig), normalizeIDs(ourMig))
}

var djangoTableNames = []string{
	"django_content_type", "auth_permission", "auth_group", "auth_group_permissions",
	"auth_user", "auth_user_groups", "auth_user_user_permissions",
}

// dumpSchema describes the seven tables: columns (type, length,
// nullability, default, identity), constraints (with deferrability),
// indexes and sequences, one sorted line each.
func dumpSchema(t *testing.T, db postgres.Querier) []string {
	t.Helper()
	return dumpTable(t, db, djangoTableNames...)
}

func dumpTable(t *testing.T, db postgres.Querier, tables ...string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	collect := func(sql string) {
		rows, err := db.Query(ctx, sql, tables)
		require.NoError(t, err)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		out = append(out, lines...)
	}
	collect(`SELECT format('column %s.%s %s(%s) nullable=%s default=%s identity=%s',
			table_name, column_name, data_type, coalesce(character_maximum_length::text, '-'),
			is_nullable, coalesce(column_default, '-'), is_identity)
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ANY($1)`)
	collect(`SELECT format('constraint %s %s type=%s deferrable=%s deferred=%s %s',
			c.conrelid::regclass, c.conname, c.contype, c.condeferrable, c.condeferred, pg_get_constraintdef(c.oid))
		FROM pg_constraint c WHERE c.conrelid = ANY (SELECT to_regclass(t) FROM unnest($1::text[]) t)`)
	collect(`SELECT format('index %s', indexdef) FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename = ANY($1)`)
	collect(`SELECT format('sequence %s %s', s.sequencename, s.data_type) FROM pg_sequences s
		JOIN pg_depend d ON d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass
		WHERE d.refobjid = ANY (SELECT to_regclass(t) FROM unnest($1::text[]) t)`)
	slices.Sort(out)
	return out
}

// normalizeIDs rewrites the two ways of generating ids — a serial column
// (default nextval(...), identity=NO) and an identity column (no default,
// identity=YES) — to one form.
func normalizeIDs(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if strings.HasPrefix(l, "column ") {
			if j := strings.Index(l, " default=nextval("); j >= 0 && strings.HasSuffix(l, " identity=NO") {
				l = l[:j] + " default=<generated>"
			} else if strings.HasSuffix(l, " default=- identity=YES") {
				l = strings.TrimSuffix(l, " default=- identity=YES") + " default=<generated>"
			}
		}
		out[i] = l
	}
	return out
}

func diffLines(a, b []string) []string {
	var out []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, "django only: "+l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			out = append(out, "ours only:   "+l)
		}
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TestDjangoReadsOneColumnWrites checks SetPassword and SetLastLogin
// against Django: Django verifies the password the store wrote, reads the
// latest last_login Python can hold, and keeps the edit it made after the
// store's caller had read the user.
func TestDjangoReadsOneColumnWrites(t *testing.T) {
	djangotest.Python(t, "psycopg2")
	t.Parallel()
	ctx := context.Background()
	db, pool := newDjangoDB(t)
	db.manage(t, "migrate", "--no-input", "-v", "0")
	var encoded string
	db.shell(t, `import json
from django.contrib.auth.models import User
from django.contrib.auth.hashers import make_password
User.objects.create_user('dj_dora', 'dora@example.com', 'old secret', first_name='Dora')
print(json.dumps(make_password('new secret')))`, &encoded)
	_, err := postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	s, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(t, err)

	// A login reads the user; Django edits it before the login writes.
	dora, err := s.GetUserByUsername(ctx, "dj_dora")
	require.NoError(t, err)
	db.shell(t, `from django.contrib.auth.models import User
User.objects.filter(username='dj_dora').update(first_name='Dorothea')`, nil)
	require.NoError(t, s.SetPassword(ctx, dora.ID, encoded))
	require.NoError(t, s.SetLastLogin(ctx, dora.ID, time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)))

	var got struct {
		NewOK, OldOK bool
		LastLogin    string `json:"last_login"`
		FirstName    string `json:"first_name"`
	}
	db.shell(t, `import json
from django.contrib.auth.models import User
u = User.objects.get(username='dj_dora')
print(json.dumps({'NewOK': u.check_password('new secret'), 'OldOK': u.check_password('old secret'),
                  'last_login': u.last_login.isoformat(), 'first_name': u.first_name}))`, &got)
	assert.True(t, got.NewOK, "Django accepts the password SetPassword wrote")
	assert.False(t, got.OldOK)
	assert.Equal(t, "9999-12-31T23:59:59.999999+00:00", got.LastLogin)
	assert.Equal(t, "Dorothea", got.FirstName, "the one-column writes kept Django's edit")
}
