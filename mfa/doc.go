// Package mfa is djauth's multi-factor authentication: the second factors
// (TOTP in package mfa/totp, recovery codes in mfa/recovery, passkeys in
// mfa/passkey) and what they share, the Device, Factor and CodeFactor
// types that the login flow and the enforcement policy work with.
//
// A factor checks a code against a user's devices:
//
//	dev, err := factor.VerifyCode(ctx, user.ID, "123456")
//	switch {
//	case errors.Is(err, mfa.ErrThrottled):
//		// too many failures: try later (err is a *mfa.ThrottledError)
//	case err != nil:
//		// wrong code, or no device
//	default:
//		// dev is the device that accepted the code
//	}
package mfa
