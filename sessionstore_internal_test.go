package auth

import (
	"sync"
	"testing"
	"time"
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
