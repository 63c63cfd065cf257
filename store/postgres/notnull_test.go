package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/postgres"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCreateUserNotNullColumn gives auth_user a NOT NULL column without a
// default that auth.User has no field for: CreateUser must fail with a
// *NotNullError naming the column (matching ErrNotNullViolation), not
// with the server's raw error alone; with a default the insert works.
func TestCreateUserNotNullColumn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newMigratedPool(t)
	_, err := db.Exec(ctx, `ALTER TABLE auth_user ADD COLUMN phone_number varchar(32) NOT NULL`)
	require.NoError(t, err)
	s, err := postgres.New[auth.User](db, postgres.Options{})
	require.NoError(t, err)

	u := auth.NewUser("alice")
	err = s.CreateUser(ctx, &u)
	require.ErrorIs(t, err, postgres.ErrNotNullViolation)
	var nn *postgres.NotNullError
	require.ErrorAs(t, err, &nn)
	assert.Equal(t, "auth_user", nn.Table)
	assert.Equal(t, "phone_number", nn.Column)
	assert.Contains(t, err.Error(), "auth_user.phone_number is NOT NULL without a default; add a default or use a custom user type that sets it")
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "the server's error stays reachable")
	assert.Equal(t, "23502", pgErr.Code)
	assert.False(t, errors.Is(err, auth.ErrDuplicateUsername))

	_, err = db.Exec(ctx, `ALTER TABLE auth_user ALTER COLUMN phone_number SET DEFAULT ''`)
	require.NoError(t, err)
	require.NoError(t, s.CreateUser(ctx, &u))
}
