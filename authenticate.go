package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Authenticate tries the credentials on each backend in order and returns
// the first user a backend accepts, with that backend's name (Django's
// authenticate). r may be nil; backends such as the remote-user backend
// read it.
//
// When no backend accepts the credentials, or one stops the chain with
// ErrPermissionDenied, it sends the UserLoginFailed signal with the
// credentials cleansed of secrets and returns an error wrapping
// ErrInvalidCredentials (and ErrPermissionDenied in the second case).
// Any other backend error, such as a store that is down or no free
// hashing slot (hashers.ErrBusy), is returned as it is, without the signal: the
// credentials were not judged, so a lockout counting failed logins must not
// count it, and the caller must treat it as a failure, never as an
// anonymous success.
//
// Authenticate does not log the user in; pass the result to Login.
func (a *Auth[U]) Authenticate(ctx context.Context, r *http.Request, c Credentials) (user *U, backend string, err error) {
	var denied error
	for _, b := range a.backends {
		u, err := b.Authenticate(ctx, r, c)
		if err != nil {
			if errors.Is(err, ErrPermissionDenied) {
				denied = err
				break
			}
			return nil, "", fmt.Errorf("auth: backend %s: %w", b.Name(), err)
		}
		if u != nil {
			return u, b.Name(), nil
		}
	}
	a.signals.UserLoginFailed.Send(ctx, LoginFailed{Request: r, Credentials: c.Cleansed()})
	if denied != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrInvalidCredentials, denied)
	}
	return nil, "", ErrInvalidCredentials
}
