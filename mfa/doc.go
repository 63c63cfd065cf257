// Package mfa is djauth's multi-factor authentication: the second factors
// (TOTP in package mfa/totp, recovery codes in mfa/recovery, passkeys in
// mfa/passkey) and what they share, the Device, Factor and CodeFactor
// types; the two-step login (Flow); the enforcement Policy, kept as data;
// and step-up for sensitive routes.
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
//
// # The two-step login
//
// A Flow set as auth.Config.SecondFactor makes every auth.Auth.Login a
// two-step login for users who have a confirmed device of any factor:
//
//	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{
//		Factors: []mfa.Factor{totpFactor, recoveryFactor},
//		Policy:  policyStore, // mfa.NewMemoryPolicyStore() or postgres.NewMFAPolicyStore(pool)
//	})
//	a, err := auth.New(auth.Config[auth.User]{Store: store, SecretKey: key, SecondFactor: flow})
//	m, err := accounts.New(a, accounts.Config{})
//	m.Routes(mux, "") // the login page, and the challenge, verification and reminder pages
//
// After the password, Login stores a pending state in the session (user
// ID, backend, session auth hash, start, wrong-code count) under a new
// token and returns auth.ErrSecondFactorRequired: nobody is logged in,
// the request user is anonymous and has no permissions. The login page
// sends the browser to the challenge page (ChallengeURL), where
// Flow.VerifyCode checks a code; a factor with a ceremony of its own (a
// passkey) calls Flow.Complete with the device instead. Completion goes
// through auth.Auth.LoginVerified: a new token, the _auth_user_* keys,
// django-otp's otp_device_id (DeviceSessionKey), the verification time
// for step-up, and UserLoggedIn naming the factor. A pending state ends
// after FlowConfig.PendingTimeout (5 minutes), when the user's password
// changes, after MaxAttempts wrong codes (5), or at any other login on
// the session; Pending then clears it.
//
// # Enforcement
//
// A Policy (superusers, staff, groups by name, everyone, and a grace
// period) lives in a PolicyStore, so that a dashboard or authctl changes
// it at runtime; Flow.Decide applies it to a user. Routes guarded by
// Flow.MFARequired need, for a covered user, a session verified with a
// device that still exists and complete enrolment. An unverified user
// with a device is sent to the verification page (VerifyURL); a user
// without complete enrolment is sent, during their grace period, to the
// reminder page (ReminderURL), where they may postpone for the session,
// and after it to the enrolment page (EnrolURL). Requests that are not
// GET, or ask for JSON, get 403 with the page's URL instead.
//
// # Never locking out the last administrator
//
// Enforcement never shuts anyone out. The password login itself always
// works for a user without a device; the pages that resolve a refusal
// (verification, reminder, enrolment) must not, and in package accounts
// do not, sit behind MFARequired. A user's grace period starts the first
// time the policy is found to cover them, not when the policy was
// written, so tightening the policy gives everyone the same time to
// enrol. Enrolment is complete only with recovery codes when a recovery
// factor (RecoveryKind) is configured: a lost authenticator leaves a way
// in. An administrator who has lost every factor and every code is
// reset by an operator with `authctl mfa reset USER`, which removes the
// user's factors and restarts their grace period
// (PolicyStore.ResetRequiredSince).
//
// # Step-up
//
// Flow.StepUpRequired(maxAge) guards sensitive routes (a password change,
// removing a factor): the user must have proved who they are within
// maxAge, with a second factor when they have a device, with their
// password otherwise, or is sent to the verification page, which returns
// to the route through auth's safe-redirect checks.
package mfa
