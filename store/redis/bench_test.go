package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	redisstore "github.com/djauth/auth/store/redis"
)

// BenchmarkSessionStore is the Redis work of a request: Find (a GET) on
// every authenticated request, UpdateCtx (a SET XX PXAT) when it changed
// the session, RenewCtx (the script) at a renewal. Each is one round trip.
func BenchmarkSessionStore(b *testing.B) {
	ctx := context.Background()
	st, _ := newStore(b, redisstore.Options{})
	// A logged-in session as SessionCodec encodes it is about 150 bytes.
	data := make([]byte, 150)
	expiry := time.Now().Add(time.Hour)
	require.NoError(b, st.CommitCtx(ctx, "bench", data, expiry))
	b.Run("Find", func(b *testing.B) {
		for b.Loop() {
			if _, found, err := st.FindCtx(ctx, "bench"); err != nil || !found {
				b.Fatal(found, err)
			}
		}
	})
	b.Run("Find/parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, found, err := st.FindCtx(ctx, "bench"); err != nil || !found {
					b.Fatal(found, err)
				}
			}
		})
	})
	b.Run("UpdateCtx", func(b *testing.B) {
		for b.Loop() {
			if found, err := st.UpdateCtx(ctx, "bench", data, expiry); err != nil || !found {
				b.Fatal(found, err)
			}
		}
	})
	b.Run("RenewCtx", func(b *testing.B) {
		// Its own pair of tokens, so that -count runs start from a
		// session that exists.
		cur, next := "renew-a", "renew-b"
		require.NoError(b, st.DeleteCtx(ctx, next))
		require.NoError(b, st.CommitCtx(ctx, cur, data, expiry))
		for b.Loop() {
			if found, err := st.RenewCtx(ctx, cur, next, data, expiry); err != nil || !found {
				b.Fatal(found, err)
			}
			cur, next = next, cur
		}
	})
}
