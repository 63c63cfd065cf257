// Package recovery is djauth's recovery codes: a set of single-use codes
// that a user is shown once, keeps on paper or in a password manager, and
// types in instead of a TOTP code when the authenticator is lost. It is an
// mfa.CodeFactor of Kind "recovery", django-otp's otp_static ported.
//
//	store, _ := postgres.NewRecoveryStore(pool) // or recovery.NewMemoryStore()
//	codes, _ := recovery.New(recovery.Config{Store: store})
//
//	// At enrolment, and whenever the user asks for a new set (the old
//	// set stops working): show these once, never log or store them.
//	_, shown, err := codes.Generate(ctx, user.ID) // "k7m2-q9xd-4hbn-w3fa", ...
//
//	// At login, as the second step:
//	dev, err := codes.VerifyCode(ctx, user.ID, typed)
//	switch {
//	case errors.Is(err, mfa.ErrThrottled): // errors.As gives the *mfa.ThrottledError's RetryAfter
//	case err != nil: // wrong or used code, or no codes at all
//	default: // dev.PersistentID goes under mfa.DeviceSessionKey
//	}
//	left, err := codes.Remaining(ctx, user.ID) // warn when few are left
//
// # Codes
//
// A code is 16 characters drawn with crypto/rand from Alphabet, 30 digits
// and lowercase letters without 0, 1, i, l, o and u, shown in groups of
// four ("k7m2-q9xd-4hbn-w3fa"): 16 × log2(30) = 78.5 bits. Typed codes are
// normalised (Normalize) before they are compared: case, spaces and dashes
// do not matter. Each code works once; Generate makes a new set of
// Config.Count (default 10) and voids every earlier code of the user; a
// device whose codes are all used stays listed, so check Remaining.
//
// # Throttling
//
// Each device throttles itself as django-otp's ThrottlingMixin does: after
// n successive failures it refuses attempts for 2^(n-1) seconds after the
// last one (1 s, 2 s, 4 s ...), returning a *mfa.ThrottledError without
// looking at the code, so a refused attempt neither uses a code nor counts
// as a failure; a success resets the count. Regenerating does not. The
// check, the use of the code and the count are one atomic step, so two
// concurrent uses of one code succeed once. Empty and overlong input is
// refused before the store is asked and is not counted.
//
// # Two storage layouts
//
// The hashed layout (MemoryStore, and store/postgres's RecoveryStore over
// djauth's djauth_recovery_device and djauth_recovery_code tables,
// migration 0004_recovery) is the default and the one to use. It keeps,
// for each code, SHA-256 of a fixed prefix, the user's ID and the code
// (Digest), never the code. A fast unsalted hash suffices because the
// codes are random, unlike passwords: an attacker holding the table must
// search the 2^78.5 codes; binding the user ID in means each guess tests
// one user's ten digests, never every user's at once. At 10^11 SHA-256
// a second (a rack of GPUs), finding one of a user's ten codes takes
// 2^78.5 / 10 / 10^11 s, some 13,000 years (half that on average); for
// django-otp's own 10-character tokens (50 bits) it would take about
// twenty minutes, which is why codes here are longer. A slow password
// hash adds nothing that length does not, needs a salt per code (so no
// lookup by digest) and makes each attempt cost one slow hash per stored
// code. A key (HMAC with the site's secret) was left out on purpose:
// rotating the secret after a leak would silently void every user's
// codes when they are most needed. Matching is by
// digest: in SQL, by equality on the digest column, which tells a timing
// observer nothing about the code; in memory, with
// crypto/subtle.ConstantTimeCompare over every stored digest.
//
// The django-otp layout (store/postgres's DjangoStaticStore over
// otp_static_staticdevice and otp_static_statictoken, the DjangoOTPStatic
// app) is for a site whose Django half must also accept the codes: a
// code generated in Django works here and one generated here works in
// Django's StaticDevice.verify_token. django-otp stores tokens in plain
// text (varchar(16)) and looks them up with token= in SQL, so this layout
// must store them in plain text too: anyone who can read that table can
// use every unused code in it. Generate then shows codes without dashes,
// as stored, since django-otp compares verbatim; here a typed code matches
// in its normalised form or as typed, so tokens made by "manage.py
// addstatictoken -t" work too. A user may have several static devices
// there; each is tried and throttled on its own, as django_otp.match_token
// does, and Generate keeps the oldest (its PersistentID stays valid in
// sessions) and deletes the others.
//
// # What recovery codes protect against, and what not
//
// They let a user who lost the second factor back in without an
// operator, and they resist online guessing (78.5 bits behind an
// exponential delay) and a read of the database (hashed layout). They do
// not protect against anyone who finds the paper or the file they are
// kept in, malware on the user's machine, phishing (a code typed into a
// fake site is as good as a TOTP code, and lasts longer), or someone who
// already holds the user's session when new codes are generated: Generate
// must only be offered to a user who has just proved both factors. A
// code is only the second factor: the password is still needed.
package recovery
