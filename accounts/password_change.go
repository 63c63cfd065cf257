package accounts

import (
	"errors"
	"net/http"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/validation"
)

// Messages of the password forms, Django's SetPasswordMixin and
// PasswordChangeForm error_messages.
const (
	// MsgPasswordMismatch is shown on new_password2 when the two new
	// passwords differ.
	MsgPasswordMismatch = "The two password fields didn’t match."
	// MsgPasswordIncorrect is shown on old_password when it is wrong.
	MsgPasswordIncorrect = "Your old password was entered incorrectly. Please enter it again."
)

// setPasswordErrors is Django's SetPasswordForm.clean over the fields
// new_password1 and new_password2: both are required; when both are given
// and differ, new_password2 gets MsgPasswordMismatch; otherwise, when
// new_password2 is given, the validators run on it for user and every
// failure goes to new_password2. err is a validator that could not run.
func (m *Manager[U]) setPasswordErrors(r *http.Request, user *U) (p1Errs, p2Errs []string, err error) {
	p1 := r.PostForm.Get("new_password1")
	p2 := r.PostForm.Get("new_password2")
	if p1 == "" {
		p1Errs = append(p1Errs, auth.MsgRequired)
	}
	if p2 == "" {
		p2Errs = append(p2Errs, auth.MsgRequired)
		return p1Errs, p2Errs, nil
	}
	if p1 != "" && p1 != p2 {
		return p1Errs, append(p2Errs, MsgPasswordMismatch), nil
	}
	if verr := m.ValidatePassword(p2, user); verr != nil {
		var errs validation.Errors
		if !errors.As(verr, &errs) {
			return nil, nil, verr
		}
		p2Errs = append(p2Errs, errs.Messages()...)
	}
	return p1Errs, p2Errs, nil
}

// servePasswordChange is Django's PasswordChangeView with
// PasswordChangeForm: old_password must be the current password, the new
// one is checked by setPasswordErrors; on success the password is saved,
// this session keeps its login (UpdateSessionAuthHash) while the user's
// other sessions end, and the browser goes to the done page.
func (m *Manager[U]) servePasswordChange(w http.ResponseWriter, r *http.Request, p paths) {
	post, ok := parseForm(w, r)
	if !ok {
		return
	}
	ru := m.auth.UserFromContext(r.Context())
	user := ru.User()
	if user == nil {
		// LoginRequired let the request through, so the user was loaded.
		m.serverError(w, r, "password change: no user", ru.Err())
		return
	}
	au := auth.UserOf(user)
	page := &PasswordChangePage{
		Action:    r.URL.EscapedPath(),
		Username:  au.Username,
		HelpTexts: validation.HelpTexts(m.validators...),
	}
	if !post {
		m.render(w, r, http.StatusOK, m.templates.PasswordChange, page)
		return
	}
	old := r.PostForm.Get("old_password")
	if old == "" {
		page.OldPasswordErrors = append(page.OldPasswordErrors, auth.MsgRequired)
	} else {
		good, _, err := m.auth.Hashers().Check(r.Context(), old, au.Password)
		if err != nil && (isBusy(err) || r.Context().Err() != nil) {
			m.serverError(w, r, "password change: check old password", err)
			return
		}
		if !good {
			page.OldPasswordErrors = append(page.OldPasswordErrors, MsgPasswordIncorrect)
		}
	}
	var err error
	page.NewPassword1Errors, page.NewPassword2Errors, err = m.setPasswordErrors(r, user)
	if err != nil {
		m.serverError(w, r, "password change: validate", err)
		return
	}
	if page.HasErrors() {
		m.render(w, r, http.StatusOK, m.templates.PasswordChange, page)
		return
	}
	password := r.PostForm.Get("new_password1")
	if err := m.auth.SetPassword(r.Context(), user, password); err != nil {
		m.serverError(w, r, "password change: save", err)
		return
	}
	validation.PasswordChanged(password, au, m.validators...)
	if err := m.auth.UpdateSessionAuthHash(r, user); err != nil {
		m.serverError(w, r, "password change: update session", err)
		return
	}
	http.Redirect(w, r, p.passwordChangeDone(), http.StatusFound)
}
