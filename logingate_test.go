package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// gateOf refuses the users it names, and fails for "broken".
type gateOf map[string]bool

func (g gateOf) AllowLogin(_ context.Context, u *auth.User) error {
	if u.Username == "broken" {
		return errors.New("store down")
	}
	if g[u.Username] {
		return &auth.LoginRefusedError{Reason: "verify first", URL: "/verify/"}
	}
	return nil
}

// TestLoginGate: Login and LoginVerified both ask Config.LoginGate; a
// refusal or a failing gate logs nobody in and keeps the session's user.
func TestLoginGate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) { c.LoginGate = gateOf{"bob": true} })
	ann := e.createUser("ann", "pw")
	bob := e.createUser("bob", "pw")
	broken := e.createUser("broken", "pw")
	var results []error
	h := e.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, e.a.Login(r, ann, ""))
		results = append(results,
			e.a.Login(r, bob, ""),
			e.a.LoginVerified(r, bob, "", auth.Verification{Factor: "totp"}),
			e.a.Login(r, broken, ""))
		assert.Equal(t, "ann", e.a.UserFromContext(r.Context()).String(), "the earlier login stands")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	require.Len(t, results, 3)
	for _, err := range results[:2] {
		var refused *auth.LoginRefusedError
		require.ErrorAs(t, err, &refused)
		assert.Equal(t, "/verify/", refused.URL)
		assert.ErrorIs(t, err, auth.ErrLoginRefused)
	}
	require.Error(t, results[2], "a gate that cannot answer refuses")
	assert.NotErrorIs(t, results[2], auth.ErrLoginRefused)
	u, err := e.store.GetUser(t.Context(), bob.ID)
	require.NoError(t, err)
	assert.Nil(t, u.LastLogin)
}
