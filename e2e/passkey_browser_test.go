package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/store/memory"
)

const passkeyPage = `<!doctype html><title>passkey test</title>
<script src="/passkey/passkey.js" data-prefix="/passkey/"></script>`

// executeAsync runs script with a callback as its last argument.
func (d *webDriver) executeAsync(ctx context.Context, script string, out any) error {
	return d.call(ctx, http.MethodPost, d.path("/execute/async"), map[string]any{"script": script, "args": []any{}}, out)
}

// TestBrowserPasskey registers a passkey through a WebDriver virtual
// authenticator, then signs in with it as a second factor and without a
// password, through passkey.js against the package's handlers.
func TestBrowserPasskey(t *testing.T) {
	requireBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmp := t.TempDir()

	store := memory.New[auth.User]()
	a, err := auth.New(auth.Config[auth.User]{
		Store: store, SecretKey: "passkey-browser-test-secret-key-0123456789-abcdefg",
		Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}},
		Logger:   slog.New(slog.DiscardHandler), AllowedHosts: []string{"localhost"},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	alice := auth.NewUser("alice")
	require.NoError(t, store.CreateUser(ctx, &alice))

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	origin := fmt.Sprintf("http://localhost:%d", port)
	p, err := passkey.New(passkey.Config{
		RPID: "localhost", RPOrigins: []string{origin}, RPDisplayName: "djauth test",
		Store: passkey.NewMemoryStore(), Sessions: a.Sessions(), UserActive: passkey.AuthUserActive(a),
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	passkey.NewHandler(a, p, passkey.HandlerConfig[auth.User]{}).Routes(mux, "/passkey/")
	mux.Handle("GET /{$}", a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, passkeyPage)
	})))
	mux.Handle("GET /test/login", a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, a.Login(r, &alice, ""))
		fmt.Fprint(w, "logged in")
	})))
	mux.Handle("GET /test/logout", a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, a.Logout(r))
		fmt.Fprint(w, "logged out")
	})))
	mux.Handle("GET /test/whoami", a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "user=%s device=%s", a.UserFromContext(r.Context()).Username(), a.Sessions().GetString(r.Context(), mfa.DeviceSessionKey))
	})))
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)

	d := startBrowser(ctx, t, tmp)
	require.NoError(t, d.addVirtualAuthenticator(ctx))

	run := func(call string) string {
		t.Helper()
		var res string
		require.NoError(t, d.executeAsync(ctx, `const done = arguments[arguments.length-1];
			`+call+`.then(r => done("ok " + JSON.stringify(r)), e => done("error " + (e.code || "") + " " + e.message));`, &res))
		return res
	}
	whoami := func() string {
		t.Helper()
		require.NoError(t, d.navigate(ctx, origin+"/test/whoami"))
		s, err := d.source(ctx)
		require.NoError(t, err)
		return s
	}

	// Register while logged in.
	require.NoError(t, d.navigate(ctx, origin+"/test/login"))
	require.NoError(t, d.navigate(ctx, origin+"/"))
	res := run(`djauthPasskey.register("Virtual key")`)
	require.Contains(t, res, `"name":"Virtual key"`, res)
	creds, err := p.Credentials(ctx, alice.ID)
	require.NoError(t, err)
	require.Len(t, creds, 1)
	require.True(t, creds[0].UserVerified)

	// Second factor for the logged-in user.
	res = run(`djauthPasskey.signIn()`)
	require.Equal(t, `ok {"ok":true}`, res)
	require.Contains(t, whoami(), fmt.Sprintf("user=alice device=djauth.passkey/%d", creds[0].ID))

	// Passwordless, after logging out.
	require.NoError(t, d.navigate(ctx, origin+"/test/logout"))
	require.Contains(t, whoami(), "user= device=")
	require.NoError(t, d.navigate(ctx, origin+"/"))
	require.Contains(t, run(`djauthPasskey.signIn()`), "error login_required")
	res = run(`djauthPasskey.signInPasswordless()`)
	require.Equal(t, `ok {"ok":true}`, res)
	require.Contains(t, whoami(), fmt.Sprintf("user=alice device=djauth.passkey/%d", creds[0].ID))
	creds, err = p.Credentials(ctx, alice.ID)
	require.NoError(t, err)
	require.False(t, creds[0].LastUsedAt.IsZero())
}
