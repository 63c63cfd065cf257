package totp

import (
	"context"
	"errors"
	"time"
)

// A Store keeps TOTP devices: django-otp's otp_totp_totpdevice table in
// the PostgreSQL store (store/postgres.NewTOTPStore), a map in
// MemoryStore. The writes that verification makes are conditional, so
// that concurrent attempts cannot both pass the throttle or both spend one
// code; the totptest package is the suite every Store passes.
type Store interface {
	// Create stores d, whose ID is ignored, and returns it with the ID the
	// store gave it.
	Create(ctx context.Context, d Device) (Device, error)
	// Get returns the device id, or mfa.ErrNoDevice.
	Get(ctx context.Context, id int64) (Device, error)
	// List returns every device of the user userID, confirmed or not, in
	// ID order; none is not an error.
	List(ctx context.Context, userID int64) ([]Device, error)
	// CountFailure counts one failed attempt at the time at on the device
	// id (failure count plus one, last failure at), but only if the
	// device's throttle state is still seen; it reports whether it was.
	// mfa.ErrNoDevice when the device is gone.
	CountFailure(ctx context.Context, id int64, seen Throttle, at time.Time) (bool, error)
	// Succeed records a verified code on the device id: LastT and Drift
	// become s.T and s.Drift, the throttle is reset, and the device is
	// confirmed when s.Confirm; but only if the device's LastT is still
	// below s.T, and it reports whether it was (false: the code was
	// spent by a concurrent attempt). mfa.ErrNoDevice when the device is
	// gone.
	Succeed(ctx context.Context, id int64, s Success) (bool, error)
	// Rename sets the name of the device id of the user userID, or
	// returns mfa.ErrNoDevice.
	Rename(ctx context.Context, userID, id int64, name string) error
	// Delete removes the device id of the user userID, or returns
	// mfa.ErrNoDevice.
	Delete(ctx context.Context, userID, id int64) error
}

// Throttle is a device's record of failed attempts: django-otp's
// ThrottlingMixin columns.
type Throttle struct {
	// Failures is throttling_failure_count, the failures since the last
	// success.
	Failures int
	// Last is throttling_failure_timestamp, the time of the last failure;
	// the zero time is NULL.
	Last time.Time
}

// Equal reports whether t and u are the same throttle state.
func (t Throttle) Equal(u Throttle) bool {
	return t.Failures == u.Failures && t.Last.Equal(u.Last)
}

// Success is what a verified code changes on its device.
type Success struct {
	// T is the time step of the accepted code, the new LastT.
	T int64
	// Drift is the device's new Drift.
	Drift int
	// Confirm marks the device confirmed.
	Confirm bool
}

var (
	// ErrInvalidDevice reports a device whose stored parameters cannot
	// make codes: a key that is not 1 to 40 bytes of hex, a step below 1,
	// digits outside 1 to 10, a negative tolerance.
	ErrInvalidDevice = errors.New("totp: invalid device")
	// ErrInvalidName reports a device name that is empty, longer than 64
	// characters, not UTF-8 or holding a NUL.
	ErrInvalidName = errors.New("totp: invalid device name")
	// ErrConfirmed reports a Confirm of a device that already is.
	ErrConfirmed = errors.New("totp: device already confirmed")
)
