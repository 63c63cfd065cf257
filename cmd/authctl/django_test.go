package main

// Interop with a real Django (Debian's Django 3.2 under /usr/bin/python3)
// and the project in testdata/django: users that authctl makes in a
// database that Django migrated log in to Django. The test skips when
// Django is missing, and fails instead when CI=true.

import (
	"fmt"
	"testing"

	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// djangoLogin asks Django's authenticate() for the user and returns what
// Django sees, or nil when authentication fails.
func djangoLogin(t *testing.T, db pgtest.Database, username, password string) map[string]any {
	t.Helper()
	code := fmt.Sprintf(`
import json
from django.contrib.auth import authenticate
u = authenticate(username=%q, password=%q)
print(json.dumps(None if u is None else {"username": u.username, "email": u.email, "is_superuser": u.is_superuser,
      "is_staff": u.is_staff, "is_active": u.is_active, "perms": sorted(u.get_all_permissions())}))
`, username, password)
	var v map[string]any
	djangotest.Project{DB: db}.Shell(t, code, &v)
	return v
}

func TestDjangoLogsInUserMadeByAuthctl(t *testing.T) {
	t.Parallel()
	djangotest.Python(t, "psycopg2")
	db := pgtest.NewDatabase(t)
	djangotest.Project{DB: db}.Manage(t, "migrate", "-v", "0")

	// The default hashers, as the command uses them: Django checks the
	// hash it did not make.
	s := session{
		env: map[string]string{
			"DATABASE_URL":              db.URL,
			"DJANGO_SUPERUSER_PASSWORD": "s3cret-Passw0rd",
			"DJANGO_SUPERUSER_EMAIL":    "Root@Example.COM",
		},
		hashers: hashers.Default(),
	}
	r := s.run(t, "createsuperuser", "--noinput", "--username", "root")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Superuser created successfully.\n", r.stdout)

	got := djangoLogin(t, db, "root", "s3cret-Passw0rd")
	require.NotNil(t, got, "Django's authenticate() refused the superuser")
	assert.Equal(t, true, got["is_superuser"])
	assert.Equal(t, true, got["is_staff"])
	assert.Equal(t, true, got["is_active"])
	assert.Equal(t, "Root@example.com", got["email"])
	assert.Nil(t, djangoLogin(t, db, "root", "wrong"))

	// An ordinary user with a permission through a group, and a changed
	// password: Django agrees on both.
	s.stdin = "first-Passw0rd\n"
	r = s.run(t, "createuser", "--username", "ann", "--password-stdin")
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, args := range [][]string{
		{"group", "create", "editors"},
		{"group", "grant", "editors", "auth.change_user"},
		{"user", "add-group", "ann", "editors"},
		{"user", "grant", "ann", "auth.view_group"},
	} {
		r = s.run(t, args...)
		require.Equal(t, exitOK, r.code, "%v: %s", args, r.stderr)
	}
	s.stdin = "second-Passw0rd\nsecond-Passw0rd\n"
	r = s.run(t, "changepassword", "ann")
	require.Equal(t, exitOK, r.code, r.stderr)

	assert.Nil(t, djangoLogin(t, db, "ann", "first-Passw0rd"))
	got = djangoLogin(t, db, "ann", "second-Passw0rd")
	require.NotNil(t, got)
	assert.Equal(t, false, got["is_superuser"])
	assert.Equal(t, []any{"auth.change_user", "auth.view_group"}, got["perms"])
	r = s.run(t, "user", "perms", "ann")
	assert.Equal(t, "auth.change_user\nauth.view_group\n", r.stdout, "authctl and Django agree")
}
