package auth

import (
	"context"
	"errors"
	"fmt"
)

// ErrLoginRefused is wrapped by the error of Login when Config.LoginGate
// refuses the user (see LoginRefusedError).
var ErrLoginRefused = errors.New("auth: login refused")

// LoginGate is a check that every login passes before the session
// changes: Login and LoginVerified ask it, so no login path (the login
// page, a JSON API, social or passwordless backends, the second step of
// an MFA login) gets around it. Package emails' Gate refuses users without
// a verified address (allauth's ACCOUNT_EMAIL_VERIFICATION = "mandatory").
type LoginGate[U any] interface {
	// AllowLogin returns nil to let user log in. A refusal is a
	// *LoginRefusedError; any other error makes Login fail too: a login is
	// never let through because the answer is unknown.
	AllowLogin(ctx context.Context, user *U) error
}

// LoginRefusedError is a LoginGate's refusal: the session is left as it
// was, and LoginHandler sends the browser to URL (or shows Reason on the
// login page when URL is empty). It wraps ErrLoginRefused.
type LoginRefusedError struct {
	// Reason is shown to the person who tried to log in.
	Reason string
	// URL is the page that explains the refusal and offers a way on
	// (such as resending a verification mail).
	URL string
}

func (e *LoginRefusedError) Error() string {
	return fmt.Sprintf("auth: login refused: %s", e.Reason)
}

// Unwrap returns ErrLoginRefused.
func (e *LoginRefusedError) Unwrap() error { return ErrLoginRefused }

// LoginGate returns Config.LoginGate, or nil.
func (a *Auth[U]) LoginGate() LoginGate[U] { return a.loginGate }

// checkLoginGate asks Config.LoginGate about user.
func (a *Auth[U]) checkLoginGate(ctx context.Context, user *U) error {
	if a.loginGate == nil {
		return nil
	}
	err := a.loginGate.AllowLogin(ctx, user)
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrLoginRefused) {
		return err
	}
	return fmt.Errorf("auth: login: login gate: %w", err)
}
