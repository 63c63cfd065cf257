// Package accounts completes the account lifecycle of package auth the way
// Django's django.contrib.auth views and forms do: creating users and
// changing passwords with the password validators, the password change
// pages, and the "forgot password" pages that mail a one-time reset link.
//
// It is a package of its own because it uses packages that import auth
// (validation for the password rules, tokens for the reset links), which
// auth therefore cannot import.
//
// # Setting up
//
//	a, _ := auth.New(auth.Config[auth.User]{Store: store, SecretKey: key})
//	acc, err := accounts.New(a, accounts.Config{
//		Mailer:  &mail.Console{W: os.Stderr}, // development; mail.SMTP in production
//		SiteURL: "https://example.com",      // links never trust the Host header
//	})
//	defer acc.Close() // sends the reset mails still queued, then stops
//	mux := http.NewServeMux()
//	acc.Routes(mux, "/accounts/") // login/, logout/, profile/, password_change/, password_reset/, reset/...
//	srv := &http.Server{Addr: addr, Handler: a.Middleware(mux), ReadHeaderTimeout: 5 * time.Second}
//
// The Manager takes everything that the Auth already holds from it: the
// secret keys that sign the reset links (auth.Config.SecretKey and
// SecretKeyFallbacks, so the links are the ones Django makes with the same
// SECRET_KEY), the hashers, the store and the allowed hosts.
//
// The zero Config uses Django's four password validators
// (validation.Default) and mounts only the password change pages: without a
// Mailer there is no way to deliver a reset link.
//
// # Pages
//
// The URLs, form field names and messages are Django's, so templates,
// scripts and tests written for a Django site carry over:
//
//   - password_change/ (old_password, new_password1, new_password2) and
//     password_change/done/ need a login. The old password must be right
//     and the new one must pass the validators, every failure shown at
//     once. After the change this session stays logged in
//     (auth.Auth.UpdateSessionAuthHash) and every other session of the
//     user ends.
//   - password_reset/ (email) sends a link to every active user with a
//     usable password whose stored address matches, and then redirects to
//     password_reset/done/. The answer is the same whatever the address
//     matched and whether the mail could be sent (failures are logged
//     without the link), so the page cannot be used to learn who has an
//     account.
//     The mail is only queued during the request (see "Sending reset
//     mails"), so the answer's timing does not tell either.
//   - reset/<uidb64>/<token>/ checks the link, moves the token into the
//     session and redirects to reset/<uidb64>/set-password/, where the new
//     password is chosen (new_password1, new_password2). A used, expired or
//     wrong link says so. After the reset the user is not logged in and
//     goes to reset/done/. A user who is not active gets no reset mail
//     (as in Django) and cannot use a link either, even one mailed while
//     the account was still active: stricter than Django, whose confirm
//     view accepts inactive users, so that deactivating an account also
//     ends its pending resets.
//
// Every page refuses cross-origin POSTs through http.CrossOriginProtection,
// sends Cache-Control: no-store, and can be replaced through Templates.
//
// # Sign-up and email addresses
//
// With Config.Emails and a Mailer, Routes mounts allauth's pages:
// signup/ (username, email, password1, password2; see SignupConfig and
// Manager.SignUp), confirm-email/ (the page of emails.Gate's refusals:
// what to do, and a resend form), confirm-email/code/ (type the code of
// the mail), confirm-email/<key>/ (the link: GET shows a button, POST
// confirms) and email/ (login required: add, resend, make primary,
// remove). Every verification mail has the link and the code; confirming
// logs nobody in. When email addresses are login names an address in use
// answers as a new one and its owner is mailed. Only verified addresses
// log in (EmailBackend) or receive resets.
// # Passwordless pages
//
// With Config.Passwordless and a *passwordless.Backend among the Auth's
// backends, Routes mounts passwordless/ ("Email me a login link", linked
// from the login page with its next), passwordless/code/ ("check your
// email", with the code field, autocomplete="one-time-code") and
// passwordless/link/{id}/{token}/, the mail's link. Every valid address
// gets the same redirect and the same code page; a GET of the link only
// shows a "Log in" button (or why the link is spent, expired or bound to
// another browser) and its POST logs in. Completion goes through
// auth.Auth.Authenticate and Login: a user with a second factor is sent
// to the challenge page, a LoginGate refusal to its URL. Throttled
// requests, codes and links answer 429 with Retry-After.
//
// # Second factor pages
//
// When auth.Config.SecondFactor is an *mfa.Flow, Routes mounts its login
// pages (challenge, verification, reminder) and, below its EnrolURL
// (/accounts/mfa/), the pages where users manage their factors: an
// overview of their devices and of what the policy requires of them;
// totp/add/, which starts an unconfirmed authenticator app (one set-up in
// progress per user; a new one replaces the old), shows its QR code as
// inline SVG with the key and otpauth URI, and confirms it with a first
// code; totp/{id}/ to rename or remove one; and recovery/, where a new
// set of codes is shown once, in the answer to the POST that made it,
// with a text file to download. Adding or removing a factor and making
// codes need a verification within Config.StepUpMaxAge; the last second
// factor of a user whom the policy covers cannot be removed. Confirming
// an authenticator app verifies the session with it and, when recovery
// codes are configured and the user has none, leads to them, as
// enrolment is not complete without. Manager.MFAChanged is the audit
// hook of every change.
//
// # Sending reset mails
//
// A Mailer can take a long time (an SMTP relay: a hundred milliseconds or
// more), and a reset request that waited for it would answer a known
// address measurably later than an unknown one. So New starts
// Config.MailWorkers goroutines (two by default) that send the mails from
// a queue of Config.MailQueueSize (128 by default); the request only
// queues them. When the queue is full the mail is dropped and logged with
// the user's ID (never the address or the link); each Send is bounded by
// Config.MailSendTimeout. Manager.Close stops the workers after sending
// what is queued, waiting at most Config.MailDrainTimeout; call it when
// the server shuts down. Tests that read a mail.Outbox call Close (or
// wait) first.
//
// # Reset links and the Host header
//
// The link in a reset mail needs the site's address. Set Config.SiteURL in
// production. Without it the request's Host is used, and only when it is
// one of auth.Config.AllowedHosts (loopback hosts when that is empty, for
// development): otherwise anyone could ask for a reset of someone else's
// account with a forged Host and have the victim mailed a link to the
// attacker's server. The scheme of such a link is https, even when the
// request reached the app over plain HTTP from a proxy that ends TLS, and
// http only for a plain-HTTP request to a loopback host (localhost,
// 127.0.0.0/8, [::1]) as a development server gets; set SiteURL to choose
// otherwise.
//
// # Matching email addresses
//
// Addresses are matched as Django matches them: candidates whose email
// equals the address ignoring case, then a comparison after NFKC
// normalization and full Unicode case folding (EmailsMatch). The mail goes
// to the address stored for the user, never to the one typed in the form,
// so "mıke@example.org" with a dotless ı neither reaches nor resets the
// account of "mike@example.org" (Django's CVE-2019-19844). The candidates
// are the active users that the store finds with auth.UserQuery.Email
// (Django's email__iexact); those without a usable password or whose
// address fails EmailsMatch get no mail.
//
// # Throttling
//
// With auth.Config.Limiter set (package throttle), every password reset
// request is counted per lower-cased email and per client address, whether
// or not the email has an account, and refused with 429 and Retry-After
// beyond the limit (LimitScopePasswordReset), so that no address can have
// thousands of mails sent; wrong old passwords on the change page are
// counted per user (LimitScopePasswordChange), and a refused attempt is
// answered 429 without hashing. Auth.Signals().UserLockedOut fires on
// lockouts.
//
// # Compatibility with Django
//
// Reset tokens and uidb64 values are made by package tokens exactly as
// Django makes them, so a Django site and a Go service that share the
// database and SECRET_KEY accept each other's reset links; the tests check
// this with links issued by Django itself.
package accounts
