package memory_test

import (
	"testing"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) auth.Store[auth.User] { return memory.New[auth.User]() })
}

func TestConformanceCustomUser(t *testing.T) {
	t.Parallel()
	storetest.RunCustom(t, func(*testing.T) auth.Store[storetest.CustomUser] {
		return memory.New[storetest.CustomUser]()
	})
}
