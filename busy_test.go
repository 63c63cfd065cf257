package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
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

// With every hashing slot held, a login waits MaxWait, then gets 503 with
// Retry-After and a short page, not a 500 and not "wrong password"; the
// hasher never runs for it and UserLoginFailed is not sent. Once a slot is
// free the same login succeeds. (Real time, not synctest: auth.New's scs
// session manager starts a goroutine that would never leave the bubble.)
func TestLoginBusy(t *testing.T) {
	t.Parallel()
	const wait = 50 * time.Millisecond
	g := gatedHasher{runs: new(atomic.Int64), gate: make(chan struct{})}
	reg, err := hashers.NewWithOptions(hashers.Options{MaxConcurrent: 2, MaxWait: wait}, g)
	require.NoError(t, err)
	e := newEnv(t, func(cfg *auth.Config[auth.User], e *env[auth.User]) {
		e.hashers = reg
		cfg.Hashers = reg
	})
	u := auth.NewUser("alice")
	u.Password, err = hashers.MD5{}.Encode("s3cret", hashers.NewSalt())
	require.NoError(t, err)
	require.NoError(t, e.store.CreateUser(t.Context(), &u))
	var failed atomic.Int64
	e.a.Signals().UserLoginFailed.Connect(func(context.Context, auth.LoginFailed) { failed.Add(1) })
	mux := http.NewServeMux()
	e.a.Routes(mux, "")
	c := newClient(t, e.a.Middleware(mux))

	// Two runs that hold both slots until the gate closes.
	var holders sync.WaitGroup
	for range 2 {
		holders.Go(func() { _ = reg.RunDummy(t.Context(), "x") })
	}
	defer holders.Wait()
	require.Eventually(t, func() bool { return g.runs.Load() == 2 }, 10*time.Second, time.Millisecond)
	for _, name := range []string{"alice", "nobody"} {
		start := time.Now()
		resp := c.login(name, "s3cret")
		assert.GreaterOrEqual(t, time.Since(start), wait, name)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, name)
		assert.Equal(t, "1", resp.Header.Get("Retry-After"), name)
		assert.Contains(t, readBody(t, resp), "try again in 1 second.", name)
		assert.Empty(t, c.session(), "no session for %s", name)
	}
	assert.EqualValues(t, 2, g.runs.Load(), "the hasher never ran for a busy login")
	assert.Zero(t, failed.Load(), "a login that was not checked is not a failed login")

	close(g.gate)
	holders.Wait()
	resp := c.login("alice", "s3cret")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.EqualValues(t, 3, g.runs.Load())
}

// ServeBusy's Retry-After is the registry's MaxWait rounded up to whole
// seconds.
func TestServeBusyRetryAfter(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		wait time.Duration
		want string
	}{
		{0, "5"}, // hashers.DefaultMaxWait
		{time.Second, "1"},
		{2500 * time.Millisecond, "3"},
		{time.Millisecond, "1"},
	} {
		reg, err := hashers.NewWithOptions(hashers.Options{MaxWait: c.wait}, hashers.MD5{})
		require.NoError(t, err)
		e := newEnv(t, func(cfg *auth.Config[auth.User], e *env[auth.User]) { cfg.Hashers = reg })
		rec := httptest.NewRecorder()
		e.a.ServeBusy(rec, httptest.NewRequest(http.MethodPost, "/accounts/login/", nil))
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code, c.wait)
		assert.Equal(t, c.want, rec.Header().Get("Retry-After"), c.wait)
		assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	}
}
