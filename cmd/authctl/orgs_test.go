package main

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/store/postgres"
)

// newOrgsTestDB is a test database on which "authctl migrate --app
// organizations" ran, with users alice, bob and carol.
func newOrgsTestDB(t *testing.T) (testDB, *postgres.OrgStore) {
	t.Helper()
	db := newTestDB(t)
	r := db.with(session{}).run(t, "migrate", "--app", "organizations")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "recorded in django_migrations: organizations.0006_alter_organization_slug")
	assert.Contains(t, r.stdout, "applied: djauth.0009_orgs")
	for _, n := range []string{"alice", "bob", "carol"} {
		db.addUser(t, n, "pw", nil)
	}
	s, err := postgres.NewOrgStore(db.pool, postgres.OrgOptions{})
	require.NoError(t, err)
	return db, s
}

func TestOrgsCommands(t *testing.T) {
	t.Parallel()
	db, s := newOrgsTestDB(t)
	ctx := t.Context()
	sess := db.with(session{})
	ok := func(want string, args ...string) string {
		t.Helper()
		r := sess.run(t, args...)
		require.Equal(t, exitOK, r.code, "%v: %s", args, r.stderr)
		if want != "" {
			assert.Equal(t, want, r.stdout, "%v", args)
		}
		return r.stdout
	}
	fail := func(code int, stderr string, args ...string) {
		t.Helper()
		r := sess.run(t, args...)
		assert.Equal(t, code, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stderr, stderr, "%v", args)
		assert.Empty(t, r.stdout, "%v", args)
	}

	ok("Organization 'acme-inc' (Acme, Inc.) created, owned by 'alice'.\n", "orgs", "create", "Acme, Inc.", "--owner", "alice")
	ok("Organization 'beta' (Beta) created, owned by 'bob'.\n", "orgs", "create", "Beta", "--slug", "beta", "--owner", "bob")
	fail(exitFailure, "the slug is in use", "orgs", "create", "Beta", "--owner", "bob")
	fail(exitFailure, "user 'nobody' does not exist", "orgs", "create", "Gamma", "--owner", "nobody")
	fail(exitUsage, "--owner is required", "orgs", "create", "Gamma")
	fail(exitUsage, "cannot derive a slug", "orgs", "create", "ééé", "--owner", "bob")
	fail(exitUsage, "missing arguments", "orgs", "create", "--owner", "bob")
	ok("acme-inc\t\"Acme, Inc.\"\t1 members\nbeta\t\"Beta\"\t1 members\n", "orgs", "list")
	ok("beta\t\"Beta\"\t1 members\n", "orgs", "list", "--search", "BET")

	ok("Added 'bob' to 'acme-inc'.\n", "orgs", "members", "acme-inc", "add", "bob")
	ok("Added 'carol' to 'acme-inc' as an admin.\n", "orgs", "members", "acme-inc", "add", "carol", "--admin")
	fail(exitFailure, "already a member", "orgs", "members", "acme-inc", "add", "bob")
	fail(exitFailure, "organization 'nope' does not exist", "orgs", "members", "nope", "add", "bob")
	fail(exitFailure, "transfer the ownership first", "orgs", "members", "acme-inc", "remove", "alice")
	fail(exitFailure, "transfer the ownership first", "orgs", "members", "acme-inc", "admin", "alice", "off")
	fail(exitUsage, `want on or off, not "maybe"`, "orgs", "members", "acme-inc", "admin", "bob", "maybe")
	ok("'carol' is no longer an admin of 'acme-inc'.\n", "orgs", "members", "acme-inc", "admin", "carol", "off")

	ok("Role 'editor' of 'acme-inc' created (group 'org 1: editor').\n", "orgs", "roles", "acme-inc", "create", "editor")
	fail(exitFailure, "has a role of that name", "orgs", "roles", "acme-inc", "create", "editor")
	ok("auth.change_user\nauth.view_user\n", "orgs", "roles", "acme-inc", "perms", "editor", "auth.view_user", "auth.change_user")
	fail(exitFailure, "permission 'auth.nope' does not exist", "orgs", "roles", "acme-inc", "perms", "editor", "auth.nope")
	fail(exitFailure, "invalid permission 'nodot'", "orgs", "roles", "acme-inc", "perms", "editor", "nodot")
	ok("auth.change_user\nauth.view_user\n", "orgs", "roles", "acme-inc", "perms", "editor")
	fail(exitFailure, "has no role 'writer'", "orgs", "roles", "acme-inc", "perms", "writer")
	fail(exitFailure, "has no role 'editor'", "orgs", "roles", "beta", "assign", "editor", "bob")
	ok("'bob' has role 'editor' in 'acme-inc'.\n", "orgs", "roles", "acme-inc", "assign", "editor", "bob")
	db.addUser(t, "erin", "pw", nil)
	fail(exitFailure, "not a member", "orgs", "roles", "acme-inc", "assign", "editor", "erin")
	ok("editor\t\"org 1: editor\"\tauth.change_user auth.view_user\n", "orgs", "roles", "acme-inc", "list")
	ok("alice\towner\t\nbob\tmember\teditor\ncarol\tmember\t\n", "orgs", "members", "acme-inc", "list")

	// The role holds only inside the organization.
	bob := db.user(t, "bob")
	acme, err := s.OrganizationBySlug(ctx, "acme-inc")
	require.NoError(t, err)
	perms, err := s.MemberPermissions(ctx, acme.ID, bob.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"auth.change_user", "auth.view_user"}, perms)
	groups, err := db.store.ListUserGroups(ctx, bob.ID)
	require.NoError(t, err)
	assert.Empty(t, groups)

	out := ok("", "orgs", "invite", "acme-inc", "dora@example.com", "--role", "editor", "--admin", "--by", "alice", "--expires", "1h")
	m := regexp.MustCompile(`^Invitation (\d+) to 'acme-inc' for dora@example\.com created; it expires at \S+\.\n/orgs/invitations/accept/([A-Za-z0-9_-]{43})/\n$`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	raw, err := base64.RawURLEncoding.DecodeString(m[2])
	require.NoError(t, err)
	sum := sha256.Sum256(raw)
	inv, err := s.InvitationByTokenHash(ctx, sum[:])
	require.NoError(t, err, "the store has the token's SHA-256")
	assert.Equal(t, m[1], strconv.FormatInt(inv.ID, 10))
	assert.True(t, inv.IsAdmin)
	assert.WithinDuration(t, time.Now().Add(time.Hour), inv.ExpiresAt, time.Minute)
	fail(exitUsage, "--by is required", "orgs", "invite", "acme-inc", "dora@example.com")
	fail(exitUsage, "invalid email address", "orgs", "invite", "acme-inc", "not an address", "--by", "alice")
	fail(exitFailure, "has no role 'ghost'", "orgs", "invite", "acme-inc", "e@example.com", "--role", "ghost", "--by", "alice")
	fail(exitFailure, "not a member", "orgs", "invite", "beta", "e@example.com", "--by", "alice")
	list := ok("", "orgs", "invitations", "acme-inc", "list")
	assert.Regexp(t, `^`+m[1]+`\tdora@example\.com\tinvited by alice\texpires \S+\troles editor\tadmin\n$`, list)
	fail(exitFailure, "has no invitation", "orgs", "invitations", "beta", "revoke", m[1])
	fail(exitUsage, "invalid invitation ID", "orgs", "invitations", "acme-inc", "revoke", "x")
	ok("Revoked invitation "+m[1]+" of 'acme-inc'.\n", "orgs", "invitations", "acme-inc", "revoke", m[1])
	ok("", "orgs", "invitations", "acme-inc", "list")

	ok("'bob' is now the owner of 'acme-inc'.\n", "orgs", "members", "acme-inc", "transfer", "bob")
	ok("Removed 'alice' from 'acme-inc'.\n", "orgs", "members", "acme-inc", "remove", "alice")
	show := ok("", "orgs", "show", "acme-inc")
	assert.Contains(t, show, "Owner:       bob\nMembers:     2 (1 admins)\nRoles:       editor\nInvitations: 0 open\n")
	ok("'bob' no longer has role 'editor' in 'acme-inc'.\n", "orgs", "roles", "acme-inc", "unassign", "editor", "bob")
	ok("Role 'editor' of 'acme-inc' has no permissions.\n", "orgs", "roles", "acme-inc", "perms", "editor", "--clear")
	ok("Role 'editor' of 'acme-inc' deleted.\n", "orgs", "roles", "acme-inc", "delete", "editor")
	_, err = db.store.GetGroupByName(ctx, "org 1: editor")
	assert.Error(t, err, "the role's group went with it")

	r := db.with(session{stdin: "no\n"}).run(t, "orgs", "delete", "acme-inc")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "delete cancelled")
	ok("Organization 'acme-inc' deleted.\n", "orgs", "delete", "acme-inc", "--yes")
	_, err = s.OrganizationBySlug(ctx, "acme-inc")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	fail(exitFailure, "organization 'acme-inc' does not exist", "orgs", "show", "acme-inc")
}

func TestOrgsUsage(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	sess := db.with(session{})
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"orgs"}, exitUsage, "Usage: authctl orgs list"},
		{[]string{"orgs", "frob"}, exitUsage, `unknown subcommand "frob"`},
		{[]string{"orgs", "members", "acme"}, exitUsage, "want SLUG and an action"},
		{[]string{"orgs", "members", "acme", "frob"}, exitUsage, `unknown subcommand "frob"`},
		{[]string{"orgs", "show", "a", "b"}, exitUsage, `unexpected argument "b"`},
		{[]string{"orgs", "list", "--bogus"}, exitUsage, "flag provided but not defined"},
		{[]string{"orgs", "help"}, exitOK, "invite makes a random token"},
		// The organizations tables were never migrated.
		{[]string{"orgs", "list"}, exitFailure, `run "authctl migrate --app organizations" first`},
	} {
		r := sess.run(t, tc.args...)
		assert.Equal(t, tc.code, r.code, "%v: %s", tc.args, r.stderr)
		assert.Contains(t, r.stderr, tc.stderr, "%v", tc.args)
	}
	r := sess.run(t, "migrate", "--app", "polls")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, `unknown Django app "polls"`)
}

// TestDjangoOrganizationsMigratedByAuthctl: after "authctl migrate --app
// organizations", Django's migrate applies nothing and its post_migrate
// finds every default permission of the organizations models, with the
// names it would give them; Django sees an organization made by authctl.
func TestDjangoOrganizationsMigratedByAuthctl(t *testing.T) {
	djangotest.Python(t, "psycopg2", "organizations", "django_extensions")
	t.Parallel()
	db, _ := newOrgsTestDB(t)
	r := db.with(session{}).run(t, "orgs", "create", "Made Here", "--owner", "alice")
	require.Equal(t, exitOK, r.code, r.stderr)
	var before int
	require.NoError(t, db.pool.QueryRow(t.Context(), `SELECT count(*) FROM auth_permission`).Scan(&before))
	dj := djangotest.Project{DB: db.Database, Env: []string{"DJAUTH_DJANGO_ORGS=1"}}
	assert.Contains(t, dj.Manage(t, "migrate", "--no-input"), "No migrations to apply.")
	var after int
	require.NoError(t, db.pool.QueryRow(t.Context(), `SELECT count(*) FROM auth_permission`).Scan(&after))
	assert.Equal(t, before, after, "Django's post_migrate had no permission to add")
	var got struct {
		Perms []string
		Owner string
	}
	dj.Shell(t, `import json
from django.contrib.auth.models import Permission
from organizations.models import Organization
perms = sorted('%s.%s %s' % (p.content_type.app_label, p.codename, p.name)
               for p in Permission.objects.filter(content_type__app_label='organizations'))
print(json.dumps({'perms': perms, 'owner': Organization.objects.get(slug='made-here').owner.organization_user.user.username}))`, &got)
	assert.Len(t, got.Perms, 16)
	assert.Contains(t, got.Perms, "organizations.add_organizationuser Can add organization user")
	assert.Contains(t, got.Perms, "organizations.view_organizationinvitation Can view organization invitation")
	assert.Equal(t, "alice", got.Owner)
}
