package testkit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/testkit"
)

const secret = "testkit-secret-key-0123456789-abcdefghijklmnopqrstu"

func TestOutbox(t *testing.T) {
	ctx := context.Background()
	var o testkit.Outbox
	require.ErrorIs(t, o.Send(ctx, mail.Message{From: "a@example.com", Subject: "no recipient"}), mail.ErrInvalidMessage)
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	_, err := o.WaitTo(short, "bob@example.com")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NoError(t, o.Send(ctx, mail.Message{From: "a@example.com", To: []string{"Bob <bob@example.com>"}, Subject: "hi", Text: "x"}))
	m, err := o.WaitTo(ctx, "BOB@example.com")
	require.NoError(t, err)
	assert.Equal(t, "hi", m.Subject)
	assert.Equal(t, 1, o.Len())
	o.Reset()
	assert.Empty(t, o.Messages())
	assert.Equal(t, "", testkit.Link(m, "https://"))
}

func TestLoginUserErrors(t *testing.T) {
	ctx := context.Background()
	users := memory.New[auth.User]()
	a, err := auth.New(auth.Config[auth.User]{Store: users, SecretKey: secret})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	ghost := auth.NewUser("ghost") // never stored: no ID
	_, err = testkit.LoginUser(ctx, a, &ghost, testkit.LoginOptions{})
	require.ErrorContains(t, err, "no ID")
	_, err = testkit.LoginUser[auth.User](ctx, nil, &ghost, testkit.LoginOptions{})
	require.Error(t, err)
}

// TestRunSocialLogin logs a user in to a site with package social through
// a real OpenID provider.
func TestRunSocialLogin(t *testing.T) {
	testkit.NeedNode(t)
	port, err := testkit.FreePort()
	require.NoError(t, err)
	issuer := fmt.Sprintf("http://127.0.0.1:%d", port)
	users := memory.New[auth.User]()
	a, err := auth.New(auth.Config[auth.User]{Store: users, SecretKey: secret, Hashers: hashers.New(hashers.MD5{}),
		Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, social.NewBackend[auth.User]("")},
		Sessions: auth.SessionConfig{InsecureCookie: true}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	p, err := social.NewOIDC(social.OIDCConfig{ID: "op", Name: "OP", Issuer: issuer, ClientID: "c", ClientSecret: "s"})
	require.NoError(t, err)
	s, err := social.New(a, social.Config[auth.User]{Store: social.NewMemoryStore(), BaseURL: srv.URL, Providers: []social.Provider{p}, SignUp: true})
	require.NoError(t, err)
	testkit.StartOIDCProvider(t, testkit.OIDCProviderConfig{Port: port,
		Clients:  []testkit.OIDCClient{{ID: "c", Secret: "s", RedirectURIs: []string{s.CallbackURL("op")}}},
		Accounts: map[string]map[string]any{"grace": {"email": "grace@example.com", "email_verified": true, "preferred_username": "grace"}}})
	mux := http.NewServeMux()
	mux.Handle("/accounts/social/", s.Handler())
	mux.Handle("/whoami/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "user=", a.User(r).Username())
	}))
	h = a.Middleware(mux)

	res, err := testkit.RunSocialLogin(context.Background(), testkit.SocialLogin{StartURL: srv.URL + s.LoginURL("op"), Login: "grace",
		Form: url.Values{"next": {"/whoami/"}}})
	require.NoError(t, err)
	require.NotNil(t, res.Session)
	assert.Equal(t, "user=grace", res.Body)
	// The session cookie alone is the login.
	req := httptest.NewRequest("GET", "/whoami/", nil)
	req.AddCookie(res.Session)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, "user=grace", rec.Body.String())
}
