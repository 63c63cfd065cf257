package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/api"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/internal/testenv"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/mfa/recovery"
	"github.com/djauth/auth/mfa/totp"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/passwordless"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/store/postgres"
	"github.com/djauth/auth/testkit"
	"github.com/djauth/auth/throttle"
)

const testKey = "api-test-secret-key-0123456789-abcdefghijklmnop"

// app is a site built as a real one is: users, sessions, email
// addresses, throttling and second factors in PostgreSQL when
// AUTH_TEST_DATABASE_URL is set (in memory otherwise), the accounts
// pages and the API mounted on one mux inside the Auth's Middleware.
type app struct {
	t      *testing.T
	srv    *httptest.Server
	a      *auth.Auth[auth.User]
	acc    *accounts.Manager[auth.User]
	api    *api.API[auth.User]
	store  auth.Store[auth.User]
	totp   *totp.Factor
	outbox *testkit.Outbox
	emails *emails.Manager
	orgs   *orgs.Orgs[auth.User]
	pg     bool
	// skew moves the clock of the throttles and second factors ahead.
	skew atomic.Int64
}

// now is the app's clock.
func (s *app) now() time.Time { return time.Now().Add(time.Duration(s.skew.Load())) }

// advance moves the app's clock ahead by d.
func (s *app) advance(d time.Duration) { s.skew.Add(int64(d)) }

type appOptions struct {
	pg bool // use PostgreSQL (skipped without it under -short only)
	// wrapOrgs wraps the organization store (to make it fail).
	wrapOrgs func(orgs.Store) orgs.Store
	// orgFromRequest is orgs.Config.FromRequest.
	orgFromRequest func(r *http.Request) (string, bool)
	// social, when set, returns the social login's providers once the
	// server's URL (and so the callback URL) is known.
	social func(baseURL string) []social.Provider
}

func newApp(t *testing.T, o appOptions) *app {
	t.Helper()
	ctx := context.Background()
	var (
		store        auth.Store[auth.User] = memory.New[auth.User]()
		sessionStore scs.Store
		emailStore   emails.Store       = emails.NewMemoryStore(true, nil)
		counters     throttle.Store     = throttle.NewMemoryStore()
		totpStore    totp.Store         = totp.NewMemoryStore()
		recStore     recovery.Store     = recovery.NewMemoryStore()
		plStore      passwordless.Store = passwordless.NewMemoryStore()
		orgStore     orgs.Store         = orgs.NewMemoryStore()
	)
	if o.pg {
		db := pgtest.NewDatabase(t)
		pool, err := pgxpool.New(ctx, db.URL)
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		_, err = postgres.Migrate(ctx, pool, postgres.DjangoOTPTOTP, postgres.DjangoAccount, postgres.DjangoOrganizations)
		require.NoError(t, err)
		pg, err := postgres.New[auth.User](pool, postgres.Options{})
		require.NoError(t, err)
		store = pg
		ss, err := pg.NewSessionStore(postgres.SessionStoreOptions{})
		require.NoError(t, err)
		t.Cleanup(ss.Close)
		sessionStore = ss
		es, err := postgres.NewEmailStore(pool, "")
		require.NoError(t, err)
		emailStore = es
		ts, err := postgres.NewThrottleStore(pool)
		require.NoError(t, err)
		counters = ts
		tps, err := postgres.NewTOTPStore(pool)
		require.NoError(t, err)
		totpStore = tps
		rs, err := postgres.NewRecoveryStore(pool)
		require.NoError(t, err)
		recStore = rs
		ps, err := postgres.NewPasswordlessStore(pool)
		require.NoError(t, err)
		plStore = ps
		os, err := postgres.NewOrgStore(pool, postgres.OrgOptions{})
		require.NoError(t, err)
		orgStore = os
	}
	if o.wrapOrgs != nil {
		orgStore = o.wrapOrgs(orgStore)
	}
	s := &app{t: t, pg: o.pg}
	em, err := emails.NewManager(emails.Config{Store: emailStore, SecretKey: testKey})
	require.NoError(t, err)
	limiter, err := throttle.New(throttle.Config{Store: counters, Now: s.now})
	require.NoError(t, err)
	tf, err := totp.New(totp.Config{Store: totpStore, Issuer: "api test", Now: s.now})
	require.NoError(t, err)
	rf, err := recovery.New(recovery.Config{Store: recStore, Now: s.now})
	require.NoError(t, err)
	pk, err := passkey.New(passkey.Config{RPID: "localhost", RPDisplayName: "api test", RPOrigins: []string{"http://localhost"},
		Store: passkey.NewMemoryStore(), Now: s.now})
	require.NoError(t, err)
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{tf, rf, pk}, Now: s.now})
	require.NoError(t, err)
	outbox := &testkit.Outbox{}
	pl, err := passwordless.New[auth.User](passwordless.Config{Store: plStore, Mailer: outbox, Emails: em})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pl.Close() })
	logger := slog.New(slog.DiscardHandler)
	a, err := auth.New(auth.Config[auth.User]{
		Store: store, SecretKey: testKey, Hashers: hashers.New(hashers.MD5{}),
		Backends:     []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, pl, social.NewBackend[auth.User]("")},
		Limiter:      limiter,
		SecondFactor: flow,
		LoginGate:    &emails.Gate[auth.User]{Manager: em, URL: accounts.VerificationRequiredURL("")},
		Sessions:     auth.SessionConfig{Store: sessionStore, InsecureCookie: true, HeaderTokens: true},
		Logger:       logger,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	acc, err := accounts.New(a, accounts.Config{Mailer: outbox, SiteURL: "http://127.0.0.1", Emails: em, Passwordless: true, Passkeys: pk})
	require.NoError(t, err)
	t.Cleanup(func() { _ = acc.Close() })
	og, err := orgs.New(orgs.Config[auth.User]{Auth: a, Store: orgStore, Mailer: outbox, BaseURL: "http://127.0.0.1", FromRequest: o.orgFromRequest})
	require.NoError(t, err)
	// The server starts first: the social login's callback URL is made
	// from its address.
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	var soc *social.Social[auth.User]
	if o.social != nil {
		soc, err = social.New(a, social.Config[auth.User]{Store: social.NewMemoryStore(), Providers: o.social(srv.URL),
			BaseURL: srv.URL, SignUp: true, Emails: emailStore, Now: s.now})
		require.NoError(t, err)
	}
	x, err := api.New(api.Config[auth.User]{Accounts: acc, Orgs: og, Social: soc})
	require.NoError(t, err)
	mux := http.NewServeMux()
	acc.Routes(mux, "")
	x.Routes(mux)
	if soc != nil {
		mux.Handle("/accounts/social/", soc.Handler())
	}
	// What a dashboard's "log in as" does, for the impersonation tests:
	// the signed-in superuser impersonates the user of the path's ID.
	mux.HandleFunc("POST /test/impersonate/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		target, err := store.GetUser(r.Context(), id)
		if err == nil {
			err = a.Impersonate(r, target)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		token, err := a.SaveSession(w, r)
		if err != nil {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"session_token": token})
	})
	handler = a.Middleware(mux)
	s.srv, s.a, s.acc, s.api, s.store, s.totp, s.outbox, s.emails, s.orgs = srv, a, acc, x, store, tf, outbox, em, og
	return s
}

// usePG reports whether the test runs on PostgreSQL.
func usePG() bool { return os.Getenv(pgtest.EnvURL) != "" }

// eachStore runs f on the memory stores and on PostgreSQL (skipped
// without AUTH_TEST_DATABASE_URL, failed so under CI, skipped under
// -short).
func eachStore(t *testing.T, f func(t *testing.T, pg bool)) {
	t.Run("memory", func(t *testing.T) { f(t, false) })
	t.Run("postgres", func(t *testing.T) {
		testenv.SkipIfShort(t, "PostgreSQL")
		f(t, true)
	})
}

// createUser makes an active user with a verified address.
func (s *app) createUser(username, email, password string) *auth.User {
	s.t.Helper()
	u := auth.NewUser(username)
	u.Email = email
	require.NoError(s.t, s.acc.CreateUser(context.Background(), &u, password))
	if email != "" {
		em := s.emails
		a, _, err := em.Store().AddAddress(context.Background(), u.ID, email)
		require.NoError(s.t, err)
		_, err = em.ConfirmCode(context.Background(), email, em.Code(a))
		require.NoError(s.t, err)
	}
	return &u
}

// client is what a mobile app is: a plain http.Client without a cookie
// jar, sending JSON, optionally with a bearer token.
type client struct {
	t     *testing.T
	s     *app
	c     *http.Client
	token string
	// header are sent with every request.
	header http.Header
}

func (s *app) client() *client {
	return &client{t: s.t, s: s, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, header: http.Header{}}
}

// reply is an answer of the API.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
	method string
	path   string
}

func (c *client) do(method, path string, body any) *reply {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		case []byte:
			rd = bytes.NewReader(b)
		default:
			buf, err := json.Marshal(b)
			require.NoError(c.t, err)
			rd = bytes.NewReader(buf)
		}
	}
	req, err := http.NewRequest(method, c.s.srv.URL+api.DefaultPrefix+path, rd)
	require.NoError(c.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.c.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	r := &reply{status: resp.StatusCode, header: resp.Header, raw: raw, method: method, path: path}
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(c.t, json.Unmarshal(raw, &r.body), "body %s", raw)
	}
	checkAgainstSpec(c.t, r)
	if tok, ok := r.body["session_token"].(string); ok {
		c.token = tok
	}
	return r
}

func (r *reply) code() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (r *reply) fields() map[string]any {
	e, _ := r.body["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	return f
}

// codeRe finds the code of a verification or sign-in mail: the first
// line after "code" that holds one word alone.
var codeRe = regexp.MustCompile(`(?s)code[^\n]*\n\s*\n?\s*([A-Za-z0-9-]{4,32})\s*\n`)

// mailCode waits for the newest mail to addr and returns the code in it.
func (s *app) mailCode(addr string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := s.outbox.WaitTo(ctx, addr)
	require.NoError(s.t, err)
	var last string
	for _, msg := range s.outbox.Messages() {
		if testkit.To(addr)(msg) {
			last = msg.Text
		}
	}
	if last == "" {
		last = m.Text
	}
	mm := codeRe.FindStringSubmatch(last)
	require.NotNil(s.t, mm, "a code in the mail:\n%s", last)
	return mm[1]
}

// testkitMessage is a mail of the outbox.
type testkitMessage = mail.Message

// serve runs one JSON request against h in memory (h mounted at
// "/auth/") and checks its answer against the description.
func serve(t *testing.T, h http.Handler, method, path, body string) *reply {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := &reply{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes(), method: method, path: strings.TrimPrefix(path, "/auth/")}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		require.NoError(t, json.Unmarshal(r.raw, &r.body))
	}
	checkAgainstSpec(t, r)
	return r
}
