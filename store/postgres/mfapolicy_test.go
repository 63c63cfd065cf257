package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/mfatest"
	"github.com/djauth/auth/store/postgres"
)

// TestMFAPolicyConformance runs the mfa.PolicyStore suite, each test in
// its own database.
func TestMFAPolicyConformance(t *testing.T) {
	mfatest.RunPolicyStore(t, func(t *testing.T) mfa.PolicyStore {
		s, err := postgres.NewMFAPolicyStore(newMigratedPool(t))
		require.NoError(t, err)
		return s
	})
}
