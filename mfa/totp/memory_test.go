package totp_test

import (
	"testing"

	"github.com/djauth/auth/mfa/totp"
	"github.com/djauth/auth/mfa/totp/totptest"
)

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	totptest.Run(t, func(t *testing.T) totptest.Harness {
		return totptest.Harness{Store: totp.NewMemoryStore(), NewUser: totptest.Counter()}
	})
}
