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
	require.ErrorContains(t, err, "does not embed auth.User by value")
	require.ErrorContains(t, s.CreateGroup(ctx, &auth.Group{Name: "g"}), "does not embed auth.User by value")
	_, err = s.ListGroups(ctx)
	require.Error(t, err)
}

// The parts of the suite run against stores that have only that part: a
// value holding nothing but the part's interface has no other method, so
// a check that strayed outside its part would not compile.
type (
	usersOnly       struct{ auth.UserStore[auth.User] }
	groupsOnly      struct{ auth.GroupStore }
	permissionsOnly struct{ auth.PermissionStore }
)

func TestConformanceParts(t *testing.T) {
	t.Parallel()
	t.Run("Users", func(t *testing.T) {
		t.Parallel()
		storetest.RunUsers(t, func(*testing.T) auth.UserStore[auth.User] {
			return usersOnly{memory.New[auth.User]()}
		})
	})
	t.Run("UsersCustom", func(t *testing.T) {
		t.Parallel()
		storetest.RunUsers(t, func(*testing.T) auth.UserStore[storetest.CustomUser] {
			return memory.New[storetest.CustomUser]()
		})
	})
	t.Run("Groups", func(t *testing.T) {
		t.Parallel()
		storetest.RunGroups(t, func(*testing.T) auth.GroupStore { return groupsOnly{memory.New[auth.User]()} })
	})
	t.Run("Permissions", func(t *testing.T) {
		t.Parallel()
		storetest.RunPermissions(t, func(*testing.T) auth.PermissionStore {
			return permissionsOnly{memory.New[auth.User]()}
		})
	})
	t.Run("Memberships", func(t *testing.T) {
		t.Parallel()
		storetest.RunMemberships(t, func(*testing.T) auth.Store[auth.User] { return memory.New[auth.User]() })
	})
	t.Run("Sequential", func(t *testing.T) {
		t.Parallel()
		storetest.RunSequential(t, func(*testing.T) auth.Store[auth.User] { return memory.New[auth.User]() })
	})
}

// ptrEmbed embeds *auth.User: its AuthUser method is promoted, so it
// has the method set of a user type, but a new(ptrEmbed) has no User to
// write to.
type ptrEmbed struct {
	*auth.User
	Extra string
}

// A user type that embeds *auth.User is refused when the store is made,
// not by a nil-pointer panic in CreateUser, as postgres.New refuses it.
func TestNewRejectsPointerEmbed(t *testing.T) {
	t.Parallel()
	require.PanicsWithError(t,
		"memory: auth: invalid configuration: user type memory_test.ptrEmbed embeds *auth.User; embed auth.User by value",
		func() { memory.New[ptrEmbed]() })

	// The zero Store finds out on first use and returns the error.
	var s memory.Store[ptrEmbed]
	u := ptrEmbed{User: &auth.User{Username: "x", IsActive: true}}
	err := s.CreateUser(context.Background(), &u)
	require.ErrorContains(t, err, "embed auth.User by value")
	_, err = s.GetUser(context.Background(), 1)
	require.ErrorContains(t, err, "embed auth.User by value")
}
