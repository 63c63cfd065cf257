package accounts

import (
	"errors"
	"net/http"

	"github.com/djauth/auth/hashers"
)

// isBusy reports whether err means that no password hashing slot became
// free in time: the password was not checked or hashed.
func isBusy(err error) bool { return errors.Is(err, hashers.ErrBusy) }

// serveBusy logs err as a warning and answers 503 with Retry-After
// (auth.Auth.ServeBusy), the overload answer of the login page too.
func (m *Manager[U]) serveBusy(w http.ResponseWriter, r *http.Request, what string, err error) {
	m.log.WarnContext(r.Context(), "accounts: "+what+": no hashing slot free", "error", err)
	m.auth.ServeBusy(w, r)
}
