package accounts

import (
	"errors"
	"net/http"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/tokens"
	"github.com/djauth/auth/validation"
)

// servePasswordResetConfirm is Django's PasswordResetConfirmView. The
// first visit with a valid token gives the session a new token, as login
// does (a session token planted in the browser is then of no use to
// whoever planted it), moves the reset token into the session and
// redirects to the same URL with ResetURLToken in its place, so that the
// token does not leak through the Referer header or the browser history.
// At that URL the session's token is checked again on every request and
// the new-password form is shown. After the password is saved the token
// no longer checks (the password is part of it) and is removed from the
// session; the user is not logged in (Django's post_reset_login = False)
// and every session of the user ends. An unknown user, a wrong, used or
// expired token, or a missing session token shows the "invalid link"
// page with status 200, as Django does; so does a user who is not active
// (any longer), at either step, which Django would let through.
func (m *Manager[U]) servePasswordResetConfirm(w http.ResponseWriter, r *http.Request, p paths) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	uidb64, token := r.PathValue("uidb64"), r.PathValue("token")
	invalid := &SetPasswordPage{PasswordResetURL: p.passwordReset()}
	user, err := m.resetUser(r, uidb64)
	if err != nil {
		m.serverError(w, r, "password reset confirm: load user", err)
		return
	}
	// An inactive user cannot complete a reset, even with a link issued
	// while active: stricter than Django, whose confirm view accepts
	// them (it only declines to mail them a link).
	if user == nil || !auth.UserOf(user).IsActive {
		m.render(w, r, http.StatusOK, m.templates.PasswordResetConfirm, invalid)
		return
	}
	au := auth.UserOf(user)
	sessions := m.auth.Sessions()
	if token != ResetURLToken {
		if !m.tokens.Check(au, token) {
			m.render(w, r, http.StatusOK, m.templates.PasswordResetConfirm, invalid)
			return
		}
		// A new session token first, as login does: the browser may carry
		// a session token that someone else knows (a planted cookie), who
		// could otherwise use the reset token it is about to hold.
		if err := sessions.RenewToken(ctx); err != nil {
			m.serverError(w, r, "password reset confirm: renew session token", err)
			return
		}
		sessions.Put(ctx, SessionKeyResetToken, token)
		path := r.URL.EscapedPath()
		target := strings.TrimSuffix(path, token+"/") + ResetURLToken + "/"
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	if !m.tokens.Check(au, sessions.GetString(ctx, SessionKeyResetToken)) {
		m.render(w, r, http.StatusOK, m.templates.PasswordResetConfirm, invalid)
		return
	}
	page := &SetPasswordPage{
		ValidLink:        true,
		Action:           r.URL.EscapedPath(),
		Username:         au.Username,
		HelpTexts:        m.helpTexts(r),
		PasswordResetURL: p.passwordReset(),
	}
	if !post {
		m.render(w, r, http.StatusOK, m.templates.PasswordResetConfirm, page)
		return
	}
	page.NewPassword1Errors, page.NewPassword2Errors, err = m.setPasswordErrors(r, user)
	if err != nil {
		m.serverError(w, r, "password reset confirm: validate", err)
		return
	}
	if page.HasErrors() {
		m.render(w, r, http.StatusOK, m.templates.PasswordResetConfirm, page)
		return
	}
	password := r.PostForm.Get("new_password1")
	if err := m.auth.SetPassword(ctx, user, password); err != nil {
		m.serverError(w, r, "password reset confirm: save", err)
		return
	}
	validation.PasswordChanged(password, au, m.validators...)
	sessions.Remove(ctx, SessionKeyResetToken)
	m.passwordChanged.Send(ctx, PasswordChange{Request: r, UserID: au.ID, Action: PasswordActionReset})
	http.Redirect(w, r, p.resetComplete(), http.StatusFound)
}

// resetUser is Django's PasswordResetConfirmView.get_user: the user whose
// ID uidb64 encodes, or nil when it is malformed or names no user. err is
// a store failure, which must not look like an invalid link.
func (m *Manager[U]) resetUser(r *http.Request, uidb64 string) (*U, error) {
	id, err := tokens.DecodeUID(uidb64)
	if err != nil {
		return nil, nil
	}
	u, err := m.auth.Store().GetUser(r.Context(), id)
	if errors.Is(err, auth.ErrUserNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}
