package audit_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/audit"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/validation"
)

const secret = "audit-test-secret-key-0123456789-abcdefghijklmnop"

type site struct {
	a      *auth.Auth[auth.User]
	users  *memory.Store[auth.User]
	m      *accounts.Manager[auth.User]
	srv    *httptest.Server
	admin  *auth.User
	alice  *auth.User
	logBuf *strings.Builder
}

func newSite(t *testing.T, store audit.Store) (*site, *audit.Recorder[auth.User]) {
	t.Helper()
	s := &site{users: memory.New[auth.User](), logBuf: &strings.Builder{}}
	hs := hashers.New(hashers.MD5{})
	a, err := auth.New(auth.Config[auth.User]{
		Store: s.users, Hashers: hs, SecretKey: secret,
		Logger:   slog.New(slog.NewTextHandler(s.logBuf, nil)),
		Sessions: auth.SessionConfig{InsecureCookie: true},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	s.a = a
	s.m, err = accounts.New(a, accounts.Config{PasswordValidators: []validation.Validator{}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.m.Close() })
	mk := func(name string, super bool) *auth.User {
		u := auth.NewUser(name)
		u.IsSuperuser = super
		enc, err := hs.Make(t.Context(), "pw-"+name)
		require.NoError(t, err)
		u.Password = enc
		require.NoError(t, s.users.CreateUser(t.Context(), &u))
		return &u
	}
	s.admin, s.alice = mk("admin", true), mk("alice", false)
	rc, err := audit.NewRecorder(a, store, audit.RecorderConfig{})
	require.NoError(t, err)
	t.Cleanup(rc.Subscribe())
	t.Cleanup(rc.SubscribeAccounts(s.m))
	mux := http.NewServeMux()
	s.m.Routes(mux, "")
	stop := a.ImpersonationRoutes(mux, "")
	s.srv = httptest.NewServer(a.ImpersonationBanner(stop)(mux))
	t.Cleanup(s.srv.Close)
	return s, rc
}

func (s *site) client(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func post(t *testing.T, c *http.Client, u string, form url.Values, hdr ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "audit-test/1.0")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func (s *site) login(t *testing.T, c *http.Client, name, pw string) *http.Response {
	return post(t, c, s.srv.URL+"/accounts/login/", url.Values{"username": {name}, "password": {pw}})
}

func actions(es []audit.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, string(e.Action)+":"+strconv.FormatInt(e.ActorID, 10)+">"+strconv.FormatInt(e.TargetUserID, 10))
	}
	return out
}

func TestRecorderWritesTheTrail(t *testing.T) {
	store := &audit.MemoryStore{}
	s, rc := newSite(t, store)
	c := s.client(t)
	ids := func(u *auth.User) string { return strconv.FormatInt(u.ID, 10) }

	assert.Equal(t, http.StatusOK, s.login(t, c, "alice", "wrong-secret-password").StatusCode)
	require.Equal(t, http.StatusFound, s.login(t, c, "admin", "pw-admin").StatusCode)
	resp := post(t, c, s.srv.URL+auth.DefaultImpersonateURL, url.Values{"user_id": {ids(s.alice)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	// The password change page refuses while impersonating.
	resp = post(t, c, s.srv.URL+"/accounts/password_change/", url.Values{
		"old_password": {"pw-alice"}, "new_password1": {"n3w-pass"}, "new_password2": {"n3w-pass"}})
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	got, err := s.users.GetUser(t.Context(), s.alice.ID)
	require.NoError(t, err)
	assert.Equal(t, s.alice.Password, got.Password, "the password is unchanged")

	resp = post(t, c, s.srv.URL+auth.DefaultStopImpersonationURL, url.Values{})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp = post(t, c, s.srv.URL+"/accounts/password_change/", url.Values{
		"old_password": {"pw-admin"}, "new_password1": {"n3w-pass"}, "new_password2": {"n3w-pass"}})
	require.Equal(t, http.StatusFound, resp.StatusCode, "allowed once the admin is back")
	resp = post(t, c, s.srv.URL+"/accounts/logout/", url.Values{})
	require.Less(t, resp.StatusCode, 400)

	list, total, err := store.List(t.Context(), audit.Query{})
	require.NoError(t, err)
	a, al := ids(s.admin), ids(s.alice)
	assert.Equal(t, []string{
		"logout:" + a + ">" + a,
		"password_changed:" + a + ">" + a,
		"impersonation_ended:" + a + ">" + al,
		"impersonation_started:" + a + ">" + al,
		"login:" + a + ">" + a,
		"login_failed:0>0",
	}, actions(list))
	assert.Equal(t, 6, total)
	failed := list[5]
	assert.Equal(t, "alice", failed.ActorName)
	assert.Equal(t, "127.0.0.1", failed.RemoteAddr)
	assert.Equal(t, "audit-test/1.0", failed.UserAgent)
	for _, e := range list {
		for _, v := range append([]string{e.Message, e.ActorName, e.Object.Repr}, mapValues(e.Meta)...) {
			assert.NotContains(t, v, "wrong-secret-password")
			assert.NotContains(t, v, "pw-")
			assert.NotContains(t, v, "n3w-pass")
		}
	}
	assert.Equal(t, "admin", list[3].ActorName)
	assert.Equal(t, audit.Object{Type: "auth.user", ID: al, Repr: "alice"}, list[3].Object)
	assert.Equal(t, "true", list[2].Meta["restored"])
	assert.Equal(t, "django.contrib.auth.backends.ModelBackend", list[4].Meta["backend"])
	assert.Zero(t, rc.Failures())

	// Queries by actor and target.
	byTarget, n, err := store.List(t.Context(), audit.Query{TargetUserID: s.alice.ID})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, audit.ActionImpersonationEnded, byTarget[0].Action)
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

type failingStore struct{ audit.MemoryStore }

func (*failingStore) Record(context.Context, audit.Entry) (audit.Entry, error) {
	return audit.Entry{}, errors.New("database is down")
}

func TestRecorderFailureDoesNotBreakLogin(t *testing.T) {
	s, rc := newSite(t, &failingStore{})
	c := s.client(t)
	assert.Equal(t, http.StatusOK, s.login(t, c, "admin", "not-the-password").StatusCode)
	require.Equal(t, http.StatusFound, s.login(t, c, "admin", "pw-admin").StatusCode, "the login goes through")
	assert.EqualValues(t, 2, rc.Failures())
	logs := s.logBuf.String()
	assert.Contains(t, logs, "audit: cannot record")
	assert.Contains(t, logs, "database is down")
	assert.NotContains(t, logs, "not-the-password")
	assert.NotContains(t, logs, "pw-admin")
}

func TestNewRecorderErrors(t *testing.T) {
	_, err := audit.NewRecorder[auth.User](nil, &audit.MemoryStore{}, audit.RecorderConfig{})
	assert.Error(t, err)
}
