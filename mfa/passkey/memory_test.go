package passkey_test

import (
	"testing"

	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/mfa/passkey/passkeytest"
)

func TestMemoryConformance(t *testing.T) {
	passkeytest.Run(t, func(t *testing.T) (passkey.Store, int64, int64) {
		return passkey.NewMemoryStore(), 1, 2
	})
}
