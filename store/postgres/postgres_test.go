package postgres_test

import (
	"context"
	"testing"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/postgres"
	"github.com/djauth/auth/store/storetest"
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
