package backends

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	auth "github.com/djauth/auth"
)

// Backend names of the remote-user backends, the Python import paths of
// Django's classes, so that the _auth_user_backend value of a session is
// the one Django writes.
const (
	RemoteUserBackendName              = "django.contrib.auth.backends.RemoteUserBackend"
	AllowAllUsersRemoteUserBackendName = "django.contrib.auth.backends.AllowAllUsersRemoteUserBackend"
)

// RemoteUser trusts a username that something in front of the app (a
// reverse proxy doing SSO, Kerberos, client certificates) has already
// authenticated, Django's RemoteUserBackend. It reads the "remote_user"
// credential, which RemoteUserMiddleware fills from a trusted header, and
// creates unknown users when CreateUnknownUser is set. Permissions work as
// for auth.ModelBackend, which it embeds.
//
// Create it with NewRemoteUser or NewAllowAllUsersRemoteUser, set the
// exported fields, and put it in auth.Config.Backends; auth.New binds it
// to the Auth, whose store it uses (the store needs a CreateUser method
// when CreateUnknownUser is set).
type RemoteUser[U any] struct {
	auth.ModelBackend[U]

	// CreateUnknownUser creates a user for a username that is not in the
	// store (Django's create_unknown_user). NewRemoteUser sets it to true.
	CreateUnknownUser bool
	// CleanUsername, when set, rewrites the remote username before it is
	// looked up, for example to strip a realm (Django's clean_username).
	CleanUsername func(username string) string
	// ConfigureUser, when set, is called with the user found or created
	// (created reports which) and returns the user to log in, for example
	// after setting fields from other headers and saving them (Django's
	// configure_user). An error aborts the authentication.
	ConfigureUser func(ctx context.Context, r *http.Request, user *U, created bool) (*U, error)

	store auth.RequestStore[U]
}

// userCreator is the store method that CreateUnknownUser needs.
type userCreator[U any] interface {
	CreateUser(ctx context.Context, u *U) error
}

// NewRemoteUser returns Django's RemoteUserBackend, with CreateUnknownUser
// true. It refuses inactive users.
func NewRemoteUser[U any]() *RemoteUser[U] {
	return &RemoteUser[U]{CreateUnknownUser: true}
}

// NewAllowAllUsersRemoteUser returns Django's
// AllowAllUsersRemoteUserBackend: a RemoteUser that lets inactive users in.
func NewAllowAllUsersRemoteUser[U any]() *RemoteUser[U] {
	b := NewRemoteUser[U]()
	b.AllowInactive = true
	return b
}

// Bind implements auth.Binder. It fails when CreateUnknownUser is set and
// the Auth's store cannot create users.
func (b *RemoteUser[U]) Bind(a *auth.Auth[U]) error {
	if err := b.ModelBackend.Bind(a); err != nil {
		return err
	}
	if _, ok := a.Store().(userCreator[U]); b.CreateUnknownUser && !ok {
		return fmt.Errorf("%w: CreateUnknownUser needs a store with CreateUser; %T has none", auth.ErrConfig, a.Store())
	}
	b.store = a.Store()
	return nil
}

// Name returns RemoteUserBackendName, or AllowAllUsersRemoteUserBackendName
// with AllowInactive.
func (b *RemoteUser[U]) Name() string {
	if b.AllowInactive {
		return AllowAllUsersRemoteUserBackendName
	}
	return RemoteUserBackendName
}

// Clean applies CleanUsername, if set, to username.
func (b *RemoteUser[U]) Clean(username string) string {
	if b.CleanUsername != nil {
		return b.CleanUsername(username)
	}
	return username
}

// Authenticate returns the user named by the "remote_user" credential,
// creating it when CreateUnknownUser is set, or (nil, nil) when the
// credential is missing or empty, the user does not exist and may not be
// created, or may not authenticate.
func (b *RemoteUser[U]) Authenticate(ctx context.Context, r *http.Request, c auth.Credentials) (*U, error) {
	remote := c[auth.CredentialRemoteUser]
	if remote == "" {
		return nil, nil
	}
	if b.store == nil {
		return nil, fmt.Errorf("backends: remote user: not bound to an Auth; put it in auth.Config.Backends")
	}
	username := b.Clean(remote)
	user, err := b.store.GetUserByUsername(ctx, username)
	created := false
	switch {
	case errors.Is(err, auth.ErrUserNotFound) && b.CreateUnknownUser:
		user, created, err = b.create(ctx, username)
		if err != nil {
			return nil, err
		}
	case errors.Is(err, auth.ErrUserNotFound), errors.Is(err, auth.ErrInvalid):
		return nil, nil
	case err != nil:
		return nil, err
	}
	if b.ConfigureUser != nil {
		if user, err = b.ConfigureUser(ctx, r, user, created); err != nil {
			return nil, fmt.Errorf("configure remote user: %w", err)
		}
		if user == nil {
			return nil, nil
		}
	}
	if !b.UserCanAuthenticate(user) {
		return nil, nil
	}
	return user, nil
}

// create is get_or_create: a concurrent request that created the user
// first wins and its user is returned.
func (b *RemoteUser[U]) create(ctx context.Context, username string) (*U, bool, error) {
	c, ok := b.store.(userCreator[U])
	if !ok {
		return nil, false, fmt.Errorf("backends: remote user: the store %T cannot create users", b.store)
	}
	u := new(U)
	au := auth.UserOf(u)
	*au = auth.NewUser(username)
	// get_or_create stores the name as given, unnormalized.
	au.Username = username
	err := c.CreateUser(ctx, u)
	if errors.Is(err, auth.ErrDuplicateUsername) {
		u, err = b.store.GetUserByUsername(ctx, username)
		return u, false, err
	}
	if errors.Is(err, auth.ErrInvalid) {
		// A name the schema cannot hold (too long, NUL): no such user.
		return nil, false, fmt.Errorf("%w: remote user name rejected: %w", auth.ErrPermissionDenied, err)
	}
	if err != nil {
		return nil, false, err
	}
	return u, true, nil
}
