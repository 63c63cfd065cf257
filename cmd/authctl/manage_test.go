package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// step is one command of a scripted sequence and what it must print.
type step struct {
	args   []string
	code   int
	stdout string
	stderr string
}

func runSteps(t *testing.T, db testDB, steps []step) {
	t.Helper()
	for _, s := range steps {
		t.Run(strings.Join(s.args, " "), func(t *testing.T) {
			r := db.with(session{}).run(t, s.args...)
			assert.Equal(t, s.code, r.code, r.stderr)
			assert.Equal(t, s.stdout, r.stdout)
			assert.Equal(t, s.stderr, r.stderr)
		})
	}
}

func TestGroupCommands(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	runSteps(t, db, []step{
		{args: []string{"group", "list"}},
		{args: []string{"group", "create", "editors"}, stdout: "Group 'editors' created.\n"},
		{args: []string{"group", "create", "viewers"}, stdout: "Group 'viewers' created.\n"},
		{args: []string{"group", "create", "editors"}, code: exitFailure, stderr: "authctl group create: group 'editors' already exists\n"},
		{args: []string{"group", "create", strings.Repeat("g", 151)}, code: exitFailure, stderr: "authctl group create: invalid group name: ensure this value has at most 150 characters (it has 151)\n"},
		{args: []string{"group", "list"}, stdout: "editors\nviewers\n"},
		{args: []string{"group", "grant", "editors", "auth.change_user", "auth.view_user", "auth.change_user"},
			stdout: "Granted auth.change_user to group 'editors'.\nGranted auth.view_user to group 'editors'.\n"},
		{args: []string{"group", "grant", "editors", "auth.add_user", "auth.nope"}, code: exitFailure,
			stderr: "authctl group grant: permission 'auth.nope' does not exist\n"},
		{args: []string{"group", "grant", "editors", "nodot"}, code: exitFailure,
			stderr: "authctl group grant: invalid permission 'nodot': want app_label.codename\n"},
		{args: []string{"group", "grant", "nobody", "auth.add_user"}, code: exitFailure,
			stderr: "authctl group grant: group 'nobody' does not exist\n"},
		{args: []string{"group", "revoke", "editors", "auth.view_user"}, stdout: "Revoked auth.view_user from group 'editors'.\n"},
		{args: []string{"group", "revoke", "editors", "auth.view_user"}, stdout: "Revoked auth.view_user from group 'editors'.\n"},
		{args: []string{"group", "delete", "viewers"}, stdout: "Group 'viewers' deleted.\n"},
		{args: []string{"group", "delete", "viewers"}, code: exitFailure, stderr: "authctl group delete: group 'viewers' does not exist\n"},
		{args: []string{"group", "list"}, stdout: "editors\n"},
	})
	g, err := db.store.GetGroupByName(ctx, "editors")
	require.NoError(t, err)
	perms, err := db.store.ListGroupPermissions(ctx, g.ID)
	require.NoError(t, err)
	require.Len(t, perms, 1, "the failed grant added nothing")
	assert.Equal(t, "auth.change_user", perms[0].Key())
}

func TestUserCommands(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	db.addUser(t, "alice", "x", nil)
	db.addUser(t, "root", "x", func(u *auth.User) { u.IsSuperuser = true })
	db.addUser(t, "gone", "x", func(u *auth.User) { u.IsActive = false })
	for _, name := range []string{"editors", "viewers"} {
		require.NoError(t, db.store.CreateGroup(ctx, &auth.Group{Name: name}))
	}
	all, err := db.store.ListPermissions(ctx, "")
	require.NoError(t, err)
	var allKeys []string
	for _, p := range all {
		allKeys = append(allKeys, p.Key())
	}
	allPerms := auth.NewPermSet(allKeys...).Sorted()

	runSteps(t, db, []step{
		{args: []string{"group", "grant", "editors", "auth.change_user", "auth.view_group"}, stdout: "Granted auth.change_user to group 'editors'.\nGranted auth.view_group to group 'editors'.\n"},
		{args: []string{"group", "grant", "viewers", "auth.view_user"}, stdout: "Granted auth.view_user to group 'viewers'.\n"},
		{args: []string{"user", "perms", "alice"}},
		{args: []string{"user", "grant", "alice", "auth.add_group"}, stdout: "Granted auth.add_group to user 'alice'.\n"},
		{args: []string{"user", "add-group", "alice", "editors", "viewers"}, stdout: "Added user 'alice' to group 'editors'.\nAdded user 'alice' to group 'viewers'.\n"},
		{args: []string{"user", "perms", "alice"}, stdout: "auth.add_group\nauth.change_user\nauth.view_group\nauth.view_user\n"},
		{args: []string{"user", "remove-group", "alice", "viewers"}, stdout: "Removed user 'alice' from group 'viewers'.\n"},
		{args: []string{"user", "revoke", "alice", "auth.add_group"}, stdout: "Revoked auth.add_group from user 'alice'.\n"},
		{args: []string{"user", "perms", "alice"}, stdout: "auth.change_user\nauth.view_group\n"},
		{args: []string{"user", "add-group", "alice", "viewers", "nobody"}, code: exitFailure, stderr: "authctl user add-group: group 'nobody' does not exist\n"},
		{args: []string{"user", "grant", "alice", "auth.view_user", "auth.nope"}, code: exitFailure, stderr: "authctl user grant: permission 'auth.nope' does not exist\n"},
		{args: []string{"user", "perms", "alice"}, stdout: "auth.change_user\nauth.view_group\n"},
		{args: []string{"user", "grant", "nobody", "auth.view_user"}, code: exitFailure, stderr: "authctl user grant: user 'nobody' does not exist\n"},
		{args: []string{"user", "perms", "nobody"}, code: exitFailure, stderr: "authctl user perms: user 'nobody' does not exist\n"},
		// An active superuser has every permission; an inactive user none,
		// whatever is granted.
		{args: []string{"user", "perms", "root"}, stdout: strings.Join(allPerms, "\n") + "\n"},
		{args: []string{"user", "grant", "gone", "auth.view_user"}, stdout: "Granted auth.view_user to user 'gone'.\n"},
		{args: []string{"user", "perms", "gone"}},
		// Flags may come after the arguments.
		{args: []string{"user", "perms", "alice", "--timeout", "30s"}, stdout: "auth.change_user\nauth.view_group\n"},
	})
}

func TestPermsList(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	_, err := auth.Register(ctx, db.store, auth.ModelSpec{AppLabel: "blog", Model: "post", VerboseName: "post"})
	require.NoError(t, err)
	r := db.with(session{}).run(t, "perms", "list", "blog")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "blog.add_post\tCan add post\nblog.change_post\tCan change post\nblog.delete_post\tCan delete post\nblog.view_post\tCan view post\n", r.stdout)

	r = db.with(session{}).run(t, "perms", "list")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 16+4, strings.Count(r.stdout, "\n"), "the 16 default permissions of auth and contenttypes, and blog's 4")
	assert.True(t, strings.HasPrefix(r.stdout, "auth.add_group\tCan add group\n"), r.stdout)

	r = db.with(session{}).run(t, "perms", "list", "nope")
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "authctl perms list: app 'nope' has no permissions\n", r.stderr)
}

func TestClearSessions(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	s, err := postgres.NewSessionStore(db.pool, postgres.SessionStoreOptions{CleanupInterval: -1})
	require.NoError(t, err)
	defer s.Close()
	now := time.Now()
	require.NoError(t, s.CommitCtx(ctx, "old1", []byte("a"), now.Add(-time.Hour)))
	require.NoError(t, s.CommitCtx(ctx, "old2", []byte("b"), now.Add(-time.Minute)))
	require.NoError(t, s.CommitCtx(ctx, "live", []byte("c"), now.Add(time.Hour)))

	r := db.with(session{}).run(t, "clearsessions")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Deleted 2 expired sessions.\n", r.stdout)
	_, found, err := s.FindCtx(ctx, "live")
	require.NoError(t, err)
	assert.True(t, found)

	r = db.with(session{}).run(t, "clearsessions")
	assert.Equal(t, "Deleted 0 expired sessions.\n", r.stdout)
}

// TestSchemaMissing: no command but migrate creates tables; each tells
// the user to run migrate and leaves the database empty.
func TestSchemaMissing(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	s := session{env: map[string]string{"DATABASE_URL": db.URL, "DJANGO_SUPERUSER_EMAIL": ""}}
	for _, args := range [][]string{
		{"createsuperuser", "--noinput", "--username", "admin"},
		{"createuser", "--noinput", "--username", "someone"},
		{"changepassword", "admin"},
		{"group", "list"},
		{"user", "perms", "admin"},
		{"perms", "list"},
		{"clearsessions"},
		{"lockouts", "list"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := s.run(t, args...)
			assert.Equal(t, exitFailure, r.code)
			assert.Empty(t, r.stdout)
			assert.Regexp(t, `^authctl [a-z -]+: the database has no [a-z_]+ table: run "authctl migrate" first\n$`, r.stderr)
		})
	}
	conn, err := pgx.Connect(context.Background(), db.URL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n))
	assert.Zero(t, n, "nothing was created")
}

func TestCommandUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stderr string
	}{
		{"no database", []string{"group", "list"}, nil, exitUsage, "authctl group list: no database: pass --database-url or set DATABASE_URL\n"},
		{"bad URL", []string{"clearsessions", "--database-url", "postgres://u:hunter2@host:notaport/db"}, nil, exitFailure, "invalid database URL"},
		{"unreachable", []string{"perms", "list", "--database-url", "postgres://nobody@127.0.0.1:1/x", "--timeout", "5s"}, nil, exitFailure, "cannot connect to 127.0.0.1:1/x"},
		{"group without subcommand", []string{"group"}, nil, exitUsage, "Usage: authctl group <subcommand>"},
		{"unknown subcommand", []string{"user", "frob"}, nil, exitUsage, `authctl user: unknown subcommand "frob"`},
		{"missing arguments", []string{"group", "grant", "editors"}, nil, exitUsage, "authctl group grant: missing arguments: NAME PERM..."},
		{"too many arguments", []string{"group", "create", "a", "b"}, nil, exitUsage, `authctl group create: unexpected argument "b"`},
		{"unknown flag", []string{"createsuperuser", "--nope"}, nil, exitUsage, "flag provided but not defined: -nope"},
		{"createsuperuser argument", []string{"createsuperuser", "extra"}, nil, exitUsage, `authctl createsuperuser: unexpected argument "extra"`},
		{"createuser password-stdin without username", []string{"createuser", "--password-stdin"}, nil, exitUsage, "authctl createuser: --password-stdin needs --username"},
		{"bad timeout", []string{"group", "list", "--timeout", "0s"}, map[string]string{"DATABASE_URL": "postgres://h/db"}, exitUsage, "--timeout must be positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := session{env: tc.env}.run(t, tc.args...)
			assert.Equal(t, tc.code, r.code)
			assert.Empty(t, r.stdout)
			assert.Contains(t, r.stderr, tc.stderr)
			assert.NotContains(t, r.stderr, "hunter2")
		})
	}
}

func TestCommandHelp(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"createsuperuser", "createuser", "changepassword", "clearsessions", "group", "user", "perms"} {
		t.Run(name, func(t *testing.T) {
			r := session{}.run(t, "help", name)
			assert.Equal(t, exitOK, r.code)
			assert.Contains(t, r.stderr, "Usage: authctl "+name)
			assert.Contains(t, r.stderr, "Exit status: 0 success")
			assert.Contains(t, r.stderr, "2 usage error")
		})
	}
	r := session{}.run(t, "group", "grant", "-h")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stderr, "Usage: authctl group grant NAME PERM...")
	assert.Contains(t, r.stderr, "-database-url")
}
