package accounts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/mfa/passkey/passkeytest"
	"github.com/djauth/auth/throttle"
)

const passkeyOrigin = "http://localhost:8000"

type passkeyEnv struct {
	*env
	flow    *mfa.Flow[auth.User]
	totp    *fixedCodes
	pk      *passkey.Passkeys
	authn   *passkeytest.Authenticator
	now     func() time.Time
	advance func(time.Duration)
	mu      sync.Mutex
	logins  []auth.LoggedIn[auth.User]
}

func newPasskeyEnv(t *testing.T, limiter auth.Limiter) *passkeyEnv {
	t.Helper()
	var mu sync.Mutex
	clock := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	pe := &passkeyEnv{totp: newFixedCodes("totp"), authn: passkeytest.NewAuthenticator(t, passkeyOrigin, "localhost")}
	pe.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	pe.advance = func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	// The Flow binds the Passkeys to the Auth's sessions in auth.New,
	// and accounts finds it among the Flow's factors.
	p, err := passkey.New(passkey.Config{RPID: "localhost", RPOrigins: []string{passkeyOrigin},
		Store: passkey.NewMemoryStore(), Now: pe.now})
	require.NoError(t, err)
	pe.pk = p
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{pe.totp, p}, Now: pe.now})
	require.NoError(t, err)
	pe.flow = flow
	pe.env = newEnv(t, func(c *envConfig) {
		c.SecondFactor = flow
		c.Limiter = limiter
		c.Sessions = auth.SessionConfig{InsecureCookie: true}
	})
	t.Cleanup(pe.a.Signals().UserLoggedIn.Connect(func(_ context.Context, l auth.LoggedIn[auth.User]) {
		pe.mu.Lock()
		pe.logins = append(pe.logins, l)
		pe.mu.Unlock()
	}))
	return pe
}

// postJSON posts v as JSON with c's cookies and decodes the answer into
// out (when not nil).
func postJSON(t *testing.T, c *client, target string, v any, out any) *http.Response {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(b))
	req.Host = "testserver"
	req.Header.Set("Content-Type", "application/json")
	resp := c.send(req)
	if out != nil && resp.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp
}

// register adds a passkey for c's logged-in user through the JSON routes.
func (pe *passkeyEnv) register(t *testing.T, c *client, name string) *passkeytest.Cred {
	t.Helper()
	var opts protocol.CredentialCreation
	resp := postJSON(t, c, "/accounts/passkey/register/begin", map[string]any{}, &opts)
	require.Equal(t, http.StatusOK, resp.StatusCode, body(t, resp))
	cred, sc := pe.authn.Create(&opts)
	resp = postJSON(t, c, "/accounts/passkey/register/finish", map[string]any{"name": name, "credential": json.RawMessage(cred)}, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body(t, resp))
	return sc
}

// assert runs a sign-in ceremony (kind "login" or "passwordless") with
// the credential sc and returns the finish's response.
func (pe *passkeyEnv) assert(t *testing.T, c *client, kind string, sc *passkeytest.Cred) *http.Response {
	t.Helper()
	var opts protocol.CredentialAssertion
	resp := postJSON(t, c, "/accounts/passkey/"+kind+"/begin", map[string]any{}, &opts)
	require.Equal(t, http.StatusOK, resp.StatusCode, body(t, resp))
	return postJSON(t, c, "/accounts/passkey/"+kind+"/finish", map[string]any{"credential": json.RawMessage(pe.authn.Get(&opts, sc))}, nil)
}

func (pe *passkeyEnv) lastLogin() auth.LoggedIn[auth.User] {
	pe.mu.Lock()
	defer pe.mu.Unlock()
	return pe.logins[len(pe.logins)-1]
}

// TestPasskeyTwoStepLogin: a password login of a user with a passkey
// leads to the challenge page, which offers the passkey; its assertion
// completes the login, and another user's credential does not.
func TestPasskeyTwoStepLogin(t *testing.T) {
	t.Parallel()
	pe := newPasskeyEnv(t, nil)
	pe.createUser("alice", "pw")
	pe.createUser("bob", "pw")
	c := pe.client()
	c.login("alice", "pw")
	aliceKey := pe.register(t, c, "Laptop")
	cb := pe.client()
	cb.login("bob", "pw")
	bobKey := pe.register(t, cb, "Phone")

	c = pe.client()
	resp := c.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"pw"}})
	require.Equal(t, "/accounts/mfa/challenge/", resp.Header.Get("Location"))
	page := body(t, c.get("/accounts/mfa/challenge/"))
	require.Contains(t, page, `data-djauth-passkey="signin"`)
	require.Contains(t, page, `Use a passkey`)
	require.Contains(t, page, `id="id_passkey_error" role="alert"`)
	require.Contains(t, page, `src="/accounts/passkey/passkey.js"`)
	require.Contains(t, page, `name="cancel"`, "cancel is offered without a code factor")
	require.NotContains(t, page, `id="id_code"`, "no code factor, no code field")

	resp = pe.assert(t, c, "login", bobKey)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body(t, resp), "verification_failed")
	require.Equal(t, "AnonymousUser", c.whoami())

	resp = pe.assert(t, c, "login", aliceKey)
	require.Equal(t, http.StatusOK, resp.StatusCode, body(t, resp))
	require.Equal(t, "alice", c.whoami())
	l := pe.lastLogin()
	require.Equal(t, passkey.Kind, l.Factor)
	require.Regexp(t, `^djauth\.passkey/\d+$`, l.Device)

	// Without a pending login nor a user, there is nobody to prove.
	resp = postJSON(t, pe.client(), "/accounts/passkey/login/begin", map[string]any{}, nil)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// TestPasskeyPasswordless: a passwordless sign-in logs in directly, with
// no second step although the user has devices, and the flow records the
// passkey as the session's verification.
func TestPasskeyPasswordless(t *testing.T) {
	t.Parallel()
	pe := newPasskeyEnv(t, nil)
	alice := pe.createUser("alice", "pw")
	pe.totp.add(alice.ID, "123456")
	c := pe.client()
	c.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"pw"}})
	require.Equal(t, http.StatusFound, c.post("/accounts/mfa/challenge/", url.Values{"factor": {"totp"}, "code": {"123456"}}).StatusCode)
	key := pe.register(t, c, "Laptop")

	page := body(t, pe.client().get("/accounts/login/"))
	require.Contains(t, page, `autocomplete="username webauthn"`)
	require.Contains(t, page, `data-djauth-passkey="passwordless" data-redirect="/accounts/profile/"`)
	require.Contains(t, page, `<label for="id_username">`)

	c = pe.client()
	resp := pe.assert(t, c, "passwordless", key)
	require.Equal(t, http.StatusOK, resp.StatusCode, body(t, resp))
	require.Equal(t, "alice", c.whoami())
	l := pe.lastLogin()
	require.Equal(t, passkey.Kind, l.Factor)
	// The session counts as verified with the passkey: step-up passes.
	resp = c.get("/accounts/password_change/")
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// Not for an inactive user.
	u := pe.reload(alice.ID)
	u.IsActive = false
	require.NoError(t, pe.store.UpdateUser(t.Context(), u))
	c = pe.client()
	resp = pe.assert(t, c, "passwordless", key)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Equal(t, "AnonymousUser", c.whoami())
}

// TestPasskeyVerifyPage: a logged-in user steps up with a passkey on the
// verification page.
func TestPasskeyVerifyPage(t *testing.T) {
	t.Parallel()
	pe := newPasskeyEnv(t, nil)
	pe.createUser("alice", "pw")
	c := pe.client()
	c.login("alice", "pw")
	key := pe.register(t, c, "Laptop")
	// The registration verified the session with the passkey, for the
	// step-up's time.
	require.Equal(t, http.StatusOK, c.get("/accounts/password_change/").StatusCode)
	pe.advance(accounts.DefaultStepUpMaxAge + time.Second)
	resp := c.get("/accounts/password_change/")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	verify := resp.Header.Get("Location")
	require.Equal(t, "/accounts/mfa/verify/?next=/accounts/password_change/", verify)
	page := body(t, c.get(verify))
	require.Contains(t, page, `data-djauth-passkey="signin" data-redirect="/accounts/password_change/"`)
	resp = pe.assert(t, c, "login", key)
	require.Equal(t, http.StatusOK, resp.StatusCode, body(t, resp))
	require.Equal(t, http.StatusOK, c.get("/accounts/password_change/").StatusCode)
}

// TestPasskeyManagementPage lists, renames and removes passkeys with
// plain forms, and needs a step-up.
func TestPasskeyManagementPage(t *testing.T) {
	t.Parallel()
	pe := newPasskeyEnv(t, nil)
	pe.createUser("alice", "pw")
	pe.createUser("bob", "pw")
	cb := pe.client()
	cb.login("bob", "pw")
	pe.register(t, cb, "Bob's")
	c := pe.client()
	c.login("alice", "pw")
	const pageURL = "/accounts/mfa/passkeys/"
	require.Equal(t, pageURL, pe.m.PasskeysURL(""))
	overview := body(t, c.get("/accounts/mfa/"))
	require.Contains(t, overview, `href="/accounts/mfa/passkeys/"`, "the MFA overview links to the passkeys")
	page := body(t, c.get(pageURL))
	require.Contains(t, page, "You have no passkeys yet.")
	require.Contains(t, page, `<form data-djauth-passkey="register" data-redirect="/accounts/mfa/passkeys/?added=1"`)
	require.Contains(t, page, `<label for="id_passkey_name">Name</label>`)
	key := pe.register(t, c, "Laptop")
	// The registration verified the session with the new passkey.
	require.Equal(t, http.StatusOK, c.get(pageURL).StatusCode)
	// Later, the step-up expires: the page sends the user to verify (a GET
	// with 302, as every guard does; a POST with 303).
	pe.advance(accounts.DefaultStepUpMaxAge + time.Second)
	resp := c.get(pageURL)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "/accounts/mfa/verify/?next=/accounts/mfa/passkeys/", resp.Header.Get("Location"))
	resp = c.post(pageURL, url.Values{"action": {"remove"}, "id": {"1"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "remove needs the step-up too")
	require.Equal(t, http.StatusOK, pe.assert(t, c, "login", key).StatusCode)

	creds, err := pe.pk.Credentials(t.Context(), pe.reload(1).ID)
	require.NoError(t, err)
	id := strconv.FormatInt(creds[0].ID, 10)
	page = body(t, c.get(pageURL+"?added=1"))
	require.Contains(t, page, accounts.MsgPasskeyAdded)
	require.Contains(t, page, "<h2>Laptop</h2>")
	require.Contains(t, page, `<label for="id_name_`+id+`">`)
	require.Contains(t, page, "Not yet (can be synced)")

	resp = c.post(pageURL, url.Values{"action": {"rename"}, "id": {id}, "name": {"Work\x01laptop"}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	page = body(t, resp)
	require.Contains(t, page, `aria-invalid="true" aria-describedby="id_name_`+id+`_error"`)
	require.Contains(t, page, `role="alert"`)
	page = body(t, c.post(pageURL, url.Values{"action": {"rename"}, "id": {id}, "name": {"Work laptop"}}))
	require.Contains(t, page, accounts.MsgPasskeyRenamed)
	require.Contains(t, page, "<h2>Work laptop</h2>")

	bobs, err := pe.pk.Credentials(t.Context(), 2)
	require.NoError(t, err)
	resp = c.post(pageURL, url.Values{"action": {"remove"}, "id": {strconv.FormatInt(bobs[0].ID, 10)}})
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, body(t, resp), accounts.MsgPasskeyNotFound)
	bobs, _ = pe.pk.Credentials(t.Context(), 2)
	require.Len(t, bobs, 1)

	page = body(t, c.post(pageURL, url.Values{"action": {"remove"}, "id": {id}}))
	require.Contains(t, page, accounts.MsgPasskeyRemoved)
	require.Contains(t, page, "You have no passkeys yet.")
}

// TestPasskeyRegisterNeedsStepUp: the JSON registration routes are
// behind the step-up guard too.
func TestPasskeyRegisterNeedsStepUp(t *testing.T) {
	t.Parallel()
	pe := newPasskeyEnv(t, nil)
	alice := pe.createUser("alice", "pw")
	c := pe.client()
	c.login("alice", "pw")
	pe.totp.add(alice.ID, "123456") // enrolled after the login
	resp := postJSON(t, c, "/accounts/passkey/register/begin", map[string]any{}, nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Contains(t, body(t, resp), `"url":"/accounts/mfa/verify/?next=`)
}

// TestPasskeyFinishThrottled: refused assertions count under
// passkey.LimitScope; past the limit the finish answers 429 with
// Retry-After, even for a good assertion.
func TestPasskeyFinishThrottled(t *testing.T) {
	t.Parallel()
	lim, err := throttle.New(throttle.Config{Store: throttle.NewMemoryStore(), Rules: map[string]throttle.Rule{
		passkey.LimitScope: {Key: throttle.Policy{FreeFailures: 2, BaseDelay: time.Minute, MaxDelay: time.Hour, CoolOff: 24 * time.Hour}},
	}})
	require.NoError(t, err)
	pe := newPasskeyEnv(t, lim)
	pe.createUser("alice", "pw")
	c := pe.client()
	c.login("alice", "pw")
	key := pe.register(t, c, "Laptop")

	c = pe.client()
	c.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"pw"}})
	bad := []byte(`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{}}`)
	var status []int
	for range 5 {
		resp := postJSON(t, c, "/accounts/passkey/login/begin", map[string]any{}, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		resp = postJSON(t, c, "/accounts/passkey/login/finish", map[string]any{"credential": json.RawMessage(bad)}, nil)
		status = append(status, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			require.NotEmpty(t, resp.Header.Get("Retry-After"))
			require.Contains(t, body(t, resp), `"error":"throttled"`)
		}
	}
	// Two free failures, then the third sets the first delay.
	require.Equal(t, []int{400, 400, 400, 429, 429}, status)
	resp := pe.assert(t, c, "login", key)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "AnonymousUser", c.whoami())
}
