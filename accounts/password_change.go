package accounts

import (
	"errors"
	"net/http"
	"strconv"

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
// new_password1 and new_password2: both are required and must be text a
// store can hold (auth.InvalidTextMessage: UTF-8, no NUL); when both are
// valid and differ, new_password2 gets MsgPasswordMismatch; otherwise,
// when new_password2 is valid, the validators run on it for user and
// every failure goes to new_password2. err is a validator that could not
// run.
func (m *Manager[U]) setPasswordErrors(r *http.Request, user *U) (p1Errs, p2Errs []string, err error) {
	p1 := r.PostForm.Get("new_password1")
	p2 := r.PostForm.Get("new_password2")
	p1Errs, p2Errs = passwordFieldErrors(p1), passwordFieldErrors(p2)
	if p2Errs != nil {
		return p1Errs, p2Errs, nil
	}
	if p1Errs == nil && p1 != p2 {
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
		HelpTexts:  validation.HelpTexts(m.validators...),
		ProfileURL: p.prefix + "profile/",
	}
	if !post {
		m.render(w, r, http.StatusOK, m.templates.PasswordChange, page)
		return
	}
	old := r.PostForm.Get("old_password")
	if errs := passwordFieldErrors(old); errs != nil {
		page.OldPasswordErrors = append(page.OldPasswordErrors, errs...)
	} else {
		key := strconv.FormatInt(au.ID, 10)
		reserved, ok := m.limitBegin(w, r, LimitScopePasswordChange, key, func(msg string) {
			page.Errors = []string{msg}
			m.render(w, r, http.StatusTooManyRequests, m.templates.PasswordChange, page)
		})
		if !ok {
			return
		}
		good, _, err := m.auth.Hashers().Check(r.Context(), old, au.Password)
		if err != nil && (isBusy(err) || r.Context().Err() != nil) {
			if lerr := m.limitEnd(r, LimitScopePasswordChange, key, reserved, false, false); lerr != nil {
				m.log.ErrorContext(r.Context(), "accounts: password change: limiter", "error", lerr)
			}
			m.serverError(w, r, "password change: check old password", err)
			return
		}
		if !good {
			page.OldPasswordErrors = append(page.OldPasswordErrors, MsgPasswordIncorrect)
		}
		if err := m.limitEnd(r, LimitScopePasswordChange, key, reserved, true, good); err != nil {
			m.serverError(w, r, "password change: limiter", err)
			return
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
