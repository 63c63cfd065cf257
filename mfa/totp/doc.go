// Package totp is the TOTP second factor (RFC 6238): the six-digit codes
// of authenticator apps, over django-otp's TOTPDevice rows, so that a
// device enrolled in Django logs in here and one enrolled here logs in
// to Django.
//
//	store, _ := postgres.NewTOTPStore(pool) // after postgres.Migrate(ctx, pool, postgres.DjangoOTPTOTP)
//	f, _ := totp.New(totp.Config{Store: store, Issuer: "Example"})
//
//	// enrolment: a new unconfirmed device, shown as a QR code
//	dev, _ := f.Begin(ctx, user.ID, "phone")
//	uri, _ := f.KeyURI(dev, user.Username)
//	svg, _ := totp.QRCodeSVG(uri)
//	// ... the user scans it and types the code their app shows
//	dev, err := f.Confirm(ctx, user.ID, dev.ID, typed)
//
//	// login: f is an mfa.CodeFactor
//	mdev, err := f.VerifyCode(ctx, user.ID, typed)
//
// # Verification
//
// VerifyCode does what django-otp 1.1.3's TOTPDevice.verify_token does:
// it accepts the code of the current time step, shifted by the device's
// Drift, or of Tolerance steps either side, but only a step later than
// LastT, so that a code is accepted once; it then stores the step as
// LastT and the shift it needed as the new Drift (OTP_TOTP_SYNC). Codes
// are HMAC-SHA-1 with the device's key, computed by
// github.com/pquerna/otp. A user-typed code may hold white space; any
// other character, or a length other than the device's Digits, fails.
//
// # Throttling
//
// As django-otp's ThrottlingMixin, n failures in a row make the device
// refuse attempts for ThrottleFactor × 2^(n-1) after the last one,
// without looking at the code (a *mfa.ThrottledError); a success resets
// the count. The failure is counted before the code is checked, by a
// compare-and-swap on the count, and a success moves LastT only forward,
// by a conditional UPDATE: concurrent attempts, here or in Django, cannot
// pass one throttle check together or spend one code twice.
//
// # Security
//
// TOTP proves that the user holds the device that shares the key: a
// password alone, guessed, stuffed or phished earlier, no longer logs
// in. It does not stop:
//   - Real-time phishing: a fake site that relays the password and the
//     code within their 30 to 90 seconds logs in. Passkeys (mfa/passkey)
//     resist this; TOTP does not.
//   - A stolen or cloned device, or a backup of the authenticator app:
//     whoever has the key makes codes. Remove the device (Remove) when it
//     is lost.
//   - A leaked database: django-otp stores keys in plain hex in
//     otp_totp_totpdevice.key, and this package keeps that format to share
//     the table with Django, so whoever reads the table (a dump, a backup,
//     an SQL injection) can make every user's codes. Protect the table as
//     you would the secret key, and re-enrol devices after a leak.
//   - Guessing within the window: each attempt has a 3 in a million chance
//     (a six-digit code, three steps); throttling doubles the wait after
//     every failure, so that guessing takes years, but it also lets an
//     attacker who knows the password delay the user's own login.
//
// The key URI and the QR codes hold the key: show them only to the
// device's owner, while enrolling, and never log them. Unconfirmed
// devices never verify a login.
package totp
