// Package sessiontest is the conformance suite of auth.SessionIndexer:
// every session store that indexes sessions by user runs it, so that the
// behaviour is written once.
//
//	func TestIndexer(t *testing.T) {
//		sessiontest.Run(t, func(t *testing.T) sessiontest.Store { return newStore(t) })
//	}
package sessiontest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
)

// Store is a session store that indexes by user.
type Store interface {
	auth.SessionIndexer
	scs.Store
}

// Token returns a fresh random token in scs's format (32 random bytes,
// base64url without padding).
func Token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokensOf returns the sorted tokens the store lists for userID.
func tokensOf(t *testing.T, s Store, userID int64) []string {
	t.Helper()
	m, err := s.UserSessionsCtx(t.Context(), userID)
	require.NoError(t, err)
	require.NotNil(t, m, "empty, not nil")
	return slices.Sorted(maps.Keys(m))
}

func sorted(ts ...string) []string {
	out := append([]string{}, ts...)
	slices.Sort(out)
	return out
}

// Run runs the suite; newStore returns a store whose users 1 to 3 and
// 1000 to 1100 have no sessions, for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	hour := func() time.Time { return time.Now().Add(time.Hour) }
	t.Run("ListsByUser", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		a, b, c, anon := Token(), Token(), Token(), Token()
		require.NoError(t, s.CommitUserCtx(ctx, a, 1, []byte("a"), hour()))
		require.NoError(t, s.CommitUserCtx(ctx, b, 1, []byte("b"), hour()))
		require.NoError(t, s.CommitUserCtx(ctx, c, 2, []byte("c"), hour()))
		require.NoError(t, s.CommitUserCtx(ctx, anon, 0, []byte("anon"), hour()))
		require.Equal(t, sorted(a, b), tokensOf(t, s, 1))
		require.Equal(t, []string{c}, tokensOf(t, s, 2))
		require.Empty(t, tokensOf(t, s, 3))
		m, err := s.UserSessionsCtx(ctx, 1)
		require.NoError(t, err)
		require.Equal(t, map[string][]byte{a: []byte("a"), b: []byte("b")}, m)
		_, found, err := s.Find(anon)
		require.NoError(t, err)
		require.True(t, found, "an anonymous session is stored, just not indexed")
	})
	t.Run("DeleteLeavesIndex", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		a, b := Token(), Token()
		require.NoError(t, s.CommitUserCtx(ctx, a, 1, []byte("a"), hour()))
		require.NoError(t, s.CommitUserCtx(ctx, b, 1, []byte("b"), hour()))
		require.NoError(t, s.Delete(a))
		require.Equal(t, []string{b}, tokensOf(t, s, 1))
		require.NoError(t, s.Delete(b))
		require.Empty(t, tokensOf(t, s, 1))
	})
	t.Run("ExpiredIsNotListed", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		past, live := Token(), Token()
		require.NoError(t, s.CommitUserCtx(ctx, past, 1, []byte("x"), time.Now().Add(-time.Second)))
		require.NoError(t, s.CommitUserCtx(ctx, live, 1, []byte("y"), hour()))
		require.Equal(t, []string{live}, tokensOf(t, s, 1))
		// Expiring an indexed session by saving it with a past expiry.
		found, err := s.UpdateUserCtx(ctx, live, 1, []byte("y"), time.Now().Add(-time.Second))
		require.NoError(t, err)
		require.True(t, found)
		require.Empty(t, tokensOf(t, s, 1))
	})
	t.Run("ExpiresWhileIndexed", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		short := Token()
		require.NoError(t, s.CommitUserCtx(ctx, short, 1, []byte("x"), time.Now().Add(1100*time.Millisecond)))
		require.Equal(t, []string{short}, tokensOf(t, s, 1))
		// Real time: the stores compare expiry with their own clock
		// (PostgreSQL's, Redis's). Polled, never a fixed sleep alone.
		require.Eventually(t, func() bool { return len(tokensOf(t, s, 1)) == 0 }, 10*time.Second, 50*time.Millisecond)
	})
	t.Run("UpdateMovesUser", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		a := Token()
		require.NoError(t, s.CommitUserCtx(ctx, a, 0, []byte("anon"), hour()))
		require.Empty(t, tokensOf(t, s, 1))
		found, err := s.UpdateUserCtx(ctx, a, 1, []byte("alice"), hour())
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, []string{a}, tokensOf(t, s, 1))
		found, err = s.UpdateUserCtx(ctx, Token(), 1, []byte("ghost"), hour())
		require.NoError(t, err)
		require.False(t, found, "update never creates")
		require.Equal(t, []string{a}, tokensOf(t, s, 1), "an update of a missing session indexes nothing")
	})
	t.Run("RenewMovesToken", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		old, next := Token(), Token()
		require.NoError(t, s.CommitUserCtx(ctx, old, 1, []byte("v1"), hour()))
		found, err := s.RenewUserCtx(ctx, old, next, 1, []byte("v2"), hour())
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, []string{next}, tokensOf(t, s, 1))
		found, err = s.RenewUserCtx(ctx, old, Token(), 1, []byte("v3"), hour())
		require.NoError(t, err)
		require.False(t, found, "the old token is gone")
		require.Equal(t, []string{next}, tokensOf(t, s, 1))
	})
	t.Run("ConcurrentExact", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		const workers, rounds = 8, 25
		want := make([][]string, workers)
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				user := int64(1000 + w%4)
				for r := range rounds {
					tok := Token()
					if err := s.CommitUserCtx(ctx, tok, user, []byte("d"), hour()); err != nil {
						errs <- err
						return
					}
					switch r % 4 {
					case 0: // logout
						if err := s.Delete(tok); err != nil {
							errs <- err
							return
						}
					case 1: // renewal
						next := Token()
						found, err := s.RenewUserCtx(ctx, tok, next, user, []byte("d"), hour())
						if err != nil || !found {
							errs <- fmt.Errorf("renew: found %v, %v", found, err)
							return
						}
						want[w] = append(want[w], next)
					case 2: // expires
						if _, err := s.UpdateUserCtx(ctx, tok, user, []byte("d"), time.Now().Add(-time.Second)); err != nil {
							errs <- err
							return
						}
					default:
						want[w] = append(want[w], tok)
					}
					// Readers prune while writers write.
					if _, err := s.UserSessionsCtx(ctx, user); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		for u := range 4 {
			var exp []string
			for w := range workers {
				if w%4 == u {
					exp = append(exp, want[w]...)
				}
			}
			require.Equal(t, sorted(exp...), tokensOf(t, s, int64(1000+u)), "user %d", 1000+u)
		}
	})
}
