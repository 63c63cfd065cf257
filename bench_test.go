package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// discardWriter is a ResponseWriter that keeps nothing but the headers.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

func (w *discardWriter) reset() {
	clear(w.h)
	w.code = 0
}

// benchRequest runs h with the cookie b.N times and checks the status.
func benchRequest(b *testing.B, h http.Handler, cookie *http.Cookie) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, "/reports/", nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, req)
		if w.code != 0 && w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
	}
}

// benchAuth returns an Auth with a user holding reports.view_report, the
// session cookie of its login, and the page handler that checks it. A
// non-nil sessions is the session store (Config.Sessions.Store), a non-nil
// codec replaces the manager's SessionCodec before the login.
func benchAuth(b *testing.B, sessions scs.Store, codec scs.Codec) (*auth.Auth[auth.User], *http.Cookie, http.Handler) {
	e := newEnv(b, func(c *auth.Config[auth.User], _ *env[auth.User]) { c.Sessions.Store = sessions })
	if codec != nil {
		e.a.Sessions().Codec = codec
	}
	ctx := context.Background()
	_, err := auth.Register(ctx, e.store, auth.ModelSpec{AppLabel: "reports", Model: "report"})
	require.NoError(b, err)
	u := e.createUser("alice", "pw")
	require.NoError(b, e.store.AddUserPermissions(ctx, u.ID, "reports.view_report"))
	c := newClient(b, e.app())
	resp := c.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"pw"}})
	require.Equal(b, http.StatusFound, resp.StatusCode)
	cookie := c.cookies[auth.DefaultSessionCookieName]
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !e.a.UserFromContext(r.Context()).HasPerm("reports.view_report") {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	return e.a, &http.Cookie{Name: cookie.Name, Value: cookie.Value}, page
}

// BenchmarkAuthenticatedRequest is the request path of a logged-in user:
// load the session, load the user with its permissions (memory store),
// verify the session auth hash, one permission check, no session write.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	a, cookie, page := benchAuth(b, nil, nil)
	benchRequest(b, a.Middleware(page), cookie)
}

// BenchmarkAuthenticatedRequestGob is the same with scs's default gob
// codec and memstore instead of SessionCodec and the built-in store.
func BenchmarkAuthenticatedRequestGob(b *testing.B) {
	a, cookie, page := benchAuth(b, memstore.NewWithCleanupInterval(0), scs.GobCodec{})
	benchRequest(b, a.Middleware(page), cookie)
}

// BenchmarkAuthenticatedRequestMemstore is AuthenticatedRequest with
// scs's memstore as Config.Sessions.Store (SessionCodec still encodes):
// the cost of a store other than the built-in one.
func BenchmarkAuthenticatedRequestMemstore(b *testing.B) {
	a, cookie, page := benchAuth(b, memstore.NewWithCleanupInterval(0), nil)
	benchRequest(b, a.Middleware(page), cookie)
}

// BenchmarkAuthenticatedRequestRedis is AuthenticatedRequest with the
// sessions in Redis (store/redis, at AUTH_TEST_REDIS_URL): one GET per
// request and no write.
func BenchmarkAuthenticatedRequestRedis(b *testing.B) {
	a, cookie, page := benchAuth(b, redisSessionStore(b), nil)
	benchRequest(b, a.Middleware(page), cookie)
}

// BenchmarkBareHandler is the page without any session or auth.
func BenchmarkBareHandler(b *testing.B) {
	benchRequest(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}), nil)
}

// BenchmarkSCSGobSessionOnly is scs alone with its defaults (gob codec,
// memstore): load a session holding the three auth keys and read them,
// with no user or permission lookup.
func BenchmarkSCSGobSessionOnly(b *testing.B) {
	// scs.New's settings, but not scs.New itself: it starts a memstore
	// cleanup goroutine that cannot be stopped without a data race, and
	// TestMain fails the package's run on a goroutine left running.
	s := &scs.SessionManager{
		Lifetime: 24 * time.Hour,
		Store:    memstore.NewWithCleanupInterval(0),
		Codec:    scs.GobCodec{},
		ErrorFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		},
		Cookie: scs.SessionCookie{Name: "session", HttpOnly: true, Path: "/", SameSite: http.SameSiteLaxMode, Persist: true},
	}
	// A context key of scs.New's form: the zero key "" would be boxed
	// without an allocation and make this benchmark cheaper than scs is.
	f := reflect.ValueOf(s).Elem().FieldByName("contextKey")
	require.True(b, f.IsValid(), "scs.SessionManager has no contextKey field")
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetString("session.1.data")
	ctx, err := s.Load(context.Background(), "")
	require.NoError(b, err)
	s.Put(ctx, auth.SessionKeyUserID, "1")
	s.Put(ctx, auth.SessionKeyBackend, "django.contrib.auth.backends.ModelBackend")
	s.Put(ctx, auth.SessionKeyHash, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
	token, _, err := s.Commit(ctx)
	require.NoError(b, err)
	h := s.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.GetString(r.Context(), auth.SessionKeyUserID) == "" {
			b.Fatal("no session")
		}
		_, _ = w.Write([]byte("ok"))
	}))
	benchRequest(b, h, &http.Cookie{Name: s.Cookie.Name, Value: token})
}

// BenchmarkAnonymousRequest is a request without a session cookie through
// Middleware, asking whether the user is logged in.
func BenchmarkAnonymousRequest(b *testing.B) {
	a, _, _ := benchAuth(b, nil, nil)
	benchRequest(b, a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = a.UserFromContext(r.Context()).IsAuthenticated()
	})), nil)
}
