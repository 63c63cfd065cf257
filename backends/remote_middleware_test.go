package backends_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/backends"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/store/memory"
)

// lockedBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// remoteSite is an app behind RemoteUserMiddleware whose page answers
// with the request's user.
type remoteSite struct {
	store *memory.Store[auth.User]
	logs  *lockedBuffer
	h     http.Handler
}

func newRemoteSite(t *testing.T, header string, persistent bool) *remoteSite {
	t.Helper()
	s := &remoteSite{store: memory.New[auth.User](), logs: new(lockedBuffer)}
	a, err := auth.New(auth.Config[auth.User]{
		Store:     s.store,
		Backends:  []auth.Backend[auth.User]{backends.NewRemoteUser[auth.User]()},
		SecretKey: "test-secret-key-0123456789-abcdefghijklmnopqrstuvw",
		Logger:    slog.New(slog.NewTextHandler(s.logs, nil)),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	mw := &backends.RemoteUserMiddleware[auth.User]{Auth: a, Header: header, Persistent: persistent}
	s.h = a.Middleware(mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(a.User(r).String()))
	})))
	return s
}

// TestRemoteUserHeaderTwice (from the security review): a proxy that
// appends its header line (Apache "RequestHeader add", HAProxy
// "add-header") leaves the client's line first, which the middleware used
// to trust. A header present more than once is refused with 400, nobody
// is logged in or created, and the warning names the header but not its
// values.
func TestRemoteUserHeaderTwice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		header     string // as configured; empty means REMOTE_USER
		sent       string // as the client and proxy spell it
		persistent bool
		values     []string
		status     int
		body       string
	}{
		{"client then proxy", "", "Remote_user", false, []string{"admin", "proxyuser"}, http.StatusBadRequest, ""},
		{"same value twice", "", "REMOTE_USER", false, []string{"proxyuser", "proxyuser"}, http.StatusBadRequest, ""},
		{"named header", "X-Remote-User", "x-remote-user", false, []string{"admin", "proxyuser"}, http.StatusBadRequest, ""},
		{"persistent", "X-Remote-User", "X-Remote-User", true, []string{"admin", "proxyuser"}, http.StatusBadRequest, ""},
		{"three values", "X-Remote-User", "X-Remote-User", false, []string{"admin", "", "proxyuser"}, http.StatusBadRequest, ""},
		{"once", "X-Remote-User", "X-Remote-User", false, []string{"proxyuser"}, http.StatusOK, "proxyuser"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newRemoteSite(t, tc.header, tc.persistent)
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, v := range tc.values {
				req.Header.Add(tc.sent, v)
			}
			rec := httptest.NewRecorder()
			s.h.ServeHTTP(rec, req)
			assert.Equal(t, tc.status, rec.Code)
			n, err := s.store.CountUsers(context.Background(), auth.UserQuery{})
			require.NoError(t, err)
			if tc.status == http.StatusOK {
				assert.Equal(t, tc.body, rec.Body.String())
				assert.Equal(t, 1, n)
				assert.NotContains(t, s.logs.String(), "more than once")
				return
			}
			assert.NotContains(t, rec.Body.String(), "admin")
			assert.NotContains(t, rec.Body.String(), "proxyuser")
			assert.Zero(t, n, "no user created")
			assert.Empty(t, rec.Result().Cookies(), "no session started")
			logs := s.logs.String()
			assert.Contains(t, logs, "level=WARN")
			assert.Contains(t, logs, "more than once")
			assert.Contains(t, logs, "count=")
			assert.NotContains(t, logs, "admin", "header values are not logged")
			assert.NotContains(t, logs, "proxyuser", "header values are not logged")
		})
	}
}

// TestRemoteUserHeaderTwiceKeepsLogin: a logged-in remote user whose
// request carries the header twice gets 400 and stays who they were; the
// request does not switch the session to either value.
func TestRemoteUserHeaderTwiceKeepsLogin(t *testing.T) {
	t.Parallel()
	s := newRemoteSite(t, "X-Remote-User", false)
	do := func(cookies []*http.Cookie, values ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, v := range values {
			req.Header.Add("X-Remote-User", v)
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		return rec
	}
	rec := do(nil, "alice")
	require.Equal(t, "alice", rec.Body.String())
	cookies := rec.Result().Cookies()
	require.NotEmpty(t, cookies)
	assert.Equal(t, http.StatusBadRequest, do(cookies, "mallory", "alice").Code)
	assert.Equal(t, "alice", do(cookies, "alice").Body.String())
	n, err := s.store.CountUsers(context.Background(), auth.UserQuery{})
	require.NoError(t, err)
	assert.Equal(t, 1, n, "mallory was not created")
}

// fixedFactor is an mfa.CodeFactor whose users all have one device.
type fixedFactor struct{}

func (fixedFactor) Kind() string { return "totp" }
func (fixedFactor) Devices(_ context.Context, userID int64) ([]mfa.Device, error) {
	return []mfa.Device{{Factor: "totp", ID: 1, UserID: userID, Name: "phone", PersistentID: "otp_totp.totpdevice/1"}}, nil
}
func (fixedFactor) VerifyCode(_ context.Context, userID int64, code string) (mfa.Device, error) {
	return mfa.Device{}, mfa.ErrInvalidCode
}

// With an mfa.Flow configured, the front server's login still logs the
// user in (no pending second step that would start again on every
// request); MFARequired then sends the user, who has a device, to verify
// it on the session.
func TestRemoteUserWithSecondFactor(t *testing.T) {
	t.Parallel()
	store := memory.New[auth.User]()
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{fixedFactor{}}})
	require.NoError(t, err)
	a, err := auth.New(auth.Config[auth.User]{
		Store:        store,
		Backends:     []auth.Backend[auth.User]{backends.NewRemoteUser[auth.User]()},
		SecretKey:    "test-secret-key-0123456789-abcdefghijklmnopqrstuvw",
		Logger:       slog.New(slog.DiscardHandler),
		SecondFactor: flow,
		Sessions:     auth.SessionConfig{InsecureCookie: true},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	var factors []string
	var mu sync.Mutex
	t.Cleanup(a.Signals().UserLoggedIn.Connect(func(_ context.Context, l auth.LoggedIn[auth.User]) {
		mu.Lock()
		factors = append(factors, l.Factor)
		mu.Unlock()
	}))
	mw := &backends.RemoteUserMiddleware[auth.User]{Auth: a, Header: "X-Remote-User"}
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(a.User(r).String())) })
	mux := http.NewServeMux()
	mux.Handle("/open/", page)
	mux.Handle("/guarded/", flow.MFARequired(page))
	h := a.Middleware(mw.Handler(mux))
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("X-Remote-User", "knuth")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := get("/open/")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "knuth", rec.Body.String())
	rec = get("/guarded/")
	require.Equal(t, http.StatusFound, rec.Code)
	assert.Equal(t, mfa.DefaultVerifyURL+"?next=/guarded/", rec.Header().Get("Location"))
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{backends.RemoteUserFactor, backends.RemoteUserFactor}, factors)
}
