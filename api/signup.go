package api

import (
	"context"
	"errors"
	"net/http"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/emails"
)

type signupRequest struct {
	Username  string `json:"username"`
	Email     string `json:"email"`
	Password1 string `json:"password1"`
	Password2 string `json:"password2"`
	Transport string `json:"transport"`
}

type emailVerifyRequest struct {
	Email string `json:"email"`
	Code  string `json:"code"`
}

type emailRequest struct {
	Email string `json:"email"`
}

func (x *API[U]) signupRoutes() {
	x.handle(http.MethodPost, "signup", x.signup)
	x.handle(http.MethodPost, "email/verify", x.emailVerify)
	x.handle(http.MethodPost, "email/resend", x.emailResend)
}

// signup is the sign-up page's POST (accounts.Manager.SignUp, throttled
// by LimitScopeSignup per client address), then, as the page does, a
// login unless the address must be verified first.
func (x *API[U]) signup(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in signupRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := x.notImpersonating(r); err != nil {
		return 0, nil, err
	}
	if err := x.useTransport(r, in.Transport); err != nil {
		return 0, nil, err
	}
	if x.a.User(r).IsAuthenticated() {
		return 0, nil, apiErr(http.StatusConflict, CodeConflict, "You are signed in already; sign out first.")
	}
	if err := x.limit(r, accounts.LimitScopeSignup, "", true); err != nil {
		return 0, nil, err
	}
	res, err := x.acc.SignUp(r.Context(), r, accounts.SignupForm{
		Username: in.Username, Email: in.Email, Password1: in.Password1, Password2: in.Password2,
	})
	var fe *accounts.SignupError
	switch {
	case errors.Is(err, accounts.ErrSignupClosed):
		return 0, nil, apiErr(http.StatusForbidden, CodeSignupClosed, accounts.MsgSignupClosed)
	case errors.As(err, &fe):
		fields := map[string][]string{}
		for k, v := range map[string][]string{"username": fe.Username, "email": fe.Email, "password1": fe.Password1, "password2": fe.Password2} {
			if len(v) > 0 {
				fields[k] = v
			}
		}
		return 0, nil, validation(fields)
	case err != nil:
		return 0, nil, busyOr(err)
	}
	if res.User == nil || x.acc.SignupMethod() != accounts.AuthUsername {
		// A new account and an address in use answer alike.
		return http.StatusCreated, loginAnswer{Status: StatusVerificationRequired}, nil
	}
	status, body, err := x.login(r, res.User, x.a.Backends()[0].Name())
	if e := asAPIError(err); e != nil && e.Code == CodeLoginRefused {
		// Mandatory verification: the account exists, the address waits.
		return http.StatusCreated, loginAnswer{Status: StatusVerificationRequired, URL: e.URL}, nil
	}
	if err != nil {
		return 0, nil, err
	}
	if status == http.StatusOK {
		status = http.StatusCreated
	}
	return status, body, nil
}

// limit checks an attempt of scope with the Auth's Limiter and, when
// count, counts it: every request of such a scope counts (sign-ups).
func (x *API[U]) limit(r *http.Request, scope, key string, count bool) error {
	l := x.a.Limiter()
	if l == nil {
		return nil
	}
	wait, _, err := l.Check(r.Context(), r, scope, key)
	if err != nil {
		return err
	}
	if wait > 0 {
		return throttled(wait, auth.ThrottledMessage(wait))
	}
	if count {
		// Counted even when the client has gone.
		if _, _, err := l.Fail(context.WithoutCancel(r.Context()), r, scope, key); err != nil {
			return err
		}
	}
	return nil
}

// accountsError maps the errors of package accounts' flows.
func accountsError(err error) error {
	var fe *accounts.FormError
	var te *accounts.ThrottledError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return validation(fe.Fields)
	case errors.As(err, &te):
		return throttled(te.RetryAfter, te.Message())
	case errors.Is(err, accounts.ErrWrongCode):
		return &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalidCode, Message: accounts.MsgWrongCode}
	case errors.Is(err, accounts.ErrNoEmails):
		return notConfigured("Email verification")
	case errors.Is(err, accounts.ErrNoMailer):
		return notConfigured("Password reset")
	case errors.Is(err, accounts.ErrPasswordlessOff):
		return notConfigured("Passwordless sign-in")
	case errors.Is(err, accounts.ErrDisallowedHost):
		return apiErr(http.StatusBadRequest, CodeBadRequest, "Links cannot be made for this host.")
	case errors.Is(err, accounts.ErrInvalidResetLink):
		return apiErr(http.StatusBadRequest, CodeInvalidResetLink, "The password reset link is invalid, possibly because it has already been used.")
	case errors.Is(err, auth.ErrNoSession):
		return errNotAuthenticated
	}
	return busyOr(err)
}

type addressJSON struct {
	Email    string `json:"email"`
	Verified bool   `json:"verified"`
	Primary  bool   `json:"primary"`
}

func addressOf(a emails.Address) addressJSON {
	return addressJSON{Email: a.Email, Verified: a.Verified, Primary: a.Primary}
}

// emailVerify verifies an address with its mail's code
// (accounts.Manager.VerifyEmailCode). Nobody is signed in.
func (x *API[U]) emailVerify(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in emailVerifyRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := x.notImpersonating(r); err != nil {
		return 0, nil, err
	}
	a, err := x.acc.VerifyEmailCode(r, in.Email, in.Code)
	if err := accountsError(err); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"address": addressOf(a)}, nil
}

// emailResend sends the verification mail again; the answer does not
// tell whether the address has an account.
func (x *API[U]) emailResend(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in emailRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := accountsError(x.acc.ResendVerification(r, in.Email)); err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, map[string]string{"status": "sent"}, nil
}
