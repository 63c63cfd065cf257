package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/hashers"
)

// EmailBackendName is the Django import path of allauth's backend, the
// _auth_user_backend of its sessions.
const EmailBackendName = "allauth.account.auth_backends.AuthenticationBackend"

// EmailBackend is an auth.Backend that logs people in with a VERIFIED
// email address and their password (allauth's AuthenticationBackend with
// ACCOUNT_AUTHENTICATION_METHOD "email"): the "username" credential is
// taken as an address when it holds an "@". An unverified address logs
// nobody in, so that whoever adds someone else's address to an account
// cannot sign in with it. Put it in auth.Config.Backends after the
// ModelBackend (for "username_email") or alone (for "email").
type EmailBackend[U any] struct {
	// Emails finds the verified addresses. Required.
	Emails *emails.Manager
	a      *auth.Auth[U]
}

// Bind implements auth.Binder.
func (b *EmailBackend[U]) Bind(a *auth.Auth[U]) error {
	if b.Emails == nil {
		return fmt.Errorf("%w: accounts: EmailBackend without Emails", auth.ErrConfig)
	}
	b.a = a
	return nil
}

// Name returns EmailBackendName.
func (b *EmailBackend[U]) Name() string { return EmailBackendName }

// Authenticate checks the password of the active users who have the
// "username" credential as a verified address. A credential that matches
// no such user costs one run of the preferred hasher, as a wrong password
// does.
func (b *EmailBackend[U]) Authenticate(ctx context.Context, _ *http.Request, c auth.Credentials) (*U, error) {
	if b.a == nil {
		return nil, errors.New("accounts: EmailBackend is not bound to an Auth; put it in auth.Config.Backends")
	}
	email, okU := c[auth.CredentialUsername]
	password, okP := c[auth.CredentialPassword]
	if !okU || !okP || !strings.Contains(email, "@") {
		return nil, nil
	}
	ids, err := b.Emails.VerifiedUsers(ctx, strings.TrimSpace(email))
	if err != nil {
		return nil, fmt.Errorf("accounts: email backend: %w", err)
	}
	checked := false
	for _, id := range ids {
		u, err := b.a.Store().GetUser(ctx, id)
		if errors.Is(err, auth.ErrUserNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		checked = true
		ok, _, err := b.a.Hashers().Check(ctx, password, auth.UserOf(u).Password)
		if err != nil && (errors.Is(err, hashers.ErrBusy) || ctx.Err() != nil) {
			return nil, err
		}
		if ok && auth.UserOf(u).IsActive {
			return u, nil
		}
	}
	if !checked {
		if err := b.a.Hashers().RunDummy(ctx, password); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// GetUser returns the active user with the id.
func (b *EmailBackend[U]) GetUser(ctx context.Context, id int64) (*U, error) {
	if b.a == nil {
		return nil, errors.New("accounts: EmailBackend is not bound to an Auth")
	}
	u, err := b.a.Store().GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if !auth.UserOf(u).IsActive {
		return nil, fmt.Errorf("%w: user %d is inactive", auth.ErrUserNotFound, id)
	}
	return u, nil
}
