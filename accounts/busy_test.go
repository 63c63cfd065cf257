package accounts_test

import (
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/validation"
)

// gatedHasher is MD5 whose every run counts and, while gated is set, waits
// on gate, so a test can hold the registry's hashing slots.
type gatedHasher struct {
	hashers.MD5
	runs  *atomic.Int64
	gated *atomic.Bool
	gate  chan struct{}
}

func (h gatedHasher) wait() {
	h.runs.Add(1)
	if h.gated.Load() {
		<-h.gate
	}
}

func (h gatedHasher) Encode(p, s string) (string, error) { h.wait(); return h.MD5.Encode(p, s) }
func (h gatedHasher) Verify(p, e string) (bool, error)   { h.wait(); return h.MD5.Verify(p, e) }

// busyEnv is an env whose single hashing slot can be held: hold starts a
// run that keeps the slot until the returned release is called.
func busyEnv(t *testing.T, opts ...option) (e *env, g gatedHasher, hold func() (release func())) {
	g = gatedHasher{runs: new(atomic.Int64), gated: new(atomic.Bool), gate: make(chan struct{})}
	reg, err := hashers.NewWithOptions(hashers.Options{MaxConcurrent: 1, MaxWait: 50 * time.Millisecond}, g)
	require.NoError(t, err)
	e = newEnvHashers(t, reg, opts...)
	hold = func() func() {
		g.gated.Store(true)
		before := g.runs.Load()
		var wg sync.WaitGroup
		wg.Go(func() { _ = reg.RunDummy(t.Context(), "x") })
		require.Eventually(t, func() bool { return g.runs.Load() == before+1 }, 10*time.Second, time.Millisecond)
		return func() {
			g.gated.Store(false)
			close(g.gate)
			wg.Wait()
		}
	}
	return e, g, hold
}

// holdingValidator calls onValidate, when set, from Validate.
type holdingValidator struct{ onValidate func() }

func (v *holdingValidator) Validate(string, *auth.User) error {
	if v.onValidate != nil {
		v.onValidate()
	}
	return nil
}

func (v *holdingValidator) HelpText() string { return "" }

// A password change or reset that finds no hashing slot within MaxWait
// answers 503 with Retry-After, not "old password incorrect" and not a 500,
// and changes nothing.
func TestPasswordPagesBusy(t *testing.T) {
	t.Parallel()
	form := url.Values{"new_password1": {"Another-pass-88"}, "new_password2": {"Another-pass-88"}}
	assertBusy := func(t *testing.T, resp *http.Response) {
		t.Helper()
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Equal(t, "1", resp.Header.Get("Retry-After"))
		assert.Contains(t, body(t, resp), "try again in 1 second.")
	}
	t.Run("change: checking the old password", func(t *testing.T) {
		t.Parallel()
		e, g, hold := busyEnv(t)
		u := e.createUser("alice", "old-pass")
		c := e.client()
		c.login("alice", "old-pass")
		release := hold()
		runs := g.runs.Load()
		f := url.Values{"old_password": {"old-pass"}}
		for k, v := range form {
			f[k] = v
		}
		assertBusy(t, c.post("/accounts/password_change/", f))
		assert.Equal(t, runs, g.runs.Load(), "the hasher did not run for the busy request")
		release()
		assert.True(t, e.checkPassword(u.ID, "old-pass"))
	})
	t.Run("change: hashing the new password", func(t *testing.T) {
		t.Parallel()
		// The old password is checked; then a validator, which runs in
		// between, takes the slot before the new password is hashed.
		v := &holdingValidator{}
		e, _, hold := busyEnv(t, func(c *envConfig) { c.PasswordValidators = []validation.Validator{v} })
		u := e.createUser("alice", "old-pass")
		c := e.client()
		c.login("alice", "old-pass")
		var release func()
		v.onValidate = func() { release = hold() }
		f := url.Values{"old_password": {"old-pass"}}
		for k, v := range form {
			f[k] = v
		}
		assertBusy(t, c.post("/accounts/password_change/", f))
		release()
		assert.True(t, e.checkPassword(u.ID, "old-pass"))
	})
	t.Run("reset: hashing the new password", func(t *testing.T) {
		t.Parallel()
		e, _, hold := busyEnv(t)
		u := e.createUser("alice", "old-pass")
		c := e.client()
		link := e.resetLink(c, "alice@example.com")
		resp := c.get(link)
		require.Equal(t, http.StatusFound, resp.StatusCode)
		setPath := resp.Header.Get("Location")
		release := hold()
		assertBusy(t, c.post(setPath, form))
		release()
		assert.True(t, e.checkPassword(u.ID, "old-pass"))
		resp = c.post(setPath, form)
		assert.Equal(t, http.StatusFound, resp.StatusCode, "the link still works once a slot is free")
		assert.True(t, e.checkPassword(u.ID, "Another-pass-88"))
	})
}
