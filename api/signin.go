package api

import (
	"errors"
	"net/http"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/mfa"
)

// Statuses of a sign-in answer ("status").
const (
	// StatusAuthenticated: the user is signed in.
	StatusAuthenticated = "authenticated"
	// StatusMFARequired: the password was right; POST signin/mfa with a
	// code of one of "factors" (or a passkey) to finish.
	StatusMFARequired = "mfa_required"
	// StatusVerificationRequired: the account exists but its email
	// address must be verified first (POST email/verify).
	StatusVerificationRequired = "verification_required"
)

type signinRequest struct {
	Username  string `json:"username"`
	Password  string `json:"password"`
	Transport string `json:"transport"`
}

type mfaVerifyRequest struct {
	Factor string `json:"factor"`
	Code   string `json:"code"`
}

// loginAnswer is the body of every endpoint that may sign in.
type loginAnswer struct {
	Status  string    `json:"status"`
	User    *userJSON `json:"user,omitempty"`
	Factors []string  `json:"factors,omitempty"`
	URL     string    `json:"url,omitempty"`
}

func (x *API[U]) signinRoutes() {
	x.handle(http.MethodPost, "signin", x.signin)
	x.handle(http.MethodPost, "signin/mfa", x.signinMFA)
	x.handle(http.MethodDelete, "signin/mfa", x.signinMFAAbandon)
}

// signin is the login page's POST in JSON: AuthenticateLogin (the same
// throttling, lockout and messages), then Login.
func (x *API[U]) signin(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in signinRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := x.notImpersonating(r); err != nil {
		return 0, nil, err
	}
	if err := x.useTransport(r, in.Transport); err != nil {
		return 0, nil, err
	}
	user, backend, err := x.a.AuthenticateLogin(r, in.Username, in.Password)
	var fe *auth.LoginFormError
	var te *auth.ThrottledError
	switch {
	case errors.As(err, &fe):
		fields := map[string][]string{}
		if fe.UsernameErrors != nil {
			fields["username"] = fe.UsernameErrors
		}
		if fe.PasswordErrors != nil {
			fields["password"] = fe.PasswordErrors
		}
		return 0, nil, validation(fields)
	case errors.As(err, &te):
		return 0, nil, throttled(te.RetryAfter, auth.ThrottledMessage(te.RetryAfter))
	case errors.Is(err, auth.ErrInvalidCredentials):
		return 0, nil, apiErr(http.StatusUnauthorized, CodeInvalidCredentials, auth.MsgInvalidLogin)
	case errors.Is(err, auth.ErrInactiveUser):
		return 0, nil, apiErr(http.StatusForbidden, CodeInactive, auth.MsgInactive)
	case err != nil:
		return 0, nil, busyOr(err)
	}
	return x.login(r, user, backend)
}

// busyOr maps a hashing-slot refusal to 503 busy, and passes other
// errors on (500).
func busyOr(err error) error {
	if errors.Is(err, hashers.ErrBusy) {
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeBusy, Message: "The server is busy. Try again in a moment.", RetryAfter: 1e9}
	}
	return err
}

// login logs user in and answers as every sign-in does: authenticated,
// mfa_required with the factors, or the gate's refusal.
func (x *API[U]) login(r *http.Request, user *U, backend string) (int, any, error) {
	err := x.a.Login(r, user, backend)
	var refused *auth.LoginRefusedError
	switch {
	case errors.As(err, &refused):
		msg := refused.Reason
		if msg == "" {
			msg = "This account may not sign in now."
		}
		return 0, nil, &Error{Status: http.StatusForbidden, Code: CodeLoginRefused, Message: msg, URL: refused.URL}
	case errors.Is(err, auth.ErrSecondFactorRequired):
		kinds, err := x.pendingFactors(r, auth.UserOf(user).ID)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusAccepted, loginAnswer{Status: StatusMFARequired, Factors: kinds}, nil
	case err != nil:
		return 0, nil, err
	}
	return http.StatusOK, loginAnswer{Status: StatusAuthenticated, User: x.userJSON(r, user)}, nil
}

// pendingFactors lists the factor kinds the user has a device of.
func (x *API[U]) pendingFactors(r *http.Request, userID int64) ([]string, error) {
	if x.flow == nil {
		return []string{}, nil
	}
	devs, err := x.flow.Devices(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	kinds := []string{}
	seen := map[string]bool{}
	for _, d := range devs {
		if !seen[d.Factor] {
			seen[d.Factor] = true
			kinds = append(kinds, d.Factor)
		}
	}
	return kinds, nil
}

// signinMFA is the second step with a code (mfa.Flow.VerifyCode: the
// pending login's attempts, the Limiter and the device throttles).
func (x *API[U]) signinMFA(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if x.flow == nil {
		return 0, nil, notConfigured("Multi-factor authentication")
	}
	var in mfaVerifyRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if err := x.notImpersonating(r); err != nil {
		return 0, nil, err
	}
	fields := map[string][]string{}
	if in.Factor == "" {
		fields["factor"] = []string{auth.MsgRequired}
	}
	if in.Code == "" {
		fields["code"] = []string{auth.MsgRequired}
	} else if msg := auth.InvalidTextMessage(in.Code); msg != "" || len(in.Code) > 64 {
		fields["code"] = []string{cmpOr(msg, "The code is too long.")}
	}
	if len(fields) > 0 {
		return 0, nil, validation(fields)
	}
	_, err := x.flow.VerifyCode(r, in.Factor, in.Code)
	if err := mfaError(err); err != nil {
		return 0, nil, err
	}
	user := x.a.User(r).User()
	if user == nil {
		return 0, nil, errServer
	}
	return http.StatusOK, loginAnswer{Status: StatusAuthenticated, User: x.userJSON(r, user)}, nil
}

// signinMFAAbandon drops the pending sign-in ("cancel").
func (x *API[U]) signinMFAAbandon(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if x.flow == nil {
		return 0, nil, notConfigured("Multi-factor authentication")
	}
	if err := x.flow.Abandon(r); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{"status": "abandoned"}, nil
}

// mfaError maps the errors of the mfa package.
func mfaError(err error) error {
	var te *mfa.ThrottledError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
		return throttled(te.RetryAfter, auth.ThrottledMessage(te.RetryAfter))
	case errors.Is(err, mfa.ErrTooManyAttempts):
		return apiErr(http.StatusUnauthorized, CodeTooManyAttempts, "Too many wrong codes. Sign in again.")
	case errors.Is(err, mfa.ErrNoPendingLogin):
		return apiErr(http.StatusConflict, CodeMFANotPending, "No sign-in is waiting for a second factor. Sign in again.")
	case errors.Is(err, mfa.ErrInvalidCode):
		return apiErr(http.StatusUnprocessableEntity, CodeInvalidCode, "The code is wrong or was already used.")
	case errors.Is(err, mfa.ErrUnknownFactor):
		return apiErr(http.StatusNotFound, CodeUnknownFactor, "This factor is not available.")
	case errors.Is(err, mfa.ErrNoDevice):
		return apiErr(http.StatusNotFound, CodeNoDevice, "No such device.")
	case errors.Is(err, auth.ErrLoginRefused):
		var refused *auth.LoginRefusedError
		e := apiErr(http.StatusForbidden, CodeLoginRefused, "This account may not sign in now.")
		if errors.As(err, &refused) {
			e.Message, e.URL = cmpOr(refused.Reason, e.Message), refused.URL
		}
		return e
	}
	return err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
