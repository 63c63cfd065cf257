package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/postgres"
	"github.com/stretchr/testify/require"
)

// benchStore returns a store holding 1000 users, each in two of ten groups
// with four permissions each and with two direct permissions, and the id
// of one of them.
func benchStore(b *testing.B) (*postgres.Store[auth.User], int64) {
	b.Helper()
	ctx := context.Background()
	pool := pgtest.NewPool(b)
	_, err := postgres.Migrate(ctx, pool)
	require.NoError(b, err)
	s, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(b, err)
	perms, err := auth.Register(ctx, s, auth.AuthModels()...)
	require.NoError(b, err)
	var groups []int64
	for i := range 10 {
		g := auth.Group{Name: fmt.Sprintf("group%d", i)}
		require.NoError(b, s.CreateGroup(ctx, &g))
		keys := []string{}
		for j := range 4 {
			keys = append(keys, perms[(i+j)%len(perms)].Key())
		}
		require.NoError(b, s.AddGroupPermissions(ctx, g.ID, keys...))
		groups = append(groups, g.ID)
	}
	var id int64
	for i := range 1000 {
		u := auth.NewUser(fmt.Sprintf("user%04d", i))
		require.NoError(b, s.CreateUser(ctx, &u))
		require.NoError(b, s.AddUserGroups(ctx, u.ID, groups[i%10], groups[(i+3)%10]))
		require.NoError(b, s.AddUserPermissions(ctx, u.ID, perms[i%len(perms)].Key(), perms[(i+7)%len(perms)].Key()))
		if i == 500 {
			id = u.ID
		}
	}
	return s, id
}

func BenchmarkStore(b *testing.B) {
	s, id := benchStore(b)
	ctx := context.Background()
	b.Run("GetUser", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.GetUser(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetUserWithPermissions", func(b *testing.B) {
		for b.Loop() {
			_, perms, err := s.GetUserWithPermissions(ctx, id)
			if err != nil || len(perms.Group) == 0 {
				b.Fatal(err, perms)
			}
		}
	})
	b.Run("UserAndPermSetsSeparately", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.GetUser(ctx, id); err != nil {
				b.Fatal(err)
			}
			if _, err := s.UserPermissionSet(ctx, id); err != nil {
				b.Fatal(err)
			}
			if _, err := s.GroupPermissionSet(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}
