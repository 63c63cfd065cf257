package passwordless_test

import (
	"testing"

	"github.com/djauth/auth/passwordless"
	"github.com/djauth/auth/passwordless/passwordlesstest"
)

func TestMemoryStore(t *testing.T) {
	passwordlesstest.Run(t, func(t *testing.T) passwordless.Store { return passwordless.NewMemoryStore() })
}
