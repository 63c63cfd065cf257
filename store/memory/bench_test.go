package memory_test

import (
	"context"
	"fmt"
	"testing"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/store/memory"
)

// benchStore returns a store with n users, each in two groups that hold
// two permissions, and with one direct permission.
func benchStore[U any](b *testing.B, n int) *memory.Store[U] {
	b.Helper()
	ctx := context.Background()
	s := memory.New[U]()
	if _, err := auth.Register(ctx, s, auth.AuthModels()...); err != nil {
		b.Fatal(err)
	}
	var groups []int64
	for i, perms := range [][]string{{"auth.view_user", "auth.change_user"}, {"auth.view_group", "auth.add_group"}} {
		g := auth.Group{Name: fmt.Sprintf("group%d", i)}
		if err := s.CreateGroup(ctx, &g); err != nil {
			b.Fatal(err)
		}
		if err := s.AddGroupPermissions(ctx, g.ID, perms...); err != nil {
			b.Fatal(err)
		}
		groups = append(groups, g.ID)
	}
	for i := range n {
		u := new(U)
		*auth.UserOf(u) = auth.NewUser(fmt.Sprintf("user%d", i))
		if err := s.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		id := auth.UserOf(u).ID
		if err := s.AddUserGroups(ctx, id, groups...); err != nil {
			b.Fatal(err)
		}
		if err := s.AddUserPermissions(ctx, id, "auth.delete_user"); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

type benchUser struct {
	auth.User
	PhoneNumber string
	Tags        []string
}

func BenchmarkGetUser(b *testing.B) {
	ctx := context.Background()
	b.Run("User", func(b *testing.B) {
		s := benchStore[auth.User](b, 1000)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := s.GetUser(ctx, int64(i%1000+1)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CustomUser", func(b *testing.B) {
		s := benchStore[benchUser](b, 1000)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := s.GetUser(ctx, int64(i%1000+1)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Parallel", func(b *testing.B) {
		s := benchStore[auth.User](b, 1000)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := s.GetUser(ctx, int64(i%1000+1)); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

func BenchmarkGetUserByUsernameFold(b *testing.B) {
	ctx := context.Background()
	s := benchStore[auth.User](b, 1000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := s.GetUserByUsernameFold(ctx, fmt.Sprintf("USER%d", i%1000)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetUserWithPermissions(b *testing.B) {
	ctx := context.Background()
	s := benchStore[auth.User](b, 1000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, _, err := s.GetUserWithPermissions(ctx, int64(i%1000+1)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreateUser(b *testing.B) {
	ctx := context.Background()
	s := memory.New[auth.User]()
	names := make([]string, 0, 1<<16)
	for i := range cap(names) {
		names = append(names, fmt.Sprintf("user%d", i))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i == len(names) {
			b.StopTimer()
			s = memory.New[auth.User]()
			i = 0
			b.StartTimer()
		}
		u := auth.NewUser(names[i])
		if err := s.CreateUser(ctx, &u); err != nil {
			b.Fatal(err)
		}
	}
}
