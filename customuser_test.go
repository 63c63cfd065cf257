package auth_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/backends"
	"github.com/djauth/auth/store/memory"
)

// MyUser is an app's own user type, embedding auth.User by value.
type MyUser struct {
	auth.User
	PhoneNumber string `db:"phone_number"`
}

// TestCustomUserFlowsThrough: the app's type comes back typed from the
// request, the signals, Authenticate and the remote-user backend.
func TestCustomUserFlowsThrough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var signalled *MyUser
	e := newEnvOf[MyUser](t, func(c *auth.Config[MyUser], e *env[MyUser]) {
		c.Backends = append(c.Backends, backends.NewRemoteUser[MyUser]())
	})
	e.a.Signals().UserLoggedIn.Connect(func(_ context.Context, ev auth.LoggedIn[MyUser]) { signalled = ev.User })
	u := e.createUser("alice", "pw")
	u.PhoneNumber = "+41 00 000 00 00"
	require.NoError(t, e.store.UpdateUser(ctx, u))

	got, backend, err := e.a.Authenticate(ctx, nil, auth.Credentials{"username": "alice", "password": "pw"})
	require.NoError(t, err)
	assert.Equal(t, "+41 00 000 00 00", got.PhoneNumber)
	assert.Equal(t, auth.ModelBackendName, backend)

	var phone string
	app := e.app(func(mux *http.ServeMux) {
		mux.Handle("/phone/", e.a.LoginRequired(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var me *MyUser = e.a.User(r).User()
			phone = me.PhoneNumber
		})))
	})
	c := newClient(t, app)
	c.login("alice", "pw")
	require.NotNil(t, signalled)
	assert.Equal(t, "+41 00 000 00 00", signalled.PhoneNumber)
	c.get("/phone/")
	assert.Equal(t, "+41 00 000 00 00", phone)
	// A context that did not pass through the Middleware has no user.
	assert.Nil(t, e.a.UserFromContext(context.Background()))
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := auth.Config[auth.User]{Store: e.store, SecretKey: testSecret}
	for _, tc := range []struct {
		name string
		edit func(*auth.Config[auth.User])
		want string
	}{
		{"no store", func(c *auth.Config[auth.User]) { c.Store = nil }, "Store is required"},
		{"nil backend", func(c *auth.Config[auth.User]) { c.Backends = []auth.Backend[auth.User]{nil} }, "is nil"},
		{"duplicate", func(c *auth.Config[auth.User]) {
			c.Backends = []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, &auth.ModelBackend[auth.User]{}}
		}, "configured twice"},
		{"backend of another Auth", func(c *auth.Config[auth.User]) { c.Backends = e.a.Backends() }, "another Auth"},
		{"no key", func(c *auth.Config[auth.User]) { c.SecretKey = "" }, "SecretKey is 0 bytes long"},
		{"short key", func(c *auth.Config[auth.User]) { c.SecretKey = "0123456789abcdef0123456789abcde" }, "needs at least 32"},
		{"dull key", func(c *auth.Config[auth.User]) { c.SecretKey = "abababababababababababababababababab" }, "2 distinct"},
		{"short fallback", func(c *auth.Config[auth.User]) { c.SecretKeyFallbacks = []string{"x"} }, "SecretKeyFallbacks[0]"},
		{"relative login URL", func(c *auth.Config[auth.User]) { c.LoginURL = "login/" }, "LoginURL"},
		{"negative lifetime", func(c *auth.Config[auth.User]) { c.Sessions.Lifetime = -time.Second }, "Lifetime"},
		{"relative cookie path", func(c *auth.Config[auth.User]) { c.Sessions.CookiePath = "app/" }, "CookiePath"},
		{"bad allowed host", func(c *auth.Config[auth.User]) { c.AllowedHosts = []string{"https://example.com"} }, "AllowedHosts[0]"},
		{"bad trusted origin", func(c *auth.Config[auth.User]) { c.CSRF.TrustedOrigins = []string{"example.com/path"} }, "TrustedOrigins[0]"},
	} {
		cfg := good
		tc.edit(&cfg)
		_, err := auth.New(cfg)
		assert.ErrorIs(t, err, auth.ErrConfig, tc.name)
		assert.ErrorContains(t, err, tc.want, tc.name)
	}
	a, err := auth.New(good)
	require.NoError(t, err)
	assert.Equal(t, auth.DefaultLoginURL, a.LoginURL())
	require.NoError(t, a.Close())
	require.NoError(t, a.Close())
}

// TestNewRefusesUserTypes: a user type must embed auth.User by value; one
// that embeds *auth.User would be created with a nil User.
func TestNewRefusesUserTypes(t *testing.T) {
	t.Parallel()
	type pointerEmbed struct {
		*auth.User
		Extra string
	}
	_, err := auth.New(auth.Config[pointerEmbed]{SecretKey: testSecret})
	assert.ErrorIs(t, err, auth.ErrConfig)
	assert.ErrorContains(t, err, "embeds *auth.User")
	type noUser struct{ Name string }
	_, err = auth.New(auth.Config[noUser]{SecretKey: testSecret})
	assert.ErrorIs(t, err, auth.ErrConfig)
	assert.ErrorContains(t, err, "does not embed auth.User")
	assert.NoError(t, auth.CheckUserType[MyUser]())
	assert.NoError(t, auth.CheckUserType[auth.User]())
	assert.ErrorContains(t, auth.CheckUserType[sharedUser](), "outside the value")
	// Two embedded types with AuthUser: an error, not a panic (from the
	// security review).
	_, err = auth.New(auth.Config[ambiguousUser]{SecretKey: testSecret})
	assert.ErrorIs(t, err, auth.ErrConfig)
	assert.ErrorContains(t, err, "no single AuthUser method")
}

type otherAuthUserer struct{}

func (*otherAuthUserer) AuthUser() *auth.User { return nil }

// ambiguousUser has two AuthUser methods at the same depth, so none.
type ambiguousUser struct {
	auth.User
	otherAuthUserer
}

// TestBackendRebindAfterFailedNew (from the security review): a New that
// fails after binding a backend does not keep the backend from serving
// the next, corrected New.
func TestBackendRebindAfterFailedNew(t *testing.T) {
	t.Parallel()
	mb := &auth.ModelBackend[auth.User]{}
	store := memory.New[auth.User]()
	_, err := auth.New(auth.Config[auth.User]{Store: store, SecretKey: testSecret,
		Backends: []auth.Backend[auth.User]{mb, backends.NewRemoteUser[auth.User]()},
		Sessions: auth.SessionConfig{Lifetime: -1}})
	require.ErrorIs(t, err, auth.ErrConfig)
	a, err := auth.New(auth.Config[auth.User]{Store: store, SecretKey: testSecret, Backends: []auth.Backend[auth.User]{mb}})
	require.NoError(t, err, "the backend of a failed New can be bound again")
	defer a.Close()
	_, err = auth.New(auth.Config[auth.User]{Store: store, SecretKey: testSecret, Backends: []auth.Backend[auth.User]{mb}})
	assert.ErrorContains(t, err, "another Auth", "but not taken from a working one")
}

// sharedUser overrides AuthUser to return one User for every value, which
// a store's copies would share.
type sharedUser struct{ auth.User }

var theSharedUser auth.User

func (*sharedUser) AuthUser() *auth.User { return &theSharedUser }

// TestConfigSessionStore: a SessionStore gets a manager with Django's
// settings over it.
func TestConfigSessionStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ss := memstore.NewWithCleanupInterval(0)
	a, err := auth.New(auth.Config[auth.User]{Store: e.store, SecretKey: testSecret, Sessions: auth.SessionConfig{Store: ss}})
	require.NoError(t, err)
	sm := a.Sessions()
	assert.Same(t, ss, sm.Store.(interface{ Unwrap() scs.Store }).Unwrap().(*memstore.MemStore))
	assert.Equal(t, auth.DefaultSessionCookieName, sm.Cookie.Name)
	assert.Equal(t, auth.DefaultSessionLifetime, sm.Lifetime)
	assert.True(t, sm.Cookie.HttpOnly)
	assert.True(t, sm.Cookie.Secure)
	assert.Equal(t, http.SameSiteLaxMode, sm.Cookie.SameSite)
	assert.IsType(t, auth.SessionCodec{}, sm.Codec)
}

// TestConfigLogValueRedactsSecrets: logging a Config never prints keys.
func TestConfigLogValueRedactsSecrets(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	cfg := auth.Config[auth.User]{SecretKey: testSecret, SecretKeyFallbacks: []string{testFallback}}
	slogger(&logs).Info("config", "cfg", cfg)
	assert.NotContains(t, logs.String(), testSecret)
	assert.NotContains(t, logs.String(), testFallback)
	assert.Contains(t, logs.String(), "redacted")
}
