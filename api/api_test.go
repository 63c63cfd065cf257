package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/api"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/testkit"
)

const pw = "a-long-passphrase"

// signedIn returns a token client signed in as a new user.
func signedIn(t *testing.T, s *app, username string) *client {
	t.Helper()
	s.createUser(username, username+"@example.com", pw)
	c := s.client()
	r := c.do(http.MethodPost, "signin", map[string]any{"username": username, "password": pw, "transport": "token"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	return c
}

// TestBadInput: every malformed body is a 4xx in the one error shape,
// never a 500.
func TestBadInput(t *testing.T) {
	s := newApp(t, appOptions{})
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		code       string
		field      string
	}{
		{"malformed JSON", "signin", `{"username":`, 400, "bad_request", ""},
		{"not an object", "signin", `["a"]`, 400, "bad_request", ""},
		{"wrong type", "signin", `{"username":5,"password":"x"}`, 400, "bad_request", "username"},
		{"unknown field", "signin", `{"username":"a","password":"b","admin":true}`, 400, "bad_request", "admin"},
		{"trailing data", "signin", `{"username":"a","password":"b"} {}`, 400, "bad_request", ""},
		{"huge body", "signin", `{"username":"` + strings.Repeat("a", api.DefaultMaxBodyBytes+10) + `","password":"b"}`, 413, "body_too_large", ""},
		{"missing fields", "signin", `{}`, 422, "validation_failed", "password"},
		{"NUL in username", "signin", `{"username":"a\u0000b","password":"x"}`, 422, "validation_failed", "username"},
		{"bad transport", "signin", `{"username":"a","password":"b","transport":"pigeon"}`, 422, "validation_failed", "transport"},
		{"wrong type signup", "signup", `{"username":["x"]}`, 400, "bad_request", "username"},
		{"signup mismatch", "signup", `{"username":"new","password1":"a-long-passphrase","password2":"another-passphrase"}`, 422, "validation_failed", "password2"},
		{"mfa without code", "signin/mfa", `{"factor":"totp"}`, 422, "validation_failed", "code"},
		{"totp id type", "mfa/totp/confirm", `{"device_id":"one","code":"123456"}`, 400, "bad_request", "device_id"},
		{"reset confirm bad link", "password/reset/confirm", `{"uid":"zz","token":"x","new_password1":"a","new_password2":"a"}`, 400, "invalid_reset_link", ""},
		{"reset bad email", "password/reset", `{"email":"not an address"}`, 422, "validation_failed", "email"},
		{"verify bad email", "email/verify", `{"email":"nope","code":"ABC"}`, 422, "validation_failed", "email"},
		{"passwordless bad email", "passwordless/start", `{"email":"nope"}`, 422, "validation_failed", "email"},
		{"passwordless no code", "passwordless/verify", `{}`, 422, "validation_failed", "code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.client().do(http.MethodPost, tc.path, tc.body)
			require.Equal(t, tc.status, r.status, "%.300s", r.raw)
			assert.Equal(t, tc.code, r.code())
			if tc.field != "" {
				assert.Contains(t, r.fields(), tc.field)
			}
		})
	}
}

// TestUnauthenticated: the endpoints of a signed-in user answer 401
// not_authenticated to an anonymous request, and 401 invalid_token to a
// dead bearer token, whatever the endpoint.
func TestUnauthenticated(t *testing.T) {
	s := newApp(t, appOptions{})
	for _, ep := range []struct{ method, path string }{
		{"GET", "me"}, {"GET", "sessions"}, {"DELETE", "sessions/abc"}, {"POST", "sessions/revoke-others"},
		{"GET", "mfa/factors"}, {"POST", "mfa/totp/begin"}, {"POST", "mfa/totp/confirm"},
		{"POST", "mfa/recovery/regenerate"}, {"POST", "password/change"},
	} {
		t.Run(ep.method+" "+ep.path, func(t *testing.T) {
			var body any
			if ep.method != "GET" {
				body = map[string]any{}
			}
			if ep.path == "mfa/totp/confirm" {
				body = map[string]any{"device_id": 1, "code": "123456"}
			}
			r := s.client().do(ep.method, ep.path, body)
			require.Equal(t, http.StatusUnauthorized, r.status, "%.300s", r.raw)
			assert.Equal(t, "not_authenticated", r.code())
			c := s.client()
			c.token = "not-a-live-session-token"
			r = c.do(ep.method, ep.path, body)
			require.Equal(t, http.StatusUnauthorized, r.status)
			assert.Equal(t, "invalid_token", r.code())
			assert.Equal(t, `Bearer realm="api"`, r.header.Get("WWW-Authenticate"))
		})
	}
	c := s.client()
	c.token = "not-a-live-session-token"
	r := c.do(http.MethodPost, "signin", map[string]any{"username": "a", "password": "b"})
	assert.Equal(t, "invalid_token", r.code(), "a dead token is refused even on sign-in: drop it")
}

// TestSignin covers the answers of a password sign-in.
func TestSignin(t *testing.T) {
	s := newApp(t, appOptions{})
	s.createUser("ann", "ann@example.com", pw)
	r := s.client().do(http.MethodPost, "signin", map[string]any{"username": "ann", "password": "wrong"})
	require.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "invalid_credentials", r.code())
	assert.Equal(t, auth.MsgInvalidLogin, r.body["error"].(map[string]any)["message"])

	u := s.createUser("off", "off@example.com", pw)
	u.IsActive = false
	require.NoError(t, s.store.UpdateUser(context.Background(), u))
	r = s.client().do(http.MethodPost, "signin", map[string]any{"username": "off", "password": pw})
	assert.Equal(t, http.StatusUnauthorized, r.status, "the model backend refuses inactive users as wrong passwords")

	// Throttled as the login page: after the failures the rule allows,
	// 429 with Retry-After, and no password is checked.
	var last *reply
	for range 30 {
		last = s.client().do(http.MethodPost, "signin", map[string]any{"username": "ann", "password": "wrong"})
		if last.status == http.StatusTooManyRequests {
			break
		}
	}
	require.Equal(t, http.StatusTooManyRequests, last.status)
	assert.Equal(t, "throttled", last.code())
	assert.NotEmpty(t, last.header.Get("Retry-After"))
}

// TestCookieTransport: a browser signs in with the cookie; the body holds
// no token, and the cookie alone authenticates.
func TestCookieTransport(t *testing.T) {
	s := newApp(t, appOptions{})
	s.createUser("bob", "bob@example.com", pw)
	c := s.client()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c.c.Jar = jar
	r := c.do(http.MethodPost, "signin", map[string]any{"username": "bob", "password": pw})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.NotContains(t, r.body, "session_token")
	assert.Empty(t, r.header.Get("Session-Token"))
	assert.NotEmpty(t, r.header.Values("Set-Cookie"))
	r = c.do(http.MethodGet, "me", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "bob", r.body["user"].(map[string]any)["username"])

	// A cookie request from another site is refused before any work, and
	// so is a body that a cross-site form could send.
	for _, tc := range []struct {
		name   string
		header map[string]string
		ctype  string
		status int
		code   string
	}{
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}, "application/json", 403, "csrf_failed"},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, "application/json", 403, "csrf_failed"},
		{"form encoded", nil, "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
		{"text/plain", nil, "text/plain", 415, "unsupported_media_type"},
		{"no content type", nil, "", 415, "unsupported_media_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, s.srv.URL+api.DefaultPrefix+"signout", strings.NewReader(`{}`))
			require.NoError(t, err)
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := c.c.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode)
			r := c.do(http.MethodGet, "me", nil)
			assert.Equal(t, http.StatusOK, r.status, "still signed in")
		})
	}
	r = c.do(http.MethodPost, "signout", nil)
	assert.Equal(t, http.StatusUnsupportedMediaType, r.status, "a cookie request always needs the JSON content type")
	r = c.do(http.MethodPost, "signout", map[string]any{})
	require.Equal(t, http.StatusOK, r.status)
	r = c.do(http.MethodGet, "me", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status)
}

// TestBearerNotCSRFChecked: a bearer request is no ambient credential;
// the origin check does not apply to it.
func TestBearerNotCSRFChecked(t *testing.T) {
	s := newApp(t, appOptions{})
	c := signedIn(t, s, "cat")
	c.header.Set("Sec-Fetch-Site", "cross-site")
	c.header.Set("Origin", "https://app.example")
	r := c.do(http.MethodPost, "sessions/revoke-others", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, float64(0), r.body["revoked"])
}

// TestSessions: revoke-others, revoking the current session, an unknown
// session.
func TestSessions(t *testing.T) {
	s := newApp(t, appOptions{})
	c := signedIn(t, s, "dan")
	c2 := s.client()
	r := c2.do(http.MethodPost, "signin", map[string]any{"username": "dan", "password": pw, "transport": "token"})
	require.Equal(t, http.StatusOK, r.status)
	r = c.do(http.MethodDelete, "sessions/unknown", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "not_found", r.code())
	r = c.do(http.MethodPost, "sessions/revoke-others", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, float64(1), r.body["revoked"])
	assert.Equal(t, "invalid_token", c2.do(http.MethodGet, "me", nil).code())

	r = c.do(http.MethodGet, "sessions", nil)
	id := r.body["sessions"].([]any)[0].(map[string]any)["id"].(string)
	r = c.do(http.MethodDelete, "sessions/"+id, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, true, r.body["current"])
	assert.Equal(t, "", c.token)
}

// TestPasswordChangeAndReset: the password change renews this session's
// token and ends the others; a reset by mail sets a new password.
func TestPasswordChangeAndReset(t *testing.T) {
	s := newApp(t, appOptions{})
	c := signedIn(t, s, "eve")
	other := s.client()
	other.do(http.MethodPost, "signin", map[string]any{"username": "eve", "password": pw, "transport": "token"})
	before := c.token
	r := c.do(http.MethodPost, "password/change", map[string]any{"old_password": "wrong", "new_password1": "new-long-passphrase", "new_password2": "new-long-passphrase"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.fields(), "old_password")
	r = c.do(http.MethodPost, "password/change", map[string]any{"old_password": pw, "new_password1": "new-long-passphrase", "new_password2": "new-long-passphrase"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.NotEqual(t, before, c.token)
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "me", nil).status)
	assert.Equal(t, http.StatusUnauthorized, other.do(http.MethodGet, "me", nil).status, "the other session ended")

	r = s.client().do(http.MethodPost, "password/reset", map[string]any{"email": "eve@example.com"})
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.raw)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := s.outbox.Wait(ctx, func(m testkitMessage) bool { return strings.Contains(m.Text, "/reset/") })
	require.NoError(t, err)
	parts := regexp.MustCompile(`/reset/([^/]+)/([^/]+)/`).FindStringSubmatch(testkit.Link(m, ""))
	require.Len(t, parts, 3, m.Text)
	r = s.client().do(http.MethodPost, "password/reset/confirm", map[string]any{"uid": parts[1], "token": parts[2], "new_password1": "x", "new_password2": "x"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.raw)
	assert.Contains(t, r.fields(), "new_password2")
	r = s.client().do(http.MethodPost, "password/reset/confirm", map[string]any{"uid": parts[1], "token": parts[2], "new_password1": "reset-long-passphrase", "new_password2": "reset-long-passphrase"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, http.StatusUnauthorized, c.do(http.MethodGet, "me", nil).status, "a reset ends every session")
	r = s.client().do(http.MethodPost, "password/reset/confirm", map[string]any{"uid": parts[1], "token": parts[2], "new_password1": "reset-long-passphrase", "new_password2": "reset-long-passphrase"})
	assert.Equal(t, "invalid_reset_link", r.code(), "a reset link works once")
	r = s.client().do(http.MethodPost, "signin", map[string]any{"username": "eve", "password": "reset-long-passphrase"})
	assert.Equal(t, http.StatusOK, r.status)
}

// TestPasswordless signs in with a mailed code on a token session.
func TestPasswordless(t *testing.T) {
	s := newApp(t, appOptions{})
	s.createUser("fay", "fay@example.com", pw)
	c := s.client()
	r := c.do(http.MethodPost, "passwordless/start", map[string]any{"email": "fay@example.com", "transport": "token"})
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.raw)
	require.NotEmpty(t, c.token, "the request is bound to this session, whose token the client now holds")
	r = c.do(http.MethodPost, "passwordless/verify", map[string]any{"code": "WRONG1"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.raw)
	code := s.mailCode("fay@example.com")
	s.advance(time.Minute)
	r = c.do(http.MethodPost, "passwordless/verify", map[string]any{"code": code})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "authenticated", r.body["status"])
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "me", nil).status)
}

// TestSignupCookieNoEmails: without email addresses configured a sign-up
// logs in at once, as the sign-up page does; a username in use is a field
// error.
func TestSignupCookieNoEmails(t *testing.T) {
	a, err := auth.New(auth.Config[auth.User]{Store: memory.New[auth.User](), SecretKey: testKey, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	acc, err := accounts.New(a, accounts.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = acc.Close() })
	x, err := api.New(api.Config[auth.User]{Accounts: acc, Prefix: "/auth/"})
	require.NoError(t, err)
	mux := http.NewServeMux()
	x.Routes(mux)
	rec := serve(t, a.Middleware(mux), http.MethodPost, "/auth/signup", `{"username":"gus","password1":"a-long-passphrase","password2":"a-long-passphrase"}`)
	require.Equal(t, http.StatusCreated, rec.status, "%s", rec.raw)
	assert.Equal(t, "authenticated", rec.body["status"])
	rec = serve(t, a.Middleware(mux), http.MethodPost, "/auth/signup", `{"username":"GUS","password1":"a-long-passphrase","password2":"a-long-passphrase"}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.status)
	assert.Contains(t, rec.fields(), "username")
	rec = serve(t, a.Middleware(mux), http.MethodPost, "/auth/signup", `{"username":"tok","password1":"a-long-passphrase","password2":"a-long-passphrase","transport":"token"}`)
	assert.Equal(t, http.StatusNotFound, rec.status, "no token transport without HeaderTokens")
	assert.Equal(t, "not_configured", rec.code())
	for _, p := range []string{"/auth/email/verify", "/auth/password/reset", "/auth/passwordless/start", "/auth/social/x/start", "/auth/passkey/login/begin", "/auth/signin/mfa"} {
		rec = serve(t, a.Middleware(mux), http.MethodPost, p, `{}`)
		assert.Equal(t, http.StatusNotFound, rec.status, p)
		assert.Equal(t, "not_configured", rec.code(), p)
	}
	rec = serve(t, a.Middleware(mux), http.MethodGet, "/auth/nothing-here", "")
	assert.Equal(t, http.StatusNotFound, rec.status)
	assert.Equal(t, "not_found", rec.code())
}

// TestNewRefuses checks New's configuration errors.
func TestNewRefuses(t *testing.T) {
	_, err := api.New(api.Config[auth.User]{})
	assert.ErrorIs(t, err, auth.ErrConfig)
	s := newApp(t, appOptions{})
	_, err = api.New(api.Config[auth.User]{Accounts: s.acc, Prefix: "api"})
	assert.ErrorIs(t, err, auth.ErrConfig)
}

// TestOrgs: members, invitations and their acceptance, and the refusals
// of non-members.
func TestOrgs(t *testing.T) { eachStore(t, testOrgs) }

func testOrgs(t *testing.T, pg bool) {
	s := newApp(t, appOptions{pg: pg})
	owner := signedIn(t, s, "olga")
	r := owner.do(http.MethodPost, "orgs", map[string]any{"name": "Team", "slug": "team"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	id := int64(r.body["organization"].(map[string]any)["id"].(float64))
	path := "orgs/" + strconv.FormatInt(id, 10)
	r = owner.do(http.MethodPost, "orgs", map[string]any{"name": "Team", "slug": "team"})
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.fields(), "slug")

	peer := signedIn(t, s, "pete")
	r = peer.do(http.MethodGet, path+"/members", nil)
	assert.Equal(t, http.StatusNotFound, r.status, "a non-member cannot tell the organization exists")
	r = peer.do(http.MethodPost, path+"/invitations", map[string]any{"email": "x@example.com"})
	assert.Equal(t, http.StatusNotFound, r.status)
	r = peer.do(http.MethodPost, "orgs/switch", map[string]any{"org_id": id})
	assert.Equal(t, http.StatusNotFound, r.status)
	r = peer.do(http.MethodGet, "orgs/nope/members", nil)
	assert.Equal(t, http.StatusNotFound, r.status)

	r = owner.do(http.MethodPost, path+"/invitations", map[string]any{"email": "pete@example.com"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := s.outbox.Wait(ctx, func(m testkitMessage) bool { return strings.Contains(m.Text, "/invitations/accept/") })
	require.NoError(t, err)
	link := testkit.Link(m, "http://127.0.0.1/orgs/invitations/accept/")
	require.NotEmpty(t, link, m.Text)
	token := strings.TrimSuffix(strings.TrimPrefix(link, "http://127.0.0.1/orgs/invitations/accept/"), "/")

	r = peer.do(http.MethodPost, "orgs/invitations/accept", map[string]any{"token": "wrong"})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "invalid_invitation", r.code())
	r = peer.do(http.MethodPost, "orgs/invitations/accept", map[string]any{"token": token})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	r = peer.do(http.MethodGet, path+"/members", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Len(t, r.body["members"].([]any), 2)
	r = peer.do(http.MethodPost, path+"/invitations", map[string]any{"email": "y@example.com"})
	assert.Equal(t, http.StatusForbidden, r.status, "members who are not admins may not invite")
	assert.Equal(t, "forbidden", r.code())
}

// TestPasskeyProxied: the passkey ceremonies of package mfa/passkey
// answer in the API's shape: options for a signed-in user's
// registration, the API's errors otherwise.
func TestPasskeyProxied(t *testing.T) {
	s := newApp(t, appOptions{})
	r := s.client().do(http.MethodPost, "passkey/register/begin", map[string]any{})
	assert.Equal(t, http.StatusUnauthorized, r.status, "%s", r.raw)
	assert.Equal(t, "not_authenticated", r.code())
	c := signedIn(t, s, "pia")
	r = c.do(http.MethodPost, "passkey/register/begin", map[string]any{})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Contains(t, r.body, "publicKey")
	r = c.do(http.MethodPost, "passkey/register/finish", map[string]any{"name": "Key", "credential": map[string]any{"id": "x"}})
	assert.GreaterOrEqual(t, r.status, 400)
	assert.NotEmpty(t, r.code(), "%s", r.raw)
	r = s.client().do(http.MethodPost, "passkey/login/finish", `{"credential":`)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "bad_request", r.code())
}
