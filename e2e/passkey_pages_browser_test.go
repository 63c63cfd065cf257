package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/store/memory"
)

// TestBrowserPasskeyPages drives the real pages of package accounts with
// a WebDriver virtual authenticator: a passkey added on the management
// page, a password login finished with "Use a passkey" on the challenge
// page, and "Sign in with a passkey" on the login page.
func TestBrowserPasskeyPages(t *testing.T) {
	requireBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmp := t.TempDir()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	origin := fmt.Sprintf("http://localhost:%d", l.Addr().(*net.TCPAddr).Port)

	store := memory.New[auth.User]()
	// The Flow binds the Passkeys to the Auth's sessions in auth.New, and
	// accounts finds it among the Flow's factors.
	p, err := passkey.New(passkey.Config{RPID: "localhost", RPOrigins: []string{origin}, Store: passkey.NewMemoryStore()})
	require.NoError(t, err)
	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{p}})
	require.NoError(t, err)
	reg := hashers.New(hashers.MD5{})
	a, err := auth.New(auth.Config[auth.User]{
		Store: store, Hashers: reg, SecretKey: "passkey-pages-browser-test-secret-key-0123456789",
		Logger: slog.New(slog.DiscardHandler), AllowedHosts: []string{"localhost"},
		Sessions: auth.SessionConfig{InsecureCookie: true}, SecondFactor: flow,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	m, err := accounts.New(a, accounts.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	alice := auth.NewUser("alice")
	alice.Password, err = reg.Make(ctx, "correct horse")
	require.NoError(t, err)
	require.NoError(t, store.CreateUser(ctx, &alice))

	mux := http.NewServeMux()
	m.Routes(mux, "")
	srv := httptest.NewUnstartedServer(a.Middleware(mux))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)

	d := startBrowser(ctx, t, tmp)
	require.NoError(t, d.addVirtualAuthenticator(ctx))

	passwordLogin := func() {
		t.Helper()
		require.NoError(t, d.navigate(ctx, origin+"/accounts/login/"))
		require.NoError(t, d.typeInto(ctx, "#id_username", "alice"))
		require.NoError(t, d.typeInto(ctx, "#id_password", "correct horse"))
		require.NoError(t, d.click(ctx, `form[method="post"] button[type="submit"]`))
	}
	logout := func() {
		t.Helper()
		require.NoError(t, d.navigate(ctx, origin+"/accounts/profile/"))
		require.NoError(t, d.click(ctx, `form[action="/accounts/logout/"] button`))
		require.NoError(t, d.waitSource(ctx, "Log in again"))
	}
	profile := func() {
		t.Helper()
		_, err := d.waitURL(ctx, hasSuffixPath("/accounts/profile/"))
		require.NoError(t, err)
		require.NoError(t, d.waitSource(ctx, "You are logged in as alice."))
	}

	// Add a passkey on the management page (no device yet: the password
	// login is step-up enough).
	passwordLogin()
	profile()
	require.NoError(t, d.navigate(ctx, origin+m.PasskeysURL("")))
	require.NoError(t, d.waitSource(ctx, "You have no passkeys yet."))
	require.NoError(t, d.typeInto(ctx, "#id_passkey_name", "Virtual key"))
	require.NoError(t, d.click(ctx, `form[data-djauth-passkey="register"] button[type="submit"]`))
	_, err = d.waitURL(ctx, hasSuffixPath("/accounts/mfa/passkeys/?added=1"))
	require.NoError(t, err)
	require.NoError(t, d.waitSource(ctx, "<h2>Virtual key</h2>"))
	creds, err := p.Credentials(ctx, alice.ID)
	require.NoError(t, err)
	require.Len(t, creds, 1)

	// Password, then the challenge page's "Use a passkey". The login
	// page's passkey autofill would answer at once with the virtual
	// authenticator (it needs no click), so the password form is posted
	// from the logout page, which has no passkey script.
	logout()
	require.NoError(t, d.navigate(ctx, origin+"/accounts/logout/"))
	var res string
	require.NoError(t, d.executeAsync(ctx, `const done = arguments[arguments.length-1];
		const f = document.createElement("form"); f.method = "post"; f.action = "/accounts/login/";
		for (const [k, v] of [["username", "alice"], ["password", "correct horse"]]) {
			const i = document.createElement("input"); i.name = k; i.value = v; f.appendChild(i);
		}
		document.body.appendChild(f); f.submit(); done("ok");`, &res))
	_, err = d.waitURL(ctx, hasSuffixPath("/accounts/mfa/challenge/"))
	require.NoError(t, err)
	require.NoError(t, d.click(ctx, `button[data-djauth-passkey="signin"]`))
	profile()

	// Passwordless from the login page: the virtual authenticator
	// answers the autofill (conditional mediation) started on page load
	// without a click; when it does not, the button signs in.
	logout()
	require.NoError(t, d.navigate(ctx, origin+"/accounts/login/"))
	if err := d.click(ctx, `button[data-djauth-passkey="passwordless"]`); err != nil {
		t.Logf("button gone (autofill signed in first): %v", err)
	}
	profile()
	creds, err = p.Credentials(ctx, alice.ID)
	require.NoError(t, err)
	require.False(t, creds[0].LastUsedAt.IsZero())
	require.True(t, strings.HasPrefix(creds[0].Name, "Virtual key"))
}
