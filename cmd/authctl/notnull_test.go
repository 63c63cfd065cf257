package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCreateSuperuserExtraNotNullColumn adds a NOT NULL column without a
// default to auth_user, which authctl's auth.User cannot fill: the command
// must say which column and what to do, not print PostgreSQL's error.
func TestCreateSuperuserExtraNotNullColumn(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	_, err := db.pool.Exec(context.Background(), `ALTER TABLE auth_user ADD COLUMN phone_number varchar(32) NOT NULL`)
	require.NoError(t, err)

	r := db.with(session{env: map[string]string{"DJANGO_SUPERUSER_PASSWORD": "s3cret-pass-word"}}).
		run(t, "createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com")
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "authctl createsuperuser: auth_user.phone_number is NOT NULL without a default, and authctl's users have no such field: "+
		"add a default to the column (ALTER TABLE auth_user ALTER COLUMN phone_number SET DEFAULT ...), or create this user from code with a custom user type that sets it\n", r.stderr)
	assert.NotContains(t, r.stderr, "SQLSTATE")
	db.noUser(t, "admin")
}
