package postgres_test

import (
	"context"
	"testing"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/postgres"
	"github.com/djauth/auth/store/storetest"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// newMigratedPool returns a pool on a fresh database that Migrate has
// prepared.
func newMigratedPool(t *testing.T) postgres.Querier {
	t.Helper()
	pool := pgtest.NewPool(t)
	_, err := postgres.Migrate(context.Background(), pool)
	require.NoError(t, err)
	return pool
}

// TestConformance runs the store conformance suite, each test in its own
// database.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) auth.Store[auth.User] {
		s, err := postgres.New[auth.User](newMigratedPool(t), postgres.Options{})
		require.NoError(t, err)
		return s
	})
}

// TestConformanceCustomUser runs the suite with storetest.CustomUser, whose
// phone_number and age columns are added to auth_user the way an app's own
// migration would add them.
func TestConformanceCustomUser(t *testing.T) {
	storetest.RunCustom(t, func(t *testing.T) auth.Store[storetest.CustomUser] {
		db := newMigratedPool(t)
		_, err := db.Exec(context.Background(), `ALTER TABLE auth_user
			ADD COLUMN phone_number varchar(32) NOT NULL DEFAULT '',
			ADD COLUMN age integer NOT NULL DEFAULT 0`)
		require.NoError(t, err)
		s, err := postgres.New[storetest.CustomUser](db, postgres.Options{})
		require.NoError(t, err)
		return s
	})
}

// TestConformanceTx runs the suite on a store over a pgx.Tx, as a caller
// that makes the store part of its own transaction does; the transaction
// is rolled back at the end, and then the database must be empty: the
// store wrote through the transaction only. A transaction is one
// connection, not safe for concurrent use, so the suite's concurrent
// checks are not registered (storetest.RunSequential).
func TestConformanceTx(t *testing.T) {
	storetest.RunSequential(t, func(t *testing.T) auth.Store[auth.User] {
		ctx := context.Background()
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(ctx, pool)
		require.NoError(t, err)
		tx, err := pool.Begin(ctx)
		require.NoError(t, err)
		t.Cleanup(func() {
			require.NoError(t, tx.Rollback(ctx))
			var n int
			require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM auth_user)
				+ (SELECT count(*) FROM auth_group) + (SELECT count(*) FROM auth_permission)
				+ (SELECT count(*) FROM django_content_type)`).Scan(&n))
			require.Zero(t, n, "the rolled-back transaction leaves nothing behind")
		})
		s, err := postgres.New[auth.User](tx, postgres.Options{})
		require.NoError(t, err)
		return s
	})
}

// TestConformanceConn runs the suite on a store over a single *pgx.Conn.
// A connection is not safe for concurrent use, so the suite's concurrent
// checks are not registered (storetest.RunSequential).
func TestConformanceConn(t *testing.T) {
	storetest.RunSequential(t, func(t *testing.T) auth.Store[auth.User] {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, pgtest.NewDatabase(t).URL)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, conn.Close(ctx)) })
		_, err = postgres.Migrate(ctx, conn)
		require.NoError(t, err)
		s, err := postgres.New[auth.User](conn, postgres.Options{})
		require.NoError(t, err)
		return s
	})
}
