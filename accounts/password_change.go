package accounts

import (
	"errors"
	"net/http"

	auth "github.com/djauth/auth"
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
// new_password1 and new_password2: both are required and must be text a
// store can hold (auth.InvalidTextMessage: UTF-8, no NUL); when both are
// valid and differ, new_password2 gets MsgPasswordMismatch; otherwise,
// when new_password2 is valid, the validators run on it for user and
// every failure goes to new_password2. err is a validator that could not
// run.
func (m *Manager[U]) setPasswordErrors(r *http.Request, user *U) (p1Errs, p2Errs []string, err error) {
	fe := &FormError{}
	if err := m.checkNewPasswords(r, fe, user, r.PostForm.Get("new_password1"), r.PostForm.Get("new_password2")); err != nil {
		return nil, nil, err
	}
	return fe.Fields["new_password1"], fe.Fields["new_password2"], nil
}

// passwordFieldErrors is Django's CharField(strip=False).clean of a
// password field: required, and no NUL (ProhibitNullCharactersValidator);
// bytes that are not UTF-8 are refused too.
func passwordFieldErrors(v string) []string {
	if v == "" {
		return []string{auth.MsgRequired}
	}
	if msg := auth.InvalidTextMessage(v); msg != "" {
		return []string{msg}
	}
	return nil
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
		Action:     r.URL.EscapedPath(),
		Username:   au.Username,
		HelpTexts:  m.helpTexts(r),
		ProfileURL: p.prefix + "profile/",
	}
	if !post {
		m.render(w, r, http.StatusOK, m.templates.PasswordChange, page)
		return
	}
	err := m.ChangeOwnPassword(r, r.PostForm.Get("old_password"), r.PostForm.Get("new_password1"), r.PostForm.Get("new_password2"))
	var fe *FormError
	if errors.As(err, &fe) {
		page.OldPasswordErrors = fe.Fields["old_password"]
		page.NewPassword1Errors, page.NewPassword2Errors = fe.Fields["new_password1"], fe.Fields["new_password2"]
		m.render(w, r, http.StatusOK, m.templates.PasswordChange, page)
		return
	}
	if !m.answerLimited(w, r, "password change", err, func(msg string) {
		page.Errors = []string{msg}
		m.render(w, r, http.StatusTooManyRequests, m.templates.PasswordChange, page)
	}) {
		return
	}
	http.Redirect(w, r, p.passwordChangeDone(), http.StatusFound)
}
