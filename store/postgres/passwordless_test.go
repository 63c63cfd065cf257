package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/passwordless"
	"github.com/djauth/auth/passwordless/passwordlesstest"
	"github.com/djauth/auth/store/postgres"
)

// TestPasswordlessConformance runs the passwordless.Store suite, each test
// in its own database.
func TestPasswordlessConformance(t *testing.T) {
	passwordlesstest.Run(t, func(t *testing.T) passwordless.Store {
		s, err := postgres.NewPasswordlessStore(newMigratedPool(t))
		require.NoError(t, err)
		return s
	})
}
