package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// stepTwo is a SecondFactor that requires a second step of the users it
// names and keeps who is pending in the session, as package mfa does.
type stepTwo struct {
	mu       sync.Mutex
	a        *auth.Auth[auth.User]
	required map[string]bool
	err      error
	binds    int
}

func (s *stepTwo) Bind(a *auth.Auth[auth.User]) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.a = a
	s.binds++
	return nil
}

func (s *stepTwo) Required(ctx context.Context, u *auth.User) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.required[u.Username], s.err
}

func (s *stepTwo) Begin(r *http.Request, u *auth.User, backend string) error {
	s.a.Sessions().Put(r.Context(), "pending", u.Username)
	return nil
}

func (s *stepTwo) ChallengeURL() string { return "/two/" }

func TestSecondFactorHook(t *testing.T) {
	t.Parallel()
	sf := &stepTwo{required: map[string]bool{"alice": true}}
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) { c.SecondFactor = sf })
	require.Equal(t, 1, sf.binds)
	require.Same(t, auth.SecondFactor[auth.User](sf), e.a.SecondFactor())
	alice := e.createUser("alice", "pw")
	e.createUser("bob", "pw")
	var (
		mu     sync.Mutex
		logins []auth.LoggedIn[auth.User]
	)
	t.Cleanup(e.a.Signals().UserLoggedIn.Connect(func(_ context.Context, l auth.LoggedIn[auth.User]) {
		mu.Lock()
		logins = append(logins, l)
		mu.Unlock()
	}))
	mux := http.NewServeMux()
	e.a.Routes(mux, "")
	mux.HandleFunc("/whoami/", func(w http.ResponseWriter, r *http.Request) {
		ru := e.a.User(r)
		fmt.Fprintf(w, "%s id=%q pending=%q", ru, e.a.Sessions().GetString(r.Context(), auth.SessionKeyUserID),
			e.a.Sessions().GetString(r.Context(), "pending"))
	})
	mux.HandleFunc("/two/", func(w http.ResponseWriter, r *http.Request) {
		u, err := e.store.GetUserByUsername(r.Context(), e.a.Sessions().GetString(r.Context(), "pending"))
		if err == nil {
			err = e.a.LoginVerified(r, u, "", auth.Verification{Factor: "totp", Device: "otp_totp.totpdevice/1"})
		}
		_, _ = io.WriteString(w, fmt.Sprint(err))
	})
	h := e.a.Middleware(mux)
	text := func(c *client, target string) string {
		resp := c.get(target)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}

	// bob is logged in first on the session; alice's password ends that.
	c := newClient(t, h)
	c.post("/accounts/login/", url.Values{"username": {"bob"}, "password": {"pw"}})
	require.Contains(t, text(c, "/whoami/"), "bob")
	before := c.session()
	resp := c.post("/accounts/login/?next=/reports/", url.Values{"username": {"alice"}, "password": {"pw"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "/two/?next=/reports/", resp.Header.Get("Location"))
	require.NotEqual(t, before, c.session())
	require.Equal(t, `AnonymousUser id="" pending="alice"`, text(c, "/whoami/"))
	require.Nil(t, lastLogin(t, e, alice.ID), "no last login before the second step")
	require.Len(t, logins, 1, "bob's login only")

	pending := c.session()
	require.Equal(t, "<nil>", text(c, "/two/"))
	require.NotEqual(t, pending, c.session())
	require.Contains(t, text(c, "/whoami/"), `alice id="`)
	require.Len(t, logins, 2)
	require.Equal(t, "totp", logins[1].Factor)
	require.Equal(t, "otp_totp.totpdevice/1", logins[1].Device)
	require.NotNil(t, lastLogin(t, e, alice.ID))
	require.Empty(t, logins[0].Factor)

	// An unknown answer fails the login closed.
	sf.mu.Lock()
	sf.err = errors.New("factor store down")
	sf.mu.Unlock()
	c2 := newClient(t, h)
	resp = c2.post("/accounts/login/", url.Values{"username": {"bob"}, "password": {"pw"}})
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	require.Contains(t, text(c2, "/whoami/"), "AnonymousUser")
}

func TestLoginVerifiedNeedsFactor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("alice", "pw")
	var err error
	h := e.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err = e.a.LoginVerified(r, u, "", auth.Verification{})
	}))
	newClient(t, h).get("/")
	require.Error(t, err)
}

func lastLogin(t *testing.T, e *env[auth.User], id int64) any {
	t.Helper()
	u, err := e.store.GetUser(context.Background(), id)
	require.NoError(t, err)
	if u.LastLogin == nil {
		return nil
	}
	return *u.LastLogin
}
