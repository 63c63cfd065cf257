package api

import (
	"net/http"

	"github.com/djauth/auth/accounts"
)

type passwordChangeRequest struct {
	OldPassword  string `json:"old_password"`
	NewPassword1 string `json:"new_password1"`
	NewPassword2 string `json:"new_password2"`
}

type resetConfirmRequest struct {
	UID          string `json:"uid"`
	Token        string `json:"token"`
	NewPassword1 string `json:"new_password1"`
	NewPassword2 string `json:"new_password2"`
}

func (x *API[U]) passwordRoutes() {
	x.handle(http.MethodPost, "password/change", x.passwordChange)
	x.handle(http.MethodPost, "password/reset", x.passwordReset)
	x.handle(http.MethodPost, "password/reset/confirm", x.passwordResetConfirm)
}

// passwordChange is the password change page's POST
// (accounts.Manager.ChangeOwnPassword): this session stays signed in,
// with a new token, and the user's other sessions end.
func (x *API[U]) passwordChange(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in passwordChangeRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if _, _, err := x.user(r); err != nil {
		return 0, nil, err
	}
	if err := x.notImpersonating(r); err != nil {
		return 0, nil, err
	}
	if err := accountsError(x.acc.ChangeOwnPassword(r, in.OldPassword, in.NewPassword1, in.NewPassword2)); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{"status": "changed"}, nil
}

// passwordReset mails a reset link to the accounts with the address; the
// answer does not tell whether there are any.
func (x *API[U]) passwordReset(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in emailRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := accountsError(x.acc.RequestPasswordReset(r, in.Email)); err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, map[string]string{"status": "sent"}, nil
}

// passwordResetConfirm sets a new password with the uid and token of the
// reset link (".../reset/<uid>/<token>/"); every session of the user
// ends and nobody is signed in.
func (x *API[U]) passwordResetConfirm(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in resetConfirmRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if len(in.UID) > 64 || len(in.Token) > 128 {
		return 0, nil, accountsError(accounts.ErrInvalidResetLink)
	}
	if err := accountsError(x.acc.ResetPassword(r.Context(), in.UID, in.Token, in.NewPassword1, in.NewPassword2)); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{"status": "reset"}, nil
}
