package accounts

import (
	"net/http"

	auth "github.com/djauth/auth"
)

// Actions of PasswordChange.
const (
	// PasswordActionChanged: the user changed their password (the
	// password change page, or ChangePassword).
	PasswordActionChanged = "changed"
	// PasswordActionReset: the password was set through a reset link.
	PasswordActionReset = "reset"
)

// PasswordChange is sent by Manager.PasswordChanged after a password was
// stored: an audit trail's hook. It never holds the password.
type PasswordChange struct {
	// Request is the request that made the change; nil for
	// ChangePassword, which has none.
	Request *http.Request
	// UserID is the user whose password changed.
	UserID int64
	// Action is PasswordActionChanged or PasswordActionReset.
	Action string
}

// PasswordChanged returns the hub of PasswordChange, sent by the password
// change page, the reset confirmation page and ChangePassword. Receivers
// run synchronously after the password is stored.
func (m *Manager[U]) PasswordChanged() *auth.Signal[PasswordChange] { return &m.passwordChanged }
