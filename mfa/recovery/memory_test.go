package recovery_test

import (
	"testing"

	"github.com/djauth/auth/mfa/recovery"
	"github.com/djauth/auth/mfa/recovery/recoverytest"
)

func TestMemoryStoreConformance(t *testing.T) {
	t.Parallel()
	recoverytest.Run(t, func(t *testing.T) recoverytest.Setup {
		return recoverytest.Setup{Store: recovery.NewMemoryStore()}
	})
}
