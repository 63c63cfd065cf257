// Package passkey is djauth's passkeys: WebAuthn credentials, through
// github.com/go-webauthn/webauthn, used as a second factor after a
// password or, being discoverable and user-verified, to sign in without
// one.
//
//	p, err := passkey.New(passkey.Config{
//		RPID:       "example.com",
//		RPOrigins:  []string{"https://example.com"},
//		Store:      passkey.NewMemoryStore(), // or postgres.NewPasskeyStore(pool)
//		Sessions:   a.Sessions(),
//		UserActive: passkey.AuthUserActive(a),
//	})
//	passkey.NewHandler(a, p, passkey.HandlerConfig[auth.User]{}).Routes(mux, "/passkey/")
//
// and in a page: <script src="/passkey/passkey.js"></script>, then
// djauthPasskey.register("Laptop"), djauthPasskey.signIn() (second factor),
// djauthPasskey.signInPasswordless() or djauthPasskey.signInConditional()
// (passkey autofill on an <input autocomplete="username webauthn">).
//
// # Ceremonies
//
// Each ceremony is a begin, which returns the options for
// navigator.credentials, and a finish, which verifies the browser's answer.
// The challenge and the rest of go-webauthn's SessionData live in the
// request's session (never in the browser), for CeremonyTimeout (five
// minutes), and are removed by the finish whatever its outcome, so a
// response cannot be replayed. Registration and second-factor sign-in are
// bound to the user they were begun for; a second-factor finish accepts
// only a credential of that user. Passwordless sign-in maps the user
// handle in the response back to the user and refuses inactive ones. The
// user handle is 32 random bytes per user, never the ID or username.
//
// The ceremony methods need the request's session in ctx: without one
// they return an error wrapping auth.ErrNoSession (never scs's panic).
// A passwordless sign-in logs in through auth.Auth.LoginVerified with
// factor "passkey": a user-verified passkey is two factors, so
// Config.SecondFactor asks for no second step. With auth.Config.Limiter
// set, the finish endpoints are throttled under LimitScope (429 with
// Retry-After). Package passkeytest has a software Authenticator for
// tests without a browser.
//
// # What passkeys protect against
//
// A passkey is bound to the RP ID and checked against the origin, so a
// phishing site cannot obtain a signature usable here; the server holds
// only public keys, so a database leak reveals no secret to replay; there
// is nothing to guess, reuse or type. A signature counter that does not
// increase (go-webauthn's clone warning) marks the credential, which then
// signs in no more (ErrCloned). Passkeys do not protect against malware on
// the user's device or in the browser, a session cookie stolen after
// sign-in, an attacker who controls the site's origin (XSS), or the
// account recovery path: a site that resets a passkey-only account by
// e-mail is as strong as the mailbox. A synced passkey (BackupEligible)
// is as safe as the account of the platform that syncs it.
package passkey
