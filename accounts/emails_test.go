package accounts_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/emails"
)

// withEmails gives the env an emails.Manager over a memory store that
// keeps the user's email column in step with the primary address, and
// returns a pointer to its store, set once the env is built.
func withEmails(t *testing.T, gate bool) (option, **emails.MemoryStore) {
	var s *emails.MemoryStore
	return func(c *envConfig) {
		s = emails.NewMemoryStore(true, nil)
		m, err := emails.NewManager(emails.Config{Store: s, SecretKey: testSecret})
		require.NoError(t, err)
		c.Emails = m
		if gate {
			c.LoginGate = &emails.Gate[auth.User]{Manager: m, URL: "/verify-first/"}
		}
	}, &s
}

// TestPasswordResetOnlyToVerifiedAddresses: with Config.Emails, a reset
// mail goes to a verified address of the user, never to an unverified one
// nor to the user table's email column alone; the answer is the same.
func TestPasswordResetOnlyToVerifiedAddresses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opt, store := withEmails(t, false)
	e := newEnv(t, opt)
	ann := e.createUser("ann", "password", mailTo("ann@example.com"))
	bob := e.createUser("bob", "password", mailTo("bob@example.com"))
	a, _, err := (*store).AddAddress(ctx, ann.ID, "Ann@Example.com")
	require.NoError(t, err)
	_, err = (*store).VerifyAddress(ctx, a.ID)
	require.NoError(t, err)
	_, _, err = (*store).AddAddress(ctx, bob.ID, "bob@example.com") // unverified
	require.NoError(t, err)

	c := e.client()
	for _, addr := range []string{"bob@example.com", "ann@example.com"} {
		resp := c.post("/accounts/password_reset/", url.Values{"email": {addr}})
		assert.Equal(t, http.StatusFound, resp.StatusCode, addr)
		assert.Equal(t, "/accounts/password_reset/done/", resp.Header.Get("Location"), "the same answer for %s", addr)
	}
	e.settle()
	msgs := e.outbox.Messages()
	require.Len(t, msgs, 1, "the unverified address gets nothing")
	assert.Equal(t, []string{"Ann@Example.com"}, msgs[0].To, "the verified address, as stored")
	assert.Contains(t, msgs[0].Text, "forgotten: ann\n")
}

// TestLoginGateOnLoginPage: with the emails.Gate, the login page refuses
// an unverified user (the right password) and sends the browser to the
// gate's page; nobody is logged in. Once verified, the login works.
func TestLoginGateOnLoginPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opt, store := withEmails(t, true)
	e := newEnv(t, opt)
	u := e.createUser("ann", "password")
	a, _, err := (*store).AddAddress(ctx, u.ID, "ann@example.com")
	require.NoError(t, err)

	c := e.client()
	resp := c.post("/accounts/login/", url.Values{"username": {"ann"}, "password": {"password"}})
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/verify-first/", resp.Header.Get("Location"))
	assert.Equal(t, "AnonymousUser", c.whoami())
	assert.Nil(t, e.reload(u.ID).LastLogin, "no login happened")

	_, err = (*store).VerifyAddress(ctx, a.ID)
	require.NoError(t, err)
	resp = c.post("/accounts/login/", url.Values{"username": {"ann"}, "password": {"password"}})
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.NotEqual(t, "/verify-first/", resp.Header.Get("Location"))
	assert.Equal(t, "ann", c.whoami())
}
