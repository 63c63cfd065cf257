package accounts_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/mfa"
)

// fixedCodes is a working CodeFactor: each device accepts one fixed code.
type fixedCodes struct {
	kind string
	mu   sync.Mutex
	devs map[int64][]mfa.Device
	code map[string]string // PersistentID → code
}

func newFixedCodes(kind string) *fixedCodes {
	return &fixedCodes{kind: kind, devs: map[int64][]mfa.Device{}, code: map[string]string{}}
}

func (f *fixedCodes) Kind() string { return f.kind }

func (f *fixedCodes) add(userID int64, code string) mfa.Device {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.code) + 1
	d := mfa.Device{Factor: f.kind, ID: int64(n), UserID: userID, PersistentID: fmt.Sprintf("test.%s/%d", f.kind, n)}
	f.devs[userID] = append(f.devs[userID], d)
	f.code[d.PersistentID] = code
	return d
}

func (f *fixedCodes) Devices(ctx context.Context, userID int64) ([]mfa.Device, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mfa.Device(nil), f.devs[userID]...), nil
}

func (f *fixedCodes) VerifyCode(ctx context.Context, userID int64, code string) (mfa.Device, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.devs[userID]) == 0 {
		return mfa.Device{}, mfa.ErrNoDevice
	}
	for _, d := range f.devs[userID] {
		if f.code[d.PersistentID] == code {
			return d, nil
		}
	}
	return mfa.Device{}, mfa.ErrInvalidCode
}

type mfaEnv struct {
	*env
	flow     *mfa.Flow[auth.User]
	totp     *fixedCodes
	recovery *fixedCodes
	policy   *mfa.MemoryPolicyStore
	now      func() time.Time
	advance  func(time.Duration)
}

func newMFAEnv(t *testing.T) *mfaEnv {
	var mu sync.Mutex
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	me := &mfaEnv{totp: newFixedCodes("totp"), recovery: newFixedCodes(mfa.RecoveryKind), policy: mfa.NewMemoryPolicyStore()}
	me.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	me.advance = func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{me.totp, me.recovery},
		Policy: me.policy, Now: me.now, MaxAttempts: 3})
	require.NoError(t, err)
	me.flow = flow
	me.env = newEnv(t, func(c *envConfig) {
		c.SecondFactor = flow
		c.Sessions = auth.SessionConfig{InsecureCookie: true}
	})
	return me
}

func TestMFALoginThroughPages(t *testing.T) {
	t.Parallel()
	e := newMFAEnv(t)
	var logins []auth.LoggedIn[auth.User]
	var mu sync.Mutex
	t.Cleanup(e.a.Signals().UserLoggedIn.Connect(func(_ context.Context, l auth.LoggedIn[auth.User]) {
		mu.Lock()
		logins = append(logins, l)
		mu.Unlock()
	}))
	alice := e.createUser("alice", "pw")
	dev := e.totp.add(alice.ID, "123456")
	e.recovery.add(alice.ID, "abcd-efgh")
	c := e.client()

	resp := c.post("/accounts/login/?next=/accounts/password_change/", url.Values{"username": {"alice"}, "password": {"pw"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	challenge := resp.Header.Get("Location")
	require.Equal(t, "/accounts/mfa/challenge/?next=/accounts/password_change/", challenge)
	pending := c.cookies["sessionid"]
	require.Equal(t, "AnonymousUser", c.whoami())

	page := body(t, c.get(challenge))
	for _, want := range []string{
		`<legend>Verify with</legend>`, `value="totp" checked`, `value="recovery"`,
		`<label for="id_code">Code from your authenticator app</label>`,
		`autocomplete="one-time-code"`, `inputmode="numeric"`,
		`name="next" value="/accounts/password_change/"`,
	} {
		require.Contains(t, page, want)
	}

	resp = c.post(challenge, url.Values{"factor": {"totp"}, "code": {"000000"}, "next": {"/accounts/password_change/"}})
	page = body(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, MsgInvalidCodeHTML)
	require.Contains(t, page, `aria-invalid="true" aria-describedby="id_code_error"`)
	require.Contains(t, page, `id="id_code_error"`)
	require.Contains(t, page, `<a href="#id_code">`, "the error summary links to the field")

	resp = c.post(challenge, url.Values{"factor": {"totp"}, "code": {" 123456 "}, "next": {"/accounts/password_change/"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "/accounts/password_change/", resp.Header.Get("Location"))
	require.Equal(t, "alice", c.whoami())
	require.NotEqual(t, pending, c.cookies["sessionid"])
	old := &client{t: t, h: e.handler, cookies: map[string]string{"sessionid": pending}}
	require.Equal(t, "AnonymousUser", old.whoami())
	require.Len(t, logins, 1)
	require.Equal(t, "totp", logins[0].Factor)
	require.Equal(t, dev.PersistentID, logins[0].Device)

	// The challenge without a pending login goes back to the login page.
	resp = c.get("/accounts/mfa/challenge/")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "/accounts/login/", resp.Header.Get("Location"))
}

// MsgInvalidCodeHTML is MsgInvalidCode as html/template escapes it.
const MsgInvalidCodeHTML = "Invalid code. Please check it and try again."

func TestMFAChallengeRecoveryAndCap(t *testing.T) {
	t.Parallel()
	e := newMFAEnv(t)
	alice := e.createUser("alice", "pw")
	e.totp.add(alice.ID, "123456")
	e.recovery.add(alice.ID, "abcd-efgh")
	c := e.client()
	c.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"pw"}})
	resp := c.post("/accounts/mfa/challenge/", url.Values{"factor": {"recovery"}, "code": {"abcd-efgh"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, auth.DefaultLoginRedirectURL, resp.Header.Get("Location"))
	require.Equal(t, "alice", c.whoami())

	c = e.client()
	c.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"pw"}})
	for range 2 {
		resp = c.post("/accounts/mfa/challenge/", url.Values{"factor": {"totp"}, "code": {"1"}})
		require.Equal(t, http.StatusOK, resp.StatusCode)
		resp.Body.Close()
	}
	resp = c.post("/accounts/mfa/challenge/", url.Values{"factor": {"totp"}, "code": {"1"}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	page := body(t, resp)
	require.Contains(t, page, "Too many wrong codes. Please log in again.")
	require.NotContains(t, page, `name="code"`)
	resp = c.post("/accounts/mfa/challenge/", url.Values{"factor": {"totp"}, "code": {"123456"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "/accounts/login/", resp.Header.Get("Location"))
	require.Equal(t, "AnonymousUser", c.whoami())

	// An empty code is a field error, not an attempt; cancel ends the
	// pending login.
	c = e.client()
	c.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"pw"}})
	page = body(t, c.post("/accounts/mfa/challenge/", url.Values{"factor": {"totp"}, "code": {"  "}}))
	require.Contains(t, page, auth.MsgRequired)
	page = body(t, c.post("/accounts/mfa/challenge/", url.Values{"factor": {"sms"}, "code": {"123456"}}))
	require.Contains(t, page, accounts.MsgChooseFactor)
	require.Equal(t, "AnonymousUser", c.whoami())
	resp = c.post("/accounts/mfa/challenge/", url.Values{"cancel": {"1"}})
	require.Equal(t, "/accounts/login/", resp.Header.Get("Location"))
	resp = c.post("/accounts/mfa/challenge/", url.Values{"factor": {"totp"}, "code": {"123456"}})
	require.Equal(t, "/accounts/login/", resp.Header.Get("Location"))
	require.Equal(t, "AnonymousUser", c.whoami())
}

func TestMFAChallengeCrossOriginRefused(t *testing.T) {
	t.Parallel()
	e := newMFAEnv(t)
	alice := e.createUser("alice", "pw")
	e.totp.add(alice.ID, "123456")
	c := e.client()
	c.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"pw"}})
	resp := c.post("/accounts/mfa/challenge/", url.Values{"factor": {"totp"}, "code": {"123456"}}, "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Equal(t, "AnonymousUser", c.whoami())
}

func TestMFAVerifyPageStepUp(t *testing.T) {
	t.Parallel()
	e := newMFAEnv(t)
	alice := e.createUser("alice", "pw")
	c := e.client()
	c.login("alice", "pw")
	e.totp.add(alice.ID, "123456")
	// The step-up guard of an app route sends the user to the page,
	// which returns to it.
	mux := http.NewServeMux()
	mux.Handle("/danger/", e.flow.StepUpRequired(5*time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("done"))
	})))
	mux.Handle("/", e.handler)
	c.h = e.a.Middleware(mux)
	resp := c.get("/danger/")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	verify := resp.Header.Get("Location")
	require.Equal(t, "/accounts/mfa/verify/?next=/danger/", verify)
	page := body(t, c.get(verify))
	require.Contains(t, page, `autocomplete="one-time-code"`)
	require.NotContains(t, page, `type="password"`)
	page = body(t, c.post(verify, url.Values{"factor": {"totp"}, "code": {"9"}, "next": {"/danger/"}}))
	require.Contains(t, page, MsgInvalidCodeHTML)
	// A factor the page did not offer, or no code, is refused before any
	// code is checked.
	page = body(t, c.post(verify, url.Values{"factor": {"sms"}, "code": {"123456"}, "next": {"/danger/"}}))
	require.Contains(t, page, accounts.MsgChooseFactor)
	page = body(t, c.post(verify, url.Values{"factor": {"totp"}, "code": {" "}, "next": {"/danger/"}}))
	require.Contains(t, page, auth.MsgRequired)
	resp = c.post(verify, url.Values{"factor": {"totp"}, "code": {"123456"}, "next": {"/danger/"}})
	require.Equal(t, "/danger/", resp.Header.Get("Location"))
	require.Equal(t, "done", body(t, c.get("/danger/")))
	// An unsafe next is not followed.
	e.advance(6 * time.Minute)
	resp = c.post(verify, url.Values{"factor": {"totp"}, "code": {"123456"}, "next": {"https://evil.example/"}})
	require.Equal(t, auth.DefaultLoginRedirectURL, resp.Header.Get("Location"))

	// Without a device, the password.
	e.createUser("bob", "pw")
	b := e.client()
	b.login("bob", "pw")
	e.advance(time.Hour)
	page = body(t, b.get("/accounts/mfa/verify/"))
	require.Contains(t, page, `type="password"`)
	page = body(t, b.post("/accounts/mfa/verify/", url.Values{"password": {"wrong"}}))
	require.Contains(t, page, "Your password was entered incorrectly")
	resp = b.post("/accounts/mfa/verify/", url.Values{"password": {"pw"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
}

func TestMFALaterPage(t *testing.T) {
	t.Parallel()
	e := newMFAEnv(t)
	require.NoError(t, e.policy.SetPolicy(context.Background(), mfa.Policy{Everyone: true, Grace: 24 * time.Hour}))
	e.createUser("alice", "pw")
	c := e.client()
	c.login("alice", "pw")
	page := body(t, c.get("/accounts/mfa/later/?next=/app/"))
	require.Contains(t, page, `datetime="2026-05-07T07:08:09Z"`)
	require.Contains(t, page, `href="/accounts/mfa/?next=/app/"`)
	resp := c.post("/accounts/mfa/later/", url.Values{"next": {"/app/"}})
	require.Equal(t, "/app/", resp.Header.Get("Location"))
	e.advance(24 * time.Hour)
	resp = c.get("/accounts/mfa/later/?next=/app/")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "/accounts/mfa/?next=/app/", resp.Header.Get("Location"))
	require.True(t, strings.HasPrefix(resp.Header.Get("Location"), mfa.DefaultEnrolURL))
}

func TestPasswordChangeNeedsStepUp(t *testing.T) {
	t.Parallel()
	e := newMFAEnv(t)
	alice := e.createUser("alice", "pw")
	c := e.client()
	c.login("alice", "pw")
	resp := c.get("/accounts/password_change/")
	require.Equal(t, http.StatusOK, resp.StatusCode, "the login is recent")
	e.advance(accounts.DefaultStepUpMaxAge + time.Second)
	resp = c.get("/accounts/password_change/")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "/accounts/mfa/verify/?next=/accounts/password_change/", resp.Header.Get("Location"))
	resp = c.post("/accounts/password_change/", url.Values{"old_password": {"pw"}, "new_password1": {"n3w-Passw0rd!"}, "new_password2": {"n3w-Passw0rd!"}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.True(t, e.checkPassword(alice.ID, "pw"), "unchanged")
	resp = c.post("/accounts/mfa/verify/", url.Values{"password": {"pw"}, "next": {"/accounts/password_change/"}})
	require.Equal(t, "/accounts/password_change/", resp.Header.Get("Location"))
	resp = c.get("/accounts/password_change/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
