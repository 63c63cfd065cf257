package backends_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/backends"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/store/memory"
)

// gatedHasher is MD5 whose every run counts and then waits on gate, so a
// test can hold the registry's hashing slots.
type gatedHasher struct {
	hashers.MD5
	runs *atomic.Int64
	gate chan struct{}
}

func (h gatedHasher) Encode(p, s string) (string, error) {
	h.runs.Add(1)
	<-h.gate
	return h.MD5.Encode(p, s)
}

func (h gatedHasher) Verify(p, e string) (bool, error) {
	h.runs.Add(1)
	<-h.gate
	return h.MD5.Verify(p, e)
}

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
		b := backends.NewModel(store, h)

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
