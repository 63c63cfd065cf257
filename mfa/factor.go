package mfa

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DeviceSessionKey is the session key under which a completed second
// factor is recorded: django-otp's DEVICE_ID_SESSION_KEY. Its value is the
// device's PersistentID, so that, on a session store shared with Django,
// django-otp's OTPMiddleware counts the session as verified.
const DeviceSessionKey = "otp_device_id"

// A Device is one enrolled second factor of a user: a TOTP authenticator,
// a set of recovery codes, a passkey.
type Device struct {
	// Factor is the Kind of the factor the device belongs to.
	Factor string
	// ID is the device's ID in its factor's store.
	ID int64
	// UserID is the ID of the user the device belongs to.
	UserID int64
	// Name is the name the user gave the device.
	Name string
	// PersistentID is django-otp's Device.persistent_id: the model's label,
	// "/" and the ID ("otp_totp.totpdevice/7"); for factors that django-otp
	// does not have, a label of djauth's own ("djauth.passkey/3").
	PersistentID string
}

// A Factor is one kind of second factor, as the login flow and the
// enforcement policy see it.
type Factor interface {
	// Kind names the factor: "totp", "recovery", "passkey".
	Kind() string
	// Devices returns the confirmed devices of the user userID, oldest
	// first; none is not an error.
	Devices(ctx context.Context, userID int64) ([]Device, error)
}

// A CodeFactor is a Factor whose proof is a code the user types: TOTP
// codes and recovery codes.
type CodeFactor interface {
	Factor
	// VerifyCode checks code against the confirmed devices of the user
	// userID and returns the device that accepted it. A code that no
	// device accepts (wrong, reused, malformed) gives ErrInvalidCode; a
	// user with no confirmed device ErrNoDevice; a device that is
	// throttled after failures a *ThrottledError, which is ErrThrottled.
	VerifyCode(ctx context.Context, userID int64, code string) (Device, error)
}

var (
	// ErrInvalidCode reports a code that no device of the user accepts.
	ErrInvalidCode = errors.New("mfa: invalid code")
	// ErrNoDevice reports that the user has no confirmed device of the
	// factor, or that the device asked for does not exist.
	ErrNoDevice = errors.New("mfa: no such device")
	// ErrThrottled reports a device that refuses attempts for a while
	// after failed ones; the error is a *ThrottledError.
	ErrThrottled = errors.New("mfa: too many failed attempts")
)

// ThrottledError is the error of a verification refused because of earlier
// failures, without checking the code.
type ThrottledError struct {
	// RetryAfter is how long until the device accepts an attempt again.
	RetryAfter time.Duration
}

// Error implements error.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("mfa: too many failed attempts; try again in %s", e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }
