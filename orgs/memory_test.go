package orgs_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/djauth/auth"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/orgs/orgstest"
	"github.com/djauth/auth/store/memory"
)

func TestMemoryStoreConformance(t *testing.T) {
	t.Parallel()
	orgstest.Run(t, func(t *testing.T) orgstest.Harness {
		s := orgs.NewMemoryStore()
		var next atomic.Int64
		return orgstest.Harness{
			Store:         s,
			NewUser:       func(context.Context) int64 { return next.Add(1) },
			NewPermission: func(_ context.Context, perm string) { s.AddPermissions(perm) },
		}
	})
}

func TestMemoryStoreIsolation(t *testing.T) {
	t.Parallel()
	orgstest.RunIsolation(t, func(t *testing.T) orgstest.IsolationHarness {
		s := orgs.NewMemoryStore()
		return orgstest.IsolationHarness{
			Users:         memory.New[auth.User](),
			Store:         s,
			NewPermission: func(_ context.Context, perm string) { s.AddPermissions(perm) },
		}
	})
}
