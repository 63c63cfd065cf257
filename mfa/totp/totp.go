package totp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/djauth/auth/mfa"
)

// Kind is the Kind of the TOTP factor.
const Kind = "totp"

// Config configures a Factor. Only Store is required.
type Config struct {
	// Store keeps the devices.
	Store Store
	// Issuer names the site in key URIs and authenticator apps:
	// django-otp's OTP_TOTP_ISSUER. Empty leaves the issuer out.
	Issuer string
	// ThrottleFactor is django-otp's OTP_TOTP_THROTTLE_FACTOR: after n
	// failures in a row a device refuses attempts for 2^(n-1) times it.
	// Zero means one second, django-otp's default. Throttling cannot be
	// turned off (django-otp's factor 0).
	ThrottleFactor time.Duration
	// NoDriftSync keeps Drift as it is when a code from a neighbouring
	// step is accepted: django-otp's OTP_TOTP_SYNC = False.
	NoDriftSync bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// A Factor is the TOTP second factor: enrolment (Begin, Confirm), the
// user's devices (List, Rename, Remove) and verification of login codes
// (VerifyCode). It is safe for concurrent use.
type Factor struct {
	store  Store
	issuer string
	factor time.Duration
	noSync bool
	now    func() time.Time
}

var _ mfa.CodeFactor = (*Factor)(nil)

// New returns a Factor for cfg.
func New(cfg Config) (*Factor, error) {
	if cfg.Store == nil {
		return nil, errors.New("totp: New: nil Store")
	}
	if cfg.ThrottleFactor < 0 {
		return nil, fmt.Errorf("totp: New: negative ThrottleFactor %s", cfg.ThrottleFactor)
	}
	f := &Factor{store: cfg.Store, issuer: cfg.Issuer, factor: cfg.ThrottleFactor, noSync: cfg.NoDriftSync, now: cfg.Now}
	if f.factor == 0 {
		f.factor = time.Second
	}
	if f.now == nil {
		f.now = time.Now
	}
	return f, nil
}

// Kind implements mfa.Factor: "totp".
func (f *Factor) Kind() string { return Kind }

// Devices implements mfa.Factor: the confirmed TOTP devices of the user.
func (f *Factor) Devices(ctx context.Context, userID int64) ([]mfa.Device, error) {
	devs, err := f.confirmed(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]mfa.Device, len(devs))
	for i, d := range devs {
		out[i] = d.MFA()
	}
	return out, nil
}

func (f *Factor) confirmed(ctx context.Context, userID int64) ([]Device, error) {
	all, err := f.store.List(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("totp: list devices: %w", err)
	}
	var out []Device
	for _, d := range all {
		if d.Confirmed {
			out = append(out, d)
		}
	}
	return out, nil
}

// List returns every TOTP device of the user, unconfirmed ones included,
// oldest first.
func (f *Factor) List(ctx context.Context, userID int64) ([]Device, error) {
	devs, err := f.store.List(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("totp: list devices: %w", err)
	}
	return devs, nil
}

// VerifyCode implements mfa.CodeFactor. It tries code on each confirmed
// device of the user as django-otp's verify_token does: a device that is
// throttled is skipped without looking at the code; on the others a
// failure (wrong, reused or malformed code) is counted and a success
// resets the count and spends the code's time step. It returns the device
// that accepted the code; mfa.ErrNoDevice when the user has no confirmed
// device; a *mfa.ThrottledError when every device is throttled;
// otherwise mfa.ErrInvalidCode. A store error fails closed.
func (f *Factor) VerifyCode(ctx context.Context, userID int64, code string) (mfa.Device, error) {
	devs, err := f.confirmed(ctx, userID)
	if err != nil {
		return mfa.Device{}, err
	}
	if len(devs) == 0 {
		return mfa.Device{}, fmt.Errorf("totp: user %d: %w", userID, mfa.ErrNoDevice)
	}
	var throttled *mfa.ThrottledError
	tried := false
	var invalid error
	for _, d := range devs {
		ok, err := f.attempt(ctx, d, code, false)
		var te *mfa.ThrottledError
		switch {
		case errors.As(err, &te):
			if throttled == nil || te.RetryAfter < throttled.RetryAfter {
				throttled = te
			}
			continue
		case errors.Is(err, ErrInvalidDevice):
			invalid = err
			continue
		case err != nil:
			return mfa.Device{}, err
		}
		tried = true
		if ok {
			return d.MFA(), nil
		}
	}
	if !tried && throttled != nil {
		return mfa.Device{}, throttled
	}
	if !tried && invalid != nil {
		return mfa.Device{}, fmt.Errorf("%w (%w)", mfa.ErrInvalidCode, invalid)
	}
	return mfa.Device{}, mfa.ErrInvalidCode
}

// VerifyDevice checks code against one confirmed device of the user, as
// VerifyCode does for each.
func (f *Factor) VerifyDevice(ctx context.Context, userID, deviceID int64, code string) (mfa.Device, error) {
	d, err := f.owned(ctx, userID, deviceID)
	if err != nil {
		return mfa.Device{}, err
	}
	if !d.Confirmed {
		return mfa.Device{}, fmt.Errorf("totp: device %d is not confirmed: %w", deviceID, mfa.ErrNoDevice)
	}
	ok, err := f.attempt(ctx, d, code, false)
	if err != nil {
		return mfa.Device{}, err
	}
	if !ok {
		return mfa.Device{}, mfa.ErrInvalidCode
	}
	return d.MFA(), nil
}

// owned returns the device id if the user userID owns it.
func (f *Factor) owned(ctx context.Context, userID, id int64) (Device, error) {
	d, err := f.store.Get(ctx, id)
	if err != nil {
		return Device{}, fmt.Errorf("totp: device %d: %w", id, err)
	}
	if d.UserID != userID {
		return Device{}, fmt.Errorf("totp: device %d: %w", id, mfa.ErrNoDevice)
	}
	return d, nil
}

// maxClaims bounds the compare-and-swap loop of attempt; every lost race
// is another attempt's counted failure, so the loop ends throttled long
// before.
const maxClaims = 5

// attempt is one verification on d. It first counts a failure, if the
// device is not throttled, with a compare-and-swap on the throttle state,
// so that concurrent attempts cannot all pass one throttle check; then it
// checks the code, and a match is recorded with Succeed, which resets the
// count and, only if no concurrent attempt spent the step first, moves
// LastT. The row then holds what django-otp's verify_token leaves.
func (f *Factor) attempt(ctx context.Context, d Device, code string, confirm bool) (bool, error) {
	if _, err := d.params(); err != nil {
		return false, fmt.Errorf("totp: device %d: %w", d.ID, err)
	}
	id, now := d.ID, f.now()
	for i := 0; ; i++ {
		if wait := f.wait(d.Throttle, now); wait > 0 {
			return false, &mfa.ThrottledError{RetryAfter: wait}
		}
		if i == maxClaims {
			return false, &mfa.ThrottledError{RetryAfter: f.factor}
		}
		claimed, err := f.store.CountFailure(ctx, d.ID, d.Throttle, now.UTC().Truncate(time.Microsecond))
		if err != nil {
			return false, fmt.Errorf("totp: count attempt on device %d: %w", d.ID, err)
		}
		if claimed {
			break
		}
		if d, err = f.store.Get(ctx, id); err != nil {
			return false, fmt.Errorf("totp: device %d: %w", id, err)
		}
		now = f.now()
	}
	norm, ok := normalizeCode(code)
	if !ok {
		return false, nil
	}
	t, drift, ok, err := d.match(norm, now)
	if err != nil || !ok {
		return false, err
	}
	if f.noSync {
		drift = d.Drift
	}
	won, err := f.store.Succeed(ctx, d.ID, Success{T: t, Drift: drift, Confirm: confirm})
	if err != nil {
		return false, fmt.Errorf("totp: record success on device %d: %w", d.ID, err)
	}
	return won, nil
}

// wait is how long th still refuses attempts at now: django-otp's
// ThrottlingMixin, factor × 2^(failures-1) after the last failure.
func (f *Factor) wait(th Throttle, now time.Time) time.Duration {
	if th.Failures <= 0 || th.Last.IsZero() {
		return 0
	}
	need := time.Duration(math.MaxInt64)
	if th.Failures-1 < 62 {
		if s := float64(f.factor) * math.Ldexp(1, th.Failures-1); s < float64(math.MaxInt64) {
			need = time.Duration(s)
		}
	}
	elapsed := now.Sub(th.Last)
	if elapsed >= need {
		return 0
	}
	return need - elapsed
}

// Begin starts enrolling a TOTP device for the user: a new unconfirmed
// device named name with a fresh random key. Show the user its KeyURI (as
// a QR code), then Confirm it with a code their app shows.
func (f *Factor) Begin(ctx context.Context, userID int64, name string) (Device, error) {
	d, err := NewDevice(userID, name)
	if err != nil {
		return Device{}, err
	}
	d, err = f.store.Create(ctx, d)
	if err != nil {
		return Device{}, fmt.Errorf("totp: create device: %w", err)
	}
	return d, nil
}

// Confirm confirms the unconfirmed device deviceID of the user with a
// first code from the authenticator, throttled and counted as a login
// code is; the code's step is spent, so it cannot then log in. A wrong code
// gives mfa.ErrInvalidCode, a confirmed device ErrConfirmed.
func (f *Factor) Confirm(ctx context.Context, userID, deviceID int64, code string) (Device, error) {
	d, err := f.owned(ctx, userID, deviceID)
	if err != nil {
		return Device{}, err
	}
	if d.Confirmed {
		return Device{}, fmt.Errorf("totp: device %d: %w", deviceID, ErrConfirmed)
	}
	ok, err := f.attempt(ctx, d, code, true)
	if err != nil {
		return Device{}, err
	}
	if !ok {
		return Device{}, mfa.ErrInvalidCode
	}
	if d, err = f.store.Get(ctx, deviceID); err != nil {
		return Device{}, fmt.Errorf("totp: device %d: %w", deviceID, err)
	}
	return d, nil
}

// Rename renames the device deviceID of the user.
func (f *Factor) Rename(ctx context.Context, userID, deviceID int64, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := f.store.Rename(ctx, userID, deviceID, name); err != nil {
		return fmt.Errorf("totp: rename device %d: %w", deviceID, err)
	}
	return nil
}

// RemoveUnconfirmed deletes every unconfirmed device of the user: a
// set-up left half done, in this session or another, before a new one
// begins, so that a user has at most one set-up in progress. A device
// already gone (removed concurrently) is no error.
func (f *Factor) RemoveUnconfirmed(ctx context.Context, userID int64) error {
	devs, err := f.List(ctx, userID)
	if err != nil {
		return err
	}
	for _, d := range devs {
		if d.Confirmed {
			continue
		}
		if err := f.Remove(ctx, userID, d.ID); err != nil && !errors.Is(err, mfa.ErrNoDevice) {
			return err
		}
	}
	return nil
}

// Remove deletes the device deviceID of the user.
func (f *Factor) Remove(ctx context.Context, userID, deviceID int64) error {
	if err := f.store.Delete(ctx, userID, deviceID); err != nil {
		return fmt.Errorf("totp: remove device %d: %w", deviceID, err)
	}
	return nil
}
