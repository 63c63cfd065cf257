package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// passkeyPaths are the ceremonies of package mfa/passkey's Handler,
// mounted under "passkey/".
var passkeyPaths = []string{
	"register/begin", "register/finish",
	"login/begin", "login/finish",
	"passwordless/begin", "passwordless/finish",
}

func (x *API[U]) passkeyRoutes() {
	inner := http.NewServeMux()
	h := x.acc.PasskeyHandler()
	if h != nil {
		h.Routes(inner, x.prefix+"passkey/")
	}
	for _, p := range passkeyPaths {
		x.handle(http.MethodPost, "passkey/"+p, func(w http.ResponseWriter, r *http.Request) (int, any, error) {
			if h == nil {
				return 0, nil, notConfigured("Passkeys")
			}
			// As the passkey pages: no ceremony (a new passkey on the
			// target's account above all) while impersonating.
			if err := x.notImpersonating(r); err != nil {
				return 0, nil, err
			}
			// A client without cookies asks for token transport with
			// the Auth-Transport header (the ceremony's body is the
			// passkey Handler's): its challenge then lives in the
			// session of the token it gets with the options.
			if err := x.useTransport(r, ""); err != nil {
				return 0, nil, err
			}
			return x.runPasskey(inner, r)
		})
	}
}

// runPasskey runs a ceremony of the passkey Handler on this request and
// answers its JSON in the API's shape: its answer as it is, its errors
// ({"error": code, "message": ...}) as the API's errors with the same
// code ("login_required" becomes not_authenticated).
func (x *API[U]) runPasskey(inner http.Handler, r *http.Request) (int, any, error) {
	c := &capture{h: http.Header{}, limit: 1 << 20}
	inner.ServeHTTP(c, r)
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if c.status >= 300 && c.status < 400 || c.status == http.StatusUnauthorized && !json.Valid(c.body.Bytes()) {
		// The registration's step-up guard sends a page elsewhere: to
		// sign in, or to verify again.
		if !x.a.User(r).IsAuthenticated() {
			return 0, nil, errNotAuthenticated
		}
		return 0, nil, &Error{Status: http.StatusForbidden, Code: CodeStepUpRequired, Message: "Verify it is you again (second factor or password) first.", URL: c.h.Get("Location")}
	}
	if c.status < 300 {
		if !json.Valid(c.body.Bytes()) {
			return 0, nil, errServer
		}
		return c.status, json.RawMessage(c.body.Bytes()), nil
	}
	var pe struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(c.body.Bytes(), &pe); err != nil || pe.Error == "" {
		if c.status == http.StatusForbidden {
			// The Auth's cross-origin protection in front of the handler.
			return 0, nil, apiErr(http.StatusForbidden, CodeCSRFFailed, "Cross-origin request refused.")
		}
		return 0, nil, &Error{Status: c.status, Code: CodeServerError, Message: http.StatusText(c.status)}
	}
	e := &Error{Status: c.status, Code: pe.Error, Message: pe.Message}
	switch pe.Error {
	case "login_required":
		e.Code = CodeNotAuthenticated
	case "throttled":
		e.Code = CodeThrottled
		if n, err := strconv.Atoi(c.h.Get("Retry-After")); err == nil && n > 0 {
			e.RetryAfter = time.Duration(n) * time.Second
		}
	case "step_up_required", "mfa_required":
		e.Code = CodeStepUpRequired
	}
	if e.Status == http.StatusUnsupportedMediaType {
		e.Code = CodeUnsupportedMediaType
	}
	return 0, nil, e
}
