package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/djauth/auth/hashers"
)

// Backend names, the Python import paths of Django's classes, so that the
// _auth_user_backend value of a session is the one Django writes.
const (
	ModelBackendName              = "django.contrib.auth.backends.ModelBackend"
	AllowAllUsersModelBackendName = "django.contrib.auth.backends.AllowAllUsersModelBackend"
)

// ModelBackend authenticates a username and password against the users of
// the Auth's store with the Auth's hashers, Django's ModelBackend, and
// grants the permissions stored for the user and its groups. It is the
// backend New uses when Config.Backends is empty.
//
// Its rules are Django's:
//
//   - The username is compared exactly (case-sensitively).
//   - A username that matches no user, or that no store can hold (a NUL
//     byte, invalid UTF-8), still costs one run of the preferred hasher,
//     so response times do not reveal which usernames exist.
//   - The password is checked before the inactive check, and an inactive
//     user is refused both at login and when its session is loaded,
//     unless AllowInactive is set (Django's AllowAllUsersModelBackend;
//     the login page still refuses them, with Django's "This account is
//     inactive." message).
//   - A right password stored with an outdated hasher or work factor is
//     re-hashed with the preferred hasher and saved.
//   - Permissions are the user's own plus its groups'; an active superuser
//     has every permission in the store; an inactive user has none; there
//     are no object permissions (any non-nil obj gives none).
//   - Loading a session's user also loads its permissions in one store
//     round trip when the store has GetUserWithPermissions.
//
// The zero value is ready to be put in Config.Backends:
//
//	Backends: []auth.Backend[MyUser]{&auth.ModelBackend[MyUser]{AllowInactive: true}}
//
// New binds it to the Auth (see Binder); one ModelBackend serves one Auth.
// It is safe for concurrent use once bound.
type ModelBackend[U any] struct {
	// AllowInactive lets inactive users authenticate and stay logged in,
	// Django's AllowAllUsersModelBackend, and changes Name accordingly.
	AllowInactive bool

	a *Auth[U]
}

// Compile-time checks of the optional abilities.
var (
	_ Backend[User]               = (*ModelBackend[User])(nil)
	_ Binder[User]                = (*ModelBackend[User])(nil)
	_ PermissionBackend[User]     = (*ModelBackend[User])(nil)
	_ UserPermissionsLoader[User] = (*ModelBackend[User])(nil)
)

// Bind implements Binder: the backend uses a's store and hashers. It
// refuses a second, different Auth, unless the New of the first one
// failed.
func (m *ModelBackend[U]) Bind(a *Auth[U]) error {
	if m.a != nil && m.a != a && m.a.ready.Load() {
		return fmt.Errorf("%w: this ModelBackend is already bound to another Auth", ErrConfig)
	}
	m.a = a
	return nil
}

// errNotBound is returned by a ModelBackend that no Auth has bound.
var errNotBound = errors.New("auth: backend is not bound to an Auth; put it in Config.Backends")

// Name returns the Django import path of the backend:
// ModelBackendName, or AllowAllUsersModelBackendName with AllowInactive.
func (m *ModelBackend[U]) Name() string {
	if m.AllowInactive {
		return AllowAllUsersModelBackendName
	}
	return ModelBackendName
}

// UserCanAuthenticate is Django's user_can_authenticate: false for an
// inactive user, unless AllowInactive.
func (m *ModelBackend[U]) UserCanAuthenticate(user *U) bool {
	return m.AllowInactive || authUserOf(user).IsActive
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
func (m *ModelBackend[U]) Authenticate(ctx context.Context, _ *http.Request, c Credentials) (*U, error) {
	if m.a == nil {
		return nil, errNotBound
	}
	username, okU := c[CredentialUsername]
	password, okP := c[CredentialPassword]
	if !okU || !okP {
		return nil, nil
	}
	user, err := m.a.store.GetUserByUsername(ctx, username)
	if errors.Is(err, ErrUserNotFound) || errors.Is(err, ErrInvalid) {
		if err := m.a.hashers.RunDummy(ctx, password); err != nil {
			return nil, err
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	au := authUserOf(user)
	ok, mustUpdate, err := m.a.hashers.Check(ctx, password, au.Password)
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
func (m *ModelBackend[U]) setPassword(ctx context.Context, user *U, password string) error {
	encoded, err := m.a.hashers.Make(ctx, password)
	if err != nil {
		return err
	}
	au := authUserOf(user)
	if err := m.a.store.SetPassword(ctx, au.ID, encoded); err != nil {
		return err
	}
	au.Password = encoded
	return nil
}

// GetUser returns the user with the id, or an error wrapping
// ErrUserNotFound when there is none or it may not authenticate.
func (m *ModelBackend[U]) GetUser(ctx context.Context, id int64) (*U, error) {
	if m.a == nil {
		return nil, errNotBound
	}
	user, err := m.a.store.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if !m.UserCanAuthenticate(user) {
		return nil, fmt.Errorf("%w: user %d is inactive", ErrUserNotFound, id)
	}
	return user, nil
}

// GetUserWithPermissions is GetUser that also returns the user's stored
// permissions and group names, in the store's single round trip. For a
// superuser the permission sets are nil, to be asked for only when needed
// (every permission of the store); an inactive user (AllowInactive) holds
// none. The group names are passed on as the store read them, for every
// user.
func (m *ModelBackend[U]) GetUserWithPermissions(ctx context.Context, id int64) (*U, *UserPermissions, error) {
	if m.a == nil {
		return nil, nil, errNotBound
	}
	l, ok := m.a.store.(UserPermissionsGetter[U])
	if !ok {
		// Permissions are then asked for when needed.
		user, err := m.GetUser(ctx, id)
		return user, nil, err
	}
	user, perms, err := l.GetUserWithPermissions(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return m.withStoredPermissions(user, perms, id)
}

// withStoredPermissions applies the backend's rules to a user read from
// the store together with its stored permissions: an inactive user is
// refused unless AllowInactive (and then holds none), a superuser's
// permissions are left to be asked for when needed. The group names are
// the user's whatever the rules say about its permissions.
func (m *ModelBackend[U]) withStoredPermissions(user *U, perms UserPermissions, id int64) (*U, *UserPermissions, error) {
	if !m.UserCanAuthenticate(user) {
		return nil, nil, fmt.Errorf("%w: user %d is inactive", ErrUserNotFound, id)
	}
	au := authUserOf(user)
	switch {
	case !au.IsActive:
		return user, &UserPermissions{User: PermSet{}, Group: PermSet{}, Groups: perms.Groups}, nil
	case au.IsSuperuser:
		return user, &UserPermissions{Groups: perms.Groups}, nil
	}
	if perms.User == nil {
		perms.User = PermSet{}
	}
	if perms.Group == nil {
		perms.Group = PermSet{}
	}
	return user, &perms, nil
}

// UserPermissions returns the permissions granted to the user directly
// (Django's get_user_permissions): none for an inactive user or for any
// obj, every permission of the store for a superuser.
func (m *ModelBackend[U]) UserPermissions(ctx context.Context, user *U, obj any) (PermSet, error) {
	return m.permissions(ctx, user, obj, false)
}

// GroupPermissions returns the permissions the user holds through its
// groups (Django's get_group_permissions), with the same rules as
// UserPermissions.
func (m *ModelBackend[U]) GroupPermissions(ctx context.Context, user *U, obj any) (PermSet, error) {
	return m.permissions(ctx, user, obj, true)
}

func (m *ModelBackend[U]) permissions(ctx context.Context, user *U, obj any, group bool) (PermSet, error) {
	if m.a == nil {
		return nil, errNotBound
	}
	au := authUserOf(user)
	if !au.IsActive || obj != nil {
		return PermSet{}, nil
	}
	if au.IsSuperuser {
		all, err := m.a.store.ListPermissions(ctx, "")
		if err != nil {
			return nil, err
		}
		s := make(PermSet, len(all))
		for _, p := range all {
			s.Add(p.Key())
		}
		return s, nil
	}
	if group {
		return m.a.store.GroupPermissionSet(ctx, au.ID)
	}
	return m.a.store.UserPermissionSet(ctx, au.ID)
}

// WithPerm returns the users that hold perm (Django's
// ModelBackend.with_perm); see MembershipStore's UsersWithPermission. A non-nil
// obj gives no users, as in Django.
func (m *ModelBackend[U]) WithPerm(ctx context.Context, perm string, opts WithPermOptions, obj any) ([]*U, error) {
	if m.a == nil {
		return nil, errNotBound
	}
	if _, _, err := ParsePermission(perm); err != nil {
		return nil, err
	}
	if obj != nil {
		return nil, nil
	}
	l, ok := m.a.store.(PermissionHolderLister[U])
	if !ok {
		return nil, fmt.Errorf("auth: with perm: the store %T has no UsersWithPermission", m.a.store)
	}
	return l.UsersWithPermission(ctx, perm, opts)
}
