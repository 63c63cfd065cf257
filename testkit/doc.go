// Package testkit helps an app test its use of djauth: an outbox that
// records the mails the app sends and waits for them, a direct login for
// handler tests, and a real OpenID provider with a browser that logs in
// through it.
//
//	func TestDashboard(t *testing.T) {
//		ctx := context.Background()
//		a, _ := auth.New(auth.Config[auth.User]{Store: users, SecretKey: key})
//		cookie, err := testkit.LoginUser(ctx, a, alice, testkit.LoginOptions{})
//		req := httptest.NewRequest("GET", "/dashboard/", nil)
//		req.AddCookie(cookie)
//		rec := httptest.NewRecorder()
//		a.Middleware(app).ServeHTTP(rec, req) // alice's page
//	}
//
// # Mail
//
// Outbox is a mail.Sender to give the app (accounts.Config.Mailer,
// passwordless.Config.Mailer): it keeps every message, and Wait / WaitTo
// wait for one that a mail queue sends from its own goroutine, without
// sleeping. Link picks the link a test follows out of a message.
//
// # Social login
//
// StartOIDCProvider starts panva's oidc-provider 9 in a Node.js process on
// 127.0.0.1 with the clients and accounts of the test (npm ci installs it
// the first time, into this module's testdata or, from the module cache,
// a copy in the user's cache directory; DJAUTH_OIDC_PROVIDER_DIR points at
// an installed copy). Without node and npm on PATH the test is skipped,
// and it fails instead when the environment variable CI is true.
//
// RunSocialLogin drives a login the way a browser does, with a cookie
// jar: the app's POST that starts it, the provider's login form, the
// callback, and returns the app's session cookie. It works against an
// OIDCProvider or any provider whose login page is a plain HTML form, so
// an app can point it at its own staging issuer.
package testkit
