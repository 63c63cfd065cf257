package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

func withHeaderTokens(on bool) envOption[auth.User] {
	return func(c *auth.Config[auth.User], _ *env[auth.User]) { c.Sessions.HeaderTokens = on }
}

// tokenApp logs in on POST /login (switching to header transport when
// asked by ?token=1), answers the user on GET /who, logs out on POST
// /logout; each answer carries what BearerSession and SaveSession said.
func tokenApp(t *testing.T, e *env[auth.User]) http.Handler {
	a := e.a
	mux := http.NewServeMux()
	report := func(w http.ResponseWriter, r *http.Request) {
		bearer, found := a.BearerSession(r)
		tok, err := a.SaveSession(w, r)
		require.NoError(t, err)
		w.Header().Set("X-Bearer", map[bool]string{true: "1", false: "0"}[bearer])
		w.Header().Set("X-Found", map[bool]string{true: "1", false: "0"}[found])
		w.Header().Set("X-Saved", tok)
		w.Header().Set("X-User", a.User(r).Username())
	}
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("token") == "1" {
			require.NoError(t, a.UseHeaderToken(r))
		}
		u, err := e.store.GetUserByUsername(r.Context(), "ann")
		require.NoError(t, err)
		require.NoError(t, a.Login(r, u, ""))
		report(w, r)
	})
	mux.HandleFunc("GET /who", func(w http.ResponseWriter, r *http.Request) { report(w, r) })
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, a.Logout(r))
		report(w, r)
	})
	return a.Middleware(mux)
}

func call(h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestHeaderTokens: with SessionConfig.HeaderTokens a bearer token is the
// session, its cookie is ignored, the token changes are answered in
// Session-Token and no cookie is set; an unknown token is reported as
// not found.
func TestHeaderTokens(t *testing.T) {
	e := newEnv(t, withHeaderTokens(true))
	e.createUser("ann", "pw")
	e.createUser("bob", "pw")
	h := tokenApp(t, e)

	rec := call(h, http.MethodPost, "/login?token=1")
	require.Equal(t, http.StatusOK, rec.Code)
	tok := rec.Header().Get(auth.SessionTokenHeader)
	require.NotEmpty(t, tok)
	assert.Equal(t, tok, rec.Header().Get("X-Saved"), "SaveSession answers the token it saved")
	assert.Empty(t, rec.Header().Values("Set-Cookie"), "header transport sets no cookie")

	// A cookie login of another browser, whose cookie must not win over
	// the bearer token.
	crec := call(h, http.MethodPost, "/login")
	cookie := crec.Result().Cookies()
	require.Len(t, cookie, 1)
	assert.Empty(t, crec.Header().Get(auth.SessionTokenHeader))

	rec = call(h, http.MethodGet, "/who", "Authorization", "Bearer "+tok, "Cookie", cookie[0].String())
	assert.Equal(t, "ann", rec.Header().Get("X-User"))
	assert.Equal(t, "1", rec.Header().Get("X-Bearer"))
	assert.Equal(t, "1", rec.Header().Get("X-Found"))
	assert.Empty(t, rec.Header().Get(auth.SessionTokenHeader), "an unchanged session sends no token")
	assert.Contains(t, rec.Header().Values("Vary"), "Authorization")

	for _, bad := range []string{"Bearer nope", "Bearer ", "bearer " + tok + "x", "Bearer a b"} {
		rec = call(h, http.MethodGet, "/who", "Authorization", bad, "Cookie", cookie[0].String())
		assert.Equal(t, "", rec.Header().Get("X-User"), bad)
		assert.Equal(t, "1", rec.Header().Get("X-Bearer"), bad)
		assert.Equal(t, "0", rec.Header().Get("X-Found"), bad)
	}
	rec = call(h, http.MethodGet, "/who", "Authorization", "Basic abc", "Cookie", cookie[0].String())
	assert.Equal(t, "ann", rec.Header().Get("X-User"), "another scheme leaves the cookie in charge")
	assert.Equal(t, "0", rec.Header().Get("X-Bearer"))

	rec = call(h, http.MethodPost, "/logout", "Authorization", "Bearer "+tok)
	assert.Equal(t, []string{""}, rec.Header().Values(auth.SessionTokenHeader), "logout answers an empty token")
	assert.Empty(t, rec.Header().Values("Set-Cookie"))
	rec = call(h, http.MethodGet, "/who", "Authorization", "Bearer "+tok)
	assert.Equal(t, "0", rec.Header().Get("X-Found"), "the logged-out token is dead")
}

// TestHeaderTokensOff: without the setting the header is not read.
func TestHeaderTokensOff(t *testing.T) {
	e := newEnv(t)
	e.createUser("ann", "pw")
	h := tokenApp(t, e)
	rec := call(h, http.MethodPost, "/login")
	cookie := rec.Result().Cookies()
	require.Len(t, cookie, 1)
	rec = call(h, http.MethodGet, "/who", "Authorization", "Bearer "+cookie[0].Value)
	assert.Equal(t, "", rec.Header().Get("X-User"))
	assert.Equal(t, "0", rec.Header().Get("X-Bearer"))
	assert.False(t, e.a.HeaderTokens())
}

// stubLimiter refuses when wait is set and counts what it is told.
type stubLimiter struct {
	wait          time.Duration
	fails, succes int
}

func (l *stubLimiter) Check(context.Context, *http.Request, string, string) (time.Duration, bool, error) {
	return l.wait, l.wait > 0, nil
}
func (l *stubLimiter) Fail(context.Context, *http.Request, string, string) (time.Duration, bool, error) {
	l.fails++
	return 0, false, nil
}
func (l *stubLimiter) Succeed(context.Context, *http.Request, string, string) error {
	l.succes++
	return nil
}

// TestAuthenticateLogin covers the outcomes of the login check.
func TestAuthenticateLogin(t *testing.T) {
	l := &stubLimiter{}
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) { c.Limiter = l })
	e.createUser("ann", "pw")
	e.createUser("off", "pw", func(u *auth.User) { u.IsActive = false })
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	before := e.runs.Load()
	var fe *auth.LoginFormError
	_, _, err := e.a.AuthenticateLogin(r, "  ", "")
	require.ErrorAs(t, err, &fe)
	assert.ErrorIs(t, err, auth.ErrInvalid)
	assert.Equal(t, []string{auth.MsgRequired}, fe.UsernameErrors)
	assert.Equal(t, []string{auth.MsgRequired}, fe.PasswordErrors)
	_, _, err = e.a.AuthenticateLogin(r, "ann", "a\x00b")
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, []string{auth.MsgNullCharacters}, fe.PasswordErrors)
	assert.Equal(t, before, e.runs.Load(), "field errors hash nothing")

	_, _, err = e.a.AuthenticateLogin(r, "ann", "wrong")
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
	assert.Equal(t, 1, l.fails)
	u, backend, err := e.a.AuthenticateLogin(r, " ann ", "pw")
	require.NoError(t, err)
	assert.Equal(t, "ann", auth.UserOf(u).Username)
	assert.NotEmpty(t, backend)
	assert.Equal(t, 1, l.succes)

	l.wait = 3 * time.Second
	runs := e.runs.Load()
	var te *auth.ThrottledError
	_, _, err = e.a.AuthenticateLogin(r, "ann", "pw")
	require.ErrorAs(t, err, &te)
	assert.True(t, errors.Is(err, auth.ErrThrottled))
	assert.Equal(t, 3*time.Second, te.RetryAfter)
	assert.Equal(t, runs, e.runs.Load(), "a refused attempt hashes nothing")
	l.wait = 0

	_, _, err = e.a.AuthenticateLogin(r, "off", "pw")
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials, "the model backend refuses inactive users")
}
