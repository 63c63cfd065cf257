// Package tokens makes and checks password reset tokens and the uidb64 of
// reset links exactly as Django's django.contrib.auth.tokens and
// django.utils.http do, so that a reset link emailed by a Django site works
// on a Go service sharing its SECRET_KEY and user table, and the reverse.
//
// # Making a reset link
//
//	g := &tokens.Generator{Secret: secretKey}
//	token, err := g.Make(&user.User)
//	link := fmt.Sprintf("https://example.com/reset/%s/%s/", tokens.EncodeUID(user.ID), token)
//
// # Checking it
//
//	id, err := tokens.DecodeUID(uidb64) // then load the user by id
//	if !g.Check(&user.User, token) { /* invalid or expired link */ }
//
// A token holds no state of its own: Check recomputes it from the user as
// stored now. It stops working when the password changes (so it can be used
// once), when the user logs in (LastLogin), when the email changes, and
// Timeout after it was made (three days by default, Django's
// PASSWORD_RESET_TIMEOUT). Signatures are compared in constant time.
//
// # Keys
//
// Secret is Django's SECRET_KEY; Make refuses to sign without one. During a
// key rotation put the old keys in Fallbacks (Django's
// SECRET_KEY_FALLBACKS): Check accepts tokens signed with any of them, Make
// always signs with Secret. A Generator logs as "[redacted]" keys through
// slog.
//
// # Time zones
//
// Django stamps tokens with the naive local time of the server process,
// which Django sets to its TIME_ZONE setting, and writes last_login into
// the signature as the naive time Django holds (UTC when USE_TZ = True).
// Both default to UTC here, which matches Django's project template. To
// share tokens with a Django site that has another TIME_ZONE, set Location
// to it; with USE_TZ = False also set LastLoginLocation.
//
// # Compatibility
//
// Tokens are those of Django 3.1 and later (HMAC-SHA256, timestamp in
// seconds). The SHA-1 and day-based tokens that Django 3.x still accepted
// from Django 3.0 and earlier are not, as Django 4.0 dropped them too. The
// tests compare against tokens made by Django 3.2 (testdata/django_tokens.json)
// and, when Django is installed, ask Django live to make and check tokens
// (testdata/django_tokens.py); with CI=true that check is mandatory.
package tokens
