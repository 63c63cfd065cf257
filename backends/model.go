package backends

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
)

// Backend names, the Python import paths of Django's classes, so that the
// _auth_user_backend value of a session is the one Django writes.
const (
	ModelBackendName                   = "django.contrib.auth.backends.ModelBackend"
	AllowAllUsersModelBackendName      = "django.contrib.auth.backends.AllowAllUsersModelBackend"
	RemoteUserBackendName              = "django.contrib.auth.backends.RemoteUserBackend"
	AllowAllUsersRemoteUserBackendName = "django.contrib.auth.backends.AllowAllUsersRemoteUserBackend"
)

// Model authenticates a username and password against the users of a
// store, Django's ModelBackend, and grants the permissions stored for the
// user and its groups. Create it with NewModel or
// NewAllowAllUsersModel. It is safe for concurrent use.
type Model[U any] struct {
	store         auth.Store[U]
	hashers       *hashers.Registry
	authUser      func(*U) *auth.User
	name          string
	allowInactive bool
}

// Compile-time checks of the optional abilities.
var (
	_ auth.Backend[auth.User]               = (*Model[auth.User])(nil)
	_ auth.PermissionBackend[auth.User]     = (*Model[auth.User])(nil)
	_ auth.UserPermissionsLoader[auth.User] = (*Model[auth.User])(nil)
)

// NewModel returns Django's ModelBackend over store, checking passwords
// with h (nil means hashers.Default(); pass the registry given to
// auth.Config so that both agree). It refuses inactive users, both at
// login and when loading the user of a session. U and P are inferred from
// store.
func NewModel[U any, P auth.UserPtr[U]](store auth.Store[U], h *hashers.Registry) *Model[U] {
	return newModel[U, P](store, h, ModelBackendName, false)
}

// NewAllowAllUsersModel returns Django's AllowAllUsersModelBackend: a
// Model that also lets inactive users authenticate and stay logged in
// (the login handler still refuses them, with Django's inactive-account
// message, once the password is right).
func NewAllowAllUsersModel[U any, P auth.UserPtr[U]](store auth.Store[U], h *hashers.Registry) *Model[U] {
	return newModel[U, P](store, h, AllowAllUsersModelBackendName, true)
}

func newModel[U any, P auth.UserPtr[U]](store auth.Store[U], h *hashers.Registry, name string, allowInactive bool) *Model[U] {
	if h == nil {
		h = hashers.Default()
	}
	return &Model[U]{
		store:         store,
		hashers:       h,
		authUser:      func(u *U) *auth.User { return P(u).AuthUser() },
		name:          name,
		allowInactive: allowInactive,
	}
}

// Name returns the Django import path of the backend.
func (m *Model[U]) Name() string { return m.name }

// UserCanAuthenticate is Django's user_can_authenticate: false for an
// inactive user, unless the backend allows all users.
func (m *Model[U]) UserCanAuthenticate(user *U) bool {
	return m.allowInactive || m.authUser(user).IsActive
}

// Authenticate checks the "username" and "password" credentials and
// returns the user when the password is right and the user may
// authenticate; it returns (nil, nil) otherwise, and also when either
// credential is missing, so that the next backend is tried.
//
// A username that matches no user (compared exactly, as Django does) still
// costs one run of the preferred hasher, so that the time taken does not
// reveal which usernames exist. A right password stored with an outdated
// hasher or parameters is re-hashed with the preferred hasher and saved,
// as Django's check_password setter does. The inactive check comes after
// the password check, as in Django.
//
// When the registry finds no free hashing slot within its MaxWait, the
// error wraps hashers.ErrBusy: the password was not checked, so it is
// neither a success nor a wrong password (the login handler answers 503).
func (m *Model[U]) Authenticate(ctx context.Context, _ *http.Request, c auth.Credentials) (*U, error) {
	username, okU := c[auth.CredentialUsername]
	password, okP := c[auth.CredentialPassword]
	if !okU || !okP {
		return nil, nil
	}
	user, err := m.store.GetUserByUsername(ctx, username)
	if errors.Is(err, auth.ErrUserNotFound) || errors.Is(err, auth.ErrInvalid) {
		if err := m.hashers.RunDummy(ctx, password); err != nil {
			return nil, err
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	au := m.authUser(user)
	ok, mustUpdate, err := m.hashers.Check(ctx, password, au.Password)
	if err != nil {
		// No slot in time (hashers.ErrBusy) or the request ended: the
		// password was not checked, so this is not a failed login.
		if errors.Is(err, hashers.ErrBusy) || ctx.Err() != nil {
			return nil, err
		}
		// An unknown or malformed stored hash never matches (Django's
		// check_password returns False for it).
		return nil, nil
	}
	if ok && mustUpdate {
		if err := m.setPassword(ctx, user, password); err != nil {
			return nil, fmt.Errorf("upgrade password hash of user %d: %w", au.ID, err)
		}
	}
	if ok && m.UserCanAuthenticate(user) {
		return user, nil
	}
	return nil, nil
}

// setPassword rehashes password with the preferred hasher and writes the
// password column alone (Django's save(update_fields=["password"])).
func (m *Model[U]) setPassword(ctx context.Context, user *U, password string) error {
	encoded, err := m.hashers.Make(ctx, password)
	if err != nil {
		return err
	}
	au := m.authUser(user)
	if err := m.store.SetPassword(ctx, au.ID, encoded); err != nil {
		return err
	}
	au.Password = encoded
	return nil
}

// GetUser returns the user with the id, or an error wrapping
// auth.ErrUserNotFound when there is none or it may not authenticate.
func (m *Model[U]) GetUser(ctx context.Context, id int64) (*U, error) {
	user, err := m.store.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if !m.UserCanAuthenticate(user) {
		return nil, fmt.Errorf("%w: user %d is inactive", auth.ErrUserNotFound, id)
	}
	return user, nil
}

// GetUserWithPermissions is GetUser that also returns the user's stored
// permissions, in the store's single round trip. For a superuser it
// returns nil permissions, to be asked for only when needed (every
// permission of the store).
func (m *Model[U]) GetUserWithPermissions(ctx context.Context, id int64) (*U, *auth.UserPermissions, error) {
	user, perms, err := m.store.GetUserWithPermissions(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !m.UserCanAuthenticate(user) {
		return nil, nil, fmt.Errorf("%w: user %d is inactive", auth.ErrUserNotFound, id)
	}
	au := m.authUser(user)
	switch {
	case !au.IsActive:
		return user, &auth.UserPermissions{User: auth.PermSet{}, Group: auth.PermSet{}}, nil
	case au.IsSuperuser:
		return user, nil, nil
	}
	if perms.User == nil {
		perms.User = auth.PermSet{}
	}
	if perms.Group == nil {
		perms.Group = auth.PermSet{}
	}
	return user, &perms, nil
}

// UserPermissions returns the permissions granted to the user directly
// (Django's get_user_permissions): none for an inactive user or for any
// obj, every permission of the store for a superuser.
func (m *Model[U]) UserPermissions(ctx context.Context, user *U, obj any) (auth.PermSet, error) {
	return m.permissions(ctx, user, obj, false)
}

// GroupPermissions returns the permissions the user holds through its
// groups (Django's get_group_permissions), with the same rules as
// UserPermissions.
func (m *Model[U]) GroupPermissions(ctx context.Context, user *U, obj any) (auth.PermSet, error) {
	return m.permissions(ctx, user, obj, true)
}

func (m *Model[U]) permissions(ctx context.Context, user *U, obj any, group bool) (auth.PermSet, error) {
	au := m.authUser(user)
	if !au.IsActive || obj != nil {
		return auth.PermSet{}, nil
	}
	if au.IsSuperuser {
		all, err := m.store.ListPermissions(ctx, "")
		if err != nil {
			return nil, err
		}
		s := make(auth.PermSet, len(all))
		for _, p := range all {
			s.Add(p.Key())
		}
		return s, nil
	}
	if group {
		return m.store.GroupPermissionSet(ctx, au.ID)
	}
	return m.store.UserPermissionSet(ctx, au.ID)
}

// WithPerm returns the users that hold perm (Django's
// ModelBackend.with_perm); see auth.Store's UsersWithPermission. A non-nil
// obj gives no users, as in Django.
func (m *Model[U]) WithPerm(ctx context.Context, perm string, opts auth.WithPermOptions, obj any) ([]*U, error) {
	if _, _, err := auth.ParsePermission(perm); err != nil {
		return nil, err
	}
	if obj != nil {
		return nil, nil
	}
	return m.store.UsersWithPermission(ctx, perm, opts)
}
