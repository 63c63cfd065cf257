package accounts_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/throttle"
)

// Parallel wrong old passwords on the password change page of one
// session: every attempt that gets past the limiter is counted before its
// hash runs, so however many run at once, at most LockoutAfter of them
// hash. Counted, not timed: the hasher holds every attempt that reaches it
// until all attempts have either reached it or been refused, so without
// the reservation every one of them would hash.
func TestPasswordChangeNoOvershootUnderConcurrency(t *testing.T) {
	t.Parallel()
	const attempts, lockAfter = 24, 5
	runs := new(atomic.Int64)
	g := gatedHasher{runs: runs, gated: new(atomic.Bool), gate: make(chan struct{})}
	reg, err := hashers.NewWithOptions(hashers.Options{MaxConcurrent: attempts, MaxWait: time.Minute}, g)
	require.NoError(t, err)
	// No delays: only the lockout refuses.
	l, err := throttle.New(throttle.Config{Store: throttle.NewMemoryStore(), Rules: map[string]throttle.Rule{
		throttle.ScopePasswordChange: {
			Key:     throttle.Policy{FreeFailures: lockAfter, LockoutAfter: lockAfter},
			Address: throttle.Policy{FreeFailures: 1000, LockoutAfter: 1000},
		},
	}})
	require.NoError(t, err)
	e := newEnvHashers(t, reg, func(c *envConfig) { c.Limiter = l })
	e.createUser("testclient", "password")
	c := e.client()
	c.login("testclient", "password")
	cookie := c.cookies["sessionid"]
	require.NotEmpty(t, cookie)

	g.gated.Store(true)
	before := runs.Load()
	var refused atomic.Int64
	codes := make(chan int, attempts)
	var wg sync.WaitGroup
	for range attempts {
		wg.Go(func() {
			form := url.Values{"old_password": {"wrong"}, "new_password1": {"horse-battery"}, "new_password2": {"horse-battery"}}
			req := httptest.NewRequest(http.MethodPost, "/accounts/password_change/", strings.NewReader(form.Encode()))
			req.Host = "testserver"
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "sessionid", Value: cookie})
			rec := httptest.NewRecorder()
			e.handler.ServeHTTP(rec, req)
			if rec.Code == http.StatusTooManyRequests {
				refused.Add(1)
			}
			codes <- rec.Code
		})
	}
	require.Eventually(t, func() bool { return runs.Load()-before+refused.Load() == attempts },
		30*time.Second, time.Millisecond, "every attempt hashes or is refused")
	g.gated.Store(false)
	close(g.gate)
	wg.Wait()
	close(codes)
	n := map[int]int{}
	for code := range codes {
		n[code]++
	}
	require.Equal(t, int64(lockAfter), runs.Load()-before, "hashes: %v", n)
	require.Equal(t, map[int]int{http.StatusOK: lockAfter, http.StatusTooManyRequests: attempts - lockAfter}, n)
}
