package auth_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/store/memory"
)

func modelHashers() *hashers.Registry {
	return hashers.New(hashers.PBKDF2{Iterations: 1000}, hashers.MD5{})
}

func newModelUser(t *testing.T, s auth.Store[auth.User], h *hashers.Registry, name, pw string, edit ...func(*auth.User)) *auth.User {
	t.Helper()
	u := auth.NewUser(name)
	var err error
	u.Password, err = h.Make(t.Context(), pw)
	require.NoError(t, err)
	for _, f := range edit {
		f(&u)
	}
	require.NoError(t, s.CreateUser(context.Background(), &u))
	return &u
}

// bind returns b after binding it to a new Auth over s and h.
func bind[B auth.Backend[auth.User]](t *testing.T, s auth.Store[auth.User], h *hashers.Registry, b B) B {
	t.Helper()
	a, err := auth.New(auth.Config[auth.User]{Store: s, Hashers: h, SecretKey: testSecret, Backends: []auth.Backend[auth.User]{b}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	return b
}

func TestModelAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, h := memory.New[auth.User](), modelHashers()
	newModelUser(t, s, h, "alice", "pw")
	newModelUser(t, s, h, "sleepy", "pw", func(u *auth.User) { u.IsActive = false })
	m := bind(t, s, h, &auth.ModelBackend[auth.User]{})
	all := bind(t, s, h, &auth.ModelBackend[auth.User]{AllowInactive: true})
	for _, tc := range []struct {
		b     *auth.ModelBackend[auth.User]
		creds auth.Credentials
		want  string
	}{
		{m, auth.Credentials{"username": "alice", "password": "pw"}, "alice"},
		{m, auth.Credentials{"username": "alice", "password": "PW"}, ""},
		{m, auth.Credentials{"username": "ALICE", "password": "pw"}, ""},
		{m, auth.Credentials{"username": "alice"}, ""},
		{m, auth.Credentials{"username": "sleepy", "password": "pw"}, ""},
		{all, auth.Credentials{"username": "sleepy", "password": "pw"}, "sleepy"},
		{m, auth.Credentials{"username": strings.Repeat("x", 500), "password": "pw"}, ""},
		{m, auth.Credentials{"remote_user": "alice"}, ""},
	} {
		u, err := tc.b.Authenticate(ctx, nil, tc.creds)
		require.NoError(t, err)
		got := ""
		if u != nil {
			got = u.Username
		}
		assert.Equal(t, tc.want, got, "%s %v", tc.b.Name(), tc.creds)
	}
}

// TestModelUpgradesHash: a right password stored with a non-preferred
// hasher is re-hashed with the preferred one and saved.
func TestModelUpgradesHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, h := memory.New[auth.User](), modelHashers()
	u := newModelUser(t, s, h, "alice", "pw")
	u.Password, _ = hashers.MD5{}.Encode("pw", "seasalt")
	require.NoError(t, s.UpdateUser(ctx, u))
	got, err := bind(t, s, h, &auth.ModelBackend[auth.User]{}).Authenticate(ctx, nil, auth.Credentials{"username": "alice", "password": "pw"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(got.Password, "pbkdf2_sha256$1000$"))
	stored, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, got.Password, stored.Password)
}

func TestModelGetUserWithPermissions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, h := memory.New[auth.User](), modelHashers()
	_, err := auth.Register(ctx, s, auth.ModelSpec{AppLabel: "reports", Model: "report"})
	require.NoError(t, err)
	plain := newModelUser(t, s, h, "plain", "pw")
	require.NoError(t, s.AddUserPermissions(ctx, plain.ID, "reports.view_report"))
	super := newModelUser(t, s, h, "super", "pw", func(u *auth.User) { u.IsSuperuser = true })
	inactive := newModelUser(t, s, h, "inactive", "pw", func(u *auth.User) { u.IsActive = false })
	require.NoError(t, s.AddUserPermissions(ctx, inactive.ID, "reports.view_report"))

	m := bind(t, s, h, &auth.ModelBackend[auth.User]{})
	u, perms, err := m.GetUserWithPermissions(ctx, plain.ID)
	require.NoError(t, err)
	assert.Equal(t, "plain", u.Username)
	require.NotNil(t, perms)
	assert.Equal(t, auth.NewPermSet("reports.view_report"), perms.User)
	assert.Equal(t, auth.PermSet{}, perms.Group)

	_, perms, err = m.GetUserWithPermissions(ctx, super.ID)
	require.NoError(t, err)
	require.NotNil(t, perms)
	assert.Nil(t, perms.User, "superusers are answered later, with every permission")
	assert.Nil(t, perms.Group)
	assert.Equal(t, []string{}, perms.Groups, "the group names are passed on")
	all, err := m.UserPermissions(ctx, super, nil)
	require.NoError(t, err)
	assert.Len(t, all, 4)

	_, _, err = m.GetUserWithPermissions(ctx, inactive.ID)
	assert.ErrorIs(t, err, auth.ErrUserNotFound)
	_, perms, err = bind(t, s, h, &auth.ModelBackend[auth.User]{AllowInactive: true}).GetUserWithPermissions(ctx, inactive.ID)
	require.NoError(t, err)
	assert.Empty(t, perms.User, "inactive users hold nothing")
	_, _, err = m.GetUserWithPermissions(ctx, 999)
	assert.ErrorIs(t, err, auth.ErrUserNotFound)
}

func TestModelWithPerm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, h := memory.New[auth.User](), modelHashers()
	_, err := auth.Register(ctx, s, auth.ModelSpec{AppLabel: "reports", Model: "report"})
	require.NoError(t, err)
	u := newModelUser(t, s, h, "alice", "pw")
	newModelUser(t, s, h, "bob", "pw")
	require.NoError(t, s.AddUserPermissions(ctx, u.ID, "reports.view_report"))
	m := bind(t, s, h, &auth.ModelBackend[auth.User]{})
	users, err := m.WithPerm(ctx, "reports.view_report", auth.WithPermOptions{}, nil)
	require.NoError(t, err)
	require.Len(t, users, 1)
	assert.Equal(t, "alice", users[0].Username)
	users, err = m.WithPerm(ctx, "reports.view_report", auth.WithPermOptions{}, "obj")
	require.NoError(t, err)
	assert.Empty(t, users)
	_, err = m.WithPerm(ctx, "nodot", auth.WithPermOptions{}, nil)
	assert.ErrorIs(t, err, auth.ErrInvalid)
}

// An unbound ModelBackend refuses to work instead of panicking.
func TestModelBackendUnbound(t *testing.T) {
	t.Parallel()
	var m auth.ModelBackend[auth.User]
	_, err := m.Authenticate(context.Background(), nil, auth.Credentials{"username": "a", "password": "b"})
	assert.ErrorContains(t, err, "not bound")
	_, err = m.GetUser(context.Background(), 1)
	assert.ErrorContains(t, err, "not bound")
}

// The model backend is the default; to set its options, put it in
// Config.Backends.
func ExampleModelBackend() {
	ctx := context.Background()
	store := memory.New[auth.User]()
	a, _ := auth.New(auth.Config[auth.User]{
		Store: store, Hashers: modelHashers(), SecretKey: exampleSecret,
		Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{AllowInactive: true}},
	})
	defer a.Close()
	alice := auth.NewUser("alice")
	alice.IsActive = false
	alice.Password, _ = a.Hashers().Make(ctx, "s3cret")
	_ = store.CreateUser(ctx, &alice)

	u, backend, _ := a.Authenticate(ctx, nil, auth.Credentials{"username": "alice", "password": "s3cret"})
	fmt.Println(backend, u.Username)
	// Output: django.contrib.auth.backends.AllowAllUsersModelBackend alice
}
