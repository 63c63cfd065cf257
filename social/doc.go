// Package social logs people in with an OpenID Connect provider (any
// standards-compliant one, with presets for Google, Microsoft and GitLab)
// or with GitHub, and keeps the identities in django-allauth 0.51's
// socialaccount tables, so that a site that runs allauth keeps its linked
// accounts, apps and tokens.
//
//	users := memory.New[auth.User]() // or postgres.New[auth.User](pool, ...)
//	a, err := auth.New(auth.Config[auth.User]{Store: users, SecretKey: key,
//		Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, social.NewBackend[auth.User]("")}})
//	google, err := social.NewOIDC(social.Google(clientID, clientSecret))
//	github, err := social.NewGitHub(social.GitHubConfig{ClientID: ghID, ClientSecret: ghSecret})
//	s, err := social.New(a, social.Config[auth.User]{
//		Store:     social.NewMemoryStore(), // or postgres.NewSocialStore(pool)
//		BaseURL:   "https://example.com",
//		Providers: []social.Provider{google, github},
//		SignUp:    true,
//	})
//	mux.Handle("/accounts/social/", s.Handler())
//	// Register s.CallbackURL("google") and s.CallbackURL("github") at the
//	// providers; render s.Buttons() on the login page as POST forms.
//
// # Providers
//
// NewOIDC reads the provider's discovery document from its issuer URL on
// first use (github.com/coreos/go-oidc/v3) and runs the authorization
// code flow (golang.org/x/oauth2) with PKCE (S256), a state and a nonce.
// The ID token is verified: signature against the provider's published
// keys (fetched again when a token names an unknown key, so key rotation
// needs nothing), issuer, audience (the client id), expiry, nonce, and
// at_hash when present. The userinfo endpoint is read when the provider
// has one, and must name the same subject. An address counts as verified
// only when email_verified is true.
//
// Google, Microsoft and GitLab are OIDCConfig presets. Microsoft's
// "common" and "organizations" endpoints announce the issuer
// "https://login.microsoftonline.com/{tenantid}/v2.0", which no token
// carries literally; the preset checks each token's iss against that
// template filled with its own tid claim (TenantIssuerMatches). The uid of
// each preset is the one allauth's provider of the same name stores (sub
// for Google and GitLab, the oid object id for Microsoft), so identities
// linked by allauth keep working.
//
// GitHub speaks OAuth 2.0, not OpenID Connect: NewGitHub exchanges the code
// with PKCE and reads /user (uid: the numeric id, as allauth) and
// /user/emails, where only the address GitHub marks primary and verified
// counts as verified.
//
// Providers can also come from allauth's socialaccount_socialapp rows of
// a site, as allauth reads them: ProvidersFromApps with
// DefaultAppProviders.
//
// # Pages
//
// Handler serves, under Config.Prefix ("/accounts/social/"):
//
//	{provider}/login/     GET shows a button, POST starts the login
//	{provider}/callback/  the provider's redirect back
//	link/                 confirms a pending link (see below)
//	identities/           the logged-in user's identities (IdentitiesURL)
//
// A GET never starts a login (allauth's SOCIALACCOUNT_LOGIN_ON_GET =
// False): a link on another site cannot push a browser through a login.
// The POST carries "next" (checked as the login page checks it) and, from
// a logged-in user, process=connect to link another identity to the
// account. Every failure (consent denied, a bad or spent state, an answer
// that does not verify, a provider that cannot be reached, a store that
// is down) ends on a page that says what happened, never a 500.
//
// The callback then:
//
//   - logs in the user the identity is linked to, through Auth.Login, so
//     Config.SecondFactor (mfa.Flow) asks for its second step and the
//     UserLoggedIn signal names the backend (BackendName); an inactive
//     user is refused;
//   - with a verified email that an existing account has, keeps the
//     identity in the session as a pending link and asks the person to
//     log in to that account; after that login, link/ offers the link
//     (POST), and only then is it made;
//   - with an unverified email that an existing account has, refuses;
//   - otherwise creates a user when Config.SignUp allows it: a username
//     derived from the provider's (UsernameFor, made unique), an unusable
//     password ("!" and 40 random characters, Django's
//     set_unusable_password), the email only when verified (and then, with
//     Config.Emails, recorded in account_emailaddress as verified and
//     primary, as allauth does).
//
// The identities page lists the user's identities (provider, email or
// user name, date linked, last login), offers "Connect" for each provider
// (a POST with process=connect) and removes one, but never the last way
// in: the last identity of a user stays unless the user has a usable
// password (with a model backend configured) or a SignInChecker among the
// Auth's backends or its mfa.Flow's factors says yes (a passkey that
// signs in without a password, passwordless email login). With an
// mfa.Flow, a removal needs a verification within Config.StepUpMaxAge.
// IdentityChanged tells of every link and removal.
//
// Config.LoginGate (emails.Gate for mandatory verification) applies to
// social logins as to any: a refusal leads to the gate's page.
//
// # Tables
//
// The layout is allauth 0.51's: socialaccount_socialaccount (provider,
// uid, extra_data as JSON text, last_login, date_joined, user_id; unique
// provider and uid), socialaccount_socialapp with
// socialaccount_socialapp_sites and Django's django_site, and
// socialaccount_socialtoken. store/postgres creates them with Django's own
// SQL (postgres.DjangoSocialAccount, which brings postgres.DjangoSites)
// and SocialStore reads and writes them; MemoryStore is the in-memory
// Store. socialtest.Run is the conformance suite of both.
//
// # Security
//
// State, nonce and PKCE: the login's state, nonce and PKCE verifier are
// random (256 bits, crypto/rand), kept in the server-side session of the
// browser that started the login (never in a cookie or URL of their own),
// for Config.StateTTL (10 minutes), and taken out of the session by the
// callback before anything else, so each serves once. The state, compared
// in constant time, stops login CSRF: a callback URL carrying an
// attacker's code does nothing in a victim's browser that did not start
// that login. PKCE binds the code to the browser's session, so a code
// stolen from a redirect (logs, Referer, a malicious app on the device)
// cannot be redeemed elsewhere, and a code injected into another session
// fails at the token endpoint. The nonce binds the ID token to the login,
// so a token replayed from another login is refused; the audience check
// refuses tokens minted for another client.
//
// No silent linking: a provider's email is never enough to enter an
// existing account. A verified email that matches one leads to a pending
// link which the person must confirm after logging in to that account
// with its own credentials (password, and its second factor if it has
// one); an unverified one is refused. A provider that vouches for
// addresses it does not check would otherwise hand over any account.
//
// Tokens at rest: tokens are not stored unless Config.StoreTokens asks
// for them. allauth stores them in socialaccount_socialtoken in plain
// text and reads them so; with Config.EncryptTokens they are sealed with
// AES-256-GCM under a key derived from the Auth's SecretKey by
// HKDF-SHA256 (TokenCipher), bound to their account, which Django cannot
// read: use it where Django does not need the tokens. Client secrets of
// socialaccount_socialapp rows are plain text, as allauth keeps them.
package social
