package accounts_test

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/throttle"
)

// signupEnv is an env with an emails.Manager whose store keeps the user's
// email column in step with the primary address.
type signupEnv struct {
	*env
	emails *emails.Manager
	store  *emails.MemoryStore
}

type signupOpts struct {
	gate     bool
	signup   accounts.SignupConfig
	limiter  *fakeClock // a throttle.Limiter on this clock
	backends bool       // ModelBackend then EmailBackend
	flow     *mfa.Flow[auth.User]
	french   bool // offer English and French
}

func newSignupEnv(t *testing.T, o signupOpts) *signupEnv {
	t.Helper()
	se := &signupEnv{}
	se.store = emails.NewMemoryStore(true, func(ctx context.Context, id int64, email string) error {
		u, err := se.env.store.GetUser(ctx, id)
		if err != nil {
			return err
		}
		u.Email = email
		return se.env.store.UpdateUser(ctx, u)
	})
	m, err := emails.NewManager(emails.Config{Store: se.store, SecretKey: testSecret})
	require.NoError(t, err)
	se.emails = m
	opts := []option{func(c *envConfig) {
		c.Emails = m
		c.Signup = o.signup
		if o.gate {
			c.LoginGate = &emails.Gate[auth.User]{Manager: m, URL: accounts.VerificationRequiredURL("")}
		}
		if o.flow != nil {
			c.SecondFactor = o.flow
			c.Sessions = auth.SessionConfig{InsecureCookie: true}
		}
		if o.french {
			c.I18n = i18n.Config{Languages: []string{"en", "fr"}}
		}
		if o.backends {
			c.Backends = []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, &accounts.EmailBackend[auth.User]{Emails: m}}
		}
	}}
	if o.limiter != nil {
		opts = append(opts, withLimiter(t, o.limiter))
	}
	se.env = newEnv(t, opts...)
	return se
}

func signupForm(username, email, password string) url.Values {
	return url.Values{"username": {username}, "email": {email}, "password1": {password}, "password2": {password}}
}

var codeRE = regexp.MustCompile(`(?m)^([0-9A-Z]{8})$`)

// confirmation returns the path of the link and the code of a
// verification mail.
func confirmation(t *testing.T, msg mail.Message) (link, code string) {
	t.Helper()
	link = linkPath(t, msg.Text)
	require.True(t, strings.HasPrefix(link, "/accounts/confirm-email/"), link)
	m := codeRE.FindStringSubmatch(msg.Text)
	require.NotNil(t, m, "a code in:\n%s", msg.Text)
	return link, m[1]
}

func (se *signupEnv) address(t *testing.T, email string) emails.Address {
	t.Helper()
	found, err := se.store.FindAddresses(context.Background(), email)
	require.NoError(t, err)
	require.Len(t, found, 1)
	return found[0]
}

// TestSignupHappyPath: the form creates the user (password hashed, email
// recorded unverified), logs them in, and mails a link and a code; the
// log holds neither.
func TestSignupHappyPath(t *testing.T) {
	t.Parallel()
	se := newSignupEnv(t, signupOpts{})
	c := se.client()
	resp := c.get("/accounts/signup/")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Cache-Control"), "no-store")
	page := body(t, resp)
	assert.Contains(t, page, `name="password2"`)
	assert.Contains(t, body(t, c.get("/accounts/login/")), `href="/accounts/signup/"`, "the login page links to sign-up")

	resp = c.post("/accounts/signup/", signupForm("ann", "ann@Example.COM", "correct horse battery"))
	require.Equal(t, http.StatusFound, resp.StatusCode, body(t, resp))
	assert.Equal(t, "/accounts/profile/", resp.Header.Get("Location"))
	assert.Equal(t, "ann", c.whoami())
	assert.Contains(t, body(t, c.get("/accounts/profile/")), `href="/accounts/email/"`)

	u, err := se.env.store.GetUserByUsername(context.Background(), "ann")
	require.NoError(t, err)
	assert.Equal(t, "ann@example.com", u.Email)
	assert.True(t, se.checkPassword(u.ID, "correct horse battery"))
	a := se.address(t, "ann@example.com")
	assert.Equal(t, u.ID, a.UserID)
	assert.False(t, a.Verified)

	msgs := waitMails(t, se.outbox, 1)
	assert.Equal(t, []string{"ann@example.com"}, msgs[0].To)
	assert.Equal(t, "Please confirm your email address on testserver", msgs[0].Subject)
	link, code := confirmation(t, msgs[0])
	key := strings.TrimSuffix(strings.TrimPrefix(link, "/accounts/confirm-email/"), "/")
	assert.Contains(t, msgs[0].Text, "https://testserver/accounts/confirm-email/code/")
	se.settle()
	assert.NotContains(t, se.logs.String(), code)
	assert.NotContains(t, se.logs.String(), key)
	assert.Len(t, se.outbox.Messages(), 1)
}

// TestSignupValidators: the password validators run with the new user's
// attributes; mismatched passwords and bad fields are shown together;
// nothing is written or mailed.
func TestSignupValidators(t *testing.T) {
	t.Parallel()
	se := newSignupEnv(t, signupOpts{})
	c := se.client()
	for name, tc := range map[string]struct {
		form url.Values
		want []string
	}{
		"common":    {signupForm("bob", "bob@example.com", "password"), []string{"This password is too common."}},
		"similar":   {signupForm("maximilian", "bob@example.com", "maximilian1"), []string{"The password is too similar to the username."}},
		"short":     {signupForm("bob", "bob@example.com", "x7"), []string{"This password is too short."}},
		"mismatch":  {url.Values{"username": {"bob"}, "password1": {"correct horse 1"}, "password2": {"correct horse 2"}}, []string{"The two password fields didn’t match."}},
		"bad email": {signupForm("bob", "not-an-address", "correct horse battery"), []string{accounts.MsgInvalidEmail}},
		"bad name":  {signupForm("bob smith!", "", "correct horse battery"), []string{"Enter a valid username."}},
		"no name":   {signupForm("", "", "correct horse battery"), []string{auth.MsgRequired}},
	} {
		resp := c.post("/accounts/signup/", tc.form)
		assert.Equal(t, http.StatusOK, resp.StatusCode, name)
		page := body(t, resp)
		for _, w := range tc.want {
			assert.Contains(t, page, template.HTMLEscapeString(w), name)
		}
		assert.Contains(t, page, `aria-invalid="true"`, name)
	}
	n, err := se.env.store.CountUsers(context.Background(), auth.UserQuery{})
	require.NoError(t, err)
	assert.Zero(t, n)
	se.settle()
	assert.Zero(t, se.outbox.Len())
	assert.Equal(t, "AnonymousUser", c.whoami())
}

// TestSignupDuplicateUsername: a username in use, in any case, is said
// to be taken (as Django does).
func TestSignupDuplicateUsername(t *testing.T) {
	t.Parallel()
	se := newSignupEnv(t, signupOpts{})
	se.createUser("Ann", "pw")
	resp := se.client().post("/accounts/signup/", signupForm("ann", "new@example.com", "correct horse battery"))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body(t, resp), "A user with that username already exists.")
	se.settle()
	assert.Zero(t, se.outbox.Len())
}

// TestSignupDuplicateEmailSaysSoWithUsernames: with the username method an
// address in use is reported, as allauth does without enumeration
// prevention.
func TestSignupDuplicateEmailSaysSoWithUsernames(t *testing.T) {
	t.Parallel()
	se := newSignupEnv(t, signupOpts{})
	se.createUser("ann", "pw") // ann@example.com in the user table only
	resp := se.client().post("/accounts/signup/", signupForm("bob", "ANN@example.com", "correct horse battery"))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body(t, resp), accounts.MsgEmailTaken)
}

// TestSignupDuplicateEmailEnumerationSafe: when email addresses are
// identifiers, an address in use gets the same answer as a new one, no
// account is made, and the address's owner is told by mail.
func TestSignupDuplicateEmailEnumerationSafe(t *testing.T) {
	t.Parallel()
	se := newSignupEnv(t, signupOpts{gate: true, signup: accounts.SignupConfig{Method: accounts.AuthUsernameEmail}})
	ann := se.createUser("ann", "pw")
	_, _, err := se.store.AddAddress(context.Background(), ann.ID, "ann@example.com")
	require.NoError(t, err)

	answer := func(username, email string) (int, string, string) {
		c := se.client()
		resp := c.post("/accounts/signup/", signupForm(username, email, "correct horse battery"))
		loc := resp.Header.Get("Location")
		page := body(t, c.get(loc))
		return resp.StatusCode, loc, strings.ReplaceAll(page, email, "EMAIL")
	}
	code1, loc1, page1 := answer("bob", "bob@example.com")
	code2, loc2, page2 := answer("carl", "Ann@EXAMPLE.com")
	assert.Equal(t, http.StatusFound, code1)
	assert.Equal(t, "/accounts/confirm-email/", loc1)
	assert.Equal(t, code1, code2)
	assert.Equal(t, loc1, loc2)
	assert.Equal(t, page1, page2)

	_, err = se.env.store.GetUserByUsername(context.Background(), "carl")
	assert.ErrorIs(t, err, auth.ErrUserNotFound, "no account for the address in use")
	se.settle()
	msgs := se.outbox.Messages()
	require.Len(t, msgs, 2)
	byTo := map[string]mail.Message{}
	for _, m := range msgs {
		byTo[m.To[0]] = m
	}
	assert.Contains(t, byTo["bob@example.com"].Subject, "Please confirm")
	exists := byTo["Ann@example.com"]
	assert.Equal(t, "Account already exists on testserver", exists.Subject)
	assert.Contains(t, exists.Text, "https://testserver/accounts/password_reset/")
}

// TestSignupThrottled: sign-ups count per client address; past the free
// ones the page answers 429 with Retry-After and creates nothing.
func TestSignupThrottled(t *testing.T) {
	t.Parallel()
	clock := newClock()
	se := newSignupEnv(t, signupOpts{limiter: clock})
	c := se.client()
	for i := range 6 {
		resp := c.post("/accounts/signup/", signupForm("u"+string(rune('a'+i)), "", "password"), "X-Forwarded-For", "203.0.113.7")
		assert.Equal(t, http.StatusOK, resp.StatusCode, "attempt %d (a rejected password) is counted", i)
	}
	resp := c.post("/accounts/signup/", signupForm("zed", "", "correct horse battery"), "X-Forwarded-For", "203.0.113.7")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	_, err := se.env.store.GetUserByUsername(context.Background(), "zed")
	assert.ErrorIs(t, err, auth.ErrUserNotFound)
	resp = c.post("/accounts/signup/", signupForm("zed", "", "correct horse battery"), "X-Forwarded-For", "203.0.113.8")
	assert.Equal(t, http.StatusFound, resp.StatusCode, "another client address")
}

// TestSignupClosed: Disabled closes the page and the API.
func TestSignupClosed(t *testing.T) {
	t.Parallel()
	se := newSignupEnv(t, signupOpts{signup: accounts.SignupConfig{Disabled: true}})
	c := se.client()
	resp := c.post("/accounts/signup/", signupForm("ann", "", "correct horse battery"))
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, body(t, resp), "closed")
	assert.NotContains(t, body(t, c.get("/accounts/login/")), "/accounts/signup/")
	_, err := se.m.SignUp(context.Background(), nil, accounts.SignupForm{Username: "ann", Password1: "x", Password2: "x"})
	assert.ErrorIs(t, err, accounts.ErrSignupClosed)
}

// TestConfirmLinkGetDoesNotVerify: the link's GET (a mail scanner) shows
// a button and verifies nothing; its POST verifies and logs nobody in;
// the used link is then invalid.
func TestConfirmLinkGetDoesNotVerify(t *testing.T) {
	t.Parallel()
	se := newSignupEnv(t, signupOpts{gate: true})
	c := se.client()
	resp := c.post("/accounts/signup/", signupForm("ann", "ann@example.com", "correct horse battery"))
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/accounts/confirm-email/", resp.Header.Get("Location"), "mandatory verification: no login")
	assert.Equal(t, "AnonymousUser", c.whoami())
	link, _ := confirmation(t, waitMails(t, se.outbox, 1)[0])

	scanner := se.client()
	for range 2 {
		resp := scanner.get(link)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"))
		assert.Contains(t, resp.Header.Get("Cache-Control"), "no-store")
		page := body(t, resp)
		assert.Contains(t, page, `<form method="post"`)
		assert.Contains(t, page, "ann@example.com")
		assert.False(t, se.address(t, "ann@example.com").Verified, "a GET verifies nothing")
	}
	resp = scanner.post(link, nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body(t, resp), "You have verified")
	assert.True(t, se.address(t, "ann@example.com").Verified)
	assert.Equal(t, "AnonymousUser", scanner.whoami(), "confirming logs nobody in")
	assert.Contains(t, body(t, scanner.get(link)), "Invalid link", "used once")
	resp = scanner.post(link, url.Values{}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "CSRF")
}

// TestVerifyCode: the code of the mail verifies, typed with the address
// or by the signed-in user without it; a wrong one is refused.
func TestVerifyCode(t *testing.T) {
	t.Parallel()
	se := newSignupEnv(t, signupOpts{})
	c := se.client()
	require.Equal(t, http.StatusFound, c.post("/accounts/signup/", signupForm("ann", "ann@example.com", "correct horse battery")).StatusCode)
	_, code := confirmation(t, waitMails(t, se.outbox, 1)[0])
	page := body(t, c.get("/accounts/confirm-email/code/"))
	assert.Contains(t, page, `value="ann@example.com"`, "the sign-up's address fills the field")

	resp := c.post("/accounts/confirm-email/code/", url.Values{"code": {"AAAAAAAA"}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body(t, resp), "The code is wrong")
	assert.False(t, se.address(t, "ann@example.com").Verified)

	typed := strings.ToLower(code[:4]) + "-" + code[4:]
	resp = c.post("/accounts/confirm-email/code/", url.Values{"code": {typed}})
	assert.Contains(t, body(t, resp), "You have verified")
	assert.True(t, se.address(t, "ann@example.com").Verified)

	// Anonymous, with the address.
	c2 := se.client()
	require.Equal(t, http.StatusFound, c2.post("/accounts/signup/", signupForm("bob", "bob@example.com", "correct horse battery")).StatusCode)
	_, code = confirmation(t, waitMails(t, se.outbox, 2)[1])
	c3 := se.client()
	resp = c3.post("/accounts/confirm-email/code/", url.Values{"email": {"BOB@example.com"}, "code": {code}})
	assert.Contains(t, body(t, resp), "You have verified")
	assert.True(t, se.address(t, "bob@example.com").Verified)
	assert.Equal(t, "AnonymousUser", c3.whoami())
}

// TestWrongCodeThrottled: wrong codes count per address; once refused,
// even the right code is refused (429) and verifies nothing.
func TestWrongCodeThrottled(t *testing.T) {
	t.Parallel()
	clock := newClock()
	se := newSignupEnv(t, signupOpts{limiter: clock})
	c := se.client()
	require.Equal(t, http.StatusFound, c.post("/accounts/signup/", signupForm("ann", "ann@example.com", "correct horse battery")).StatusCode)
	_, code := confirmation(t, waitMails(t, se.outbox, 1)[0])
	attacker := se.client()
	got429 := 0
	for i := range 6 {
		resp := attacker.post("/accounts/confirm-email/code/", url.Values{"email": {"ann@example.com"}, "code": {"0000000" + string(rune('0'+i))}},
			"X-Forwarded-For", "203.0.113."+string(rune('1'+i)))
		if resp.StatusCode == http.StatusTooManyRequests {
			got429++
		}
	}
	assert.Positive(t, got429, "wrong codes for one address are throttled whatever the client address")
	resp := attacker.post("/accounts/confirm-email/code/", url.Values{"email": {"ann@example.com"}, "code": {code}})
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.False(t, se.address(t, "ann@example.com").Verified)
	clock.Advance(time.Hour)
	resp = attacker.post("/accounts/confirm-email/code/", url.Values{"email": {"ann@example.com"}, "code": {code}})
	assert.Contains(t, body(t, resp), "You have verified")
}

// TestMandatoryVerificationGate: with the Gate, sign-up ends on the
// verification page, the login page sends an unverified user there, and
// after verifying the login works.
func TestMandatoryVerificationGate(t *testing.T) {
	t.Parallel()
	se := newSignupEnv(t, signupOpts{gate: true, backends: true, signup: accounts.SignupConfig{Method: accounts.AuthUsernameEmail}})
	c := se.client()
	require.Equal(t, http.StatusFound, c.post("/accounts/signup/", signupForm("ann", "ann@example.com", "correct horse battery")).StatusCode)
	page := body(t, c.get("/accounts/confirm-email/"))
	assert.Contains(t, page, "Verify your email address")
	_, code := confirmation(t, waitMails(t, se.outbox, 1)[0])

	resp := c.post("/accounts/login/", url.Values{"username": {"ann"}, "password": {"correct horse battery"}})
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/accounts/confirm-email/", resp.Header.Get("Location"))
	assert.Equal(t, "AnonymousUser", c.whoami())
	resp = c.post("/accounts/login/", url.Values{"username": {"ann@example.com"}, "password": {"correct horse battery"}})
	assert.Equal(t, http.StatusOK, resp.StatusCode, "an unverified address is no login name")
	assert.Equal(t, "AnonymousUser", c.whoami())

	resp = c.post("/accounts/confirm-email/code/", url.Values{"code": {code}})
	assert.Contains(t, body(t, resp), "This field is required.", "nobody is signed in: the address is needed")
	resp = c.post("/accounts/confirm-email/code/", url.Values{"email": {"ann@example.com"}, "code": {code}})
	require.Contains(t, body(t, resp), "You have verified")
	c.login("ann@example.com", "correct horse battery")
	assert.Equal(t, "ann", c.whoami())
}

// TestResendLimits: a resend within the cooldown sends nothing; after it
// one mail goes; an unknown address gets the same answer and no mail;
// with a Limiter the requests for one address are counted and refused.
func TestResendLimits(t *testing.T) {
	t.Parallel()
	clock := newClock()
	se := newSignupEnv(t, signupOpts{limiter: clock, signup: accounts.SignupConfig{Now: clock.Now}})
	c := se.client()
	require.Equal(t, http.StatusFound, c.post("/accounts/signup/", signupForm("ann", "ann@example.com", "correct horse battery")).StatusCode)
	waitMails(t, se.outbox, 1)

	resend := func(email string) *http.Response {
		return se.client().post("/accounts/confirm-email/", url.Values{"email": {email}})
	}
	resp := resend("ann@example.com")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	known := strings.ReplaceAll(body(t, resp), "ann@example.com", "EMAIL")
	assert.Contains(t, known, accounts.MsgVerificationSent)
	resp = resend("nobody@example.com")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, known, strings.ReplaceAll(body(t, resp), "nobody@example.com", "EMAIL"), "the same answer for an unknown address")

	clock.Advance(accounts.DefaultEmailCooldown + time.Second)
	resp = resend("ann@example.com")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	msgs := waitMails(t, se.outbox, 2)
	assert.Equal(t, []string{"ann@example.com"}, msgs[1].To)
	resp = resend("ann@example.com")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "the Limiter counts every request for the address")
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	se.settle()
	assert.Len(t, se.outbox.Messages(), 2, "one mail at sign-up, one after the cooldown")
}

// TestEmailManagement: add an address (mailed, unverified), verify it,
// make it primary (the user's email follows, the old address is told),
// remove the old one; the primary cannot be removed.
func TestEmailManagement(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	se := newSignupEnv(t, signupOpts{})
	u := se.createUser("ann", "pw")
	a, _, err := se.store.AddAddress(ctx, u.ID, "ann@example.com")
	require.NoError(t, err)
	_, err = se.store.VerifyAddress(ctx, a.ID)
	require.NoError(t, err)
	c := se.client()
	c.login("ann", "pw")

	resp := c.post("/accounts/email/", url.Values{"action": {"add"}, "email": {"new@example.com"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Contains(t, body(t, c.get("/accounts/email/")), "We have sent a mail to new@example.com")
	msg := waitMails(t, se.outbox, 1)[0]
	assert.Equal(t, []string{"new@example.com"}, msg.To)
	_, code := confirmation(t, msg)
	b := se.address(t, "new@example.com")

	resp = c.post("/accounts/email/", url.Values{"action": {"primary"}, "id": {id64(b.ID)}})
	assert.Contains(t, body(t, resp), accounts.MsgEmailUnverified)
	assert.Equal(t, "ann@example.com", se.reload(u.ID).Email)

	require.Contains(t, body(t, c.post("/accounts/confirm-email/code/", url.Values{"code": {code}})), "You have verified")
	resp = c.post("/accounts/email/", url.Values{"action": {"add"}, "email": {"NEW@example.com"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Contains(t, body(t, c.get("/accounts/email/")), accounts.MsgEmailAlreadyYours)
	resp = c.post("/accounts/email/", url.Values{"action": {"primary"}, "id": {id64(b.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "new@example.com", se.reload(u.ID).Email)
	msgs := waitMails(t, se.outbox, 2)
	assert.Equal(t, []string{"ann@example.com"}, msgs[1].To, "the old primary address is told")
	assert.Contains(t, msgs[1].Subject, "primary email address was changed")
	assert.Contains(t, msgs[1].Text, "new@example.com")

	resp = c.post("/accounts/email/", url.Values{"action": {"remove"}, "id": {id64(b.ID)}})
	assert.Contains(t, body(t, resp), accounts.MsgEmailCantRemove)
	resp = c.post("/accounts/email/", url.Values{"action": {"remove"}, "id": {id64(a.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	as, err := se.store.UserAddresses(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, as, 1)
	assert.Equal(t, "new@example.com", as[0].Email)

	// Another user's address cannot be touched, and adding it tells
	// nothing: the owner is mailed instead.
	bob := se.createUser("bob", "pw")
	x, _, err := se.store.AddAddress(ctx, bob.ID, "bob@example.com")
	require.NoError(t, err)
	resp = c.post("/accounts/email/", url.Values{"action": {"remove"}, "id": {id64(x.ID)}})
	assert.Contains(t, body(t, resp), accounts.MsgEmailNoSuch)
	resp = c.post("/accounts/email/", url.Values{"action": {"add"}, "email": {"bob@example.com"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Contains(t, body(t, c.get("/accounts/email/")), "We have sent a mail to bob@example.com")
	se.settle()
	msgs = se.outbox.Messages()
	require.Len(t, msgs, 3)
	assert.Equal(t, []string{"bob@example.com"}, msgs[2].To)
	assert.Contains(t, msgs[2].Subject, "Account already exists")

	anon := se.client()
	resp = anon.get("/accounts/email/")
	assert.Equal(t, http.StatusFound, resp.StatusCode, "login required")
}

// TestUnverifiedAddressNoLoginNoReset: an address added but not verified
// neither logs in (EmailBackend) nor receives a password reset.
func TestUnverifiedAddressNoLoginNoReset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	se := newSignupEnv(t, signupOpts{backends: true})
	u := se.createUser("ann", "pw")
	a, _, err := se.store.AddAddress(ctx, u.ID, "ann@example.com")
	require.NoError(t, err)
	_, err = se.store.VerifyAddress(ctx, a.ID)
	require.NoError(t, err)
	_, _, err = se.store.AddAddress(ctx, u.ID, "victim@example.com")
	require.NoError(t, err)

	c := se.client()
	resp := c.post("/accounts/login/", url.Values{"username": {"victim@example.com"}, "password": {"pw"}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body(t, resp), "Please enter a correct username and password")
	assert.Equal(t, "AnonymousUser", c.whoami())
	c.login("ANN@example.com", "pw")
	assert.Equal(t, "ann", c.whoami())

	for _, addr := range []string{"victim@example.com", "ann@example.com"} {
		resp := se.client().post("/accounts/password_reset/", url.Values{"email": {addr}})
		assert.Equal(t, http.StatusFound, resp.StatusCode)
	}
	se.settle()
	msgs := se.outbox.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, []string{"ann@example.com"}, msgs[0].To)
}

// TestSignUpAPI: the Go API reports every problem by field, and hides an
// address in use when addresses are identifiers.
func TestSignUpAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	se := newSignupEnv(t, signupOpts{signup: accounts.SignupConfig{Method: accounts.AuthEmail, NoUsername: true}})
	r := newRequest()
	res, err := se.m.SignUp(ctx, r, accounts.SignupForm{Email: "Ann.Smith@example.com", Password1: "correct horse battery", Password2: "correct horse battery"})
	require.NoError(t, err)
	require.NotNil(t, res.User)
	assert.Equal(t, "Ann.Smith", res.User.Username, "a username made from the address")
	assert.Equal(t, "Ann.Smith@example.com", res.Address.Email)

	res, err = se.m.SignUp(ctx, r, accounts.SignupForm{Email: "ann.smith@EXAMPLE.com", Password1: "correct horse battery", Password2: "correct horse battery"})
	require.NoError(t, err, "an address in use is hidden")
	assert.Nil(t, res.User)

	_, err = se.m.SignUp(ctx, r, accounts.SignupForm{Email: "", Password1: "a", Password2: "b"})
	var fe *accounts.SignupError
	require.ErrorAs(t, err, &fe)
	assert.ErrorIs(t, err, auth.ErrInvalid)
	assert.Equal(t, []string{auth.MsgRequired}, fe.Email)
	assert.NotEmpty(t, fe.Password2)

	_, err = accounts.New(se.a, accounts.Config{Signup: accounts.SignupConfig{NoUsername: true}})
	assert.ErrorIs(t, err, auth.ErrConfig, "no username needs the email method")
}

func TestSignupScopesMatchThrottle(t *testing.T) {
	require.Equal(t, throttle.ScopeSignup, accounts.LimitScopeSignup)
	require.Equal(t, throttle.ScopeEmailSend, accounts.LimitScopeEmailSend)
	require.Equal(t, throttle.ScopeEmailCode, accounts.LimitScopeEmailCode)
}

func id64(n int64) string { return strconv.FormatInt(n, 10) }

// newRequest is a request to the test server, for the links of mails.
func newRequest() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/accounts/signup/", nil)
	r.Host = "testserver"
	return r
}

// TestEmailPrimaryNeedsStepUp: with an mfa.Flow, changing the primary
// address needs a recent verification; the form's POST is sent to the
// verification page and changes nothing.
func TestEmailPrimaryNeedsStepUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{newFixedCodes("totp")}, Policy: mfa.NewMemoryPolicyStore(), Now: clock})
	require.NoError(t, err)
	se := newSignupEnv(t, signupOpts{flow: flow})
	u := se.createUser("alice", "pw")
	var ids []int64
	for _, addr := range []string{"a@example.com", "b@example.com"} {
		a, _, err := se.store.AddAddress(ctx, u.ID, addr)
		require.NoError(t, err)
		_, err = se.store.VerifyAddress(ctx, a.ID)
		require.NoError(t, err)
		ids = append(ids, a.ID)
	}
	c := se.client()
	c.login("alice", "pw")
	mu.Lock()
	now = now.Add(accounts.DefaultStepUpMaxAge + time.Second)
	mu.Unlock()
	resp := c.post("/accounts/email/", url.Values{"action": {"primary"}, "id": {id64(ids[1])}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/accounts/mfa/verify/"), resp.Header.Get("Location"))
	assert.Equal(t, "a@example.com", se.reload(u.ID).Email, "unchanged")
	resp = c.post("/accounts/mfa/verify/", url.Values{"password": {"pw"}, "next": {"/accounts/email/"}})
	require.Equal(t, "/accounts/email/", resp.Header.Get("Location"))
	resp = c.post("/accounts/email/", url.Values{"action": {"primary"}, "id": {id64(ids[1])}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/accounts/email/", resp.Header.Get("Location"))
	assert.Equal(t, "b@example.com", se.reload(u.ID).Email)

	// Adding an address is a new way in (resets go to verified
	// addresses): it needs the step-up too.
	mu.Lock()
	now = now.Add(accounts.DefaultStepUpMaxAge + time.Second)
	mu.Unlock()
	resp = c.post("/accounts/email/", url.Values{"action": {"add"}, "email": {"c@example.com"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/accounts/mfa/verify/"), resp.Header.Get("Location"))
	found, err := se.store.FindAddresses(ctx, "c@example.com")
	require.NoError(t, err)
	assert.Empty(t, found, "nothing added before the step-up")
}

// FuzzSignUp: any form either signs up or returns a *SignupError, never
// panics, and writes nothing when refused.
func FuzzSignUp(f *testing.F) {
	f.Add("ann", "ann@example.com", "correct horse battery", "correct horse battery")
	f.Add("", "a@b", "x", "y")
	f.Add("bob\x00", "\xff@example.com", "pw", "pw")
	f.Add("Ann", "ANN@EXAMPLE.COM", "correct horse battery", "correct horse battery")
	f.Fuzz(func(t *testing.T, username, email, p1, p2 string) {
		se := newSignupEnv(t, signupOpts{})
		ctx := context.Background()
		before, err := se.env.store.CountUsers(ctx, auth.UserQuery{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := se.m.SignUp(ctx, nil, accounts.SignupForm{Username: username, Email: email, Password1: p1, Password2: p2})
		after, _ := se.env.store.CountUsers(ctx, auth.UserQuery{})
		var fe *accounts.SignupError
		switch {
		case err == nil && res.User != nil:
			if after != before+1 {
				t.Fatalf("signed up, %d users then %d", before, after)
			}
		case errors.As(err, &fe):
			if after != before {
				t.Fatalf("refused but wrote a user: %v", err)
			}
		default:
			t.Fatalf("SignUp(%q, %q): %v", username, email, err)
		}
	})
}
