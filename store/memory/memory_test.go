package memory_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

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

// The zero Store is a working, empty store.
func TestConformanceZeroStore(t *testing.T) {
	t.Parallel()
	storetest.RunCustom(t, func(*testing.T) auth.Store[storetest.CustomUser] {
		return new(memory.Store[storetest.CustomUser])
	})
}

func TestZeroStoreOfNonUserType(t *testing.T) {
	t.Parallel()
	var s memory.Store[struct{ Name string }]
	ctx := context.Background()
	_, err := s.GetUser(ctx, 1)
	require.ErrorContains(t, err, "must be auth.User or embed it")
	require.ErrorContains(t, s.CreateGroup(ctx, &auth.Group{Name: "g"}), "must be auth.User or embed it")
	_, err = s.ListGroups(ctx)
	require.Error(t, err)
}
