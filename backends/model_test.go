package backends_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/backends"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/store/memory"
)

func fastHashers() *hashers.Registry {
	return hashers.New(hashers.PBKDF2{Iterations: 1000}, hashers.MD5{})
}

func newUser(t *testing.T, s auth.Store[auth.User], h *hashers.Registry, name, pw string, edit ...func(*auth.User)) *auth.User {
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

func TestModelAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, h := memory.New[auth.User](), fastHashers()
	newUser(t, s, h, "alice", "pw")
	newUser(t, s, h, "sleepy", "pw", func(u *auth.User) { u.IsActive = false })
	m := backends.NewModel(s, h)
	all := backends.NewAllowAllUsersModel(s, h)
	for _, tc := range []struct {
		b     *backends.Model[auth.User]
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
	s, h := memory.New[auth.User](), fastHashers()
	u := newUser(t, s, h, "alice", "pw")
	u.Password, _ = hashers.MD5{}.Encode("pw", "seasalt")
	require.NoError(t, s.UpdateUser(ctx, u))
	got, err := backends.NewModel(s, h).Authenticate(ctx, nil, auth.Credentials{"username": "alice", "password": "pw"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(got.Password, "pbkdf2_sha256$1000$"))
	stored, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, got.Password, stored.Password)
}

func TestModelGetUserWithPermissions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, h := memory.New[auth.User](), fastHashers()
	_, err := auth.Register(ctx, s, auth.ModelSpec{AppLabel: "reports", Model: "report"})
	require.NoError(t, err)
	plain := newUser(t, s, h, "plain", "pw")
	require.NoError(t, s.AddUserPermissions(ctx, plain.ID, "reports.view_report"))
	super := newUser(t, s, h, "super", "pw", func(u *auth.User) { u.IsSuperuser = true })
	inactive := newUser(t, s, h, "inactive", "pw", func(u *auth.User) { u.IsActive = false })
	require.NoError(t, s.AddUserPermissions(ctx, inactive.ID, "reports.view_report"))

	m := backends.NewModel(s, h)
	u, perms, err := m.GetUserWithPermissions(ctx, plain.ID)
	require.NoError(t, err)
	assert.Equal(t, "plain", u.Username)
	require.NotNil(t, perms)
	assert.Equal(t, auth.NewPermSet("reports.view_report"), perms.User)
	assert.Equal(t, auth.PermSet{}, perms.Group)

	_, perms, err = m.GetUserWithPermissions(ctx, super.ID)
	require.NoError(t, err)
	assert.Nil(t, perms, "superusers are answered later, with every permission")
	all, err := m.UserPermissions(ctx, super, nil)
	require.NoError(t, err)
	assert.Len(t, all, 4)

	_, _, err = m.GetUserWithPermissions(ctx, inactive.ID)
	assert.ErrorIs(t, err, auth.ErrUserNotFound)
	_, perms, err = backends.NewAllowAllUsersModel(s, h).GetUserWithPermissions(ctx, inactive.ID)
	require.NoError(t, err)
	assert.Empty(t, perms.User, "inactive users hold nothing")
	_, _, err = m.GetUserWithPermissions(ctx, 999)
	assert.ErrorIs(t, err, auth.ErrUserNotFound)
}

func TestModelWithPerm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, h := memory.New[auth.User](), fastHashers()
	_, err := auth.Register(ctx, s, auth.ModelSpec{AppLabel: "reports", Model: "report"})
	require.NoError(t, err)
	u := newUser(t, s, h, "alice", "pw")
	newUser(t, s, h, "bob", "pw")
	require.NoError(t, s.AddUserPermissions(ctx, u.ID, "reports.view_report"))
	m := backends.NewModel(s, h)
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

func TestRemoteUserBackend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memory.New[auth.User]()
	b := backends.NewRemoteUser(s)
	assert.True(t, b.CreateUnknownUser)
	u, err := b.Authenticate(ctx, nil, auth.Credentials{"remote_user": "ﬁle"})
	require.NoError(t, err)
	assert.Equal(t, "ﬁle", u.Username, "stored as given, like get_or_create")
	assert.True(t, u.IsActive)
	again, err := b.Authenticate(ctx, nil, auth.Credentials{"remote_user": "ﬁle"})
	require.NoError(t, err)
	assert.Equal(t, u.ID, again.ID)
	for _, c := range []auth.Credentials{{}, {"remote_user": ""}, {"username": "x", "password": "y"}} {
		u, err := b.Authenticate(ctx, nil, c)
		require.NoError(t, err)
		assert.Nil(t, u)
	}
	_, err = b.Authenticate(ctx, nil, auth.Credentials{"remote_user": strings.Repeat("x", 151)})
	assert.ErrorIs(t, err, auth.ErrPermissionDenied, "a name the schema cannot hold stops the chain")

	b.ConfigureUser = func(context.Context, *http.Request, *auth.User, bool) (*auth.User, error) {
		return nil, fmt.Errorf("directory down")
	}
	_, err = b.Authenticate(ctx, nil, auth.Credentials{"remote_user": "ﬁle"})
	assert.ErrorContains(t, err, "directory down")
}

// The model backend goes in Config.Backends, with the same registry as
// Config.Hashers.
func ExampleNewModel() {
	ctx := context.Background()
	store := memory.New[auth.User]()
	h := fastHashers() // hashers.Default() in production
	b := backends.NewModel(store, h)

	alice := auth.NewUser("alice")
	alice.Password, _ = h.Make(ctx, "s3cret")
	_ = store.CreateUser(ctx, &alice)

	u, _ := b.Authenticate(ctx, nil, auth.Credentials{"username": "alice", "password": "s3cret"})
	fmt.Println(b.Name(), u.Username)
	// Output: django.contrib.auth.backends.ModelBackend alice
}
