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
	RunWith(t, newStore, Options{})
}

// RunWith is Run for a store whose data has a form of its own (o) or
// whose keys are not scs's tokens (auth.SessionKeyer: each token is
// mapped, as the Auth's guarded store maps it).
func RunWith(t *testing.T, newStore func(t *testing.T) Store, o Options) {
	hour := func() time.Time { return time.Now().Add(time.Hour) }
	p := o.payload
	t.Run("ListsByUser", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		a, b, c, anon := key(s, Token()), key(s, Token()), key(s, Token()), key(s, Token())
		require.NoError(t, s.CommitUserCtx(ctx, a, 1, p("a"), hour()))
		require.NoError(t, s.CommitUserCtx(ctx, b, 1, p("b"), hour()))
		require.NoError(t, s.CommitUserCtx(ctx, c, 2, p("c"), hour()))
		require.NoError(t, s.CommitUserCtx(ctx, anon, 0, p("anon"), hour()))
		require.Equal(t, sorted(a, b), tokensOf(t, s, 1))
		require.Equal(t, []string{c}, tokensOf(t, s, 2))
		require.Empty(t, tokensOf(t, s, 3))
		m, err := s.UserSessionsCtx(ctx, 1)
		require.NoError(t, err)
		require.Len(t, m, 2)
		require.Equal(t, "a", o.data(m[a]))
		require.Equal(t, "b", o.data(m[b]))
		_, found, err := s.Find(anon)
		require.NoError(t, err)
		require.True(t, found, "an anonymous session is stored, just not indexed")
	})
	t.Run("DeleteLeavesIndex", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		a, b := key(s, Token()), key(s, Token())
		require.NoError(t, s.CommitUserCtx(ctx, a, 1, p("a"), hour()))
		require.NoError(t, s.CommitUserCtx(ctx, b, 1, p("b"), hour()))
		require.NoError(t, s.Delete(a))
		require.Equal(t, []string{b}, tokensOf(t, s, 1))
		require.NoError(t, s.Delete(b))
		require.Empty(t, tokensOf(t, s, 1))
	})
	t.Run("ExpiredIsNotListed", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		past, live := key(s, Token()), key(s, Token())
		require.NoError(t, s.CommitUserCtx(ctx, past, 1, p("x"), time.Now().Add(-time.Second)))
		require.NoError(t, s.CommitUserCtx(ctx, live, 1, p("y"), hour()))
		require.Equal(t, []string{live}, tokensOf(t, s, 1))
		// Expiring an indexed session by saving it with a past expiry.
		found, err := s.UpdateUserCtx(ctx, live, 1, p("y"), time.Now().Add(-time.Second))
		require.NoError(t, err)
		require.True(t, found)
		require.Empty(t, tokensOf(t, s, 1))
	})
	t.Run("ExpiresWhileIndexed", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		short := key(s, Token())
		require.NoError(t, s.CommitUserCtx(ctx, short, 1, p("x"), time.Now().Add(1100*time.Millisecond)))
		require.Equal(t, []string{short}, tokensOf(t, s, 1))
		// Real time: the stores compare expiry with their own clock
		// (PostgreSQL's, Redis's). Polled, never a fixed sleep alone.
		require.Eventually(t, func() bool { return len(tokensOf(t, s, 1)) == 0 }, 10*time.Second, 50*time.Millisecond)
	})
	t.Run("UpdateMovesUser", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		a := key(s, Token())
		require.NoError(t, s.CommitUserCtx(ctx, a, 0, p("anon"), hour()))
		require.Empty(t, tokensOf(t, s, 1))
		found, err := s.UpdateUserCtx(ctx, a, 1, p("alice"), hour())
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, []string{a}, tokensOf(t, s, 1))
		found, err = s.UpdateUserCtx(ctx, key(s, Token()), 1, p("ghost"), hour())
		require.NoError(t, err)
		require.False(t, found, "update never creates")
		require.Equal(t, []string{a}, tokensOf(t, s, 1), "an update of a missing session indexes nothing")
	})
	t.Run("RenewMovesToken", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx := t.Context()
		old, next := key(s, Token()), key(s, Token())
		require.NoError(t, s.CommitUserCtx(ctx, old, 1, p("v1"), hour()))
		found, err := s.RenewUserCtx(ctx, old, next, 1, p("v2"), hour())
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, []string{next}, tokensOf(t, s, 1))
		found, err = s.RenewUserCtx(ctx, old, key(s, Token()), 1, p("v3"), hour())
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
					tok := key(s, Token())
					if err := s.CommitUserCtx(ctx, tok, user, p("d"), hour()); err != nil {
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
						next := key(s, Token())
						found, err := s.RenewUserCtx(ctx, tok, next, user, p("d"), hour())
						if err != nil || !found {
							errs <- fmt.Errorf("renew: found %v, %v", found, err)
							return
						}
						want[w] = append(want[w], next)
					case 2: // expires
						if _, err := s.UpdateUserCtx(ctx, tok, user, p("d"), time.Now().Add(-time.Second)); err != nil {
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
