package hashers

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"

	"github.com/djauth/auth/internal/djcrypto"
)

// MD5 is Django's MD5PasswordHasher: salted MD5, md5$<salt>$<hex>. It is
// fast and therefore weak; Django keeps it for tests, and so do we. It is
// not in [Default].
type MD5 struct{}

// Algorithm returns "md5".
func (MD5) Algorithm() string { return "md5" }

// Encode returns md5$salt$hex(md5(salt + password)).
func (MD5) Encode(password, salt string) (string, error) {
	return saltedDigest{"md5", md5.New, md5.Size}.encode(password, salt)
}

// Verify reports whether password matches encoded.
func (MD5) Verify(password, encoded string) (bool, error) {
	return saltedDigest{"md5", md5.New, md5.Size}.verify(password, encoded)
}

// MustUpdate reports whether encoded has too short a salt.
func (MD5) MustUpdate(encoded string) bool {
	return saltedDigest{"md5", md5.New, md5.Size}.mustUpdate(encoded)
}

// HardenRuntime does nothing: MD5 has no work factor.
func (MD5) HardenRuntime(password, encoded string) {}

// Summary describes encoded with its salt and hash masked.
func (MD5) Summary(encoded string) ([]SummaryItem, error) {
	return saltedDigest{"md5", md5.New, md5.Size}.summary(encoded)
}

// saltedDigest is the shared code of the salted MD5 and SHA-1 hashers:
// <algorithm>$<salt>$<hex(digest(salt + password))>.
type saltedDigest struct {
	algorithm string
	digest    func() hash.Hash
	size      int
}

func (h saltedDigest) sum(password, salt string) string {
	d := h.digest()
	d.Write([]byte(salt))
	d.Write([]byte(password))
	return hex.EncodeToString(d.Sum(nil))
}

func (h saltedDigest) encode(password, salt string) (string, error) {
	if err := checkSalt(salt); err != nil {
		return "", fmt.Errorf("%s: %w", h.algorithm, err)
	}
	return h.algorithm + "$" + salt + "$" + h.sum(password, salt), nil
}

func (h saltedDigest) decode(encoded string) (salt, sum string, err error) {
	parts, err := splitN(h.algorithm, encoded, 3)
	if err != nil {
		return "", "", err
	}
	if parts[1] == "" || len(parts[1]) > maxSaltLen {
		return "", "", fmt.Errorf("%w: %s: salt length %d", ErrMalformed, h.algorithm, len(parts[1]))
	}
	if _, err := hex.DecodeString(parts[2]); err != nil || len(parts[2]) != 2*h.size {
		return "", "", fmt.Errorf("%w: %s: hash is not %d hex digits", ErrMalformed, h.algorithm, 2*h.size)
	}
	return parts[1], parts[2], nil
}

func (h saltedDigest) verify(password, encoded string) (bool, error) {
	salt, sum, err := h.decode(encoded)
	if err != nil {
		return false, err
	}
	// Django compares the lowercase hexdigest with the stored text.
	return djcrypto.ConstantTimeEqual(sum, h.sum(password, salt)), nil
}

func (h saltedDigest) mustUpdate(encoded string) bool {
	salt, _, err := h.decode(encoded)
	return err == nil && mustUpdateSalt(salt, SaltEntropy)
}

func (h saltedDigest) summary(encoded string) ([]SummaryItem, error) {
	salt, sum, err := h.decode(encoded)
	if err != nil {
		return nil, err
	}
	return []SummaryItem{
		{"algorithm", h.algorithm},
		{"salt", MaskHash(salt, 2)},
		{"hash", MaskHash(sum, 6)},
	}, nil
}
