package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithDatabase(t *testing.T) {
	t.Parallel()
	tests := []struct{ server, want string }{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:5432/djauth_test_x?sslmode=disable"},
		{"postgresql://u:p%40ss@h/db", "postgresql://u:p%40ss@h/djauth_test_x"},
		{"postgres://h", "postgres://h/djauth_test_x"},
		{"host=h user=u dbname=postgres", "host=h user=u dbname=postgres dbname=djauth_test_x"},
	}
	for _, tc := range tests {
		t.Run(tc.server, func(t *testing.T) {
			got, err := withDatabase(tc.server, "djauth_test_x")
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			cfg, err := pgx.ParseConfig(got)
			require.NoError(t, err)
			assert.Equal(t, "djauth_test_x", cfg.Database)
		})
	}
}

func TestNewDatabaseIsFreshAndDropped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var name string
	t.Run("use", func(t *testing.T) {
		db := NewDatabase(t)
		name = db.Name
		conn, err := pgx.Connect(ctx, db.URL)
		require.NoError(t, err)
		var current string
		require.NoError(t, conn.QueryRow(ctx, "SELECT current_database()").Scan(&current))
		assert.Equal(t, db.Name, current)
		// Left open on purpose: the drop must terminate it.
	})
	conn, err := pgx.Connect(ctx, ServerURL(t))
	require.NoError(t, err)
	defer conn.Close(ctx)
	var exists bool
	require.NoError(t, conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists))
	assert.False(t, exists, "database %s is dropped when the test ends", name)
}
