package auth_test

// Parallel wrong passwords against one account: every attempt that gets
// past the limiter is counted before its hash runs, so however many run
// at once, at most LockoutAfter of them hash. Counted, not timed: the
// hasher holds every attempt that reaches it until all attempts have
// either reached it or been refused, so without the reservation every one
// of them would hash.

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/store/postgres"
	"github.com/djauth/auth/throttle"
)

// gateHasher is MD5 whose Verify counts itself in entered and then waits
// for gate to close.
type gateHasher struct {
	hashers.MD5
	entered *atomic.Int64
	gate    <-chan struct{}
}

func (h gateHasher) Verify(password, encoded string) (bool, error) {
	h.entered.Add(1)
	<-h.gate
	return h.MD5.Verify(password, encoded)
}

func TestLockoutNoOvershootUnderConcurrency(t *testing.T) {
	t.Parallel()
	stores := map[string]func(t *testing.T) throttle.Store{
		"memory": func(*testing.T) throttle.Store { return throttle.NewMemoryStore() },
		"postgres": func(t *testing.T) throttle.Store {
			pool := pgtest.NewPool(t)
			_, err := postgres.Migrate(context.Background(), pool)
			require.NoError(t, err)
			s, err := postgres.NewThrottleStore(pool)
			require.NoError(t, err)
			return s
		},
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testLockoutNoOvershoot(t, newStore(t))
		})
	}
}

func testLockoutNoOvershoot(t *testing.T, ts throttle.Store) {
	const attempts, lockAfter = 24, 5
	ctx := context.Background()
	var entered atomic.Int64
	gate := make(chan struct{})
	h, err := hashers.NewWithOptions(hashers.Options{MaxConcurrent: attempts, MaxWait: time.Minute},
		gateHasher{entered: &entered, gate: gate})
	require.NoError(t, err)
	// No delays: only the lockout refuses.
	l, err := throttle.New(throttle.Config{Store: ts, Rules: map[string]throttle.Rule{
		throttle.ScopeLogin: {
			Key:     throttle.Policy{FreeFailures: lockAfter, LockoutAfter: lockAfter},
			Address: throttle.Policy{FreeFailures: 1000, LockoutAfter: 1000},
		},
	}})
	require.NoError(t, err)
	store := memory.New[auth.User]()
	a, err := auth.New(auth.Config[auth.User]{
		Store: store, Hashers: h, Limiter: l, SecretKey: testSecret,
		Logger: slog.New(slog.DiscardHandler), AllowedHosts: []string{"127.0.0.1"},
		Sessions: auth.SessionConfig{InsecureCookie: true},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	u := auth.NewUser("alice")
	u.Password, err = hashers.MD5{}.Encode("right", "seasalt")
	require.NoError(t, err)
	require.NoError(t, store.CreateUser(ctx, &u))
	mux := http.NewServeMux()
	a.Routes(mux, "")
	srv := httptest.NewServer(a.Middleware(mux))
	t.Cleanup(srv.Close)

	var answered atomic.Int64
	statuses := make(chan int, attempts)
	var wg sync.WaitGroup
	for range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.PostForm(srv.URL+"/accounts/login/", url.Values{"username": {"alice"}, "password": {"wrong"}})
			answered.Add(1)
			if err != nil {
				statuses <- 0
				return
			}
			_ = resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	// Open the gate once every attempt is either hashing or answered.
	for entered.Load()+answered.Load() < attempts {
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	close(statuses)
	got := map[int]int{}
	for s := range statuses {
		got[s]++
	}
	assert.Equal(t, int64(lockAfter), entered.Load(), "hashes of wrong passwords: exactly the lockout's, however many ran at once")
	assert.Equal(t, map[int]int{http.StatusOK: lockAfter, http.StatusTooManyRequests: attempts - lockAfter}, got)

	// Locked: the right password is refused too, without a hash.
	resp, err := http.PostForm(srv.URL+"/accounts/login/", url.Values{"username": {"alice"}, "password": {"right"}})
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, int64(lockAfter), entered.Load())
}
