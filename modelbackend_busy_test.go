package auth_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/store/memory"
)

// With every hashing slot taken, Authenticate returns an error wrapping
// hashers.ErrBusy after MaxWait, for a known and an unknown username, and
// never reports it as a wrong password (nil, nil).
func TestModelAuthenticateBusy(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		g := gatedHasher{runs: new(atomic.Int64), gate: make(chan struct{})}
		h, err := hashers.NewWithOptions(hashers.Options{MaxConcurrent: 1, MaxWait: 2 * time.Second}, g)
		require.NoError(t, err)
		store := memory.New[auth.User]()
		u := auth.NewUser("alice")
		u.Password, err = hashers.MD5{}.Encode("s3cret", hashers.NewSalt())
		require.NoError(t, err)
		require.NoError(t, store.CreateUser(ctx, &u))
		b := bind(t, store, h, &auth.ModelBackend[auth.User]{})

		var holder sync.WaitGroup
		holder.Go(func() { _ = h.RunDummy(ctx, "x") })
		synctest.Wait()
		for _, name := range []string{"alice", "nobody"} {
			start := time.Now()
			got, err := b.Authenticate(ctx, nil, auth.Credentials{"username": name, "password": "s3cret"})
			assert.ErrorIs(t, err, hashers.ErrBusy, name)
			assert.Nil(t, got, name)
			assert.Equal(t, 2*time.Second, time.Since(start), name)
		}
		assert.EqualValues(t, 1, g.runs.Load(), "only the holder hashed")
		close(g.gate)
		holder.Wait()
		got, err := b.Authenticate(ctx, nil, auth.Credentials{"username": "alice", "password": "s3cret"})
		require.NoError(t, err)
		assert.Equal(t, "alice", got.Username)
	})
}
