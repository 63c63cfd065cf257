package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// groupCountingStore is a countingStore that also counts ListUserGroups,
// which fails while down or listDown.
type groupCountingStore struct {
	*countingStore
	lists    atomic.Int64
	listDown atomic.Bool
}

func (s *groupCountingStore) ListUserGroups(ctx context.Context, id int64) ([]auth.Group, error) {
	s.lists.Add(1)
	if s.down.Load() || s.listDown.Load() {
		return nil, errStoreDown
	}
	return s.countingStore.ListUserGroups(ctx, id)
}

// requestOnlyStore has only the RequestStore methods: no
// GetUserWithPermissions, no ListUserGroups.
type requestOnlyStore struct{ auth.RequestStore[auth.User] }

// listerOnlyStore loads users without their groups but can list them.
type listerOnlyStore struct {
	auth.RequestStore[auth.User]
	s *groupCountingStore
}

func (s listerOnlyStore) ListUserGroups(ctx context.Context, id int64) ([]auth.Group, error) {
	return s.s.ListUserGroups(ctx, id)
}

// groupsRoute serves /groups/: the request user's group names asked for
// twice, joined by commas, and whether it holds reports.view_report; 500
// with Err when the user could not be loaded or its groups not read.
func groupsRoute(a *auth.Auth[auth.User]) func(*http.ServeMux) {
	return func(mux *http.ServeMux) {
		mux.HandleFunc("/groups/", func(w http.ResponseWriter, r *http.Request) {
			ru := a.User(r)
			first := ru.GroupNames()
			if len(first) > 0 {
				first[0] = "modified by the caller"
			}
			names := ru.GroupNames()
			if err := ru.Err(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			if names == nil {
				_, _ = w.Write([]byte("nil"))
				return
			}
			_, _ = w.Write([]byte(strings.Join(names, ",") + ";" + map[bool]string{true: "view", false: "-"}[ru.HasPerm("reports.view_report")]))
		})
	}
}

func TestRequestUserGroupNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var gs *groupCountingStore
	e := newEnv(t, func(c *auth.Config[auth.User], e *env[auth.User]) {
		gs = &groupCountingStore{countingStore: &countingStore{Store: e.store}}
		c.Store = gs
	})
	_, err := auth.Register(ctx, e.store, auth.ModelSpec{AppLabel: "reports", Model: "report"})
	require.NoError(t, err)
	alice := e.createUser("alice", "pw")
	e.createUser("bare", "pw")
	e.createUser("root", "pw", func(u *auth.User) { u.IsSuperuser = true })
	for _, name := range []string{"writers", "Editors", "readers"} {
		g := auth.Group{Name: name}
		require.NoError(t, e.store.CreateGroup(ctx, &g))
		require.NoError(t, e.store.AddUserGroups(ctx, alice.ID, g.ID))
		root, err := e.store.GetUserByUsername(ctx, "root")
		require.NoError(t, err)
		require.NoError(t, e.store.AddUserGroups(ctx, root.ID, g.ID))
		if name == "readers" {
			require.NoError(t, e.store.AddGroupPermissions(ctx, g.ID, "reports.view_report"))
		}
	}
	app := e.app(groupsRoute(e.a))

	get := func(c *client) (string, int64, int64) {
		gs.reads.Store(0)
		gs.lists.Store(0)
		body := readBody(t, c.get("/groups/"))
		return body, gs.reads.Load(), gs.lists.Load()
	}

	t.Run("read with the user, in byte order", func(t *testing.T) {
		c := newClient(t, app)
		c.login("alice", "pw")
		body, reads, lists := get(c)
		assert.Equal(t, "Editors,readers,writers;view", body, "the caller's change to the first slice is not seen")
		assert.EqualValues(t, 1, reads, "user, permissions and groups in one store read")
		assert.Zero(t, lists, "no ListUserGroups")
	})
	t.Run("no groups: empty, not nil", func(t *testing.T) {
		c := newClient(t, app)
		c.login("bare", "pw")
		body, reads, lists := get(c)
		assert.Equal(t, ";-", body)
		assert.EqualValues(t, 1, reads)
		assert.Zero(t, lists)
	})
	t.Run("superuser: groups read with the user, permissions later", func(t *testing.T) {
		c := newClient(t, app)
		c.login("root", "pw")
		body, reads, lists := get(c)
		assert.Equal(t, "Editors,readers,writers;view", body)
		assert.EqualValues(t, 1, reads)
		assert.Zero(t, lists)
	})
	t.Run("anonymous: nil", func(t *testing.T) {
		body, reads, lists := get(newClient(t, app))
		assert.Equal(t, "nil", body)
		assert.Zero(t, reads)
		assert.Zero(t, lists)
	})
	t.Run("fresh on the next request", func(t *testing.T) {
		c := newClient(t, app)
		c.login("bare", "pw")
		assert.Equal(t, ";-", readBody(t, c.get("/groups/")))
		bare, err := e.store.GetUserByUsername(ctx, "bare")
		require.NoError(t, err)
		readers, err := e.store.GetGroupByName(ctx, "readers")
		require.NoError(t, err)
		require.NoError(t, e.store.AddUserGroups(ctx, bare.ID, readers.ID))
		assert.Equal(t, "readers;view", readBody(t, c.get("/groups/")))
		require.NoError(t, e.store.RemoveUserGroups(ctx, bare.ID, readers.ID))
		assert.Equal(t, ";-", readBody(t, c.get("/groups/")))
	})
	t.Run("store down: anonymous, Err", func(t *testing.T) {
		c := newClient(t, app)
		c.login("alice", "pw")
		gs.down.Store(true)
		defer gs.down.Store(false)
		resp := c.get("/groups/")
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
		assert.Contains(t, readBody(t, resp), errStoreDown.Error())
	})
}

// TestRequestUserGroupNamesListed: a store whose user load does not give
// the groups is asked once per request with ListUserGroups; one that
// cannot list them makes GroupNames fail with ErrConfig.
func TestRequestUserGroupNamesListed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	var gs *groupCountingStore
	e := newEnv(t, func(c *auth.Config[auth.User], e *env[auth.User]) {
		gs = &groupCountingStore{countingStore: &countingStore{Store: e.store}}
		c.Store = listerOnlyStore{RequestStore: gs, s: gs}
	})
	alice := e.createUser("alice", "pw")
	bob := e.createUser("bob", "pw")
	g := auth.Group{Name: "staff"}
	require.NoError(t, e.store.CreateGroup(ctx, &g))
	require.NoError(t, e.store.AddUserGroups(ctx, alice.ID, g.ID))
	app := e.app(groupsRoute(e.a), func(mux *http.ServeMux) {
		// /switch/ reads bob's groups, logs in alice and reads hers.
		mux.HandleFunc("/switch/", func(w http.ResponseWriter, r *http.Request) {
			ru := e.a.User(r)
			before := ru.GroupNames()
			u, err := e.store.GetUser(r.Context(), alice.ID)
			require.NoError(t, err)
			require.NoError(t, e.a.Login(r, u, ""))
			_, _ = w.Write([]byte(strings.Join(before, ",") + "|" + strings.Join(ru.GroupNames(), ",")))
		})
	})

	c := newClient(t, app)
	c.login("alice", "pw")
	gs.lists.Store(0)
	assert.Equal(t, "staff;-", readBody(t, c.get("/groups/")))
	assert.EqualValues(t, 1, gs.lists.Load(), "listed once for two calls")

	c = newClient(t, app)
	c.login(bob.Username, "pw")
	gs.lists.Store(0)
	assert.Equal(t, "|staff", readBody(t, c.get("/switch/")), "Login replaces the groups with the new user's")
	assert.EqualValues(t, 2, gs.lists.Load())

	// The user loads but its groups cannot be listed: nil, and Err.
	c = newClient(t, app)
	c.login("alice", "pw")
	gs.listDown.Store(true)
	resp := c.get("/groups/")
	gs.listDown.Store(false)
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Contains(t, readBody(t, resp), errStoreDown.Error())

	var ru *auth.RequestUser[auth.User]
	e2 := newEnv(t, func(c *auth.Config[auth.User], e *env[auth.User]) {
		c.Store = requestOnlyStore{e.store}
	})
	e2.createUser("carol", "pw")
	app2 := e2.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/groups/", func(w http.ResponseWriter, r *http.Request) {
			ru = e2.a.User(r)
			_, _ = w.Write([]byte(strings.Join(ru.GroupNames(), ",")))
		})
	})
	c = newClient(t, app2)
	c.login("carol", "pw")
	assert.Empty(t, readBody(t, c.get("/groups/")))
	require.Error(t, ru.Err())
	assert.True(t, errors.Is(ru.Err(), auth.ErrConfig), "%v", ru.Err())
	assert.Equal(t, "carol", ru.Username(), "still logged in")
}
