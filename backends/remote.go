package backends

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	auth "github.com/djauth/auth"
)

// RemoteUser trusts a username that something in front of the app (a
// reverse proxy doing SSO, Kerberos, client certificates) has already
// authenticated, Django's RemoteUserBackend. It reads the "remote_user"
// credential, which RemoteUserMiddleware fills from a trusted header, and
// creates unknown users unless CreateUnknownUser is false. Permissions work
// as for Model.
//
// Create it with NewRemoteUser or NewAllowAllUsersRemoteUser and set the
// exported fields before the Auth serves requests.
type RemoteUser[U any] struct {
	*Model[U]

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

	newUser func(username string) *U
}

// NewRemoteUser returns Django's RemoteUserBackend over store, with
// CreateUnknownUser true. It refuses inactive users.
func NewRemoteUser[U any, P auth.UserPtr[U]](store auth.Store[U]) *RemoteUser[U] {
	return newRemoteUser[U, P](store, RemoteUserBackendName, false)
}

// NewAllowAllUsersRemoteUser returns Django's
// AllowAllUsersRemoteUserBackend: a RemoteUser that lets inactive users in.
func NewAllowAllUsersRemoteUser[U any, P auth.UserPtr[U]](store auth.Store[U]) *RemoteUser[U] {
	return newRemoteUser[U, P](store, AllowAllUsersRemoteUserBackendName, true)
}

func newRemoteUser[U any, P auth.UserPtr[U]](store auth.Store[U], name string, allowInactive bool) *RemoteUser[U] {
	return &RemoteUser[U]{
		// No password is ever checked, so the hashers are not used.
		Model:             newModel[U, P](store, nil, name, allowInactive),
		CreateUnknownUser: true,
		newUser: func(username string) *U {
			u := new(U)
			au := P(u).AuthUser()
			*au = auth.NewUser(username)
			// get_or_create stores the name as given, unnormalized.
			au.Username = username
			return u
		},
	}
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
	u := b.newUser(username)
	err := b.store.CreateUser(ctx, u)
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
