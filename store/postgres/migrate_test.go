package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var djangoMigrationNames = []string{
	"contenttypes.0001_initial",
	"auth.0001_initial",
	"contenttypes.0002_remove_content_type_name",
	"auth.0002_alter_permission_name_max_length",
	"auth.0003_alter_user_email_max_length",
	"auth.0004_alter_user_username_opts",
	"auth.0005_alter_user_last_login_null",
	"auth.0006_require_contenttypes_0002",
	"auth.0007_alter_validators_add_error_messages",
	"auth.0008_alter_user_username_max_length",
	"auth.0009_alter_user_last_name_max_length",
	"auth.0010_alter_group_name_max_length",
	"auth.0011_update_proxy_permissions",
	"auth.0012_alter_user_first_name_max_length",
}

func tableCount(t *testing.T, db postgres.Querier, names ...string) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow(context.Background(),
		`SELECT count(*) FROM unnest($1::text[]) t WHERE to_regclass(quote_ident(t)) IS NOT NULL`, names).Scan(&n))
	return n
}

var allTables = []string{
	"django_content_type", "auth_permission", "auth_group", "auth_group_permissions",
	"auth_user", "auth_user_groups", "auth_user_user_permissions",
	"django_migrations", "djauth_migrations", "djauth_session", "djauth_throttle",
	"djauth_recovery_device", "djauth_recovery_code", "djauth_passkey", "djauth_passkey_user",
	"djauth_mfa_policy", "djauth_mfa_required_since", "djauth_passwordless", "djauth_audit",
}

func TestMigrateFreshThenNoOp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)

	rep, err := postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	assert.True(t, rep.Created)
	assert.False(t, rep.SerialIDs)
	assert.Equal(t, djangoMigrationNames, rep.Recorded)
	assert.Equal(t, []string{"0001_session", "0002_throttle", "0003_session_user", "0004_recovery", "0005_passkey", "0007_mfa_policy", "0008_passwordless", "0010_audit"}, rep.Applied)
	assert.Equal(t, len(allTables), tableCount(t, pool, allTables...))
	assert.Contains(t, rep.Lines(), "applied: djauth.0001_session")

	var recorded int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM django_migrations`).Scan(&recorded))
	assert.Equal(t, len(djangoMigrationNames), recorded, "no djauth rows in django_migrations")

	again, err := postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	assert.Equal(t, postgres.Report{}, again)
	assert.Equal(t, []string{"found existing Django schema (identity ids), left unchanged", "nothing to do"}, again.Lines())
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM django_migrations`).Scan(&recorded))
	assert.Equal(t, len(djangoMigrationNames), recorded)
}

func TestMigrateConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)

	const n = 4
	reports := make([]postgres.Report, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			reports[i], errs[i] = postgres.Migrate(ctx, pool)
		})
	}
	close(start)
	wg.Wait()
	created := 0
	for i := range n {
		require.NoError(t, errs[i], "Migrate #%d", i)
		if reports[i].Created {
			created++
		}
	}
	assert.Equal(t, 1, created, "exactly one call creates the schema")
	var recorded, applied int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM django_migrations`).Scan(&recorded))
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM djauth_migrations`).Scan(&applied))
	assert.Equal(t, len(djangoMigrationNames), recorded)
	assert.Equal(t, 8, applied, "0001_session to 0005_passkey, 0007_mfa_policy to 0010_audit, once each")
}

func TestMigrateInsideCallerTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)

	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	_, err = postgres.Migrate(ctx, tx)
	require.NoError(t, err)
	s, err := postgres.New[auth.User](tx, postgres.Options{})
	require.NoError(t, err)
	u := auth.NewUser("in-tx")
	require.NoError(t, s.CreateUser(ctx, &u))
	require.NoError(t, s.AddUserPermissions(ctx, u.ID)) // a savepoint inside tx
	// A failed membership write rolls back its savepoint only: the
	// caller's transaction stays usable.
	require.ErrorIs(t, s.AddUserPermissions(ctx, u.ID, "auth.no_such"), auth.ErrPermissionNotFound)
	got, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "in-tx", got.Username)
	require.NoError(t, tx.Rollback(ctx))

	assert.Zero(t, tableCount(t, pool, allTables...), "rollback undoes the migration and the user")
}

func TestMigrateRejectsPartialSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	_, err := pool.Exec(ctx, `CREATE TABLE auth_group (id serial PRIMARY KEY, name varchar(150) NOT NULL UNIQUE)`)
	require.NoError(t, err)

	_, err = postgres.Migrate(ctx, pool)
	require.ErrorIs(t, err, postgres.ErrSchemaMismatch)
	assert.Contains(t, err.Error(), "only auth_group of the 7 tables exist")
	assert.Equal(t, 1, tableCount(t, pool, allTables...), "nothing written")
}

func TestMigrateRejectsUnrecordedOrOldSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("unrecorded", func(t *testing.T) {
		t.Parallel()
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(ctx, pool)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, `DELETE FROM django_migrations WHERE name = '0012_alter_user_first_name_max_length'`)
		require.NoError(t, err)
		_, err = postgres.Migrate(ctx, pool)
		require.ErrorIs(t, err, postgres.ErrSchemaMismatch)
		assert.Contains(t, err.Error(), "auth.0012_alter_user_first_name_max_length")
	})
	t.Run("short column", func(t *testing.T) {
		t.Parallel()
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(ctx, pool)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, `ALTER TABLE auth_user ALTER COLUMN first_name TYPE varchar(30)`)
		require.NoError(t, err)
		_, err = postgres.Migrate(ctx, pool)
		require.ErrorIs(t, err, postgres.ErrSchemaMismatch)
		assert.Contains(t, err.Error(), "auth_user.first_name is varchar(30), want at least 150")
	})
	t.Run("missing column", func(t *testing.T) {
		t.Parallel()
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(ctx, pool)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, `ALTER TABLE auth_user DROP COLUMN is_staff`)
		require.NoError(t, err)
		_, err = postgres.Migrate(ctx, pool)
		require.ErrorIs(t, err, postgres.ErrSchemaMismatch)
		assert.Contains(t, err.Error(), "auth_user.is_staff is missing")
	})
	t.Run("recorded without tables", func(t *testing.T) {
		t.Parallel()
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(ctx, pool)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, `DROP TABLE auth_user_groups, auth_user_user_permissions, auth_group_permissions,
			auth_user, auth_group, auth_permission, django_content_type CASCADE`)
		require.NoError(t, err)
		_, err = postgres.Migrate(ctx, pool)
		require.ErrorIs(t, err, postgres.ErrSchemaMismatch)
		assert.Contains(t, err.Error(), "tables are missing")
	})
}

func TestMigrateUnreachable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pool := pgtest.NewPool(t)
	_, err := postgres.Migrate(ctx, pool)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
}

// newTracedStore returns a migrated store whose pool counts queries.
func newTracedStore(t *testing.T) (*postgres.Store[auth.User], *pgxpool.Pool, *queryCounter) {
	t.Helper()
	counter := &queryCounter{}
	pool := pgtest.NewTracedPool(t, &counter.Tracer)
	_, err := postgres.Migrate(context.Background(), pool)
	require.NoError(t, err)
	s, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(t, err)
	return s, pool, counter
}

// queryCounter counts the statements that a piece of work sends.
type queryCounter struct{ pgtest.Tracer }

// count returns how many statements fn sends, and their SQL.
func (c *queryCounter) count(fn func()) (int, []string) {
	c.Take()
	fn()
	sql := c.Take()
	return len(sql), sql
}

func TestMigrateRecognisesCustomUserModelSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	_, err := postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	// What Django leaves when AUTH_USER_MODEL is swapped: no auth_user
	// tables, every migration recorded.
	_, err = pool.Exec(ctx, `DROP TABLE auth_user_groups, auth_user_user_permissions, auth_user CASCADE`)
	require.NoError(t, err)

	rep, err := postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	assert.Equal(t, postgres.Report{CustomUserModel: true}, rep)
	assert.Zero(t, tableCount(t, pool, "auth_user"))

	// Only one of the user tables is not a custom-user schema.
	_, err = pool.Exec(ctx, `CREATE TABLE auth_user_groups (id bigint)`)
	require.NoError(t, err)
	_, err = postgres.Migrate(ctx, pool)
	require.ErrorIs(t, err, postgres.ErrSchemaMismatch)
}
