package accounts_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	otptotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/recovery"
	"github.com/djauth/auth/mfa/totp"
)

// enrolEnv is an Auth whose Flow has the real TOTP and recovery code
// factors over memory stores, sharing one fake clock.
type enrolEnv struct {
	*env
	flow    *mfa.Flow[auth.User]
	totp    *totp.Factor
	rec     *recovery.Factor
	policy  *mfa.MemoryPolicyStore
	now     func() time.Time
	advance func(time.Duration)

	mu      sync.Mutex
	changes []accounts.MFAChange
}

func newEnrolEnv(t *testing.T) *enrolEnv {
	t.Helper()
	var mu sync.Mutex
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	e := &enrolEnv{policy: mfa.NewMemoryPolicyStore()}
	e.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e.advance = func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	var err error
	e.totp, err = totp.New(totp.Config{Store: totp.NewMemoryStore(), Issuer: "Example", Now: e.now})
	require.NoError(t, err)
	e.rec, err = recovery.New(recovery.Config{Store: recovery.NewMemoryStore(), Now: e.now})
	require.NoError(t, err)
	e.flow, err = mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{e.totp, e.rec}, Policy: e.policy, Now: e.now})
	require.NoError(t, err)
	e.env = newEnv(t, func(c *envConfig) {
		c.SecondFactor = e.flow
		c.Sessions = auth.SessionConfig{InsecureCookie: true}
	})
	t.Cleanup(e.m.MFAChanged().Connect(func(_ context.Context, ch accounts.MFAChange) {
		e.mu.Lock()
		defer e.mu.Unlock()
		ch.Request = nil
		e.changes = append(e.changes, ch)
	}))
	return e
}

func (e *enrolEnv) actions() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, c := range e.changes {
		out = append(out, c.Action)
	}
	return out
}

var (
	secretRE = regexp.MustCompile(`<code class="secret" id="id_secret"[^>]*>([A-Z2-7 ]+)</code>`)
	codesRE  = regexp.MustCompile(`<li><code>([a-z0-9-]+)</code></li>`)
)

// codeFor is the code an authenticator app with the secret shows now.
func (e *enrolEnv) codeFor(secret string) string {
	e.t.Helper()
	code, err := otptotp.GenerateCodeCustom(strings.ReplaceAll(secret, " ", ""), e.now(),
		otptotp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	require.NoError(e.t, err)
	return code
}

// beginTOTP starts a set-up named name and returns the page showing the
// QR code and the secret as shown.
func (e *enrolEnv) beginTOTP(c *client, name string) (page, secret string) {
	e.t.Helper()
	resp := c.post("/accounts/mfa/totp/add/", url.Values{"action": {"begin"}, "name": {name}})
	require.Equal(e.t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(e.t, "/accounts/mfa/totp/add/", resp.Header.Get("Location"))
	page = body(e.t, c.get("/accounts/mfa/totp/add/"))
	m := secretRE.FindStringSubmatch(page)
	require.NotNil(e.t, m, page)
	return page, m[1]
}

// enrolTOTP adds a confirmed authenticator app through the pages and
// returns its secret.
func (e *enrolEnv) enrolTOTP(c *client, name string) string {
	e.t.Helper()
	_, secret := e.beginTOTP(c, name)
	resp := c.post("/accounts/mfa/totp/add/", url.Values{"action": {"confirm"}, "code": {e.codeFor(secret)}})
	require.Equal(e.t, http.StatusSeeOther, resp.StatusCode)
	return secret
}

// generateCodes makes recovery codes through the page and returns them.
func (e *enrolEnv) generateCodes(c *client) []string {
	e.t.Helper()
	resp := c.post("/accounts/mfa/recovery/", url.Values{"action": {"generate"}})
	require.Equal(e.t, http.StatusOK, resp.StatusCode)
	page := body(e.t, resp)
	var codes []string
	for _, m := range codesRE.FindAllStringSubmatch(page, -1) {
		codes = append(codes, m[1])
	}
	require.Len(e.t, codes, recovery.DefaultCount, page)
	return codes
}

func TestMFAEnrolTOTPEndToEnd(t *testing.T) {
	t.Parallel()
	e := newEnrolEnv(t)
	alice := e.createUser("alice", "pw")
	c := e.client()
	c.login("alice", "pw")

	page := body(t, c.get("/accounts/mfa/"))
	require.Contains(t, page, "Two-factor authentication is optional for your account.")
	require.Contains(t, page, `<a href="/accounts/mfa/totp/add/">Add an authenticator app</a>`)
	require.Contains(t, page, "None set up yet.")

	page = body(t, c.get("/accounts/mfa/totp/add/"))
	require.Contains(t, page, `<label for="id_name">Name</label>`)
	require.Contains(t, page, `value="Authenticator app"`)

	page, secret := e.beginTOTP(c, "Work phone")
	require.Contains(t, page, `<svg xmlns="http://www.w3.org/2000/svg"`, "the QR code is inline")
	require.NotContains(t, page, `<img`, "no external QR service")
	require.Contains(t, page, "otpauth://totp/Example%3Aalice?secret="+strings.ReplaceAll(secret, " ", ""))
	require.Len(t, strings.Fields(secret), 8, "32 base32 characters in groups of four")
	devs, err := e.totp.List(t.Context(), alice.ID)
	require.NoError(t, err)
	require.Len(t, devs, 1)
	require.False(t, devs[0].Confirmed)

	// A wrong code keeps the device unconfirmed and says so.
	wrong := "000000"
	if e.codeFor(secret) == wrong {
		wrong = "111111"
	}
	resp := c.post("/accounts/mfa/totp/add/", url.Values{"action": {"confirm"}, "code": {wrong}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	page = body(t, resp)
	require.Contains(t, page, "That code is not right, so the authenticator app was not added yet.")
	require.Contains(t, page, `aria-invalid="true" aria-describedby="id_code_error"`)
	require.Contains(t, page, `id="id_code_error"`)
	require.Contains(t, page, `<a href="#id_code">`, "the error summary links to the field")
	require.Contains(t, page, secret, "the set-up goes on")
	devs, err = e.totp.List(t.Context(), alice.ID)
	require.NoError(t, err)
	require.False(t, devs[0].Confirmed)
	require.Empty(t, e.actions())

	// The throttle of the wrong code passes; the right one confirms and,
	// as recovery codes are configured, leads to them.
	e.advance(2 * time.Second)
	resp = c.post("/accounts/mfa/totp/add/", url.Values{"action": {"confirm"}, "code": {e.codeFor(secret)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/accounts/mfa/recovery/", resp.Header.Get("Location"))
	devs, err = e.totp.List(t.Context(), alice.ID)
	require.NoError(t, err)
	require.True(t, devs[0].Confirmed)
	require.Equal(t, []string{accounts.MFAActionAdded}, e.actions())

	page = body(t, c.get("/accounts/mfa/recovery/"))
	require.Contains(t, page, accounts.MsgRecoveryNext)
	require.NotContains(t, page, "<code>")
	resp = c.post("/accounts/mfa/recovery/", url.Values{"action": {"generate"}})
	require.Contains(t, resp.Header.Get("Cache-Control"), "no-store")
	page = body(t, resp)
	require.Contains(t, page, "This is the only time they are shown")
	require.Contains(t, page, "I have saved them")
	codes := codesRE.FindAllStringSubmatch(page, -1)
	require.Len(t, codes, recovery.DefaultCount)
	download := regexp.MustCompile(`href="data:text/plain;charset=utf-8;base64,([A-Za-z0-9+/=]+)" download="recovery-codes.txt"`).FindStringSubmatch(page)
	require.NotNil(t, download, page)
	text, err := base64.StdEncoding.DecodeString(download[1])
	require.NoError(t, err)
	for _, m := range codes {
		require.Contains(t, string(text), m[1]+"\r\n")
	}
	// Shown once: the next GET shows the count only.
	page = body(t, c.get("/accounts/mfa/recovery/"))
	require.NotContains(t, page, codes[0][1])
	require.Contains(t, page, "Unused recovery codes: <strong>10</strong>.")

	resp = c.post("/accounts/mfa/recovery/", url.Values{"action": {"saved"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/accounts/mfa/", resp.Header.Get("Location"))
	page = body(t, c.get("/accounts/mfa/"))
	require.Contains(t, page, accounts.MsgRecoverySaved)
	require.Regexp(t, `<a href="/accounts/mfa/totp/\d+/">Work phone</a> <span class="meta">Last used <time datetime="2026-05-06T07:08:00Z">2026-05-06 07:08 UTC</time>`, page)
	require.NotContains(t, page, codes[0][1])
	require.NotContains(t, body(t, c.get("/accounts/mfa/")), accounts.MsgRecoverySaved, "a message is shown once")

	// A new login goes through the challenge with the enrolled app; the
	// code of the confirmation's step is spent, the next step's works.
	e.advance(30 * time.Second)
	b := e.client()
	resp = b.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"pw"}})
	require.Equal(t, "/accounts/mfa/challenge/", resp.Header.Get("Location"))
	resp = b.post("/accounts/mfa/challenge/", url.Values{"factor": {"totp"}, "code": {e.codeFor(secret)}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "alice", b.whoami())
	// And with a recovery code, once.
	for i, want := range []int{http.StatusFound, http.StatusOK} {
		d := e.client()
		d.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"pw"}})
		resp = d.post("/accounts/mfa/challenge/", url.Values{"factor": {"recovery"}, "code": {codes[0][1]}})
		require.Equal(t, want, resp.StatusCode, "use %d", i)
		e.advance(time.Minute) // past the recovery throttle
	}
}

func TestMFAEnrolOnePendingDevice(t *testing.T) {
	t.Parallel()
	e := newEnrolEnv(t)
	alice := e.createUser("alice", "pw")
	c := e.client()
	c.login("alice", "pw")
	_, first := e.beginTOTP(c, "One")
	// Another session's set-up replaces this one's.
	other := e.client()
	other.login("alice", "pw")
	_, second := e.beginTOTP(other, "Two")
	require.NotEqual(t, first, second)
	devs, err := e.totp.List(t.Context(), alice.ID)
	require.NoError(t, err)
	require.Len(t, devs, 1)
	require.Equal(t, "Two", devs[0].Name)
	resp := c.post("/accounts/mfa/totp/add/", url.Values{"action": {"confirm"}, "code": {e.codeFor(first)}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body(t, resp), accounts.MsgTOTPSetupGone)
	// Cancel removes the set-up in progress.
	resp = other.post("/accounts/mfa/totp/add/", url.Values{"action": {"cancel"}})
	require.Equal(t, "/accounts/mfa/", resp.Header.Get("Location"))
	devs, err = e.totp.List(t.Context(), alice.ID)
	require.NoError(t, err)
	require.Empty(t, devs)
	require.Contains(t, body(t, other.get("/accounts/mfa/")), accounts.MsgTOTPSetupCancelled)
}

func TestMFAEnrolNameErrors(t *testing.T) {
	t.Parallel()
	e := newEnrolEnv(t)
	e.createUser("alice", "pw")
	c := e.client()
	c.login("alice", "pw")
	for _, tc := range []struct{ name, want string }{
		{"   ", auth.MsgRequired},
		{strings.Repeat("é", 65), "Ensure this value has at most 64 characters (it has 65)."},
		{"bad\x00name", ""},
	} {
		resp := c.post("/accounts/mfa/totp/add/", url.Values{"action": {"begin"}, "name": {tc.name}})
		require.Equal(t, http.StatusOK, resp.StatusCode, "%q", tc.name)
		page := body(t, resp)
		require.Contains(t, page, `id="id_name_error"`)
		require.Contains(t, page, `<a href="#id_name">`, "the error summary links to the field")
		require.Contains(t, page, `aria-describedby="id_name_error id_name_help" aria-invalid="true"`)
		require.Contains(t, page, tc.want)
	}
	require.NotContains(t, body(t, c.get("/accounts/mfa/totp/add/")), `id="id_secret"`)
}

func TestMFARecoveryRegenerateVoidsOld(t *testing.T) {
	t.Parallel()
	e := newEnrolEnv(t)
	alice := e.createUser("alice", "pw")
	c := e.client()
	c.login("alice", "pw")
	// Codes need a second factor first.
	resp := c.post("/accounts/mfa/recovery/", url.Values{"action": {"generate"}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, body(t, resp), accounts.MsgRecoveryNeedsFactor)
	e.enrolTOTP(c, "Phone")
	old := e.generateCodes(c)
	fresh := e.generateCodes(c)
	require.NotEqual(t, old, fresh)
	_, err := e.rec.VerifyCode(t.Context(), alice.ID, old[0])
	require.ErrorIs(t, err, mfa.ErrInvalidCode)
	e.advance(time.Minute)
	_, err = e.rec.VerifyCode(t.Context(), alice.ID, fresh[0])
	require.NoError(t, err)
	require.Equal(t, []string{accounts.MFAActionAdded, accounts.MFAActionRecoveryGenerated, accounts.MFAActionRecoveryGenerated}, e.actions())

	// Down to three codes, the pages warn.
	for _, code := range fresh[1:7] {
		e.advance(time.Minute)
		_, err = e.rec.VerifyCode(t.Context(), alice.ID, code)
		require.NoError(t, err)
	}
	want := "You have only 3 unused recovery codes left."
	require.Contains(t, body(t, c.get("/accounts/mfa/")), want)
	require.Contains(t, body(t, c.get("/accounts/mfa/recovery/")), want)
}

func TestMFAEnrolStepUp(t *testing.T) {
	t.Parallel()
	e := newEnrolEnv(t)
	alice := e.createUser("alice", "pw")
	c := e.client()
	c.login("alice", "pw")
	secret := e.enrolTOTP(c, "Phone")
	e.advance(accounts.DefaultStepUpMaxAge + time.Second)

	// The overview and a device's page need no step-up; adding, removing
	// and generating do.
	require.Equal(t, http.StatusOK, c.get("/accounts/mfa/").StatusCode)
	devs, err := e.totp.List(t.Context(), alice.ID)
	require.NoError(t, err)
	devURL := "/accounts/mfa/totp/" + itoa(devs[0].ID) + "/"
	require.Equal(t, http.StatusOK, c.get(devURL).StatusCode)
	for _, tc := range []struct {
		method, target string
		form           url.Values
		code           int
	}{
		{http.MethodGet, "/accounts/mfa/totp/add/", nil, http.StatusFound},
		{http.MethodPost, "/accounts/mfa/totp/add/", url.Values{"action": {"begin"}, "name": {"X"}}, http.StatusSeeOther},
		{http.MethodGet, "/accounts/mfa/recovery/", nil, http.StatusFound},
		{http.MethodPost, "/accounts/mfa/recovery/", url.Values{"action": {"generate"}}, http.StatusSeeOther},
		{http.MethodPost, devURL, url.Values{"action": {"remove"}}, http.StatusSeeOther},
	} {
		resp := c.do(tc.method, tc.target, tc.form)
		require.Equal(t, tc.code, resp.StatusCode, "%s %s", tc.method, tc.target)
		require.Equal(t, "/accounts/mfa/verify/?next="+tc.target, resp.Header.Get("Location"), tc.target)
	}
	devs, err = e.totp.List(t.Context(), alice.ID)
	require.NoError(t, err)
	require.Len(t, devs, 1, "nothing added, nothing removed")
	require.Equal(t, 0, remaining(t, e, alice.ID))

	// A rename is not sensitive.
	resp := c.post(devURL, url.Values{"action": {"rename"}, "name": {"Old phone"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Contains(t, body(t, c.get("/accounts/mfa/")), ">Old phone</a>")

	// Verified with the app, the removal goes through; without a policy
	// the user may remove the last factor.
	resp = c.post("/accounts/mfa/verify/", url.Values{"factor": {"totp"}, "code": {e.codeFor(secret)}, "next": {devURL}})
	require.Equal(t, devURL, resp.Header.Get("Location"))
	resp = c.post(devURL, url.Values{"action": {"remove"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	devs, err = e.totp.List(t.Context(), alice.ID)
	require.NoError(t, err)
	require.Empty(t, devs)
	require.Contains(t, body(t, c.get("/accounts/mfa/")), accounts.MsgTOTPRemoved)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func remaining(t *testing.T, e *enrolEnv, userID int64) int {
	t.Helper()
	n, err := e.rec.Remaining(t.Context(), userID)
	require.NoError(t, err)
	return n
}

func TestMFARemoveLastFactor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		policy    mfa.Policy
		apps      int
		removed   bool
		recovery  int // recovery codes left after
		wantInMsg string
	}{
		{"covered, last app", mfa.Policy{Everyone: true}, 1, false, 10, accounts.MsgLastFactor},
		{"covered, two apps", mfa.Policy{Everyone: true}, 2, true, 10, accounts.MsgTOTPRemoved},
		{"not covered, last app", mfa.Policy{Staff: true}, 1, true, 0, accounts.MsgRecoveryRemovedToo},
		{"not covered, two apps", mfa.Policy{}, 2, true, 10, accounts.MsgTOTPRemoved},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnrolEnv(t)
			alice := e.createUser("alice", "pw")
			c := e.client()
			c.login("alice", "pw")
			for i := range tc.apps {
				e.enrolTOTP(c, "App "+itoa(int64(i)))
				e.advance(30 * time.Second)
			}
			e.generateCodes(c)
			require.NoError(t, e.policy.SetPolicy(t.Context(), tc.policy))
			devs, err := e.totp.List(t.Context(), alice.ID)
			require.NoError(t, err)
			devURL := "/accounts/mfa/totp/" + itoa(devs[0].ID) + "/"
			resp := c.post(devURL, url.Values{"action": {"remove"}})
			var page string
			if tc.removed {
				require.Equal(t, http.StatusSeeOther, resp.StatusCode)
				page = body(t, c.get("/accounts/mfa/"))
			} else {
				require.Equal(t, http.StatusConflict, resp.StatusCode)
				page = body(t, resp)
				require.Contains(t, page, `class="errors" id="id_errors" role="alert"`)
			}
			require.Contains(t, page, tc.wantInMsg)
			after, err := e.totp.List(t.Context(), alice.ID)
			require.NoError(t, err)
			if tc.removed {
				require.Len(t, after, tc.apps-1)
			} else {
				require.Len(t, after, tc.apps)
			}
			require.Equal(t, tc.recovery, remaining(t, e, alice.ID))
		})
	}
}

func TestMFAEnrolPagesCrossOriginRefused(t *testing.T) {
	t.Parallel()
	e := newEnrolEnv(t)
	alice := e.createUser("alice", "pw")
	c := e.client()
	c.login("alice", "pw")
	e.enrolTOTP(c, "Phone")
	devs, err := e.totp.List(t.Context(), alice.ID)
	require.NoError(t, err)
	devURL := "/accounts/mfa/totp/" + itoa(devs[0].ID) + "/"
	before := e.actions()
	for _, tc := range []struct {
		target string
		form   url.Values
	}{
		{"/accounts/mfa/totp/add/", url.Values{"action": {"begin"}, "name": {"Evil"}}},
		{"/accounts/mfa/recovery/", url.Values{"action": {"generate"}}},
		{devURL, url.Values{"action": {"remove"}}},
		{devURL, url.Values{"action": {"rename"}, "name": {"Evil"}}},
	} {
		for _, hdr := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
			resp := c.post(tc.target, tc.form, hdr...)
			require.Equal(t, http.StatusForbidden, resp.StatusCode, "%s %v", tc.target, hdr)
		}
	}
	require.Equal(t, before, e.actions())
	after, err := e.totp.List(t.Context(), alice.ID)
	require.NoError(t, err)
	require.Equal(t, devs, after)
	require.Equal(t, 0, remaining(t, e, alice.ID))
}

func TestMFAEnrolPagesNoStoreAndLogin(t *testing.T) {
	t.Parallel()
	e := newEnrolEnv(t)
	bob := e.createUser("bob", "pw")
	c := e.client()
	c.login("bob", "pw")
	e.beginTOTP(c, "Phone")
	devID := itoa(bob.ID) // any ID: a device that is not the user's is a 404
	for _, target := range []string{"/accounts/mfa/", "/accounts/mfa/totp/add/", "/accounts/mfa/recovery/"} {
		resp := c.get(target)
		require.Equal(t, http.StatusOK, resp.StatusCode, target)
		require.Contains(t, resp.Header.Get("Cache-Control"), "no-store", target)
		require.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"), target)
		resp.Body.Close()
		// Anonymous requests go to the login page.
		resp = e.client().get(target)
		require.Equal(t, http.StatusFound, resp.StatusCode, target)
		require.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/accounts/login/?next="), target)
	}
	require.Equal(t, http.StatusNotFound, c.get("/accounts/mfa/totp/"+devID+"/").StatusCode, "unconfirmed or not the user's")
	require.Equal(t, http.StatusNotFound, c.get("/accounts/mfa/totp/x/").StatusCode)
	require.Equal(t, http.StatusMethodNotAllowed, c.post("/accounts/mfa/", nil).StatusCode)
}

func TestMFAEnrolOtherUsersDevice(t *testing.T) {
	t.Parallel()
	e := newEnrolEnv(t)
	alice := e.createUser("alice", "pw")
	e.createUser("mallory", "pw")
	a := e.client()
	a.login("alice", "pw")
	e.enrolTOTP(a, "Phone")
	devs, err := e.totp.List(t.Context(), alice.ID)
	require.NoError(t, err)
	devURL := "/accounts/mfa/totp/" + itoa(devs[0].ID) + "/"
	m := e.client()
	m.login("mallory", "pw")
	for _, form := range []url.Values{nil, {"action": {"remove"}}, {"action": {"rename"}, "name": {"x"}}} {
		resp := m.do(map[bool]string{true: http.MethodGet, false: http.MethodPost}[form == nil], devURL, form)
		require.Equal(t, http.StatusNotFound, resp.StatusCode)
	}
	after, err := e.totp.List(t.Context(), alice.ID)
	require.NoError(t, err)
	require.Equal(t, devs, after)
}

func TestMFAOverviewUnderPolicy(t *testing.T) {
	t.Parallel()
	e := newEnrolEnv(t)
	require.NoError(t, e.policy.SetPolicy(t.Context(), mfa.Policy{Everyone: true}))
	e.createUser("alice", "pw")
	c := e.client()
	c.login("alice", "pw")
	// The guard's "next" is kept through the enrolment.
	mux := http.NewServeMux()
	mux.Handle("/app/", e.flow.MFARequired(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("app"))
	})))
	mux.Handle("/", e.handler)
	c.h = e.a.Middleware(mux)
	resp := c.get("/app/")
	require.Equal(t, "/accounts/mfa/?next=/app/", resp.Header.Get("Location"))
	page := body(t, c.get("/accounts/mfa/?next=/app/"))
	require.Contains(t, page, "Two-factor authentication is required for your account. Please set it up now to continue.")
	require.Contains(t, page, `href="/accounts/mfa/totp/add/?next=/app/"`)
	require.NotContains(t, page, ">Continue</a>")

	resp = c.post("/accounts/mfa/totp/add/?next=/app/", url.Values{"action": {"begin"}, "name": {"Phone"}})
	require.Equal(t, "/accounts/mfa/totp/add/?next=/app/", resp.Header.Get("Location"))
	page = body(t, c.get("/accounts/mfa/totp/add/?next=/app/"))
	secret := secretRE.FindStringSubmatch(page)[1]
	require.Contains(t, page, `name="next" value="/app/"`)
	resp = c.post("/accounts/mfa/totp/add/", url.Values{"action": {"confirm"}, "code": {e.codeFor(secret)}, "next": {"/app/"}})
	require.Equal(t, "/accounts/mfa/recovery/?next=/app/", resp.Header.Get("Location"))
	// Not enrolled without recovery codes.
	require.Equal(t, "/accounts/mfa/?next=/app/", c.get("/app/").Header.Get("Location"))
	page = body(t, c.get("/accounts/mfa/"))
	require.Contains(t, page, "To complete the set-up, generate recovery codes.")
	resp = c.post("/accounts/mfa/recovery/", url.Values{"action": {"generate"}, "next": {"/app/"}})
	require.Contains(t, body(t, resp), `name="next" value="/app/"`)
	resp = c.post("/accounts/mfa/recovery/", url.Values{"action": {"saved"}, "next": {"/app/"}})
	require.Equal(t, "/app/", resp.Header.Get("Location"))
	require.Equal(t, "app", body(t, c.get("/app/")))
	page = body(t, c.get("/accounts/mfa/?next=/app/"))
	require.Contains(t, page, "Two-factor authentication is required for your account, and it is set up.")
	require.Contains(t, page, `<a href="/app/">Continue</a>`)
	require.Contains(t, page, "Unused recovery codes: <strong>10</strong>.")
}
