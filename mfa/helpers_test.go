package mfa_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/testclient"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/mfatest"
	"github.com/djauth/auth/store/memory"
)

const testSecret = "test-secret-key-0123456789-abcdefghijklmnopqrstuvw"

// codeFactor is a working CodeFactor: each device accepts one fixed code,
// counts failures and refuses attempts after maxFail of them until a
// success, as the real factors throttle per device.
type codeFactor struct {
	kind    string
	maxFail int

	mu       sync.Mutex
	devices  map[int64][]*fakeDevice
	nextID   int64
	verifies int
}

type fakeDevice struct {
	dev   mfa.Device
	code  string
	fails int
}

func newCodeFactor(kind string) *codeFactor {
	return &codeFactor{kind: kind, maxFail: 1000, devices: map[int64][]*fakeDevice{}}
}

func (f *codeFactor) Kind() string { return f.kind }

// add gives the user a confirmed device accepting code.
func (f *codeFactor) add(userID int64, code string) mfa.Device {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	d := mfa.Device{Factor: f.kind, ID: f.nextID, UserID: userID, Name: f.kind,
		PersistentID: fmt.Sprintf("fake.%s/%d", f.kind, f.nextID)}
	f.devices[userID] = append(f.devices[userID], &fakeDevice{dev: d, code: code})
	return d
}

func (f *codeFactor) removeAll(userID int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.devices, userID)
}

func (f *codeFactor) Devices(ctx context.Context, userID int64) ([]mfa.Device, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []mfa.Device
	for _, d := range f.devices[userID] {
		out = append(out, d.dev)
	}
	return out, nil
}

func (f *codeFactor) VerifyCode(ctx context.Context, userID int64, code string) (mfa.Device, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.verifies++
	ds := f.devices[userID]
	if len(ds) == 0 {
		return mfa.Device{}, mfa.ErrNoDevice
	}
	for _, d := range ds {
		if d.fails >= f.maxFail {
			return mfa.Device{}, &mfa.ThrottledError{RetryAfter: time.Minute}
		}
	}
	for _, d := range ds {
		if d.code == code {
			d.fails = 0
			return d.dev, nil
		}
	}
	for _, d := range ds {
		d.fails++
	}
	return mfa.Device{}, mfa.ErrInvalidCode
}

func (f *codeFactor) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.verifies
}

// ceremonyFactor is a Factor without codes, like passkeys: its devices
// are those of a codeFactor, which the test "verifies" itself.
type ceremonyFactor struct{ inner *codeFactor }

func (f ceremonyFactor) Kind() string { return f.inner.kind }
func (f ceremonyFactor) Devices(ctx context.Context, userID int64) ([]mfa.Device, error) {
	return f.inner.Devices(ctx, userID)
}

// env is an Auth with a Flow over a memory store, two code factors and
// a handful of routes.
type env struct {
	t        *testing.T
	store    *memory.Store[auth.User]
	hashers  *hashers.Registry
	a        *auth.Auth[auth.User]
	flow     *mfa.Flow[auth.User]
	totp     *codeFactor
	recovery *codeFactor
	policy   *mfa.MemoryPolicyStore
	clock    *mfatest.Clock
	limiter  auth.Limiter
	handler  http.Handler
}

type envOption func(*mfa.FlowConfig)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	return newEnvLimited(t, nil, opts...)
}

// newEnvLimited is newEnv with l as the Auth's Config.Limiter.
func newEnvLimited(t *testing.T, l auth.Limiter, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, limiter: l, store: memory.New[auth.User](), hashers: hashers.New(hashers.MD5{}),
		totp: newCodeFactor("totp"), recovery: newCodeFactor(mfa.RecoveryKind),
		policy: mfa.NewMemoryPolicyStore(),
		clock:  mfatest.NewClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))}
	cfg := mfa.FlowConfig{Factors: []mfa.Factor{e.totp, e.recovery}, Policy: e.policy, Now: e.clock.Now}
	for _, o := range opts {
		o(&cfg)
	}
	flow, err := mfa.NewFlow[auth.User](cfg)
	require.NoError(t, err)
	a, err := auth.New(auth.Config[auth.User]{Store: e.store, Hashers: e.hashers, SecretKey: testSecret,
		AllowedHosts: []string{"testserver"}, SecondFactor: flow,
		Sessions: auth.SessionConfig{InsecureCookie: true}, Limiter: e.limiter})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	e.a, e.flow = a, flow
	mux := http.NewServeMux()
	a.Routes(mux, "")
	mux.HandleFunc("/whoami/", func(w http.ResponseWriter, r *http.Request) {
		ru := a.User(r)
		fmt.Fprintf(w, "%s perm=%v device=%s", ru, ru.HasPerm("app.secret"), a.Sessions().GetString(r.Context(), mfa.DeviceSessionKey))
	})
	mux.HandleFunc("/code/", func(w http.ResponseWriter, r *http.Request) {
		_, err := flow.VerifyCode(r, r.FormValue("factor"), r.FormValue("code"))
		fmt.Fprint(w, errText(err))
	})
	mux.HandleFunc("/pending/", func(w http.ResponseWriter, r *http.Request) {
		p, err := flow.Pending(r)
		if err != nil {
			fmt.Fprint(w, errText(err))
			return
		}
		fmt.Fprintf(w, "%s remaining=%d", auth.UserOf(p.User).Username, p.Remaining)
	})
	mux.HandleFunc("/api-login/", func(w http.ResponseWriter, r *http.Request) {
		user, backend, err := a.Authenticate(r.Context(), r, auth.Credentials{"username": r.FormValue("username"), "password": r.FormValue("password")})
		if err == nil {
			err = a.Login(r, user, backend)
		}
		fmt.Fprintf(w, "%s user=%s", errText(err), a.User(r))
	})
	mux.HandleFunc("/session-code/", func(w http.ResponseWriter, r *http.Request) {
		_, err := flow.VerifySession(r, r.FormValue("factor"), r.FormValue("code"))
		fmt.Fprint(w, errText(err))
	})
	mux.HandleFunc("/session-password/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, errText(flow.VerifySessionPassword(r, r.FormValue("password"))))
	})
	mux.HandleFunc("/later/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, errText(flow.EnrolLater(r)))
	})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "secret page") })
	mux.Handle("/guarded/", flow.MFARequired(ok))
	mux.Handle("/sensitive/", flow.StepUpRequired(10*time.Minute)(ok))
	e.handler = a.Middleware(mux)
	return e
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func (e *env) createUser(username, password string, edit ...func(*auth.User)) *auth.User {
	e.t.Helper()
	u := auth.NewUser(username)
	enc, err := e.hashers.Make(e.t.Context(), password)
	require.NoError(e.t, err)
	u.Password = enc
	for _, f := range edit {
		f(&u)
	}
	require.NoError(e.t, e.store.CreateUser(context.Background(), &u))
	return &u
}

// client is a browser with a cookie jar.
type client struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]string
}

func (e *env) client() *client { return &client{t: e.t, h: e.handler, cookies: map[string]string{}} }

func (c *client) do(method, target string, form url.Values, hdr ...string) *http.Response {
	return testclient.Do(c.h, c.cookies, method, target, form, hdr...)
}

func (c *client) get(target string, hdr ...string) *http.Response {
	return c.do(http.MethodGet, target, nil, hdr...)
}

func (c *client) post(target string, form url.Values, hdr ...string) *http.Response {
	if form == nil {
		form = url.Values{}
	}
	return c.do(http.MethodPost, target, form, hdr...)
}

// text GETs or POSTs and returns the body.
func (c *client) text(target string, form url.Values) string {
	c.t.Helper()
	var resp *http.Response
	if form == nil {
		resp = c.get(target)
	} else {
		resp = c.post(target, form)
	}
	return readBody(c.t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// password logs in with the login page and returns its response.
func (c *client) password(username, password string) *http.Response {
	return c.post("/accounts/login/", url.Values{"username": {username}, "password": {password}})
}

func (c *client) whoami() string { return c.text("/whoami/", nil) }

func (c *client) session() string { return c.cookies["sessionid"] }
