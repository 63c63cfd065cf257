package hashers

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/djauth/auth/internal/djcrypto"
)

// SHA1 is Django's former SHA1PasswordHasher (removed in Django 6.0):
// salted SHA-1, sha1$<salt>$<hex>. It is verify-only: Encode returns
// [ErrVerifyOnly]. Use it to import old databases, behind a stronger
// preferred hasher so that Check reports mustUpdate.
type SHA1 struct{}

// Algorithm returns "sha1".
func (SHA1) Algorithm() string { return "sha1" }

// Encode returns ErrVerifyOnly.
func (SHA1) Encode(password, salt string) (string, error) {
	return "", fmt.Errorf("sha1: %w", ErrVerifyOnly)
}

// Verify reports whether password matches encoded.
func (SHA1) Verify(password, encoded string) (bool, error) {
	return saltedDigest{"sha1", sha1.New, sha1.Size}.verify(password, encoded)
}

// MustUpdate reports whether encoded has too short a salt.
func (SHA1) MustUpdate(encoded string) bool {
	return saltedDigest{"sha1", sha1.New, sha1.Size}.mustUpdate(encoded)
}

// HardenRuntime does nothing: SHA-1 has no work factor.
func (SHA1) HardenRuntime(password, encoded string) {}

// Summary describes encoded with its salt and hash masked.
func (SHA1) Summary(encoded string) ([]SummaryItem, error) {
	return saltedDigest{"sha1", sha1.New, sha1.Size}.summary(encoded)
}

// UnsaltedMD5 is Django's former UnsaltedMD5PasswordHasher (removed in
// Django 6.0), algorithm name "unsalted_md5": a bare 32-digit hex MD5 of the
// password, or the same after "md5$$". Verify-only: Encode returns
// [ErrVerifyOnly].
type UnsaltedMD5 struct{}

// Algorithm returns "unsalted_md5".
func (UnsaltedMD5) Algorithm() string { return "unsalted_md5" }

// Encode returns ErrVerifyOnly.
func (UnsaltedMD5) Encode(password, salt string) (string, error) {
	return "", fmt.Errorf("unsalted_md5: %w", ErrVerifyOnly)
}

func (UnsaltedMD5) decode(encoded string) (string, error) {
	if len(encoded) == 37 && strings.HasPrefix(encoded, "md5$$") {
		encoded = encoded[5:]
	}
	if _, err := hex.DecodeString(encoded); err != nil || len(encoded) != 32 {
		return "", fmt.Errorf("%w: unsalted_md5: want 32 hex digits", ErrMalformed)
	}
	return encoded, nil
}

// Verify reports whether password matches encoded.
func (h UnsaltedMD5) Verify(password, encoded string) (bool, error) {
	sum, err := h.decode(encoded)
	if err != nil {
		return false, err
	}
	got := md5.Sum([]byte(password))
	return djcrypto.ConstantTimeEqual(sum, hex.EncodeToString(got[:])), nil
}

// MustUpdate returns false, as Django's base hasher does; the registry still
// reports mustUpdate because this is never the preferred algorithm.
func (UnsaltedMD5) MustUpdate(encoded string) bool { return false }

// HardenRuntime does nothing.
func (UnsaltedMD5) HardenRuntime(password, encoded string) {}

// Summary describes encoded with its hash masked.
func (h UnsaltedMD5) Summary(encoded string) ([]SummaryItem, error) {
	sum, err := h.decode(encoded)
	if err != nil {
		return nil, err
	}
	return []SummaryItem{{"algorithm", "unsalted_md5"}, {"hash", MaskHash(sum, 3)}}, nil
}

// UnsaltedSHA1 is Django's former UnsaltedSHA1PasswordHasher (removed in
// Django 6.0), algorithm name "unsalted_sha1": sha1$$<hex SHA-1 of the
// password>. Verify-only: Encode returns [ErrVerifyOnly].
type UnsaltedSHA1 struct{}

// Algorithm returns "unsalted_sha1".
func (UnsaltedSHA1) Algorithm() string { return "unsalted_sha1" }

// Encode returns ErrVerifyOnly.
func (UnsaltedSHA1) Encode(password, salt string) (string, error) {
	return "", fmt.Errorf("unsalted_sha1: %w", ErrVerifyOnly)
}

func (UnsaltedSHA1) decode(encoded string) (string, error) {
	sum, ok := strings.CutPrefix(encoded, "sha1$$")
	if _, err := hex.DecodeString(sum); !ok || err != nil || len(sum) != 40 {
		return "", fmt.Errorf("%w: unsalted_sha1: want sha1$$ and 40 hex digits", ErrMalformed)
	}
	return sum, nil
}

// Verify reports whether password matches encoded.
func (h UnsaltedSHA1) Verify(password, encoded string) (bool, error) {
	sum, err := h.decode(encoded)
	if err != nil {
		return false, err
	}
	got := sha1.Sum([]byte(password))
	return djcrypto.ConstantTimeEqual(sum, hex.EncodeToString(got[:])), nil
}

// MustUpdate returns false, as Django's base hasher does.
func (UnsaltedSHA1) MustUpdate(encoded string) bool { return false }

// HardenRuntime does nothing.
func (UnsaltedSHA1) HardenRuntime(password, encoded string) {}

// Summary describes encoded with its hash masked.
func (h UnsaltedSHA1) Summary(encoded string) ([]SummaryItem, error) {
	sum, err := h.decode(encoded)
	if err != nil {
		return nil, err
	}
	return []SummaryItem{{"algorithm", "unsalted_sha1"}, {"hash", MaskHash(sum, 6)}}, nil
}
