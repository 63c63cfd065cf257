package auth_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/throttle"
)

// erroringBackend stands for a remote backend (LDAP, an API) that errors.
type erroringBackend struct{}

func (erroringBackend) Name() string { return "tests.ErroringBackend" }
func (erroringBackend) Authenticate(context.Context, *http.Request, auth.Credentials) (*auth.User, error) {
	return nil, errors.New("ldap: connection refused")
}
func (erroringBackend) GetUser(context.Context, int64) (*auth.User, error) {
	return nil, auth.ErrUserNotFound
}

// A wrong password that the model backend refused stays counted when a
// later backend errors: the reserved failure is given back only after a
// right password or when nothing was hashed, else every guess would be a
// free, uncounted 500.
func TestLoginReservationKeptWhenLaterBackendErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := throttle.NewMemoryStore()
	l, err := throttle.New(throttle.Config{Store: ts})
	require.NoError(t, err)
	store := memory.New[auth.User]()
	a, err := auth.New(auth.Config[auth.User]{
		Store: store, Hashers: hashers.New(hashers.MD5{}), Limiter: l, SecretKey: testSecret,
		Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, erroringBackend{}},
		Logger:   slog.New(slog.DiscardHandler), Sessions: auth.SessionConfig{InsecureCookie: true},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	u := auth.NewUser("alice")
	u.Password, _ = hashers.MD5{}.Encode("right", "seasalt")
	require.NoError(t, store.CreateUser(ctx, &u))
	mux := http.NewServeMux()
	a.Routes(mux, "")
	h := a.Middleware(mux)
	codes := map[int]int{}
	for range 50 {
		req := httptest.NewRequest(http.MethodPost, "/accounts/login/", nil)
		req.PostForm = url.Values{"username": {"alice"}, "password": {"wrong"}}
		req.Form = req.PostForm
		req.Host = "example.com"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		codes[rec.Code]++
	}
	require.Positive(t, codes[http.StatusTooManyRequests], "the wrong guesses are counted and throttled: %v", codes)
	require.Equal(t, 50, codes[http.StatusInternalServerError]+codes[http.StatusTooManyRequests], "%v", codes)
	_, err = ts.Get(ctx, throttle.Key{Scope: "login", Kind: throttle.KindKey, Value: "alice"})
	require.NoError(t, err, "the wrong passwords hashed by the model backend are counted")

}
