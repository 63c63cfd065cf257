package passwordless_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/passwordless"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/throttle"
)

const testSecret = "test-secret-key-0123456789-abcdefghijklmnopqrstuvw"

// countingStore counts the calls of each Store method.
type countingStore struct {
	passwordless.Store
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingStore) count(m string) {
	c.mu.Lock()
	c.calls[m]++
	c.mu.Unlock()
}

func (c *countingStore) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

func (c *countingStore) Create(ctx context.Context, r passwordless.Request, void bool) error {
	c.count("Create")
	return c.Store.Create(ctx, r, void)
}

func (c *countingStore) Get(ctx context.Context, id string) (passwordless.Request, error) {
	c.count("Get")
	return c.Store.Get(ctx, id)
}

// oneCode is a second factor whose devices accept "123456".
type oneCode struct{ users map[int64]bool }

func (f *oneCode) Kind() string { return "totp" }
func (f *oneCode) Devices(ctx context.Context, userID int64) ([]mfa.Device, error) {
	if !f.users[userID] {
		return nil, nil
	}
	return []mfa.Device{{Factor: "totp", ID: 1, UserID: userID, PersistentID: "test.totp/1"}}, nil
}
func (f *oneCode) VerifyCode(ctx context.Context, userID int64, code string) (mfa.Device, error) {
	if !f.users[userID] {
		return mfa.Device{}, mfa.ErrNoDevice
	}
	if code != "123456" {
		return mfa.Device{}, mfa.ErrInvalidCode
	}
	return mfa.Device{Factor: "totp", ID: 1, UserID: userID, PersistentID: "test.totp/1"}, nil
}

type env struct {
	t       *testing.T
	users   *memory.Store[auth.User]
	store   *countingStore
	outbox  *mail.Outbox
	b       *passwordless.Backend[auth.User]
	a       *auth.Auth[auth.User]
	h       http.Handler
	advance func(time.Duration)
	failed  atomic.Int32
	logins  atomic.Int32
	emails  *emails.Manager
}

type envOpts struct {
	cfg     passwordless.Config
	limiter bool
	emails  bool
	mfa     *oneCode
}

func newEnv(t *testing.T, o envOpts) *env {
	t.Helper()
	var mu sync.Mutex
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := &env{t: t, users: memory.New[auth.User](), outbox: new(mail.Outbox),
		store:   &countingStore{Store: passwordless.NewMemoryStore(), calls: map[string]int{}},
		advance: func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }}
	cfg := o.cfg
	cfg.Store, cfg.Mailer, cfg.Now = e.store, e.outbox, clock
	if o.emails {
		m, err := emails.NewManager(emails.Config{Store: emails.NewMemoryStore(false, nil), SecretKey: testSecret})
		require.NoError(t, err)
		e.emails, cfg.Emails = m, m
	}
	b, err := passwordless.New[auth.User](cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	ac := auth.Config[auth.User]{Store: e.users, SecretKey: testSecret, Sessions: auth.SessionConfig{InsecureCookie: true}, Hashers: hashers.New(hashers.MD5{}),
		Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, b}}
	if o.limiter {
		l, err := throttle.New(throttle.Config{Store: throttle.NewMemoryStore(), Now: clock})
		require.NoError(t, err)
		ac.Limiter = l
	}
	if o.mfa != nil {
		flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{o.mfa}, Now: clock})
		require.NoError(t, err)
		ac.SecondFactor = flow
	}
	a, err := auth.New(ac)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	a.Signals().UserLoginFailed.Connect(func(ctx context.Context, ev auth.LoginFailed) {
		for k, v := range ev.Credentials {
			if strings.Contains(k, "token") && v != auth.CleansedSubstitute {
				t.Errorf("credential %s not cleansed", k)
			}
		}
		e.failed.Add(1)
	})
	a.Signals().UserLoggedIn.Connect(func(ctx context.Context, ev auth.LoggedIn[auth.User]) {
		if ev.Backend != passwordless.Name {
			t.Errorf("backend %q", ev.Backend)
		}
		e.logins.Add(1)
	})
	e.a, e.b = a, b
	mux := http.NewServeMux()
	mux.HandleFunc("POST /start", func(w http.ResponseWriter, r *http.Request) {
		err := b.Start(r.Context(), r, r.FormValue("email"), "https://testserver/pl/")
		if te := (*passwordless.ThrottledError)(nil); errors.As(err, &te) {
			auth.SetRetryAfter(w, te.RetryAfter)
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		_, _ = io.WriteString(w, "sent")
	})
	complete := func(w http.ResponseWriter, r *http.Request, c auth.Credentials) {
		u, backend, err := a.Authenticate(r.Context(), r, c)
		if te := (*passwordless.ThrottledError)(nil); errors.As(err, &te) {
			auth.SetRetryAfter(w, te.RetryAfter)
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if errors.Is(err, auth.ErrInvalidCredentials) {
			_, _ = io.WriteString(w, "refused")
			return
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		err = a.Login(r, u, backend)
		if errors.Is(err, auth.ErrSecondFactorRequired) {
			_, _ = io.WriteString(w, "second factor")
			return
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		_, _ = io.WriteString(w, "logged in")
	}
	mux.HandleFunc("POST /code", func(w http.ResponseWriter, r *http.Request) {
		complete(w, r, auth.Credentials{passwordless.CredentialCode: r.FormValue("code")})
	})
	mux.HandleFunc("POST /link", func(w http.ResponseWriter, r *http.Request) {
		complete(w, r, auth.Credentials{passwordless.CredentialRequest: r.FormValue("id"), passwordless.CredentialLink: r.FormValue("token")})
	})
	mux.HandleFunc("GET /check", func(w http.ResponseWriter, r *http.Request) {
		st, err := b.CheckLink(r.Context(), r, r.FormValue("id"), r.FormValue("token"))
		require.NoError(t, err)
		_, _ = io.WriteString(w, []string{"invalid", "valid", "other browser"}[st])
	})
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, a.UserFromContext(r.Context()).String())
	})
	e.h = a.Middleware(mux)
	return e
}

func (e *env) user(name string, edit ...func(*auth.User)) *auth.User {
	u := auth.NewUser(name)
	u.Email = name + "@example.com"
	u.Password = auth.UnusablePasswordPrefix + "unusable"
	for _, f := range edit {
		f(&u)
	}
	require.NoError(e.t, e.users.CreateUser(e.t.Context(), &u))
	return &u
}

type client struct {
	e   *env
	jar map[string]string
}

func (e *env) client() *client { return &client{e: e, jar: map[string]string{}} }

func (c *client) do(method, target string, form url.Values) (int, string, http.Header) {
	var body io.Reader = http.NoBody
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	req.RemoteAddr = "192.0.2.1:1234"
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range c.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	c.e.h.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		c.jar[ck.Name] = ck.Value
	}
	return rec.Code, rec.Body.String(), rec.Header()
}

func (c *client) post(target string, kv ...string) (int, string) {
	f := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	code, body, _ := c.do(http.MethodPost, target, f)
	return code, body
}

func (c *client) whoami() string {
	_, body, _ := c.do(http.MethodGet, "/whoami", nil)
	return body
}

var (
	linkRE = regexp.MustCompile(`https://testserver/pl/([^/\s]+)/([^/\s]+)/`)
	codeRE = regexp.MustCompile(`(?m)^([A-Z2-9]{6,8})$`)
)

// ask makes c ask for a login of email and returns the mailed request ID,
// link token and code.
func (e *env) ask(c *client, email string) (id, token, code string) {
	e.t.Helper()
	before := e.outbox.Len()
	st, body := c.post("/start", "email", email)
	require.Equal(e.t, http.StatusOK, st, body)
	deadline := time.Now().Add(10 * time.Second)
	for e.outbox.Len() <= before {
		require.True(e.t, time.Now().Before(deadline), "no mail")
		time.Sleep(time.Millisecond)
	}
	msg := e.outbox.Messages()[before]
	m := linkRE.FindStringSubmatch(msg.Text)
	require.NotNil(e.t, m, msg.Text)
	cm := codeRE.FindStringSubmatch(msg.Text)
	require.NotNil(e.t, cm, msg.Text)
	return m[1], m[2], cm[1]
}

func TestCodeLogsIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	e.user("alice")
	c := e.client()
	_, _, code := e.ask(c, "Alice@Example.com")
	require.Len(t, code, passwordless.DefaultCodeLength)
	st, body := c.post("/code", "code", strings.ToLower(code[:4])+" "+code[4:])
	require.Equal(t, http.StatusOK, st)
	require.Equal(t, "logged in", body, "codes are typed without case or spaces; unusable passwords may log in")
	require.Equal(t, "alice", c.whoami())
	require.Equal(t, int32(1), e.logins.Load())
}

func TestSingleUse(t *testing.T) {
	t.Parallel()
	for _, first := range []string{"link", "code"} {
		t.Run(first+" first", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOpts{})
			e.user("alice")
			c := e.client()
			id, token, code := e.ask(c, "alice@example.com")
			useLink := func() string { _, b := c.post("/link", "id", id, "token", token); return b }
			useCode := func() string { _, b := c.post("/code", "code", code); return b }
			if first == "link" {
				require.Equal(t, "logged in", useLink())
				require.Equal(t, "refused", useCode())
				require.Equal(t, "refused", useLink())
			} else {
				require.Equal(t, "logged in", useCode())
				require.Equal(t, "refused", useLink())
				require.Equal(t, "refused", useCode())
			}
			require.Equal(t, int32(1), e.logins.Load())
		})
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{cfg: passwordless.Config{Timeout: 10 * time.Minute}})
	e.user("alice")
	c := e.client()
	id, token, code := e.ask(c, "alice@example.com")
	e.advance(10*time.Minute - time.Second)
	_, body, _ := c.do(http.MethodGet, "/check?id="+id+"&token="+token, nil)
	require.Equal(t, "valid", body)
	e.advance(time.Second)
	_, body, _ = c.do(http.MethodGet, "/check?id="+id+"&token="+token, nil)
	require.Equal(t, "invalid", body)
	_, body = c.post("/link", "id", id, "token", token)
	require.Equal(t, "refused", body)
	_, body = c.post("/code", "code", code)
	require.Equal(t, "refused", body)
	n, err := e.b.DeleteExpired(t.Context())
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

func TestNewRequestVoidsOlder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	e.user("alice")
	c := e.client()
	id1, token1, _ := e.ask(c, "alice@example.com")
	other := e.client()
	id2, token2, _ := e.ask(other, "alice@example.com")
	_, body := c.post("/link", "id", id1, "token", token1)
	require.Equal(t, "refused", body)
	_, body = other.post("/link", "id", id2, "token", token2)
	require.Equal(t, "logged in", body)
}

func TestGetDoesNotConsume(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	e.user("alice")
	c := e.client()
	id, token, _ := e.ask(c, "alice@example.com")
	scanner := e.client()
	for range 3 {
		_, body, _ := scanner.do(http.MethodGet, "/check?id="+id+"&token="+token, nil)
		require.Equal(t, "other browser", body)
		_, body, _ = c.do(http.MethodGet, "/check?id="+id+"&token="+token, nil)
		require.Equal(t, "valid", body)
	}
	_, body, _ := c.do(http.MethodGet, "/check?id="+id+"&token="+token+"x", nil)
	require.Equal(t, "invalid", body)
	_, body = c.post("/link", "id", id, "token", token)
	require.Equal(t, "logged in", body)
}

func TestBrowserBinding(t *testing.T) {
	t.Parallel()
	t.Run("bound", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{})
		e.user("alice")
		c := e.client()
		id, token, code := e.ask(c, "alice@example.com")
		attacker := e.client()
		_, body := attacker.post("/link", "id", id, "token", token)
		require.Equal(t, "refused", body)
		_, body = attacker.post("/code", "code", code)
		require.Equal(t, "refused", body, "a session with no pending request cannot use a code")
		// The attacker's own pending request does not make the victim's code work.
		e.user("mallory")
		e.ask(attacker, "mallory@example.com")
		_, body = attacker.post("/code", "code", code)
		require.Equal(t, "refused", body)
		require.Equal(t, "AnonymousUser", attacker.whoami())
		_, body = c.post("/link", "id", id, "token", token)
		require.Equal(t, "logged in", body, "refusals elsewhere do not spend the link")
	})
	t.Run("unbound", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{cfg: passwordless.Config{Unbound: true}})
		e.user("alice")
		c := e.client()
		id, token, code := e.ask(c, "alice@example.com")
		phone := e.client()
		_, body, _ := phone.do(http.MethodGet, "/check?id="+id+"&token="+token, nil)
		require.Equal(t, "valid", body)
		_, body = phone.post("/code", "code", code)
		require.Equal(t, "refused", body, "a code always needs the asking session")
		_, body = phone.post("/link", "id", id, "token", token)
		require.Equal(t, "logged in", body)
		require.Equal(t, "alice", phone.whoami())
		require.Equal(t, "AnonymousUser", c.whoami())
	})
}

func TestConcurrentCompletion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{cfg: passwordless.Config{Unbound: true}})
	e.user("alice")
	c := e.client()
	id, token, _ := e.ask(c, "alice@example.com")
	var wg sync.WaitGroup
	var wins atomic.Int32
	for range 8 {
		b := e.client()
		wg.Go(func() {
			if _, body := b.post("/link", "id", id, "token", token); body == "logged in" {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int32(1), wins.Load())
	require.Equal(t, int32(1), e.logins.Load())
}

func TestUnknownAddressSameAnswer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	e.user("alice")
	e.user("inactive", func(u *auth.User) { u.IsActive = false })
	ask := func(email string) (int, string, map[string]int) {
		c := e.client()
		before := e.store.snapshot()
		st, body := c.post("/start", "email", email)
		after := e.store.snapshot()
		for k, v := range before {
			after[k] -= v
		}
		return st, body, after
	}
	st1, body1, work1 := ask("alice@example.com")
	for _, email := range []string{"nobody@example.com", "inactive@example.com"} {
		st2, body2, work2 := ask(email)
		require.Equal(t, st1, st2, email)
		require.Equal(t, body1, body2, email)
		require.Equal(t, work1, work2, "same store work for %s", email)
	}
	require.NoError(t, e.b.Close())
	require.Equal(t, 1, e.outbox.Len(), "mail only to the known, active address")
	require.Equal(t, []string{"alice@example.com"}, e.outbox.Messages()[0].To)
}

func TestUnknownAddressCodePageWorksTheSame(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	c := e.client()
	st, _ := c.post("/start", "email", "nobody@example.com")
	require.Equal(t, http.StatusOK, st)
	_, body := c.post("/code", "code", "AAAAAAAA")
	require.Equal(t, "refused", body)
	require.Equal(t, int32(1), e.failed.Load())
}

func TestThrottling(t *testing.T) {
	t.Parallel()
	t.Run("requests", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{limiter: true})
		c := e.client()
		// throttle's passwordless rule: one free request per address, then waits.
		st, _ := c.post("/start", "email", "nobody@example.com")
		require.Equal(t, http.StatusOK, st)
		st, _ = c.post("/start", "email", "NOBODY@example.com")
		require.Equal(t, http.StatusOK, st)
		code, _, hdr := c.do(http.MethodPost, "/start", url.Values{"email": {"nobody@example.com"}})
		require.Equal(t, http.StatusTooManyRequests, code)
		require.NotEmpty(t, hdr.Get("Retry-After"))
	})
	t.Run("codes per request", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{cfg: passwordless.Config{MaxAttempts: 3}})
		e.user("alice")
		c := e.client()
		_, _, code := e.ask(c, "alice@example.com")
		for range 3 {
			_, body := c.post("/code", "code", "WRONGWRO")
			require.Equal(t, "refused", body)
		}
		_, body := c.post("/code", "code", code)
		require.Equal(t, "refused", body, "the request is void after its attempts")
		require.Equal(t, int32(4), e.failed.Load(), "every failed code sends UserLoginFailed")
	})
	t.Run("codes per user", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOpts{limiter: true, cfg: passwordless.Config{MaxAttempts: 100}})
		e.user("alice")
		c := e.client()
		e.ask(c, "alice@example.com")
		// login's rule applies to passwordless_code: 3 free failures, then waits.
		for range 3 {
			_, body := c.post("/code", "code", "WRONGWRO")
			require.Equal(t, "refused", body)
		}
		_, body := c.post("/code", "code", "WRONGWRO")
		require.Equal(t, "refused", body)
		code, _, hdr := c.do(http.MethodPost, "/code", url.Values{"code": {"WRONGWRO"}})
		require.Equal(t, http.StatusTooManyRequests, code)
		require.NotEmpty(t, hdr.Get("Retry-After"))
	})
}

func TestVerifiedAddressesOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{emails: true})
	alice := e.user("alice")
	bob := e.user("bob")
	ctx := t.Context()
	a, _, err := e.emails.Store().AddAddress(ctx, alice.ID, "alice@example.com")
	require.NoError(t, err)
	_, err = e.emails.Store().VerifyAddress(ctx, a.ID)
	require.NoError(t, err)
	_, _, err = e.emails.Store().AddAddress(ctx, bob.ID, "bob@example.com")
	require.NoError(t, err)
	c := e.client()
	e.ask(c, "alice@example.com")
	st, _ := c.post("/start", "email", "bob@example.com")
	require.Equal(t, http.StatusOK, st)
	require.NoError(t, e.b.Close())
	require.Equal(t, 1, e.outbox.Len(), "bob's address is not verified: no mail, although it is his user row's email")
}

func TestInactiveUserRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	alice := e.user("alice")
	c := e.client()
	_, _, code := e.ask(c, "alice@example.com")
	alice.IsActive = false
	require.NoError(t, e.users.UpdateUser(t.Context(), alice))
	_, body := c.post("/code", "code", code)
	require.Equal(t, "refused", body)
	require.Equal(t, "AnonymousUser", c.whoami())
}

func TestSecondFactorStillAsked(t *testing.T) {
	t.Parallel()
	f := &oneCode{users: map[int64]bool{}}
	e := newEnv(t, envOpts{mfa: f})
	alice := e.user("alice")
	f.users[alice.ID] = true
	c := e.client()
	_, _, code := e.ask(c, "alice@example.com")
	_, body := c.post("/code", "code", code)
	require.Equal(t, "second factor", body)
	require.Equal(t, "AnonymousUser", c.whoami())
	require.Zero(t, e.logins.Load())
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, cfg := range []passwordless.Config{
		{Mailer: new(mail.Outbox)},
		{Store: passwordless.NewMemoryStore()},
		{Store: passwordless.NewMemoryStore(), Mailer: new(mail.Outbox), CodeLength: 5},
		{Store: passwordless.NewMemoryStore(), Mailer: new(mail.Outbox), CodeLength: 9},
		{Store: passwordless.NewMemoryStore(), Mailer: new(mail.Outbox), Timeout: -1},
	} {
		_, err := passwordless.New[auth.User](cfg)
		require.ErrorIs(t, err, auth.ErrConfig)
	}
}
