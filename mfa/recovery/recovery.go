package recovery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/djauth/auth/mfa"
)

// Kind is the Kind of the recovery code factor and the Factor of its
// devices.
const Kind = "recovery"

// DefaultName is the name of a device that Generate creates when
// Config.Name is empty.
const DefaultName = "Recovery codes"

// Config configures a Factor. Only Store is required.
type Config struct {
	// Store keeps the devices and codes.
	Store Store
	// Count is the number of codes Generate makes; zero means
	// DefaultCount.
	Count int
	// Name names the device Generate creates for a user who has none;
	// empty means DefaultName. At most 64 characters (django-otp's
	// Device.name).
	Name string
	// Now returns the current time, for throttling; nil means time.Now.
	Now func() time.Time
}

// Factor is the recovery code factor: an mfa.CodeFactor whose codes each
// work once. Make one with New. It is safe for concurrent use when its
// Store is.
type Factor struct {
	store Store
	count int
	name  string
	now   func() time.Time
	plain bool
}

var _ mfa.CodeFactor = (*Factor)(nil)

// A PlainStore is a Store that keeps codes in plain text and matches them
// verbatim, as django-otp's otp_static does (store/postgres's
// DjangoStaticStore). Generate gives such a store's users their codes
// without dashes, exactly as stored, so that Django's
// StaticDevice.verify_token accepts a code as the user was shown it.
type PlainStore interface {
	Store
	// StoresPlaintext reports that the store keeps codes in plain text.
	StoresPlaintext() bool
}

// New returns the Factor of cfg.
func New(cfg Config) (*Factor, error) {
	if cfg.Store == nil {
		return nil, errors.New("recovery: New: nil Store")
	}
	if cfg.Count < 0 || cfg.Count > 100 {
		return nil, fmt.Errorf("recovery: New: Count %d is not between 1 and 100", cfg.Count)
	}
	if len([]rune(cfg.Name)) > 64 {
		return nil, errors.New("recovery: New: Name is longer than 64 characters")
	}
	f := &Factor{store: cfg.Store, count: cfg.Count, name: cfg.Name, now: cfg.Now}
	if f.count == 0 {
		f.count = DefaultCount
	}
	if f.name == "" {
		f.name = DefaultName
	}
	if f.now == nil {
		f.now = time.Now
	}
	if p, ok := cfg.Store.(PlainStore); ok {
		f.plain = p.StoresPlaintext()
	}
	return f, nil
}

// Kind implements mfa.Factor: "recovery".
func (f *Factor) Kind() string { return Kind }

// Devices implements mfa.Factor. A device whose codes are all used is
// still listed, as django-otp lists it; Remaining counts what is left.
func (f *Factor) Devices(ctx context.Context, userID int64) ([]mfa.Device, error) {
	devs, err := f.store.Devices(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("recovery: devices of user %d: %w", userID, err)
	}
	return devs, nil
}

// VerifyCode implements mfa.CodeFactor: it uses up the code if one of the
// user's devices holds it. Case, spaces and dashes in code do not matter.
// Two concurrent uses of one code succeed once. After a failure a device
// refuses attempts for 2^(failures-1) seconds without checking them
// (*mfa.ThrottledError); a success resets the count.
func (f *Factor) VerifyCode(ctx context.Context, userID int64, code string) (mfa.Device, error) {
	forms := candidates(userID, code)
	if forms == nil {
		// Nothing to match: not an attempt, so not counted; still
		// ErrNoDevice for a user without codes, as for any other input.
		devs, err := f.store.Devices(ctx, userID)
		switch {
		case err != nil:
			return mfa.Device{}, fmt.Errorf("recovery: verify: %w", err)
		case len(devs) == 0:
			return mfa.Device{}, fmt.Errorf("recovery: verify: %w", mfa.ErrNoDevice)
		}
		return mfa.Device{}, fmt.Errorf("recovery: verify: %w", mfa.ErrInvalidCode)
	}
	dev, err := f.store.Use(ctx, userID, Attempt{Codes: forms, Now: f.now()})
	if err != nil {
		return mfa.Device{}, fmt.Errorf("recovery: verify: %w", err)
	}
	return dev, nil
}

// Generate makes a new set of codes for the user, voiding the old set, and
// returns the device and the codes in plain text, formatted to be shown
// (Format). This is the only time the codes exist in plain text outside
// the user's hands (except in a PlainStore): show them once, never log
// them.
func (f *Factor) Generate(ctx context.Context, userID int64) (mfa.Device, []string, error) {
	codes := make([]Code, 0, f.count)
	shown := make([]string, 0, f.count)
	seen := make(map[string]bool, f.count)
	for len(codes) < f.count {
		c, err := newCode()
		if err != nil {
			return mfa.Device{}, nil, err
		}
		if seen[c] { // 2^-78 per pair; cheap to rule out
			continue
		}
		seen[c] = true
		codes = append(codes, NewCode(userID, c))
		if f.plain {
			shown = append(shown, c)
		} else {
			shown = append(shown, Format(c))
		}
	}
	dev, err := f.store.Replace(ctx, userID, f.name, codes)
	if err != nil {
		return mfa.Device{}, nil, fmt.Errorf("recovery: generate for user %d: %w", userID, err)
	}
	return dev, shown, nil
}

// Remaining returns the number of unused codes of the user.
func (f *Factor) Remaining(ctx context.Context, userID int64) (int, error) {
	n, err := f.store.Remaining(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("recovery: remaining of user %d: %w", userID, err)
	}
	return n, nil
}

// Remove deletes the user's recovery codes and devices.
func (f *Factor) Remove(ctx context.Context, userID int64) error {
	if err := f.store.Remove(ctx, userID); err != nil {
		return fmt.Errorf("recovery: remove for user %d: %w", userID, err)
	}
	return nil
}
