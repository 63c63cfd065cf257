package main

import (
	"context"
	"testing"

	"github.com/djauth/auth/internal/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCmd runs authctl in-process with empty stdin and environment and
// returns its exit code and output.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	r := session{}.run(t, args...)
	return r.code, r.stdout, r.stderr
}

func TestMigrateCommand(t *testing.T) {
	db := pgtest.NewDatabase(t)

	code, out, errOut := runCmd(t, "migrate", "--database-url", db.URL)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "applied: Django schema (django_content_type, auth_permission, auth_group,")
	assert.Contains(t, out, "recorded in django_migrations: auth.0012_alter_user_first_name_max_length")
	assert.Contains(t, out, "applied: djauth.0001_session")
	assert.Empty(t, errOut)

	// DATABASE_URL is used when the flag is absent; the second run finds
	// the schema.
	r := session{env: map[string]string{"DATABASE_URL": db.URL}}.run(t, "migrate")
	code, out, errOut = r.code, r.stdout, r.stderr
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "found existing Django schema (identity ids), left unchanged\nnothing to do\n", out)

	// The default permissions exist, as after Django's migrate.
	r = session{env: map[string]string{"DATABASE_URL": db.URL}}.run(t, "perms", "list", "contenttypes")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "contenttypes.add_contenttype\tCan add content type\ncontenttypes.change_contenttype\tCan change content type\n"+
		"contenttypes.delete_contenttype\tCan delete content type\ncontenttypes.view_contenttype\tCan view content type\n", r.stdout)
}

func TestMigrateCommandFailures(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no database", []string{"migrate"}, exitUsage, "no database: pass --database-url or set DATABASE_URL"},
		{"bad URL", []string{"migrate", "--database-url", "postgres://u:hunter2@host:notaport/db"}, exitFailure, "invalid database URL"},
		{"unreachable", []string{"migrate", "--database-url", "postgres://nobody@127.0.0.1:1/x?connect_timeout=5", "--timeout", "10s"}, exitFailure, "cannot connect to 127.0.0.1:1/x"},
		{"unknown flag", []string{"migrate", "--nope"}, exitUsage, "flag provided but not defined: -nope"},
		{"extra argument", []string{"migrate", "--database-url", "postgres://h/db", "extra"}, exitUsage, `unexpected argument "extra"`},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"no command", nil, exitUsage, "Usage: authctl <command>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, tc.args...)
			assert.Equal(t, tc.code, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.stderr)
			assert.NotContains(t, errOut, "hunter2", "passwords are not echoed")
		})
	}
}

func TestMigrateCommandSchemaMismatch(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(context.Background(), db.URL)
	require.NoError(t, err)
	_, err = conn.Exec(context.Background(), `CREATE TABLE auth_group (id serial PRIMARY KEY, name varchar(150) NOT NULL)`)
	require.NoError(t, err)
	require.NoError(t, conn.Close(context.Background()))

	code, out, errOut := runCmd(t, "migrate", "--database-url", db.URL)
	assert.Equal(t, exitFailure, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "existing schema does not match Django's auth schema: only auth_group of the 7 tables exist")
}

func TestHelp(t *testing.T) {
	code, out, _ := runCmd(t, "help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "migrate")
	code, _, errOut := runCmd(t, "help", "migrate")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, errOut, "Usage: authctl migrate")
}
