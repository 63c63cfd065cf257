package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/postgres"
)

func TestMigrateDjangoApps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("creates and records, then leaves alone", func(t *testing.T) {
		t.Parallel()
		pool := pgtest.NewPool(t)
		rep, err := postgres.Migrate(ctx, pool, postgres.DjangoSessions, postgres.DjangoSessions)
		require.NoError(t, err)
		assert.Equal(t, append(append([]string{}, djangoMigrationNames...), "sessions.0001_initial"), rep.Recorded)
		assert.Equal(t, 1, tableCount(t, pool, "django_session"))

		again, err := postgres.Migrate(ctx, pool, postgres.DjangoSessions)
		require.NoError(t, err)
		assert.Empty(t, again.Recorded)
		assert.Empty(t, again.Applied)
	})
	t.Run("an app added later", func(t *testing.T) {
		t.Parallel()
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(ctx, pool)
		require.NoError(t, err)
		assert.Equal(t, 0, tableCount(t, pool, "django_session"))
		rep, err := postgres.Migrate(ctx, pool, postgres.DjangoSessions)
		require.NoError(t, err)
		assert.Equal(t, []string{"sessions.0001_initial"}, rep.Recorded)
	})
	t.Run("unknown app", func(t *testing.T) {
		t.Parallel()
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(ctx, pool, postgres.DjangoApp("polls"))
		require.ErrorContains(t, err, `unknown Django app "polls"`)
		assert.Equal(t, 0, tableCount(t, pool, "auth_user"), "nothing half-written")
	})
	t.Run("recorded but missing", func(t *testing.T) {
		t.Parallel()
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(ctx, pool)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, `INSERT INTO django_migrations (app, name, applied) VALUES ('sessions', '0001_initial', now())`)
		require.NoError(t, err)
		_, err = postgres.Migrate(ctx, pool, postgres.DjangoSessions)
		require.ErrorIs(t, err, postgres.ErrSchemaMismatch)
	})
	t.Run("made by hand but not recorded", func(t *testing.T) {
		t.Parallel()
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(ctx, pool)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, `CREATE TABLE django_session (session_key varchar(40) PRIMARY KEY, session_data text NOT NULL, expire_date timestamptz NOT NULL)`)
		require.NoError(t, err)
		_, err = postgres.Migrate(ctx, pool, postgres.DjangoSessions)
		require.ErrorIs(t, err, postgres.ErrSchemaMismatch)
		require.ErrorContains(t, err, "sessions.0001_initial")
	})
	t.Run("a column too short", func(t *testing.T) {
		t.Parallel()
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(ctx, pool)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, `CREATE TABLE django_session (session_key varchar(20) PRIMARY KEY, session_data text NOT NULL, expire_date timestamptz NOT NULL);
			INSERT INTO django_migrations (app, name, applied) VALUES ('sessions', '0001_initial', now())`)
		require.NoError(t, err)
		_, err = postgres.Migrate(ctx, pool, postgres.DjangoSessions)
		require.ErrorIs(t, err, postgres.ErrSchemaMismatch)
		require.ErrorContains(t, err, "django_session.session_key is varchar(20)")
	})
}
