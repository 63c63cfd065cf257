package api

import (
	"errors"
	"net/http"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/passwordless"
)

type passwordlessStartRequest struct {
	Email     string `json:"email"`
	Transport string `json:"transport"`
}

type codeRequest struct {
	Code string `json:"code"`
}

func (x *API[U]) passwordlessRoutes() {
	x.handle(http.MethodPost, "passwordless/start", x.passwordlessStart)
	x.handle(http.MethodPost, "passwordless/verify", x.passwordlessVerify)
}

// passwordlessStart mails a sign-in code (and link) to the address, bound
// to this session: a token client gets its session's token here and
// sends it with the code. Every valid address gets the same answer.
func (x *API[U]) passwordlessStart(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in passwordlessStartRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := x.notImpersonating(r); err != nil {
		return 0, nil, err
	}
	if err := x.useTransport(r, in.Transport); err != nil {
		return 0, nil, err
	}
	if err := accountsError(x.acc.StartPasswordless(r, in.Email)); err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, map[string]string{"status": "sent"}, nil
}

// passwordlessVerify signs in with the mailed code, through the
// backends and Login (second factor and gate apply).
func (x *API[U]) passwordlessVerify(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in codeRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := x.notImpersonating(r); err != nil {
		return 0, nil, err
	}
	if x.a.Backend(passwordless.Name) == nil {
		return 0, nil, notConfigured("Passwordless sign-in")
	}
	code := strings.TrimSpace(in.Code)
	if code == "" {
		return 0, nil, validation(map[string][]string{"code": {auth.MsgRequired}})
	}
	if len(code) > 64 || auth.InvalidTextMessage(code) != "" {
		return 0, nil, apiErr(http.StatusUnprocessableEntity, CodeInvalidCode, "The code is wrong or has expired.")
	}
	user, backend, err := x.a.Authenticate(r.Context(), r, auth.Credentials{passwordless.CredentialCode: code})
	var te *passwordless.ThrottledError
	switch {
	case errors.As(err, &te):
		return 0, nil, throttled(te.RetryAfter, auth.ThrottledMessage(te.RetryAfter))
	case errors.Is(err, auth.ErrInvalidCredentials):
		return 0, nil, apiErr(http.StatusUnprocessableEntity, CodeInvalidCode, "The code is wrong or has expired.")
	case err != nil:
		return 0, nil, err
	}
	return x.login(r, user, backend)
}
