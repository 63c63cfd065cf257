package orgs_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/orgs/orgstest"
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
