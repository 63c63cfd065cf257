package main

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/internal/pgtest"
)

// TestDjangoSessions: with -django-sessions the app keeps its sessions in
// django_session, where Django reads them: a login in the app is a login
// on the Django site, and a logout on the Django site ends it in the app.
func TestDjangoSessions(t *testing.T) {
	djangotest.Python(t, "psycopg2")
	t.Parallel()
	db := pgtest.NewDatabase(t)
	django := djangotest.Project{DB: db, Env: []string{"DJAUTH_DJANGO_SESSIONS=1", "DJAUTH_DJANGO_SECRET_KEY=" + testSecret}}
	django.Manage(t, "migrate", "--no-input", "-v", "0")
	django.Shell(t, `from django.contrib.auth.models import User
User.objects.create_user("alice", password="alice-pw")
print("null")`, nil)
	hs, err := hashers.ForDjango("3.2")
	require.NoError(t, err)
	s := startSite(t, config{DatabaseURL: db.URL, SecretKey: testSecret, Hashers: hs, DjangoSessions: true})

	c := &client{t: t}
	c.login(s, "alice", "alice-pw")
	assert.Equal(t, true, c.me(s)["authenticated"])
	pool, err := pgxpool.New(context.Background(), db.URL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	var n int
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT count(*) FROM "django_session" WHERE "session_key" = $1`, c.session).Scan(&n))
	require.Equal(t, 1, n, "the cookie is the session_key of a django_session row")

	var seen struct{ Before, After string }
	django.Shell(t, `import json
from django.test import Client
c = Client()
c.cookies["sessionid"] = "`+c.session+`"
before = c.get("/whoami/").json()["user"]
c.post("/logout/")
print(json.dumps({"Before": before, "After": Client().get("/whoami/").json()["user"]}))`, &seen)
	assert.Equal(t, "alice", seen.Before, "the app's login is a Django login")
	assert.Equal(t, map[string]any{"authenticated": false}, c.me(s), "Django's logout ends the app's session")
}

// TestDjangoSessionsNeedsDatabase: -django-sessions without a database,
// or with Redis, is refused.
func TestDjangoSessionsNeedsDatabase(t *testing.T) {
	t.Parallel()
	_, _, err := newApp(context.Background(), config{DjangoSessions: true, SecretKey: testSecret})
	assert.ErrorContains(t, err, "-django-sessions needs -database-url")
}
