package accounts_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
)

// resetFor posts a reset request for email and checks the usual answer.
func (e *env) resetFor(email string) {
	e.t.Helper()
	resp := e.client().post("/accounts/password_reset/", url.Values{"email": {email}})
	require.Equal(e.t, http.StatusFound, resp.StatusCode)
	require.Equal(e.t, "/accounts/password_reset/done/", resp.Header.Get("Location"))
}

// TestMailQueueFull: with one worker busy and the queue full, a further
// mail is dropped and logged without the address or the link, and the
// request still gets the usual answer.
func TestMailQueueFull(t *testing.T) {
	t.Parallel()
	gate := newGateSender(nil)
	e := newEnv(t, func(c *envConfig) { c.Mailer, c.MailWorkers, c.MailQueueSize = gate, 1, 1 })
	for _, name := range []string{"ann", "bob", "cyd"} {
		e.createUser(name, "password")
	}
	e.resetFor("ann@example.com")
	gate.waitStarted(t, 1) // the worker is busy with ann's mail
	e.resetFor("bob@example.com")
	e.resetFor("cyd@example.com")
	logs := e.logs.String()
	assert.Contains(t, logs, "mail dropped")
	assert.Contains(t, logs, "user_id=3")
	assert.NotContains(t, logs, "cyd@example.com")
	assert.NotContains(t, logs, "/reset/")

	close(gate.release)
	e.settle()
	var to []string
	for _, m := range gate.outbox.Messages() {
		to = append(to, m.To...)
	}
	assert.Equal(t, []string{"ann@example.com", "bob@example.com"}, to)
	assert.Equal(t, int64(2), gate.calls.Load())
}

// TestManagerClose: Close sends the queued mails first; it gives up after
// MailDrainTimeout, cancelling the send in progress; a reset request after
// Close is answered as usual and its mail dropped; Close is idempotent.
func TestManagerClose(t *testing.T) {
	t.Parallel()
	t.Run("drains the queue", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(c *envConfig) { c.MailWorkers = 1 })
		for _, name := range []string{"ann", "bob", "cyd"} {
			e.createUser(name, "password")
			e.resetFor(name + "@example.com")
		}
		require.NoError(t, e.m.Close())
		assert.Equal(t, 3, e.outbox.Len())
		require.NoError(t, e.m.Close(), "a second Close")
	})
	t.Run("gives up after MailDrainTimeout", func(t *testing.T) {
		t.Parallel()
		gate := newGateSender(nil) // never released
		e := newEnv(t, func(c *envConfig) {
			c.Mailer, c.MailWorkers, c.MailDrainTimeout = gate, 1, 20*time.Millisecond
		})
		e.createUser("ann", "password")
		e.createUser("bob", "password")
		e.resetFor("ann@example.com")
		e.resetFor("bob@example.com")
		gate.waitStarted(t, 1)
		err := e.m.Close()
		require.ErrorIs(t, err, accounts.ErrMailNotDrained)
		assert.Equal(t, err, e.m.Close(), "a second Close returns the first result")
		assert.Equal(t, 0, gate.outbox.Len())
		// The send in progress sees its context cancelled and bob's
		// queued mail is skipped, not sent.
		require.Eventually(t, func() bool {
			return containsAll(e.logs.String(), "send mail", "context canceled")
		}, 10*time.Second, time.Millisecond)
		assert.Equal(t, int64(1), gate.calls.Load())
	})
	t.Run("requests after Close", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.createUser("ann", "password")
		require.NoError(t, e.m.Close())
		e.resetFor("ann@example.com")
		assert.Equal(t, 0, e.outbox.Len())
		logs := e.logs.String()
		assert.Contains(t, logs, "mail dropped")
		assert.NotContains(t, logs, "ann@example.com")
	})
	t.Run("without a Mailer", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(c *envConfig) { c.Mailer = nil })
		require.NoError(t, e.m.Close())
		require.NoError(t, e.m.Close())
	})
}

// TestMailSendTimeout: a Mailer that hangs has its context ended after
// MailSendTimeout, so that it cannot hold a worker forever.
func TestMailSendTimeout(t *testing.T) {
	t.Parallel()
	gate := newGateSender(nil) // never released
	e := newEnv(t, func(c *envConfig) { c.Mailer, c.MailSendTimeout = gate, 10*time.Millisecond })
	e.createUser("ann", "password")
	e.resetFor("ann@example.com")
	e.settle()
	assert.Equal(t, int64(1), gate.calls.Load())
	assert.Contains(t, e.logs.String(), "deadline exceeded")
	assert.Equal(t, 0, gate.outbox.Len())
}

// TestMailQueueConfig: negative queue settings are configuration errors.
func TestMailQueueConfig(t *testing.T) {
	t.Parallel()
	a := newEnv(t).a
	for name, edit := range map[string]func(*accounts.Config){
		"MailWorkers":      func(c *accounts.Config) { c.MailWorkers = -1 },
		"MailQueueSize":    func(c *accounts.Config) { c.MailQueueSize = -1 },
		"MailSendTimeout":  func(c *accounts.Config) { c.MailSendTimeout = -time.Second },
		"MailDrainTimeout": func(c *accounts.Config) { c.MailDrainTimeout = -time.Second },
	} {
		cfg := accounts.Config{Mailer: newGateSender(nil)}
		edit(&cfg)
		m, err := accounts.New(a, cfg)
		assert.ErrorIs(t, err, auth.ErrConfig, name)
		assert.ErrorContains(t, err, name)
		assert.Nil(t, m, name)
	}
}

// containsAll reports whether s contains every one of subs.
func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
