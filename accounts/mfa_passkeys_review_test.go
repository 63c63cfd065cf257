package accounts_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/mfa/passkey/passkeytest"
)

// The passkey page keeps the rule of the authenticator app page: the last
// second factor of a user whom the policy covers is not removed, and a
// removal that is allowed sends MFAChanged.
func TestPasskeyRemoveKeepsLastFactorRule(t *testing.T) {
	t.Parallel()
	pol := mfa.NewMemoryPolicyStore()
	require.NoError(t, pol.SetPolicy(t.Context(), mfa.Policy{Everyone: true}))
	clock := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	pe := &passkeyEnv{totp: newFixedCodes("totp"), authn: passkeytest.NewAuthenticator(t, passkeyOrigin, "localhost")}
	pe.now = func() time.Time { return clock }
	p, err := passkey.New(passkey.Config{RPID: "localhost", RPOrigins: []string{passkeyOrigin}, Store: passkey.NewMemoryStore(), Now: pe.now})
	require.NoError(t, err)
	pe.pk = p
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{pe.totp, p}, Policy: pol, Now: pe.now})
	require.NoError(t, err)
	pe.flow = flow
	pe.env = newEnv(t, func(c *envConfig) {
		c.SecondFactor = flow
		c.Sessions = auth.SessionConfig{InsecureCookie: true}
	})
	alice := pe.createUser("alice", "pw")
	c := pe.client()
	c.login("alice", "pw")
	pe.register(t, c, "Only key")
	creds, err := pe.pk.Credentials(t.Context(), alice.ID)
	require.NoError(t, err)
	require.Len(t, creds, 1)
	var mu sync.Mutex
	var changes []string
	t.Cleanup(pe.m.MFAChanged().Connect(func(_ context.Context, ch accounts.MFAChange) {
		mu.Lock()
		changes = append(changes, ch.Action)
		mu.Unlock()
	}))
	resp := c.post("/accounts/mfa/passkeys/", url.Values{"action": {"remove"}, "id": {strconv.FormatInt(creds[0].ID, 10)}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, body(t, resp), accounts.MsgLastFactor)
	left, err := pe.pk.Credentials(t.Context(), alice.ID)
	require.NoError(t, err)
	require.Len(t, left, 1, "the last factor of a covered user stays")

	// With a second factor, the passkey may go, and the removal is told.
	pe.totp.add(alice.ID, "123456")
	resp = c.post("/accounts/mfa/passkeys/", url.Values{"action": {"remove"}, "id": {strconv.FormatInt(creds[0].ID, 10)}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	left, err = pe.pk.Credentials(t.Context(), alice.ID)
	require.NoError(t, err)
	require.Empty(t, left)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{accounts.MFAActionRemoved}, changes)
}

// With the step-up turned off (StepUpMaxAge < 0) the passkey routes have
// no guard; still, a session that never proved the user's TOTP device does
// not become verified by adding a passkey, while a first device verifies.
func TestPasskeyRegisterDoesNotVerifyUnprovenSession(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	pe := &passkeyEnv{totp: newFixedCodes("totp"), authn: passkeytest.NewAuthenticator(t, passkeyOrigin, "localhost")}
	pe.now = func() time.Time { return clock }
	p, err := passkey.New(passkey.Config{RPID: "localhost", RPOrigins: []string{passkeyOrigin}, Store: passkey.NewMemoryStore(), Now: pe.now})
	require.NoError(t, err)
	pe.pk = p
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{pe.totp, p}, Now: pe.now})
	require.NoError(t, err)
	pe.flow = flow
	pe.env = newEnv(t, func(c *envConfig) {
		c.SecondFactor = flow
		c.StepUpMaxAge = -1
		c.Sessions = auth.SessionConfig{InsecureCookie: true}
	})
	alice := pe.createUser("alice", "pw")
	c := pe.client()
	c.login("alice", "pw")
	pe.totp.add(alice.ID, "123456") // a device the session never proved (e.g. a Django password-only session)
	guarded := pe.a.Middleware(flow.MFARequired(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("secret")) })))
	try := func() int {
		req := httptest.NewRequest(http.MethodGet, "/secret/", nil)
		req.Host = "testserver"
		for k, v := range c.cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		rec := httptest.NewRecorder()
		guarded.ServeHTTP(rec, req)
		return rec.Code
	}
	require.Equal(t, http.StatusFound, try(), "unverified: sent to verify")
	pe.register(t, c, "attacker's key")
	require.Equal(t, http.StatusFound, try(), "adding a passkey does not prove the TOTP device")

	bob := pe.createUser("bob", "pw")
	cb := pe.client()
	cb.login("bob", "pw")
	pe.register(t, cb, "first key")
	creds, err := pe.pk.Credentials(t.Context(), bob.ID)
	require.NoError(t, err)
	require.Len(t, creds, 1)
	c = cb
	require.Equal(t, http.StatusOK, try(), "a first device verifies the session that added it")
}
