package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/audit"
	"github.com/djauth/auth/audit/audittest"
	"github.com/djauth/auth/store/postgres"
)

// TestAuditConformance runs the audit.Store suite, each test in its own
// database.
func TestAuditConformance(t *testing.T) {
	audittest.Run(t, func(t *testing.T) audit.Store {
		s, err := postgres.NewAuditStore(newMigratedPool(t))
		require.NoError(t, err)
		return s
	})
}
