package accounts

import (
	"errors"
	"fmt"
	"net/http"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/tokens"
)

// Errors of PasswordResetLink and SendPasswordReset.
var (
	// ErrNoResetPages reports that there is no reset confirmation page to
	// link to: Config.Mailer is nil, or Routes has not mounted the pages.
	ErrNoResetPages = errors.New("accounts: the password reset pages are not mounted")
	// ErrResetHost reports a request whose Host is not one of the Auth's
	// AllowedHosts while Config.SiteURL is empty: no safe link can be
	// built from it.
	ErrResetHost = errors.New("accounts: no allowed host for the reset link; set Config.SiteURL")
	// ErrResetRefused reports a user that a reset does not serve: an
	// inactive one (Django's PasswordResetForm.get_users leaves them out),
	// or, for SendPasswordReset, one without an email address.
	ErrResetRefused = errors.New("accounts: no password reset for this user")
)

// PasswordResetLink returns the link of a reset mail for user, made now:
// an absolute URL of the reset confirmation page with a one-time token
// (package tokens, valid for Config.PasswordResetTimeout and until the
// user logs in or the password changes). It is for administrators who
// hand a user the way back in themselves (package dashboard); the link is
// a bearer secret: show it once, never log it. The scheme and host are
// those of the reset mails (Config.SiteURL, else the request's allowed
// Host). It returns ErrNoResetPages, ErrResetHost or ErrResetRefused.
func (m *Manager[U]) PasswordResetLink(r *http.Request, user *auth.User) (string, error) {
	scheme, host, p, err := m.resetSite(r, user)
	if err != nil {
		return "", err
	}
	token, err := m.tokens.Make(user)
	if err != nil {
		return "", fmt.Errorf("accounts: reset link for user %d: %w", user.ID, err)
	}
	return scheme + "://" + host + p.resetConfirm(tokens.EncodeUID(user.ID), token), nil
}

// SendPasswordReset queues the reset mail of the reset page for user, to
// the user's email column, as if the user had asked for it, for an
// administrator's "send a reset mail". It returns ErrNoResetPages,
// ErrResetHost, ErrResetRefused (also for a user without an email), or an
// error when the mail queue is full; the mail is sent by the Manager's
// workers, and a failure to send is logged only.
func (m *Manager[U]) SendPasswordReset(r *http.Request, user *auth.User) error {
	scheme, host, p, err := m.resetSite(r, user)
	if err != nil {
		return err
	}
	if user.Email == "" {
		return fmt.Errorf("%w: user %d has no email address", ErrResetRefused, user.ID)
	}
	if !m.queue.Enqueue(resetJob{user: *user, to: user.Email, scheme: scheme, host: host, p: p, tr: m.mailTranslator(r)}) {
		return fmt.Errorf("accounts: reset mail for user %d: the mail queue is full or closed", user.ID)
	}
	return nil
}

// resetSite checks what PasswordResetLink and SendPasswordReset need.
func (m *Manager[U]) resetSite(r *http.Request, user *auth.User) (scheme, host string, p paths, err error) {
	if m.mailer == nil || m.prefix == "" {
		return "", "", paths{}, ErrNoResetPages
	}
	if user == nil || user.ID == 0 {
		return "", "", paths{}, fmt.Errorf("%w: not a stored user", ErrResetRefused)
	}
	if !user.IsActive {
		return "", "", paths{}, fmt.Errorf("%w: user %d is inactive", ErrResetRefused, user.ID)
	}
	scheme, host, ok := m.site(r)
	if !ok {
		return "", "", paths{}, ErrResetHost
	}
	return scheme, host, paths{prefix: m.prefix}, nil
}
