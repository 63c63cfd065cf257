package auth_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
)

// addPerms creates custom permissions of the auth.group model, as Django's
// tests do with Permission.objects.create(content_type=Group, ...).
func addPerms(t testing.TB, s auth.PermissionEnsurer, codenames ...string) {
	t.Helper()
	spec := auth.ModelSpec{AppLabel: "auth", Model: "group", DefaultPermissions: []string{}}
	for _, c := range codenames {
		spec.Custom = append(spec.Custom, auth.PermissionSpec{Codename: c, Name: c})
	}
	_, err := auth.Register(context.Background(), s, spec)
	require.NoError(t, err)
}

func TestModelBackendHasPerm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	u := e.createUser("test", "test")
	has := func() bool {
		ok, err := e.a.HasPerm(ctx, mustUser(t, e, "test"), "auth.test", nil)
		require.NoError(t, err)
		return ok
	}
	assert.False(t, has())
	u.IsStaff = true
	require.NoError(t, e.store.UpdateUser(ctx, u))
	assert.False(t, has())
	u.IsSuperuser = true
	require.NoError(t, e.store.UpdateUser(ctx, u))
	assert.True(t, has())
	u.IsActive = false
	require.NoError(t, e.store.UpdateUser(ctx, u))
	assert.False(t, has())
}

func TestModelBackendCustomPerms(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	u := e.createUser("test", "test")
	addPerms(t, e.store, "test", "test2", "test3", "test_group")
	require.NoError(t, e.store.AddUserPermissions(ctx, u.ID, "auth.test"))

	sets := func() (all, user, group auth.PermSet) {
		u := mustUser(t, e, "test")
		var err error
		all, err = e.a.AllPermissions(ctx, u, nil)
		require.NoError(t, err)
		user, err = e.a.UserPermissions(ctx, u, nil)
		require.NoError(t, err)
		group, err = e.a.GroupPermissions(ctx, u, nil)
		require.NoError(t, err)
		return
	}
	all, user, group := sets()
	assert.Equal(t, auth.NewPermSet("auth.test"), all)
	assert.Equal(t, auth.NewPermSet("auth.test"), user)
	assert.Equal(t, auth.PermSet{}, group)
	mod := func(app string) bool {
		ok, err := e.a.HasModulePerms(ctx, u, app)
		require.NoError(t, err)
		return ok
	}
	assert.False(t, mod("Group"))
	assert.True(t, mod("auth"))

	require.NoError(t, e.store.AddUserPermissions(ctx, u.ID, "auth.test2", "auth.test3"))
	all, _, _ = sets()
	expected := auth.NewPermSet("auth.test", "auth.test2", "auth.test3")
	assert.Equal(t, expected, all)
	ok, err := e.a.HasPerm(ctx, u, "test", nil)
	require.NoError(t, err)
	assert.False(t, ok)
	ok, err = e.a.HasPerms(ctx, u, []string{"auth.test2", "auth.test3"}, nil)
	require.NoError(t, err)
	assert.True(t, ok)

	g := &auth.Group{Name: "test_group"}
	require.NoError(t, e.store.CreateGroup(ctx, g))
	require.NoError(t, e.store.AddGroupPermissions(ctx, g.ID, "auth.test_group"))
	require.NoError(t, e.store.AddUserGroups(ctx, u.ID, g.ID))
	all, user, group = sets()
	assert.Equal(t, expected.Union(auth.NewPermSet("auth.test_group")), all)
	assert.Equal(t, expected, user)
	assert.Equal(t, auth.NewPermSet("auth.test_group"), group)
	ok, err = e.a.HasPerms(ctx, u, []string{"auth.test3", "auth.test_group"}, nil)
	require.NoError(t, err)
	assert.True(t, ok)

	// Anonymous (nil) users hold nothing.
	ok, err = e.a.HasPerms(ctx, nil, []string{"auth.test2", "auth.test3"}, nil)
	require.NoError(t, err)
	assert.False(t, ok)
}

// TestModelBackendNoObjectPerms is Django's regression test #12462.
func TestModelBackendNoObjectPerms(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	u := e.createUser("test", "test")
	addPerms(t, e.store, "test")
	require.NoError(t, e.store.AddUserPermissions(ctx, u.ID, "auth.test"))
	ok, err := e.a.HasPerm(ctx, u, "auth.test", "object")
	require.NoError(t, err)
	assert.False(t, ok)
	all, err := e.a.AllPermissions(ctx, u, "object")
	require.NoError(t, err)
	assert.Empty(t, all)
	ok, err = e.a.HasPerm(ctx, u, "auth.test", nil)
	require.NoError(t, err)
	assert.True(t, ok)
}

// TestModelBackendInactiveHasNoPermissions is Django's #17903.
func TestModelBackendInactiveHasNoPermissions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	u := e.createUser("test", "test")
	addPerms(t, e.store, "test_user", "test_group")
	require.NoError(t, e.store.AddUserPermissions(ctx, u.ID, "auth.test_user"))
	g := &auth.Group{Name: "test_group"}
	require.NoError(t, e.store.CreateGroup(ctx, g))
	require.NoError(t, e.store.AddUserGroups(ctx, u.ID, g.ID))
	require.NoError(t, e.store.AddGroupPermissions(ctx, g.ID, "auth.test_group"))

	b := e.a.Backend(auth.ModelBackendName).(auth.PermissionBackend[auth.User])
	check := func(all, user, group auth.PermSet) {
		t.Helper()
		gotU, err := b.UserPermissions(ctx, u, nil)
		require.NoError(t, err)
		gotG, err := b.GroupPermissions(ctx, u, nil)
		require.NoError(t, err)
		assert.Equal(t, user, gotU)
		assert.Equal(t, group, gotG)
		gotAll, err := e.a.AllPermissions(ctx, u, nil)
		require.NoError(t, err)
		assert.Equal(t, all, gotAll)
	}
	check(auth.NewPermSet("auth.test_user", "auth.test_group"), auth.NewPermSet("auth.test_user"), auth.NewPermSet("auth.test_group"))
	u.IsActive = false
	check(auth.PermSet{}, auth.PermSet{}, auth.PermSet{})
}

// TestSuperuserHasAllPermissions is Django's #14795.
func TestSuperuserHasAllPermissions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	_, err := auth.Register(ctx, e.store, auth.AuthModels()...)
	require.NoError(t, err)
	su := e.createUser("admin", "pw", func(u *auth.User) { u.IsSuperuser = true })
	all, err := e.a.AllPermissions(ctx, su, nil)
	require.NoError(t, err)
	stored, err := e.store.ListPermissions(ctx, "")
	require.NoError(t, err)
	assert.Len(t, all, len(stored))
	ok, err := e.a.HasModulePerms(ctx, su, "anything")
	require.NoError(t, err)
	assert.True(t, ok, "active superusers have every module")
}

// TestAuthenticationTiming is Django's #20760, by counting hasher runs: an
// unknown username costs exactly one run, the same as a known one, and
// missing credentials cost none.
func TestAuthenticationTiming(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	e.createUser("test", "test")
	e.createUser("inactive", "test", func(u *auth.User) { u.IsActive = false })
	e.createUser("unusable", "test", func(u *auth.User) { u.Password = "!unusable" })

	for _, tc := range []struct {
		name  string
		creds auth.Credentials
		runs  int64
	}{
		{"right password", auth.Credentials{"username": "test", "password": "test"}, 1},
		{"wrong password", auth.Credentials{"username": "test", "password": "nope"}, 1},
		{"unknown user", auth.Credentials{"username": "no_such_user", "password": "test"}, 1},
		{"too long username", auth.Credentials{"username": string(make([]byte, 200)), "password": "test"}, 1},
		{"inactive user", auth.Credentials{"username": "inactive", "password": "test"}, 1},
		{"unusable password", auth.Credentials{"username": "unusable", "password": "test"}, 1},
		{"no credentials", auth.Credentials{}, 0},
		{"username only", auth.Credentials{"username": "test"}, 0},
		{"password only", auth.Credentials{"password": "test"}, 0},
	} {
		e.runs.Store(0)
		_, _, _ = e.a.Authenticate(ctx, nil, tc.creds)
		assert.Equal(t, tc.runs, e.runs.Load(), tc.name)
	}
}

func TestAuthenticateInactive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	e.createUser("test", "test", func(u *auth.User) { u.IsActive = false })
	_, _, err := e.a.Authenticate(ctx, nil, auth.Credentials{"username": "test", "password": "test"})
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)

	all := newEnv(t, func(c *auth.Config[auth.User], e *env[auth.User]) {
		c.Backends = []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{AllowInactive: true}}
	})
	u := all.createUser("test", "test", func(u *auth.User) { u.IsActive = false })
	got, name, err := all.a.Authenticate(ctx, nil, auth.Credentials{"username": "test", "password": "test"})
	require.NoError(t, err)
	assert.Equal(t, u.ID, got.ID)
	assert.Equal(t, auth.AllowAllUsersModelBackendName, name)
	// AllowAllUsersModelBackend also keeps inactive users in their session.
	b := all.a.Backend(name)
	gu, err := b.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, u.ID, gu.ID)
	_, err = e.a.Backend(auth.ModelBackendName).GetUser(ctx, u.ID)
	assert.ErrorIs(t, err, auth.ErrUserNotFound)
}

// TestPasswordHashUpgradedOnLogin: a right password stored with an
// outdated hasher is re-hashed with the preferred one (Django's setter).
func TestPasswordHashUpgradedOnLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	u := e.createUser("test", "test")
	// Django's legacy "sha1$salt$hex(sha1(salt + password))".
	sum := sha1.Sum([]byte("seasalt" + "test"))
	sha1 := "sha1$seasalt$" + hex.EncodeToString(sum[:])
	ok, err := hashers.SHA1{}.Verify("test", sha1)
	require.NoError(t, err)
	require.True(t, ok)
	u.Password = sha1
	require.NoError(t, e.store.UpdateUser(ctx, u))
	withSHA1 := newEnv(t, func(c *auth.Config[auth.User], ee *env[auth.User]) {
		ee.store = e.store
		ee.hashers = registryWith(ee.runs)
		c.Store = e.store
		c.Hashers = ee.hashers
		c.Backends = []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}}
	})
	_, _, err = withSHA1.a.Authenticate(ctx, nil, auth.Credentials{"username": "test", "password": "wrong"})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	assert.Equal(t, sha1, mustUser(t, e, "test").Password, "a wrong password changes nothing")
	_, _, err = withSHA1.a.Authenticate(ctx, nil, auth.Credentials{"username": "test", "password": "test"})
	require.NoError(t, err)
	assert.Regexp(t, `^md5\$`, mustUser(t, e, "test").Password)
}

// permissionDeniedBackend refuses everything, stopping the chain.
type permissionDeniedBackend struct{}

func (permissionDeniedBackend) Name() string { return "tests.PermissionDeniedBackend" }
func (permissionDeniedBackend) Authenticate(context.Context, *http.Request, auth.Credentials) (*auth.User, error) {
	return nil, auth.ErrPermissionDenied
}
func (permissionDeniedBackend) GetUser(context.Context, int64) (*auth.User, error) {
	return nil, auth.ErrUserNotFound
}
func (permissionDeniedBackend) HasPerm(context.Context, *auth.User, string, any) (bool, error) {
	return false, auth.ErrPermissionDenied
}
func (permissionDeniedBackend) HasModulePerms(context.Context, *auth.User, string) (bool, error) {
	return false, auth.ErrPermissionDenied
}

func TestPermissionDeniedBackend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		prepend bool
	}{{"prepended", true}, {"appended", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var failed []auth.Credentials
			e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) {
				if tc.prepend {
					c.Backends = append([]auth.Backend[auth.User]{permissionDeniedBackend{}}, c.Backends...)
				} else {
					c.Backends = append(c.Backends, permissionDeniedBackend{})
				}
			})
			e.a.Signals().UserLoginFailed.Connect(func(_ context.Context, ev auth.LoginFailed) {
				failed = append(failed, ev.Credentials)
			})
			u := e.createUser("test", "test")
			addPerms(t, e.store, "test")
			require.NoError(t, e.store.AddUserPermissions(ctx, u.ID, "auth.test"))

			got, _, err := e.a.Authenticate(ctx, nil, auth.Credentials{"username": "test", "password": "test"})
			perm, perr := e.a.HasPerm(ctx, u, "auth.test", nil)
			require.NoError(t, perr)
			mod, merr := e.a.HasModulePerms(ctx, u, "auth")
			require.NoError(t, merr)
			if tc.prepend {
				assert.Nil(t, got)
				assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
				assert.ErrorIs(t, err, auth.ErrPermissionDenied)
				assert.Equal(t, []auth.Credentials{{"username": "test", "password": auth.CleansedSubstitute}}, failed)
				assert.False(t, perm)
				assert.False(t, mod)
			} else {
				require.NoError(t, err)
				assert.Equal(t, u.ID, got.ID)
				assert.Empty(t, failed)
				assert.True(t, perm)
				assert.True(t, mod)
			}
		})
	}
}

// testObj and rowLevelBackend port Django's SimpleRowlevelBackend.
type testObj struct{}

type rowLevelBackend struct{}

func (rowLevelBackend) Name() string { return "tests.SimpleRowlevelBackend" }
func (rowLevelBackend) Authenticate(context.Context, *http.Request, auth.Credentials) (*auth.User, error) {
	return nil, nil
}
func (rowLevelBackend) GetUser(context.Context, int64) (*auth.User, error) {
	return nil, auth.ErrUserNotFound
}
func (rowLevelBackend) HasPerm(_ context.Context, u *auth.User, perm string, obj any) (bool, error) {
	if _, ok := obj.(testObj); !ok {
		return false, nil
	}
	return u.Username == "test2" || (!u.IsActive && perm == "inactive"), nil
}
func (rowLevelBackend) HasModulePerms(_ context.Context, u *auth.User, app string) (bool, error) {
	return u.IsActive && app == "app1", nil
}
func (rowLevelBackend) UserPermissions(_ context.Context, u *auth.User, obj any) (auth.PermSet, error) {
	if obj == nil {
		return auth.PermSet{}, nil
	}
	if _, ok := obj.(testObj); !ok {
		return auth.NewPermSet("none"), nil
	}
	if u.Username == "test2" {
		return auth.NewPermSet("simple", "advanced"), nil
	}
	return auth.NewPermSet("simple"), nil
}
func (rowLevelBackend) GroupPermissions(_ context.Context, u *auth.User, obj any) (auth.PermSet, error) {
	if obj == nil {
		return auth.PermSet{}, nil
	}
	if u.Username == "test3" {
		return auth.NewPermSet("group_perm"), nil
	}
	return auth.NewPermSet("none"), nil
}

func TestRowLevelBackend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) {
		c.Backends = append(c.Backends, rowLevelBackend{})
	})
	u1, u2, u3 := e.createUser("test", "test"), e.createUser("test2", "test"), e.createUser("test3", "test")
	has := func(u *auth.User, perm string, obj any) bool {
		ok, err := e.a.HasPerm(ctx, u, perm, obj)
		require.NoError(t, err)
		return ok
	}
	hasAll := func(u *auth.User, perms []string, obj any) bool {
		ok, err := e.a.HasPerms(ctx, u, perms, obj)
		require.NoError(t, err)
		return ok
	}
	assert.False(t, has(u1, "perm", testObj{}))
	assert.True(t, has(u2, "perm", testObj{}))
	assert.False(t, has(u2, "perm", nil))
	assert.True(t, hasAll(u2, []string{"simple", "advanced"}, testObj{}))
	assert.False(t, has(u3, "perm", testObj{}))
	assert.False(t, has(u3, "anon", testObj{}))
	assert.False(t, hasAll(u3, []string{"simple", "advanced"}, testObj{}))

	all := func(u *auth.User, obj any) auth.PermSet {
		s, err := e.a.AllPermissions(ctx, u, obj)
		require.NoError(t, err)
		return s
	}
	assert.Equal(t, auth.NewPermSet("simple", "none"), all(u1, testObj{}))
	assert.Equal(t, auth.NewPermSet("simple", "advanced", "none"), all(u2, testObj{}))
	assert.Equal(t, auth.PermSet{}, all(u2, nil))
	g, err := e.a.GroupPermissions(ctx, u3, testObj{})
	require.NoError(t, err)
	assert.Equal(t, auth.NewPermSet("group_perm"), g)

	// Django's InActiveUserBackendTest: object backends may grant
	// inactive users, the model backend never does.
	inactive := e.createUser("inactive", "test", func(u *auth.User) { u.IsActive = false })
	assert.False(t, has(inactive, "perm", testObj{}))
	assert.True(t, has(inactive, "inactive", testObj{}))
	mod, err := e.a.HasModulePerms(ctx, inactive, "app1")
	require.NoError(t, err)
	assert.False(t, mod)
}

// TestChangedBackendSettings: removing the backend that logged a session
// in makes that session anonymous.
func TestChangedBackendSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config[auth.User], e *env[auth.User]) {
		c.Backends = []auth.Backend[auth.User]{renamed{&auth.ModelBackend[auth.User]{}}}
	})
	e.createUser("test_user", "test_password")
	c := newClient(t, e.app())
	c.login("test_user", "test_password")
	require.Equal(t, "test_user", readBody(t, c.get("/whoami/")))

	other, err := auth.New(auth.Config[auth.User]{
		Store: e.store, Sessions: auth.SessionConfig{Store: e.a.Sessions().Store}, SecretKey: testSecret,
		Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}},
	})
	require.NoError(t, err)
	c2 := newClient(t, rotatedApp(other))
	c2.cookies = c.cookies
	assert.Equal(t, "AnonymousUser", readBody(t, c2.get("/whoami/")))
}

type renamed struct{ *auth.ModelBackend[auth.User] }

func (renamed) Name() string { return "auth_tests.test_auth_backends.NewModelBackend" }

// TestSelectingBackend: Login needs the backend name when several
// backends are configured, and refuses an unknown one.
func TestSelectingBackend(t *testing.T) {
	t.Parallel()
	one := newEnv(t)
	u := one.createUser("test", "pw")
	app := one.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/login-direct/", func(w http.ResponseWriter, r *http.Request) {
			require.NoError(t, one.a.Login(r, u, ""))
		})
	})
	c := newClient(t, app)
	c.get("/login-direct/")
	assert.Equal(t, "test", readBody(t, c.get("/whoami/")))

	two := newEnv(t, func(c *auth.Config[auth.User], e *env[auth.User]) {
		c.Backends = append(c.Backends, renamed{&auth.ModelBackend[auth.User]{}})
	})
	u2 := two.createUser("test", "pw")
	var errs []error
	app2 := two.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/login-direct/", func(w http.ResponseWriter, r *http.Request) {
			errs = append(errs, two.a.Login(r, u2, ""), two.a.Login(r, u2, "no.such.Backend"),
				two.a.Login(r, u2, "auth_tests.test_auth_backends.NewModelBackend"))
		})
	})
	c2 := newClient(t, app2)
	c2.get("/login-direct/")
	require.Len(t, errs, 3)
	assert.ErrorContains(t, errs[0], "backend name is required")
	assert.ErrorIs(t, errs[1], auth.ErrUnknownBackend)
	assert.NoError(t, errs[2])
	assert.Equal(t, "test", readBody(t, c2.get("/whoami/")))
}

// TestBackendErrorFailsClosed: a store error is returned, not treated as a
// failed login, and no login-failed signal is sent.
func TestBackendErrorFailsClosed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config[auth.User], e *env[auth.User]) {
		c.Store = downStore{e.store}
	})
	sent := 0
	e.a.Signals().UserLoginFailed.Connect(func(context.Context, auth.LoginFailed) { sent++ })
	_, _, err := e.a.Authenticate(context.Background(), nil, auth.Credentials{"username": "x", "password": "y"})
	assert.ErrorIs(t, err, errStoreDown)
	assert.NotErrorIs(t, err, auth.ErrInvalidCredentials)
	assert.Zero(t, sent)
}

var errStoreDown = errors.New("store is down")

// downStore fails every user lookup.
type downStore struct{ auth.Store[auth.User] }

func (downStore) GetUserByUsername(context.Context, string) (*auth.User, error) {
	return nil, errStoreDown
}
func (downStore) GetUser(context.Context, int64) (*auth.User, error) { return nil, errStoreDown }
func (downStore) GetUserWithPermissions(context.Context, int64) (*auth.User, auth.UserPermissions, error) {
	return nil, auth.UserPermissions{}, errStoreDown
}
