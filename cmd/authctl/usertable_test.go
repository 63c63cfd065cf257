package main

import (
	"context"
	"testing"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/postgres"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCustomUserTable runs the commands that touch users on a database
// whose users live in accounts_user, as for a Django project with
// AUTH_USER_MODEL = "accounts.User": --user-table, or DJAUTH_USER_TABLE,
// points every one of them there.
func TestCustomUserTable(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	_, err := db.pool.Exec(ctx, `
		CREATE TABLE accounts_user (LIKE auth_user INCLUDING ALL);
		CREATE TABLE accounts_user_groups (LIKE auth_user_groups INCLUDING ALL);
		CREATE TABLE accounts_user_user_permissions (LIKE auth_user_user_permissions INCLUDING ALL)`)
	require.NoError(t, err)
	custom, err := postgres.New[auth.User](db.pool, postgres.Options{
		UserTable: "accounts_user", UserGroupsTable: "accounts_user_groups", UserPermissionsTable: "accounts_user_user_permissions",
	})
	require.NoError(t, err)
	count := func(table string) int {
		t.Helper()
		var n int
		require.NoError(t, db.pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n))
		return n
	}
	flagged := db.with(session{env: map[string]string{"DJANGO_SUPERUSER_PASSWORD": "s3cret-pass-word"}})
	viaEnv := db.with(session{env: map[string]string{"DJAUTH_USER_TABLE": "accounts_user"}})

	r := flagged.run(t, "createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com", "--user-table", "accounts_user")
	require.Equal(t, exitOK, r.code, r.stderr)
	admin, err := custom.GetUserByUsername(ctx, "admin")
	require.NoError(t, err)
	assert.True(t, admin.IsSuperuser)
	assert.Equal(t, 0, count("auth_user"), "nothing written to auth_user")

	r = viaEnv.run(t, "createuser", "--noinput", "--username", "bob", "--email", "bob@example.com")
	require.Equal(t, exitOK, r.code, r.stderr)
	_, err = custom.GetUserByUsername(ctx, "bob")
	require.NoError(t, err)
	assert.Equal(t, 0, count("auth_user"))

	r = viaEnv.run(t, "group", "create", "editors")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = viaEnv.run(t, "user", "add-group", "bob", "editors")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 1, count("accounts_user_groups"))
	r = viaEnv.run(t, "user", "grant", "bob", "auth.view_group")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 1, count("accounts_user_user_permissions"))
	r = viaEnv.run(t, "user", "perms", "bob")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "auth.view_group\n", r.stdout)

	r = db.with(session{stdin: lines("n3w-pass-word!", "n3w-pass-word!")}).run(t, "changepassword", "bob", "--user-table", "accounts_user")
	require.Equal(t, exitOK, r.code, r.stderr)
	bob, err := custom.GetUserByUsername(ctx, "bob")
	require.NoError(t, err)
	assert.True(t, checkPassword(t, bob, "n3w-pass-word!"))

	// The flag beats the environment; without either, auth_user is used
	// and bob is not there.
	r = viaEnv.run(t, "user", "perms", "bob", "--user-table", "auth_user")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "bob")
	r = db.with(session{}).run(t, "user", "perms", "bob")
	assert.Equal(t, exitFailure, r.code)

	// A table that does not exist is named in the error.
	r = db.with(session{}).run(t, "user", "perms", "bob", "--user-table", "people")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "the database has no people table: the custom user table people (--user-table or $DJAUTH_USER_TABLE) needs it")

	// clearsessions touches no user and has no such flag.
	r = db.with(session{}).run(t, "clearsessions", "--user-table", "accounts_user")
	assert.Equal(t, exitUsage, r.code)
}

// TestCustomUserTableMixedCase (from the security review): a table whose
// name has capitals is found by its exact name, as the store's quoted
// queries use it, not folded to lower case.
func TestCustomUserTableMixedCase(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	_, err := db.pool.Exec(ctx, `
		CREATE TABLE "People" (LIKE auth_user INCLUDING ALL);
		CREATE TABLE "People_groups" (LIKE auth_user_groups INCLUDING ALL);
		CREATE TABLE "People_user_permissions" (LIKE auth_user_user_permissions INCLUDING ALL)`)
	require.NoError(t, err)
	r := db.with(session{env: map[string]string{"DJANGO_SUPERUSER_PASSWORD": "s3cret-pass-word"}}).run(t,
		"createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com",
		"--user-table", "People")
	require.Equal(t, exitOK, r.code, r.stderr)
	var n int
	require.NoError(t, db.pool.QueryRow(ctx, `SELECT count(*) FROM "People"`).Scan(&n))
	assert.Equal(t, 1, n)
}
