package auth_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// countingStore counts the user and permission reads of the request path.
type countingStore struct {
	auth.Store[auth.User]
	reads atomic.Int64
	down  atomic.Bool
}

func (s *countingStore) GetUser(ctx context.Context, id int64) (*auth.User, error) {
	s.reads.Add(1)
	if s.down.Load() {
		return nil, errStoreDown
	}
	return s.Store.GetUser(ctx, id)
}

func (s *countingStore) GetUserWithPermissions(ctx context.Context, id int64) (*auth.User, auth.UserPermissions, error) {
	s.reads.Add(1)
	if s.down.Load() {
		return nil, auth.UserPermissions{}, errStoreDown
	}
	return s.Store.GetUserWithPermissions(ctx, id)
}

func (s *countingStore) UserPermissionSet(ctx context.Context, id int64) (auth.PermSet, error) {
	s.reads.Add(1)
	return s.Store.UserPermissionSet(ctx, id)
}

func (s *countingStore) GroupPermissionSet(ctx context.Context, id int64) (auth.PermSet, error) {
	s.reads.Add(1)
	return s.Store.GroupPermissionSet(ctx, id)
}

// countingSessionStore counts the writes to the session store.
type countingSessionStore struct {
	scs.Store
	commits, finds, deletes atomic.Int64
}

func (s *countingSessionStore) Commit(token string, b []byte, expiry time.Time) error {
	s.commits.Add(1)
	return s.Store.Commit(token, b, expiry)
}

func (s *countingSessionStore) Find(token string) ([]byte, bool, error) {
	s.finds.Add(1)
	return s.Store.Find(token)
}

func (s *countingSessionStore) Delete(token string) error {
	s.deletes.Add(1)
	return s.Store.Delete(token)
}

type countingEnv struct {
	*env[auth.User]
	cs       *countingStore
	sessions *countingSessionStore
	mgr      *scs.SessionManager
}

func newCountingEnv(t *testing.T) *countingEnv {
	ce := &countingEnv{}
	ce.env = newEnv(t, func(c *auth.Config[auth.User], e *env[auth.User]) {
		ce.cs = &countingStore{Store: e.store}
		c.Store = ce.cs
		ce.sessions = &countingSessionStore{Store: newMapStore()}
		c.Sessions.Store = ce.sessions
	})
	return ce
}

// mapStore is a plain scs.Store without a background goroutine.
type mapStore struct {
	m  map[string][]byte
	mu chan struct{}
}

func newMapStore() *mapStore { return &mapStore{m: map[string][]byte{}, mu: make(chan struct{}, 1)} }

func (s *mapStore) Find(token string) ([]byte, bool, error) {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	b, ok := s.m[token]
	return b, ok, nil
}

func (s *mapStore) Commit(token string, b []byte, _ time.Time) error {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	s.m[token] = b
	return nil
}

func (s *mapStore) Delete(token string) error {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	delete(s.m, token)
	return nil
}

// TestLazyUser: the user is loaded only when asked for, once per request.
func TestLazyUser(t *testing.T) {
	t.Parallel()
	ce := newCountingEnv(t)
	ce.createUser("alice", "pw")
	app := ce.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/twice/", func(w http.ResponseWriter, r *http.Request) {
			ru := ce.a.User(r)
			_ = ru.IsAuthenticated()
			_ = ru.User()
			_, _ = w.Write([]byte(ru.Username()))
		})
	})
	c := newClient(t, app)
	c.login("alice", "pw")
	ce.cs.reads.Store(0)
	readBody(t, c.get("/noop/"))
	assert.Zero(t, ce.cs.reads.Load(), "a handler that never asks loads no user")
	assert.Equal(t, "alice", readBody(t, c.get("/twice/")))
	assert.EqualValues(t, 1, ce.cs.reads.Load(), "one store read per request")
}

// TestPermissionCachePerRequest: permissions come with the user in one
// read and are cached for the request, never across requests, so that a
// revoked permission takes effect on the next request.
func TestPermissionCachePerRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ce := newCountingEnv(t)
	u := ce.createUser("alice", "pw")
	addPerms(t, ce.store, "view_report", "edit_report")
	require.NoError(t, ce.store.AddUserPermissions(ctx, u.ID, "auth.view_report"))
	g := &auth.Group{Name: "editors"}
	require.NoError(t, ce.store.CreateGroup(ctx, g))
	require.NoError(t, ce.store.AddGroupPermissions(ctx, g.ID, "auth.edit_report"))
	require.NoError(t, ce.store.AddUserGroups(ctx, u.ID, g.ID))

	app := ce.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/perms/", func(w http.ResponseWriter, r *http.Request) {
			ru := ce.a.User(r)
			var out []string
			for _, p := range []string{"auth.view_report", "auth.edit_report", "auth.view_report", "auth.nope"} {
				if ru.HasPerm(p) {
					out = append(out, p)
				}
			}
			if ru.HasModulePerms("auth") {
				out = append(out, "module")
			}
			out = append(out, ru.AllPermissions().Sorted()...)
			_, _ = w.Write([]byte(strings.Join(out, " ")))
		})
	})
	c := newClient(t, app)
	c.login("alice", "pw")
	ce.cs.reads.Store(0)
	assert.Equal(t, "auth.view_report auth.edit_report auth.view_report module auth.edit_report auth.view_report",
		readBody(t, c.get("/perms/")))
	assert.EqualValues(t, 1, ce.cs.reads.Load(), "user and permissions in one read")

	require.NoError(t, ce.store.RemoveUserPermissions(ctx, u.ID, "auth.view_report"))
	ce.cs.reads.Store(0)
	assert.Equal(t, "auth.edit_report module auth.edit_report", readBody(t, c.get("/perms/")),
		"a revoked permission is gone on the next request")
	assert.EqualValues(t, 1, ce.cs.reads.Load())
}

// TestNoSessionWriteWhenUnchanged: requests that only read the session
// write nothing to the session store and send no cookie.
func TestNoSessionWriteWhenUnchanged(t *testing.T) {
	t.Parallel()
	ce := newCountingEnv(t)
	ce.createUser("alice", "pw")
	c := newClient(t, ce.app())
	readBody(t, c.get("/whoami/"))
	assert.Zero(t, ce.sessions.commits.Load(), "anonymous request: no session created")
	c.login("alice", "pw")
	assert.EqualValues(t, 1, ce.sessions.commits.Load(), "login writes once")
	for range 3 {
		resp := c.get("/whoami/")
		assert.Equal(t, "alice", readBody(t, resp))
		assert.Empty(t, resp.Header.Values("Set-Cookie"))
		assert.Contains(t, resp.Header.Values("Vary"), "Cookie")
	}
	assert.EqualValues(t, 1, ce.sessions.commits.Load(), "authenticated reads write nothing")
	assert.EqualValues(t, 3, ce.sessions.finds.Load())
}

// TestCorruptSessionStartsOver: a payload the codec did not write gives an
// anonymous request with a new session, not a 500.
func TestCorruptSessionStartsOver(t *testing.T) {
	t.Parallel()
	ce := newCountingEnv(t)
	ce.createUser("alice", "pw")
	c := newClient(t, ce.app())
	c.login("alice", "pw")
	require.NoError(t, ce.sessions.Commit(c.session(), []byte("\x01garbage"), time.Now().Add(time.Hour)))
	resp := c.get("/whoami/")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "AnonymousUser", readBody(t, resp))
}

// TestStoreDownFailsClosed: when the user cannot be loaded the request is
// anonymous for views, and guards answer 500 instead of the page or a
// login redirect.
func TestStoreDownFailsClosed(t *testing.T) {
	t.Parallel()
	ce := newCountingEnv(t)
	ce.createUser("alice", "pw")
	app := ce.app(func(mux *http.ServeMux) {
		mux.Handle("/private/", ce.a.LoginRequired(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("secret"))
		})))
	})
	c := newClient(t, app)
	c.login("alice", "pw")
	ce.cs.down.Store(true)
	assert.Equal(t, "AnonymousUser", readBody(t, c.get("/whoami/")))
	resp := c.get("/private/")
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.NotContains(t, readBody(t, resp), "secret")
	ce.cs.down.Store(false)
	assert.Equal(t, "alice", readBody(t, c.get("/whoami/")), "the session survives an outage")
}

// TestSessionLifetime: a login starts a two-week lifetime (scs's
// RenewToken resets the deadline, like Django saving the session at
// login); reads do not extend it.
func TestSessionLifetime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	var deadline time.Time
	app := e.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/deadline/", func(w http.ResponseWriter, r *http.Request) {
			deadline = e.a.Sessions().Deadline(r.Context())
		})
	})
	c := newClient(t, app)
	start := time.Now()
	c.login("alice", "pw")
	c.get("/deadline/")
	assert.WithinDuration(t, start.Add(auth.DefaultSessionLifetime), deadline, 5*time.Second)
	first := deadline
	c.get("/deadline/")
	assert.Equal(t, first, deadline, "reading does not extend the session")
}

// TestSessionDeadlineSurvivesRenewal: UpdateSessionAuthHash gives the
// session a new token but keeps its absolute deadline, so a password
// change cannot stretch a session past its two weeks.
func TestSessionDeadlineSurvivesRenewal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "old")
	var deadline time.Time
	fixed := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	app := e.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/shorten/", func(w http.ResponseWriter, r *http.Request) {
			e.a.Sessions().SetDeadline(r.Context(), fixed)
		})
		mux.HandleFunc("/change/", e.changePasswordTo("new"))
		mux.HandleFunc("/deadline/", func(w http.ResponseWriter, r *http.Request) {
			deadline = e.a.Sessions().Deadline(r.Context())
		})
	})
	c := newClient(t, app)
	c.login("alice", "old")
	c.get("/shorten/")
	before := c.session()
	c.get("/change/")
	require.NotEqual(t, before, c.session(), "the token was renewed")
	assert.Equal(t, "alice", readBody(t, c.get("/whoami/")))
	c.get("/deadline/")
	assert.True(t, fixed.Equal(deadline), "deadline %v, want %v", deadline, fixed)
}

// TestMiddlewareIdempotent: a second wrap reuses the session and user.
func TestMiddlewareIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	var outer, inner *auth.RequestUser[auth.User]
	mux := http.NewServeMux()
	e.a.Routes(mux, "")
	mux.Handle("/x/", e.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner = e.a.UserFromContext(r.Context())
		_, _ = w.Write([]byte(inner.String()))
	})))
	app := e.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		outer = e.a.UserFromContext(r.Context())
		mux.ServeHTTP(w, r)
	}))
	c := newClient(t, app)
	c.login("alice", "pw")
	assert.Equal(t, "alice", readBody(t, c.get("/x/")))
	assert.Same(t, outer, inner)
}

// TestUserWithLoadAndSave: Auth.User works under the manager's own
// LoadAndSave, without Middleware.
func TestUserWithLoadAndSave(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	c := newClient(t, e.app())
	c.login("alice", "pw")
	plain := e.a.Sessions().LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(e.a.User(r).String()))
	}))
	c2 := newClient(t, plain)
	c2.cookies = c.cookies
	assert.Equal(t, "alice", readBody(t, c2.get("/")))
}
