package accounts

import (
	"context"
	"errors"
	"fmt"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/validation"
)

// userCreator is what CreateUser needs of the store: Django's
// UserCreationForm checks the username without case, then saves.
type userCreator[U any] interface {
	GetUserByUsernameFold(ctx context.Context, username string) (*U, error)
	CreateUser(ctx context.Context, u *U) error
}

// userLister is what the password reset needs of the store: the users
// with an email address (Django's email__iexact).
type userLister[U any] interface {
	ListUsers(ctx context.Context, q auth.UserQuery) ([]*U, error)
}

// ValidatePassword runs the configured validators on password for user
// (nil for a user that does not exist yet) and returns every failure at
// once as validation.Errors, or the error of a validator that could not
// run, which must also refuse the password (Django's validate_password).
func (m *Manager[U]) ValidatePassword(password string, user *U) error {
	var au *auth.User
	if user != nil {
		au = auth.UserOf(user)
	}
	return validation.Validate(password, au, m.validators...)
}

// CreateUser checks u and password as Django's UserCreationForm does and
// creates the user: the username is NFKC-normalized and must pass
// auth.UsernameValidator and be unused, compared without case (Django
// 4.2's check); the email is normalized with auth.NormalizeEmail; the
// password must pass the validators, which see the user's other fields.
// Every failure is returned at once, joined with errors.Join, so that
// errors.Is(err, auth.ErrInvalid) holds and a form can show them all: a
// *auth.ValidationError for the username (Field "Username"; code
// "unique" for a name in use) and validation.Errors for the password.
// Nothing is written unless every check passes. On success u holds its new
// ID and the hash of password.
func (m *Manager[U]) CreateUser(ctx context.Context, u *U, password string) error {
	if u == nil {
		return fmt.Errorf("accounts: create user: nil user")
	}
	creator, ok := m.auth.Store().(userCreator[U])
	if !ok {
		return fmt.Errorf("accounts: create user: the store %T cannot create users (CreateUser, GetUserByUsernameFold)", m.auth.Store())
	}
	au := auth.UserOf(u)
	au.Username = auth.NormalizeUsername(au.Username)
	au.Email = auth.NormalizeEmail(au.Email)
	var errs []error
	if err := (auth.UsernameValidator{}).Validate(au.Username); err != nil {
		errs = append(errs, err)
	} else {
		_, err := creator.GetUserByUsernameFold(ctx, au.Username)
		switch {
		case err == nil, errors.Is(err, auth.ErrMultipleUsers):
			errs = append(errs, &auth.ValidationError{Field: "Username", Code: "unique",
				Message: "A user with that username already exists."})
		case errors.Is(err, auth.ErrUserNotFound):
		default:
			return fmt.Errorf("accounts: create user %q: %w", au.Username, err)
		}
	}
	if err := m.ValidatePassword(password, u); err != nil {
		if !errors.Is(err, auth.ErrInvalid) {
			return fmt.Errorf("accounts: create user %q: %w", au.Username, err)
		}
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	encoded, err := m.auth.Hashers().Make(ctx, password)
	if err != nil {
		return fmt.Errorf("accounts: create user %q: %w", au.Username, err)
	}
	prev := au.Password
	au.Password = encoded
	if err := creator.CreateUser(ctx, u); err != nil {
		au.Password = prev
		return fmt.Errorf("accounts: create user %q: %w", au.Username, err)
	}
	validation.PasswordChanged(password, au, m.validators...)
	return nil
}

// ChangePassword validates password for user with the configured
// validators and, when every one passes, stores its hash
// (auth.Auth.SetPassword) and tells the validators (Django's
// password_changed). A rejected password gives validation.Errors listing
// every failure (errors.Is(err, auth.ErrInvalid)), and nothing is written.
// The user's sessions end on their next request; a handler that wants to
// keep the current one calls auth.Auth.UpdateSessionAuthHash.
// PasswordChanged is sent, without a Request.
func (m *Manager[U]) ChangePassword(ctx context.Context, user *U, password string) error {
	if user == nil {
		return fmt.Errorf("accounts: change password: nil user")
	}
	if err := m.ValidatePassword(password, user); err != nil {
		return err
	}
	if err := m.auth.SetPassword(ctx, user, password); err != nil {
		return err
	}
	validation.PasswordChanged(password, auth.UserOf(user), m.validators...)
	m.passwordChanged.Send(ctx, PasswordChange{UserID: auth.UserOf(user).ID, Action: PasswordActionChanged})
	return nil
}
