package auth

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/stretchr/testify/require"
)

// TestMemSessionStoreExpiry: expired sessions are not found and are swept;
// Close stops the sweeper and may be called twice.
func TestMemSessionStoreExpiry(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Unix(1000, 0)
	m := newMemSessionStore(time.Millisecond, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	if err := m.Commit("a", []byte("x"), time.Unix(1010, 0)); err != nil {
		t.Fatal(err)
	}
	if err := m.Commit("b", []byte("y"), time.Unix(2000, 0)); err != nil {
		t.Fatal(err)
	}
	if b, ok, _ := m.Find("a"); !ok || string(b) != "x" {
		t.Fatalf("Find(a) = %q, %v before expiry", b, ok)
	}
	mu.Lock()
	now = time.Unix(1010, 0)
	mu.Unlock()
	if _, ok, _ := m.Find("a"); ok {
		t.Fatal("an expired session was found")
	}
	deadline := time.Now().Add(5 * time.Second)
	for m.len() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("expired session not swept: %d sessions", m.len())
		}
		time.Sleep(time.Millisecond)
	}
	if _, ok, _ := m.Find("b"); !ok {
		t.Fatal("a live session was swept")
	}
	if err := m.Delete("b"); err != nil || m.len() != 0 {
		t.Fatalf("Delete: %v, %d left", err, m.len())
	}
	m.Close()
	m.Close()
}

// TestMemSessionStoreUpdateCtx: UpdateCtx writes a live session and leaves
// unknown and expired ones alone.
func TestMemSessionStoreUpdateCtx(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Unix(1000, 0)
	m := newMemSessionStore(time.Hour, func() time.Time { return now })
	t.Cleanup(m.Close)
	if err := m.Commit("live", []byte("a"), time.Unix(2000, 0)); err != nil {
		t.Fatal(err)
	}
	if err := m.Commit("expired", []byte("a"), time.Unix(1000, 0)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		token string
		found bool
	}{{"live", true}, {"missing", false}, {"expired", false}} {
		t.Run(tc.token, func(t *testing.T) {
			found, err := m.UpdateCtx(ctx, tc.token, []byte("b"), time.Unix(3000, 0))
			if err != nil || found != tc.found {
				t.Fatalf("UpdateCtx = %v, %v; want %v, nil", found, err, tc.found)
			}
		})
	}
	if b, ok, _ := m.Find("live"); !ok || string(b) != "b" {
		t.Fatalf("live session after update: %q, %v", b, ok)
	}
	if _, ok := m.items["missing"]; ok {
		t.Fatal("UpdateCtx created a session")
	}
	if it := m.items["expired"]; string(it.data) != "a" {
		t.Fatalf("UpdateCtx wrote an expired session: %q", it.data)
	}
}

// TestMemSessionStoreRenewCtx: RenewCtx moves a live session to its new
// token and leaves unknown and expired ones alone.
func TestMemSessionStoreRenewCtx(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Unix(1000, 0)
	m := newMemSessionStore(time.Hour, func() time.Time { return now })
	t.Cleanup(m.Close)
	if err := m.Commit("live", []byte("a"), time.Unix(2000, 0)); err != nil {
		t.Fatal(err)
	}
	if err := m.Commit("expired", []byte("a"), time.Unix(1000, 0)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		old   string
		found bool
	}{{"live", true}, {"missing", false}, {"expired", false}, {"live", false}} {
		found, err := m.RenewCtx(ctx, tc.old, "new-"+tc.old, []byte("b"), time.Unix(3000, 0))
		if err != nil || found != tc.found {
			t.Fatalf("RenewCtx(%q) = %v, %v; want %v, nil", tc.old, found, err, tc.found)
		}
	}
	if b, ok, _ := m.Find("new-live"); !ok || string(b) != "b" {
		t.Fatalf("renewed session: %q, %v", b, ok)
	}
	if _, ok, _ := m.Find("live"); ok {
		t.Fatal("the old token survived the renewal")
	}
	if _, ok := m.items["new-missing"]; ok {
		t.Fatal("RenewCtx created a session from nothing")
	}
	if _, ok := m.items["new-expired"]; ok {
		t.Fatal("RenewCtx revived an expired session")
	}
}

// plainStore is an scs.Store with no optional ability.
type plainStore struct{ m map[string][]byte }

func (p *plainStore) Find(token string) ([]byte, bool, error) {
	b, ok := p.m[token]
	return b, ok, nil
}

func (p *plainStore) Commit(token string, b []byte, _ time.Time) error {
	p.m[token] = b
	return nil
}

func (p *plainStore) Delete(token string) error {
	delete(p.m, token)
	return nil
}

// TestGuardedSessionStore: the guard forwards every call, saves a marked
// commit only over an existing session (with UpdateCtx or with a lookup
// first), and is not wrapped twice.
func TestGuardedSessionStore(t *testing.T) {
	t.Parallel()
	future := time.Now().Add(time.Hour)
	mem := func(t *testing.T) scs.Store {
		m := newMemSessionStore(time.Hour, nil)
		t.Cleanup(m.Close)
		return m
	}
	plain := func(*testing.T) scs.Store { return &plainStore{m: map[string][]byte{}} }
	for _, tc := range []struct {
		name     string
		store    func(*testing.T) scs.Store
		iterable bool
	}{
		{"with UpdateCtx", mem, false},
		{"lookup then commit", plain, false},
		{"scs memstore", func(*testing.T) scs.Store { return memstore.NewWithCleanupInterval(0) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			inner := tc.store(t)
			g := guardSessionStore(inner)
			require.Same(t, g, guardSessionStore(g), "no double wrap")
			require.Same(t, inner, g.(*guardedSessionStore).Unwrap())
			cs := g.(scs.CtxStore)

			require.NoError(t, cs.CommitCtx(ctx, "t1", []byte("one"), future))
			b, found, err := inner.Find("t1")
			require.NoError(t, err)
			require.True(t, found)
			require.Equal(t, "one", string(b))

			marked := withUpdateOnly(ctx)
			require.NoError(t, cs.CommitCtx(marked, "t1", []byte("two"), future))
			b, _, err = cs.FindCtx(ctx, "t1")
			require.NoError(t, err)
			require.Equal(t, "two", string(b))

			err = cs.CommitCtx(marked, "gone", []byte("x"), future)
			require.ErrorIs(t, err, errSessionGone)
			_, found, err = inner.Find("gone")
			require.NoError(t, err)
			require.False(t, found, "an update-only save must not create the session")

			require.NoError(t, g.Commit("t2", []byte("three"), future))
			b, found, err = g.Find("t2")
			require.NoError(t, err)
			require.True(t, found)
			require.Equal(t, "three", string(b))

			all, err := g.(scs.IterableCtxStore).AllCtx(ctx)
			if tc.iterable {
				require.NoError(t, err)
				require.Len(t, all, 2)
			} else {
				require.ErrorContains(t, err, "does not support iteration")
			}

			require.NoError(t, cs.DeleteCtx(ctx, "t1"))
			require.NoError(t, g.Delete("t2"))
			for _, tok := range []string{"t1", "t2"} {
				_, found, err = inner.Find(tok)
				require.NoError(t, err)
				require.False(t, found, tok)
			}
		})
	}
}

// TestGuardRefusesMalformedTokens (from the security review): a cookie
// value scs could not have made never reaches the store, so a store's
// other keys (the Redis user index "user:<id>") cannot be probed through
// the session cookie.
func TestGuardRefusesMalformedTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner := &plainStore{m: map[string][]byte{
		"user:7": []byte("not a session"), "a b": []byte("x"), "ok_Token-1": []byte("session"),
	}}
	g := guardSessionStore(inner).(*guardedSessionStore)
	for _, token := range []string{"user:7", "a b", "", strings.Repeat("a", 129), "ké"} {
		b, found, err := g.FindCtx(ctx, token)
		if err != nil || found || b != nil {
			t.Errorf("FindCtx(%q) = %q, %v, %v; want not found", token, b, found, err)
		}
	}
	if b, found, err := g.FindCtx(ctx, "ok_Token-1"); err != nil || !found || string(b) != "session" {
		t.Errorf("a well-formed token is looked up: %q, %v, %v", b, found, err)
	}
}
