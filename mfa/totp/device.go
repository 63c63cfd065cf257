package totp

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"

	"github.com/djauth/auth/mfa"
)

// ModelLabel is django-otp's model label of TOTPDevice, the first part of
// its persistent IDs.
const ModelLabel = "otp_totp.totpdevice"

// Defaults of a new device, as django-otp's TOTPDevice fields have them.
const (
	DefaultKeySize   = 20
	DefaultStep      = 30
	DefaultDigits    = 6
	DefaultTolerance = 1
	// MaxNameLength is the max_length of Device.name, in characters.
	MaxNameLength = 64
	// MaxKeySize is the largest key, in bytes, that the key column (80
	// hex digits) holds.
	MaxKeySize = 40
)

// A Device is one row of django-otp's otp_totp_totpdevice: a TOTP
// authenticator of a user. The JSON-free field names follow the columns.
type Device struct {
	// ID is the row's id.
	ID int64
	// UserID is user_id, the owner.
	UserID int64
	// Name is the name the user gave the device, up to 64 characters.
	Name string
	// Confirmed is true once the user proved the device works; an
	// unconfirmed device never verifies a login.
	Confirmed bool
	// Key is the shared secret as django-otp stores it: hex, in clear.
	Key string
	// Step is the time step in seconds (30).
	Step int
	// T0 is the Unix time at which steps are counted from (0).
	T0 int64
	// Digits is the length of a code (6 or 8).
	Digits int
	// Tolerance is how many steps before and after the expected one are
	// accepted (1).
	Tolerance int
	// Drift is the number of steps the authenticator's clock is known to
	// be off, learnt from accepted codes.
	Drift int
	// LastT is the time step of the last accepted code; only later steps
	// are accepted (-1: none yet).
	LastT int64
	// Throttle is the record of failed attempts.
	Throttle Throttle
}

// PersistentID is django-otp's persistent_id of the device,
// "otp_totp.totpdevice/<id>".
func (d Device) PersistentID() string {
	return ModelLabel + "/" + strconv.FormatInt(d.ID, 10)
}

// MFA returns the device as the mfa package describes devices.
func (d Device) MFA() mfa.Device {
	return mfa.Device{Factor: Kind, ID: d.ID, UserID: d.UserID, Name: d.Name, PersistentID: d.PersistentID()}
}

// NewDevice returns an unconfirmed device of the user userID named name,
// with a random 20-byte key and django-otp's defaults.
func NewDevice(userID int64, name string) (Device, error) {
	if err := checkName(name); err != nil {
		return Device{}, err
	}
	key := make([]byte, DefaultKeySize)
	if _, err := rand.Read(key); err != nil {
		return Device{}, fmt.Errorf("totp: random key: %w", err)
	}
	return Device{
		UserID: userID, Name: name, Key: hex.EncodeToString(key),
		Step: DefaultStep, Digits: DefaultDigits, Tolerance: DefaultTolerance, LastT: -1,
	}, nil
}

// checkName checks a device name against the name column.
func checkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrInvalidName)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: not UTF-8", ErrInvalidName)
	case utf8.RuneCountInString(name) > MaxNameLength:
		return fmt.Errorf("%w: longer than %d characters", ErrInvalidName, MaxNameLength)
	}
	for _, r := range name {
		if r == 0 {
			return fmt.Errorf("%w: holds a NUL", ErrInvalidName)
		}
	}
	return nil
}

// parseKey decodes a stored key: hex of either case, as Python's
// unhexlify reads it, 1 to MaxKeySize bytes. An empty key, which
// django-otp would use, is refused: anyone can compute its codes.
func parseKey(s string) ([]byte, error) {
	if len(s) == 0 || len(s) > 2*MaxKeySize {
		return nil, fmt.Errorf("%w: key is %d hex digits, want 2 to %d", ErrInvalidDevice, len(s), 2*MaxKeySize)
	}
	key, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: key is not hex", ErrInvalidDevice)
	}
	return key, nil
}

// params checks the device's stored parameters and returns its key.
func (d Device) params() ([]byte, error) {
	key, err := parseKey(d.Key)
	if err != nil {
		return nil, err
	}
	switch {
	case d.Step < 1:
		return nil, fmt.Errorf("%w: step %d", ErrInvalidDevice, d.Step)
	case d.Digits < 1 || d.Digits > 10:
		return nil, fmt.Errorf("%w: %d digits", ErrInvalidDevice, d.Digits)
	case d.Tolerance < 0:
		return nil, fmt.Errorf("%w: tolerance %d", ErrInvalidDevice, d.Tolerance)
	}
	return key, nil
}

// step returns the time step at now, before drift: django-otp's
// (int(time) - t0) // step, a floor division.
func (d Device) step(now time.Time) int64 {
	n, step := now.Unix()-d.T0, int64(d.Step)
	q := n / step
	if n%step != 0 && n < 0 {
		q--
	}
	return q
}

// hotpCode is the HOTP code (RFC 4226) of key at counter, SHA-1 as
// django-otp, computed by pquerna/otp.
func hotpCode(key []byte, counter uint64, digits int) (string, error) {
	return hotp.GenerateCodeCustom(base32.StdEncoding.EncodeToString(key), counter,
		hotp.ValidateOpts{Digits: otp.Digits(digits), Algorithm: otp.AlgorithmSHA1})
}

// CodeAt returns the code the device's authenticator shows at now, drift
// included: what a test or a setup page needs, never a login.
func (d Device) CodeAt(now time.Time) (string, error) {
	key, err := d.params()
	if err != nil {
		return "", err
	}
	t := d.step(now) + int64(d.Drift)
	if t < 0 {
		return "", fmt.Errorf("%w: time step %d before t0", ErrInvalidDevice, t)
	}
	return hotpCode(key, uint64(t), d.Digits)
}

// match looks for code at the steps django-otp's TOTP.verify tries: the
// current step plus drift, plus or minus the tolerance, lowest first, but
// none at or below LastT. It returns the step and the new drift of the
// first match. Every candidate is computed and compared in constant time.
func (d Device) match(code string, now time.Time) (t int64, drift int, ok bool, err error) {
	key, err := d.params()
	if err != nil {
		return 0, 0, false, err
	}
	if len(code) != d.Digits {
		return 0, 0, false, nil
	}
	base := d.step(now) + int64(d.Drift)
	for off := -d.Tolerance; off <= d.Tolerance; off++ {
		cand := base + int64(off)
		nd := d.Drift + off
		if cand <= d.LastT || cand < 0 || nd < math.MinInt16 || nd > math.MaxInt16 {
			continue
		}
		want, err := hotpCode(key, uint64(cand), d.Digits)
		if err != nil {
			return 0, 0, false, fmt.Errorf("totp: code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !ok {
			t, drift, ok = cand, nd, true
		}
	}
	return t, drift, ok, nil
}

// maxCodeInput bounds what normalizeCode reads of a typed code.
const maxCodeInput = 64

// normalizeCode turns what a user typed into the code's digits: white
// space anywhere (apps show "123 456") is dropped; anything else but ASCII
// digits, no digit at all, more than 10 digits or more than 64 bytes of
// input makes it malformed. Unlike django-otp's int(token), a code that
// lost its leading zeros does not match; the length must be the device's.
func normalizeCode(s string) (string, bool) {
	if len(s) > maxCodeInput {
		return "", false
	}
	var buf [10]byte
	n := 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
		case r >= '0' && r <= '9':
			if n == len(buf) {
				return "", false
			}
			buf[n] = byte(r)
			n++
		default:
			return "", false
		}
	}
	if n == 0 {
		return "", false
	}
	return string(buf[:n]), true
}
