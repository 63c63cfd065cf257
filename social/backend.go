package social

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	auth "github.com/djauth/auth"
)

// BackendName is the backend recorded in the session of a social login:
// allauth's authentication backend, so that a Django project with
// allauth in AUTHENTICATION_BACKENDS accepts a session shared with it.
const BackendName = "allauth.account.auth_backends.AuthenticationBackend"

// Backend is the auth.Backend of social logins. It authenticates no
// credentials (a social login proves itself through the provider, and
// Social calls Auth.Login), and loads the user of a session as Django's
// ModelBackend does: inactive users are refused. Add it to
// auth.Config.Backends.
type Backend[U any] struct {
	name string
	mu   sync.Mutex
	a    *auth.Auth[U]
}

// NewBackend returns the backend, named BackendName, or name when given.
func NewBackend[U any](name string) *Backend[U] {
	if name == "" {
		name = BackendName
	}
	return &Backend[U]{name: name}
}

// Name implements auth.Backend.
func (b *Backend[U]) Name() string { return b.name }

// Bind implements auth.Binder.
func (b *Backend[U]) Bind(a *auth.Auth[U]) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.a = a
	return nil
}

// Authenticate implements auth.Backend: no credentials are for it.
func (b *Backend[U]) Authenticate(ctx context.Context, r *http.Request, c auth.Credentials) (*U, error) {
	return nil, nil
}

// GetUser implements auth.Backend.
func (b *Backend[U]) GetUser(ctx context.Context, id int64) (*U, error) {
	b.mu.Lock()
	a := b.a
	b.mu.Unlock()
	if a == nil {
		return nil, errors.New("social: backend used before auth.New bound it")
	}
	u, err := a.Store().GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if !auth.UserOf(u).IsActive {
		return nil, fmt.Errorf("social: user %d is inactive: %w", id, auth.ErrUserNotFound)
	}
	return u, nil
}
