package recovery

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/djauth/auth/mfa"
)

// A Store keeps the recovery code devices of users and their unused
// codes. Implementations: MemoryStore here; in package store/postgres
// RecoveryStore (djauth's table, digests only) and DjangoStaticStore
// (django-otp's otp_static tables, plain text). Package recoverytest is
// the conformance suite they all pass.
//
// A store keeps one of the two forms of each Code: its Digest (the hashed
// layout) or its Plain text (the django-otp layout), and matches an
// attempt on that form.
type Store interface {
	// Devices returns the confirmed devices of the user, oldest first,
	// with Factor Kind and their PersistentID set; none is not an error.
	Devices(ctx context.Context, userID int64) ([]mfa.Device, error)
	// Replace voids every code of the user and stores codes in their
	// stead, on the user's oldest device (created, named name, if the
	// user has none; other devices of the user are deleted). The
	// device's failure count is left as it is.
	Replace(ctx context.Context, userID int64, name string, codes []Code) (mfa.Device, error)
	// Use tries attempt against the confirmed devices of the user, oldest
	// first, as one atomic step per device: a device that RetryAfter
	// says is throttled at attempt.Now is skipped without looking at its
	// codes; on another, a code matching one of attempt.Codes is deleted,
	// the device's failures reset, and the device returned; a device
	// without a match records a failure at attempt.Now. Errors:
	// mfa.ErrNoDevice when the user has no confirmed device; a
	// *mfa.ThrottledError (the shortest wait) when every device was
	// throttled; mfa.ErrInvalidCode otherwise.
	Use(ctx context.Context, userID int64, attempt Attempt) (mfa.Device, error)
	// Remaining returns the number of unused codes of the user's
	// confirmed devices.
	Remaining(ctx context.Context, userID int64) (int, error)
	// Remove deletes the user's devices and codes; none is not an error.
	Remove(ctx context.Context, userID int64) error
}

// A Code is one recovery code in the two forms a Store may keep.
type Code struct {
	// Plain is the code in canonical form (Normalize), or, for a typed
	// code, the text as typed.
	Plain string
	// Digest is Digest(userID, Plain).
	Digest [sha256.Size]byte
}

// NewCode returns the Code of plain for the user userID.
func NewCode(userID int64, plain string) Code {
	return Code{Plain: plain, Digest: Digest(userID, plain)}
}

// An Attempt is one try of a typed code, handed to Store.Use.
type Attempt struct {
	// Codes are the forms of the typed code to match; a store matches
	// any of them.
	Codes []Code
	// Now is the time of the attempt, for throttling.
	Now time.Time
}

// maxShift bounds the exponent of the delay so that it stays well
// inside time.Duration (2^32 s is 136 years).
const maxShift = 32

// RetryAfter returns how long after now a device with failures successive
// failures, the last at last, refuses attempts: django-otp's
// ThrottlingMixin with its default factor of 1, a delay of
// 2^(failures-1) seconds after the last failure (1 s, 2 s, 4 s, ...).
// Zero means an attempt is allowed.
func RetryAfter(failures int, last, now time.Time) time.Duration {
	if failures <= 0 || last.IsZero() {
		return 0
	}
	delay := time.Second << min(failures-1, maxShift)
	if wait := last.Add(delay).Sub(now); wait > 0 {
		return wait
	}
	return 0
}
