package auth_test

import (
	"context"

	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/alexedwards/scs/v2/memstore"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/store/memory"
)

// TestNewCloseLeavesNoGoroutines: every goroutine an Auth starts is
// stopped by Close, whatever the session configuration. (It is not
// parallel, so that the goroutines of other tests do not come and go
// while it counts.)
func TestNewCloseLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	store := memory.New[auth.User]()
	for range 100 {
		for _, sessions := range []auth.SessionConfig{{}, {Store: memoryStoreNoCleanup()}} {
			a, err := auth.New(auth.Config[auth.User]{Store: store, SecretKey: testSecret, Sessions: sessions})
			require.NoError(t, err)
			require.NoError(t, a.Close())
		}
	}
}

// memoryStoreNoCleanup is scs's memstore without its cleanup goroutine.
func memoryStoreNoCleanup() *memstore.MemStore { return memstore.NewWithCleanupInterval(0) }

// TestSessionManagersHaveOwnContextKeys: the session data of one Auth in
// a context is not taken for another's (each manager has its own key, as
// scs.New gives it).
func TestSessionManagersHaveOwnContextKeys(t *testing.T) {
	t.Parallel()
	store := memory.New[auth.User]()
	var as []*auth.Auth[auth.User]
	for range 2 {
		a, err := auth.New(auth.Config[auth.User]{Store: store, SecretKey: testSecret})
		require.NoError(t, err)
		t.Cleanup(func() { _ = a.Close() })
		as = append(as, a)
	}
	ctx1, err := as[0].Sessions().Load(context.Background(), "")
	require.NoError(t, err)
	as[0].Sessions().Put(ctx1, "who", "first")
	ctx2, err := as[1].Sessions().Load(ctx1, "")
	require.NoError(t, err)
	require.NotEqual(t, ctx1, ctx2, "the second manager loads its own session")
	assert.Empty(t, as[1].Sessions().GetString(ctx2, "who"))
	assert.Equal(t, "first", as[0].Sessions().GetString(ctx2, "who"))
}
