package testkit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	auth "github.com/djauth/auth"
)

// LoginOptions are the optional parts of LoginUser.
type LoginOptions struct {
	// Backend names the backend the login is recorded with; "" works
	// when the Auth has one backend, else it is the model backend.
	Backend string
	// Verified logs the user in as after a second factor (with
	// Auth.LoginVerified), so that an mfa.Flow asks for nothing; nil
	// logs in as a password login does (Auth.Login), and a user who
	// must give a second factor then gets auth.ErrSecondFactorRequired.
	Verified *auth.Verification
}

// LoginUser logs user in directly, without a login page, and returns the
// session cookie of that login, for handler tests: add it to a request
// (req.AddCookie) that goes through a.Middleware (or a.Protect). The user
// must exist in a's store. The login runs as Auth.Login does it (signals,
// last_login, the session auth hash), so the session is one a real login
// would make.
//
// It is for tests only: it logs in without any credential (and, with
// LoginOptions.Verified, without a second factor). Never call it from a
// handler or any code path a request can reach.
func LoginUser[U any](ctx context.Context, a *auth.Auth[U], user *U, opts LoginOptions) (*http.Cookie, error) {
	if a == nil || user == nil {
		return nil, errors.New("testkit: LoginUser: an Auth and a user are required")
	}
	backend := opts.Backend
	if backend == "" && len(a.Backends()) != 1 {
		backend = auth.ModelBackendName
	}
	var loginErr error
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if opts.Verified != nil {
			loginErr = a.LoginVerified(r, user, backend, *opts.Verified)
		} else {
			loginErr = a.Login(r, user, backend)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "http://localhost/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if loginErr != nil {
		return nil, fmt.Errorf("testkit: LoginUser: %w", loginErr)
	}
	name := a.Sessions().Cookie.Name
	for _, c := range rec.Result().Cookies() {
		if c.Name == name && c.Value != "" {
			return c, nil
		}
	}
	return nil, fmt.Errorf("testkit: LoginUser: the login set no %s cookie (status %d)", name, rec.Code)
}
