package accounts_test

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/passwordless"
	"github.com/djauth/auth/throttle"
)

// pwlEnv is an env with a passwordless Backend among the Auth's backends,
// its own outbox, a fake clock and the pages mounted.
type pwlEnv struct {
	*env
	pl      *passwordless.Backend[auth.User]
	mails   *mail.Outbox
	advance func(time.Duration)
}

// pwlOpts are what a test changes: the Backend's Config, a Limiter, an
// mfa.Flow and other env options.
type pwlOpts struct {
	cfg     passwordless.Config
	limiter bool
	flow    func(now func() time.Time) *mfa.Flow[auth.User]
	env     []option
}

func newPWLEnv(t *testing.T, o pwlOpts) *pwlEnv {
	t.Helper()
	var mu sync.Mutex
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := &pwlEnv{mails: new(mail.Outbox), advance: func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }}
	cfg := o.cfg
	cfg.Store, cfg.Mailer, cfg.Now = passwordless.NewMemoryStore(), e.mails, clock
	pl, err := passwordless.New[auth.User](cfg)
	require.NoError(t, err)
	e.pl = pl
	opts := append([]option{func(c *envConfig) {
		c.Passwordless = true
		c.Backends = []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, pl}
		if o.limiter {
			l, err := throttle.New(throttle.Config{Store: throttle.NewMemoryStore(), Now: clock})
			require.NoError(t, err)
			c.Limiter = l
		}
		if o.flow != nil {
			c.SecondFactor = o.flow(clock)
		}
	}}, o.env...)
	e.env = newEnv(t, opts...)
	t.Cleanup(func() { _ = pl.Close() }) // runs before the Auth's Close
	return e
}

var (
	pwlLinkRE = regexp.MustCompile(`(?m)^https://testserver(/accounts/passwordless/link/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+/)$`)
	pwlCodeRE = regexp.MustCompile(`(?m)^([A-Z2-9]{8})$`)
)

// ask posts email on the form, checks the answer (the same for every
// address) and returns it.
func (e *pwlEnv) ask(c *client, email string, next ...string) *http.Response {
	e.t.Helper()
	target := "/accounts/passwordless/"
	if len(next) > 0 {
		target += "?next=" + url.QueryEscape(next[0])
	}
	resp := c.post(target, url.Values{"email": {email}})
	require.Equal(e.t, http.StatusFound, resp.StatusCode, "ask for %s", email)
	require.Equal(e.t, "/accounts/passwordless/code/", resp.Header.Get("Location"))
	return resp
}

// mail asks for email and returns the link's path and the code of the
// mail that follows.
func (e *pwlEnv) mail(c *client, email string, next ...string) (link, code string) {
	e.t.Helper()
	before := e.mails.Len()
	e.ask(c, email, next...)
	msgs := waitMails(e.t, e.mails, before+1)
	msg := msgs[len(msgs)-1]
	require.Equal(e.t, []string{email}, msg.To)
	lm := pwlLinkRE.FindStringSubmatch(msg.Text)
	require.NotNil(e.t, lm, msg.Text)
	cm := pwlCodeRE.FindStringSubmatch(msg.Text)
	require.NotNil(e.t, cm, msg.Text)
	return lm[1], cm[1]
}

func escaped(s string) string { return template.HTMLEscapeString(s) }

func TestPasswordlessCodeLogsIn(t *testing.T) {
	t.Parallel()
	e := newPWLEnv(t, pwlOpts{})
	e.createUser("alice", "pw")
	c := e.client()

	login := body(t, c.get("/accounts/login/?next=/secret/"))
	require.Contains(t, login, `<a href="/accounts/passwordless/?next=%2fsecret%2f">Email me a login link</a>`)

	resp := c.get("/accounts/passwordless/?next=/secret/")
	page := body(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Cache-Control"), "no-store")
	require.Contains(t, page, `<label for="id_email">Email address</label>`)
	require.Contains(t, page, `name="next" value="/secret/"`)

	resp = c.post("/accounts/passwordless/", url.Values{"email": {"not an address"}})
	page = body(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, `aria-invalid="true" aria-describedby="id_email_error"`)
	require.Contains(t, page, `id="id_email_error"`)
	require.Contains(t, page, `<a href="#id_email">`, "the error summary links to the field")

	_, code := e.mail(c, "alice@example.com", "/secret/")
	resp = c.get("/accounts/passwordless/code/")
	page = body(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Cache-Control"), "no-store")
	require.Contains(t, page, `<label for="id_code">Login code</label>`)
	require.Contains(t, page, `autocomplete="one-time-code"`)
	require.Contains(t, page, "15 minutes, in this browser only")

	resp = c.post("/accounts/passwordless/code/", url.Values{"code": {"WRONGWRO"}})
	page = body(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, MsgInvalidCodeHTML)
	require.Contains(t, page, `aria-invalid="true" aria-describedby="id_code_error"`)
	require.Equal(t, "AnonymousUser", c.whoami())

	before := c.cookies["sessionid"]
	resp = c.post("/accounts/passwordless/code/", url.Values{"code": {" " + code[:4] + "-" + code[4:] + " "}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "/secret/", resp.Header.Get("Location"))
	require.Equal(t, "alice", c.whoami())
	require.NotEqual(t, before, c.cookies["sessionid"], "the login renews the session key")

	// Spent: the page is gone.
	resp = c.get("/accounts/passwordless/code/")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "/accounts/passwordless/", resp.Header.Get("Location"))
}

func TestPasswordlessLinkGetDoesNotConsume(t *testing.T) {
	t.Parallel()
	e := newPWLEnv(t, pwlOpts{})
	e.createUser("alice", "pw")
	c := e.client()
	link, code := e.mail(c, "alice@example.com")
	for range 3 {
		resp := c.get(link)
		page := body(t, resp)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, page, `<form method="post" action="`+link+`"`)
		require.Contains(t, page, `<button type="submit" autofocus>Log in</button>`)
		require.Contains(t, resp.Header.Get("Cache-Control"), "no-store")
		require.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"))
		require.Equal(t, "AnonymousUser", c.whoami())
	}
	resp := c.post(link, nil)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "/accounts/profile/", resp.Header.Get("Location"))
	require.Equal(t, "alice", c.whoami())

	// Used: the link and its code are spent together.
	other := e.client()
	page := body(t, other.get(link))
	require.Contains(t, page, escaped(accounts.MsgLoginLinkInvalid))
	require.NotContains(t, page, `method="post"`)
	resp = other.post(link, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body(t, resp), escaped(accounts.MsgLoginLinkInvalid))
	resp = other.post("/accounts/passwordless/code/", url.Values{"code": {code}})
	require.Contains(t, body(t, resp), escaped(accounts.MsgLoginCodeEnded))
	require.Equal(t, "AnonymousUser", other.whoami())

	// An altered link is refused before any store sees it.
	page = body(t, c.get("/accounts/passwordless/link/a%00b/c/"))
	require.Contains(t, page, escaped(accounts.MsgLoginLinkInvalid))
}

func TestPasswordlessLinkOtherBrowser(t *testing.T) {
	t.Parallel()
	e := newPWLEnv(t, pwlOpts{})
	e.createUser("alice", "pw")
	c := e.client()
	link, _ := e.mail(c, "alice@example.com")
	phone := e.client()
	resp := phone.get(link)
	page := body(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, escaped(accounts.MsgLoginLinkOtherBrowser))
	require.NotContains(t, page, `method="post"`)
	resp = phone.post(link, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body(t, resp), escaped(accounts.MsgLoginLinkOtherBrowser))
	require.Equal(t, "AnonymousUser", phone.whoami())

	resp = c.post(link, nil)
	require.Equal(t, http.StatusFound, resp.StatusCode, "the refusals elsewhere did not spend it")
	require.Equal(t, "alice", c.whoami())
}

func TestPasswordlessLinkUnbound(t *testing.T) {
	t.Parallel()
	e := newPWLEnv(t, pwlOpts{cfg: passwordless.Config{Unbound: true}})
	e.createUser("alice", "pw")
	c := e.client()
	link, _ := e.mail(c, "alice@example.com")
	require.NotContains(t, body(t, c.get("/accounts/passwordless/code/")), "in this browser only")
	phone := e.client()
	require.Contains(t, body(t, phone.get(link)), `<button type="submit" autofocus>Log in</button>`)
	resp := phone.post(link, nil)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "alice", phone.whoami())
	require.Equal(t, "AnonymousUser", c.whoami())
}

func TestPasswordlessUnknownAddress(t *testing.T) {
	t.Parallel()
	e := newPWLEnv(t, pwlOpts{})
	e.createUser("alice", "pw")
	e.createUser("inactive", "pw", func(u *auth.User) { u.IsActive = false })
	answer := func(email string) (int, string, string) {
		c := e.client()
		resp := e.ask(c, email)
		code := c.get("/accounts/passwordless/code/")
		return resp.StatusCode, resp.Header.Get("Location"), body(t, code)
	}
	st, loc, page := answer("alice@example.com")
	for _, email := range []string{"nobody@example.com", "inactive@example.com"} {
		st2, loc2, page2 := answer(email)
		require.Equal(t, st, st2, email)
		require.Equal(t, loc, loc2, email)
		require.Equal(t, page, page2, "the same check-your-email page for %s", email)
	}
	// The code page of an unknown address works the same, and refuses.
	c := e.client()
	e.ask(c, "nobody@example.com")
	resp := c.post("/accounts/passwordless/code/", url.Values{"code": {"AAAAAAAA"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body(t, resp), MsgInvalidCodeHTML)

	require.NoError(t, e.pl.Close())
	require.Equal(t, 1, e.mails.Len(), "a mail only to the known, active address")
	require.Equal(t, []string{"alice@example.com"}, e.mails.Messages()[0].To)
}

func TestPasswordlessThrottled(t *testing.T) {
	t.Parallel()
	t.Run("requests", func(t *testing.T) {
		t.Parallel()
		e := newPWLEnv(t, pwlOpts{limiter: true})
		c := e.client()
		// throttle's passwordless rule: one free request per address, then waits.
		e.ask(c, "nobody@example.com")
		e.ask(c, "NOBODY@example.com")
		resp := c.post("/accounts/passwordless/", url.Values{"email": {"nobody@example.com"}})
		page := body(t, resp)
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		require.NotEmpty(t, resp.Header.Get("Retry-After"))
		require.Contains(t, page, `id="id_errors" role="alert"`)
		require.Contains(t, page, `aria-describedby="id_errors"`)
	})
	t.Run("codes", func(t *testing.T) {
		t.Parallel()
		e := newPWLEnv(t, pwlOpts{limiter: true, cfg: passwordless.Config{MaxAttempts: 100}})
		e.createUser("alice", "pw")
		c := e.client()
		link, _ := e.mail(c, "alice@example.com")
		// login's rule applies to passwordless_code: failures, then waits.
		var resp *http.Response
		for range 10 {
			resp = c.post("/accounts/passwordless/code/", url.Values{"code": {"WRONGWRO"}})
			if resp.StatusCode != http.StatusOK {
				break
			}
		}
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		require.NotEmpty(t, resp.Header.Get("Retry-After"))
		require.Contains(t, body(t, resp), `role="alert"`)
		// The link is throttled too (same user), and keeps its button.
		resp = c.post(link, nil)
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		require.NotEmpty(t, resp.Header.Get("Retry-After"))
		require.Contains(t, body(t, resp), `<button type="submit" autofocus>Log in</button>`)
		require.Equal(t, "AnonymousUser", c.whoami())
	})
}

func TestPasswordlessWrongCodeCap(t *testing.T) {
	t.Parallel()
	e := newPWLEnv(t, pwlOpts{cfg: passwordless.Config{MaxAttempts: 3}})
	e.createUser("alice", "pw")
	c := e.client()
	link, code := e.mail(c, "alice@example.com")
	for range 3 {
		resp := c.post("/accounts/passwordless/code/", url.Values{"code": {"WRONGWRO"}})
		require.Contains(t, body(t, resp), MsgInvalidCodeHTML)
	}
	resp := c.post("/accounts/passwordless/code/", url.Values{"code": {code}})
	page := body(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, escaped(accounts.MsgLoginCodeEnded), "the request is void after its attempts")
	require.NotContains(t, page, `name="code"`)
	require.Equal(t, "AnonymousUser", c.whoami())
	resp = c.post(link, nil)
	require.Contains(t, body(t, resp), escaped(accounts.MsgLoginLinkInvalid), "the link goes with its code")
	require.Equal(t, "AnonymousUser", c.whoami())
}

func TestPasswordlessExpiry(t *testing.T) {
	t.Parallel()
	e := newPWLEnv(t, pwlOpts{cfg: passwordless.Config{Timeout: 10 * time.Minute}})
	e.createUser("alice", "pw")
	c := e.client()
	link, code := e.mail(c, "alice@example.com")
	require.Contains(t, body(t, c.get("/accounts/passwordless/code/")), "10 minutes")
	e.advance(10*time.Minute - time.Second)
	require.Contains(t, body(t, c.get(link)), `<button type="submit" autofocus>Log in</button>`)
	e.advance(time.Second)
	require.Contains(t, body(t, c.get(link)), escaped(accounts.MsgLoginLinkInvalid))
	resp := c.post("/accounts/passwordless/code/", url.Values{"code": {code}})
	require.Contains(t, body(t, resp), escaped(accounts.MsgLoginCodeEnded))
	require.Equal(t, "AnonymousUser", c.whoami())
}

func TestPasswordlessSecondFactor(t *testing.T) {
	t.Parallel()
	totp := newFixedCodes("totp")
	e := newPWLEnv(t, pwlOpts{
		flow: func(now func() time.Time) *mfa.Flow[auth.User] {
			f, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{totp}, Policy: mfa.NewMemoryPolicyStore(), Now: now})
			require.NoError(t, err)
			return f
		},
		env: []option{func(c *envConfig) { c.Sessions = auth.SessionConfig{InsecureCookie: true} }},
	})
	alice := e.createUser("alice", "pw")
	totp.add(alice.ID, "123456")
	for _, via := range []string{"code", "link"} {
		t.Run(via, func(t *testing.T) {
			c := e.client()
			link, code := e.mail(c, "alice@example.com", "/secret/")
			var resp *http.Response
			if via == "code" {
				resp = c.post("/accounts/passwordless/code/", url.Values{"code": {code}})
			} else {
				resp = c.post(link, nil)
			}
			require.Equal(t, http.StatusFound, resp.StatusCode)
			challenge := resp.Header.Get("Location")
			require.Equal(t, "/accounts/mfa/challenge/?next=/secret/", challenge)
			require.Equal(t, "AnonymousUser", c.whoami(), "the first factor alone does not log in")
			resp = c.post(challenge, url.Values{"factor": {"totp"}, "code": {"123456"}, "next": {"/secret/"}})
			require.Equal(t, http.StatusFound, resp.StatusCode)
			require.Equal(t, "/secret/", resp.Header.Get("Location"))
			require.Equal(t, "alice", c.whoami())
		})
	}
}

// refuseGate refuses every login, sending the browser to url.
type refuseGate struct{ url string }

func (g refuseGate) AllowLogin(context.Context, *auth.User) error {
	return &auth.LoginRefusedError{Reason: "Verify your address first.", URL: g.url}
}

func TestPasswordlessLoginGate(t *testing.T) {
	t.Parallel()
	for _, target := range []string{"/verify-first/", ""} {
		t.Run("url="+target, func(t *testing.T) {
			t.Parallel()
			e := newPWLEnv(t, pwlOpts{env: []option{func(c *envConfig) { c.LoginGate = refuseGate{url: target} }}})
			e.createUser("alice", "pw")
			c := e.client()
			_, code := e.mail(c, "alice@example.com")
			resp := c.post("/accounts/passwordless/code/", url.Values{"code": {code}})
			if target != "" {
				require.Equal(t, http.StatusFound, resp.StatusCode)
				require.Equal(t, target, resp.Header.Get("Location"))
			} else {
				require.Equal(t, http.StatusOK, resp.StatusCode)
				assert.Contains(t, body(t, resp), "Verify your address first.")
			}
			require.Equal(t, "AnonymousUser", c.whoami())
		})
	}
}

func TestPasswordlessConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := accounts.New(e.a, accounts.Config{Passwordless: true})
	require.ErrorIs(t, err, auth.ErrConfig, "no passwordless Backend among the Auth's")
	// Without the setting nothing is mounted nor linked.
	c := e.client()
	require.Equal(t, http.StatusNotFound, c.get("/accounts/passwordless/").StatusCode)
	require.NotContains(t, body(t, c.get("/accounts/login/")), "Email me a login link")
}
