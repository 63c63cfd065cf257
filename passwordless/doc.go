// Package passwordless logs users in by email, without a password: a
// mail carries a magic link and a short code that can be typed instead.
// It is a first factor: completion goes through auth.Auth.Login, so the
// second step of an mfa.Flow still applies.
//
//	pl, err := passwordless.New[auth.User](passwordless.Config{
//		Store:  passwordless.NewMemoryStore(), // or postgres.NewPasswordlessStore(pool)
//		Mailer: &mail.Console{W: os.Stderr},
//	})
//	a, err := auth.New(auth.Config[auth.User]{Store: users, SecretKey: key,
//		Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, pl}})
//	acc, err := accounts.New(a, accounts.Config{Passwordless: true})
//	acc.Routes(mux, "") // the pages: /accounts/passwordless/, code/, link/{id}/{token}/
//
// The pages of package accounts call Start, CheckLink and
// auth.Auth.Authenticate; an app with its own pages calls them the same
// way (Start's linkBase is where the link's ID and token are appended).
//
// # Requests
//
// Backend.Start stores a request and queues its mail. The link and the
// code are one request: using either consumes both (Store.Consume is
// atomic: of two concurrent completions exactly one logs in). A request
// works for Config.Timeout (15 minutes), takes Config.MaxAttempts
// verifications (5) and is then void; a new request voids the user's
// older ones unless Config.KeepOlder. The store keeps HMACs of the link
// token, the code and the browser nonce, keyed by the site's secret key;
// comparisons are constant-time.
//
// # Browser binding
//
// Start puts the request's ID and a random nonce in the asking browser's
// session (SessionKey). By default a link and a code complete only in a
// session holding that nonce; with Config.Unbound the link completes in
// any browser, after a confirmation there. A code always needs the
// asking session, which names the request it belongs to. Following a link
// (GET, Backend.CheckLink) never consumes it: mail scanners fetch links.
//
// # Same answer for every address
//
// Start answers alike for addresses with and without an account: for an
// unknown address, an inactive user, an address several users share or
// (with Config.Emails) one that is not verified, it stores a request
// (UserID 0, never completing) and puts its nonce in the session all the
// same, and queues no mail. Mails are sent by the Backend's workers, so
// that the answer's timing does not depend on the Mailer. Users whose
// password is unusable may log in this way.
//
// # Throttling
//
// With auth.Config.Limiter set, each request counts (ScopeRequest, per
// address and per client), and wrong codes and links count per user
// (ScopeCode); a refusal is a *ThrottledError, answered with 429 and
// Retry-After. Failed codes send auth's UserLoginFailed signal with the
// secrets cleansed.
package passwordless
