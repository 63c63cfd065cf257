// Package api is a pre-built JSON API for every flow of the library, for
// single-page apps and mobile apps, under one mount point (DefaultPrefix,
// "/api/auth/"). Each endpoint runs the same code as the HTML pages of
// package accounts (sign-up, email verification, password change and
// reset, passwordless, passkeys), of package auth (the throttled sign-in,
// Login and its second step) and of package mfa, so that throttling,
// lockouts, login gates and second factors apply alike.
//
//	x, err := api.New(api.Config[auth.User]{Accounts: acc})
//	if err != nil { ... }
//	mux := http.NewServeMux()
//	acc.Routes(mux, "")
//	x.Routes(mux) // /api/auth/...
//	http.ListenAndServe(addr, a.Middleware(mux))
//
// The description of every endpoint is OpenAPI 3.1, served at the mount's
// "openapi.json" (OpenAPI returns it); a test checks it against the
// handlers both ways and every answer of the tests against its schema.
//
// # Endpoints
//
//	POST   signin                    {username, password, transport}
//	POST   signin/mfa                {factor, code}    second step
//	DELETE signin/mfa                                  abandon it
//	POST   signup                    {username, email, password1, password2, transport}
//	POST   email/verify              {email, code}
//	POST   email/resend              {email}
//	POST   signout
//	GET    me                        user, groups, permissions, mfa
//	GET    sessions
//	DELETE sessions/{id}
//	POST   sessions/revoke-others
//	GET    mfa/factors
//	POST   mfa/totp/begin            {name}
//	POST   mfa/totp/confirm          {device_id, code}
//	POST   mfa/recovery/regenerate
//	POST   password/change           {old_password, new_password1, new_password2}
//	POST   password/reset            {email}
//	POST   password/reset/confirm    {uid, token, new_password1, new_password2}
//	POST   passwordless/start        {email, transport}
//	POST   passwordless/verify       {code}
//	POST   social/{provider}/start   {next, transport}  -> {url}
//	POST   social/{provider}/callback {code, state, error}
//	POST   passkey/{register,login,passwordless}/{begin,finish}
//
// A sign-in answers 200 {"status":"authenticated","user":...}, or 202
// {"status":"mfa_required","factors":["totp","recovery"]} when
// auth.Config.SecondFactor asks for a second step: POST signin/mfa with a
// code of one of the factors (or run the passkey login ceremony) on the
// same session.
//
// # Transports
//
// Browsers keep the session in the HttpOnly session cookie (transport
// "cookie", the default). Other clients ask for transport "token" (the
// "transport" field of signin, signup and passwordless/start, or the
// header Auth-Transport: token) and get the session token in the body's
// "session_token" and the Session-Token header (the passkey ceremonies,
// whose bodies are package mfa/passkey's, take the header only); they
// send it back as "Authorization: Bearer <token>" and keep no cookies.
// Social sign-in: start answers the provider's URL, the app opens it and
// catches the redirect to the callback URL, and posts its code and state
// to social/{provider}/callback with the same token. Whenever the token
// changes (sign-in, second step, password change, sign-out: ""), the new
// one comes in the body and the header. A bearer token of no live session
// (unknown, expired, revoked) is answered 401 invalid_token on every
// endpoint, never served as a new anonymous session. Token transport needs
// auth.SessionConfig.HeaderTokens.
//
// # CSRF
//
// A cookie-authenticated unsafe request passes the Auth's
// http.CrossOriginProtection (auth.Config.CSRF; 403 csrf_failed) and must
// be Content-Type application/json (415 unsupported_media_type), which no
// cross-site form or simple request can send. Bearer requests carry no
// ambient credential and skip the origin check. The API sets no CORS
// headers: serve the SPA from the same origin, or add CORS for configured
// origins only.
//
// # Errors
//
// Every error has one shape:
//
//	{"error":{"code":"validation_failed","message":"...","fields":{"password":["This field is required."]}}}
//
// with a stable code (the Code constants): bad_request (400: not JSON,
// wrong type, unknown field), body_too_large (413), unsupported_media_type
// (415), csrf_failed (403), invalid_token and not_authenticated (401),
// invalid_credentials (401), inactive, login_refused, step_up_required,
// signup_closed, impersonating (403), validation_failed and invalid_code (422),
// mfa_not_pending and conflict (409), not_found, not_configured,
// unknown_factor, no_device (404), method_not_allowed (405 with Allow,
// for a path of the API asked with a method it does not answer),
// throttled (429 with Retry-After),
// too_many_attempts (401), invalid_reset_link, social_failed (400), busy
// (503) and server_error (500, never for bad input). The passkey
// ceremonies keep the codes of package mfa/passkey (no_ceremony,
// verification_failed, cloned, invalid_name, duplicate, disabled).
// With Config.Orgs, the refusals of orgs.Middleware are answered in the
// same shape: 404 not_found for an organization the request names that
// the user is no member of, 500 server_error for a store failure.
//
// # Impersonation
//
// While the session is an impersonation (auth.Auth.Impersonate, a
// superuser acting as another user), me answers "impersonating": true and
// the "impersonator" {id, username}, and what only the account's own
// person may do answers 403 impersonating, as the HTML pages refuse it
// (auth.Auth.CheckNotImpersonating): password change, TOTP enrolment,
// recovery codes, every passkey ceremony, email verification, social
// start and callback, and every sign-in or sign-up (which would replace
// the impersonation by another login). Reading (me, sessions, factors,
// organizations) and signout (which ends the impersonation) stay open.
package api
