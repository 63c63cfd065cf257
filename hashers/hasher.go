package hashers

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/djauth/auth/internal/djcrypto"
)

// Hasher is one password hashing algorithm, the counterpart of a Django
// PasswordHasher class. Implementations are immutable values and safe for
// concurrent use.
//
// Optional abilities are discovered by type assertion: a Hasher that also
// implements [Salter] makes its own salts (bcrypt does), and one that
// implements [Summarizer] can describe a stored hash for admin screens.
type Hasher interface {
	// Algorithm returns the name that prefixes the encoded value, such as
	// "pbkdf2_sha256" (Django's algorithm attribute).
	Algorithm() string

	// Encode hashes password with salt and returns the value to store.
	// The salt is used as given (tests use it for known-answer vectors);
	// [Registry.Make] supplies a fresh random one. Verify-only hashers
	// return [ErrVerifyOnly].
	Encode(password, salt string) (string, error)

	// Verify reports whether password matches encoded. It compares in
	// constant time. A malformed encoded value, or one whose parameters are
	// outside the limits documented in the package doc, returns an error
	// that wraps [ErrMalformed] or [ErrParameterOutOfRange].
	Verify(password, encoded string) (bool, error)

	// MustUpdate reports whether encoded, a value of this algorithm, was made
	// with parameters other than this hasher's, or with too short a salt, so
	// that it should be re-hashed once the password is known. It returns
	// false for a value it cannot parse.
	MustUpdate(encoded string) bool

	// HardenRuntime spends the work that encoded lacks compared with this
	// hasher's parameters, so that checking a wrong password against an old,
	// cheaper hash costs as much as against a current one. It is a no-op
	// where that cannot be estimated (argon2, scrypt, the fast hashers).
	HardenRuntime(password, encoded string)
}

// Salter is implemented by hashers whose salts are not the default 22
// alphanumeric characters (bcrypt's salt also carries its cost).
type Salter interface {
	// Salt returns a new random salt suitable for Encode.
	Salt() string
}

// Summarizer is implemented by hashers that can describe a stored value
// without revealing it (Django's safe_summary).
type Summarizer interface {
	// Summary returns the parts of encoded, with salts and hashes masked by
	// [MaskHash].
	Summary(encoded string) ([]SummaryItem, error)
}

// SummaryItem is one labelled line of a safe summary, in display order.
type SummaryItem struct {
	Label string
	Value string
}

// Errors returned by this package, wrapped with context; test for them with
// errors.Is.
var (
	// ErrUnknownAlgorithm: the encoded value names no algorithm in the
	// registry, or cannot be identified at all.
	ErrUnknownAlgorithm = errors.New("hashers: unknown password hashing algorithm")
	// ErrMalformed: the encoded value has the wrong number of fields, bad
	// base64 or hex, non-numeric parameters, or belongs to another algorithm.
	ErrMalformed = errors.New("hashers: malformed encoded password")
	// ErrParameterOutOfRange: a parameter read from a stored value is outside
	// the limits this package accepts (see the package documentation), or a
	// hasher's own configured parameter is invalid.
	ErrParameterOutOfRange = errors.New("hashers: parameter out of range")
	// ErrVerifyOnly: the hasher exists only to check legacy hashes (SHA1,
	// UnsaltedSHA1, UnsaltedMD5) and refuses to make new ones.
	ErrVerifyOnly = errors.New("hashers: hasher is verify-only")
	// ErrInvalidSalt: the salt given to Encode is empty, contains '$', or
	// does not suit the algorithm.
	ErrInvalidSalt = errors.New("hashers: salt must be provided and cannot contain $")
	// ErrPasswordTooLong: plain bcrypt only uses the first 72 bytes of a
	// password; BCrypt.Encode refuses longer ones instead of truncating.
	ErrPasswordTooLong = errors.New("hashers: password longer than 72 bytes for bcrypt")
	// ErrBusy: every hashing slot of the registry stayed taken for
	// Options.MaxWait, so Make, Check or RunDummy gave up without hashing.
	// The password was not checked; the server is overloaded and the
	// request may be retried later (HTTP 503 with Retry-After).
	ErrBusy = errors.New("hashers: all hashing slots are busy")
)

// RandomStringChars is the alphabet of Django's get_random_string, used for
// salts and unusable passwords.
const RandomStringChars = djcrypto.RandomAlphabet

// SaltEntropy is the minimum salt entropy in bits (Django's salt_entropy).
const SaltEntropy = 128

// UnusablePasswordPrefix starts every unusable password; no hash does.
const UnusablePasswordPrefix = "!"

// UnusablePasswordSuffixLength is the number of random characters after the
// prefix in [Registry.MakeUnusable].
const UnusablePasswordSuffixLength = 40

// saltLength is ceil(128 / log2(62)) = 22, as Django computes it.
var saltLength = djcrypto.EntropyChars(SaltEntropy, len(RandomStringChars))

// RandomString returns n characters drawn uniformly from
// [RandomStringChars] with crypto/rand (Django's get_random_string).
func RandomString(n int) string { return djcrypto.RandomString(n, RandomStringChars) }

// NewSalt returns a Django-style salt: 22 characters from
// [RandomStringChars], at least 128 bits of entropy.
func NewSalt() string { return RandomString(saltLength) }

// mustUpdateSalt is Django's must_update_salt.
func mustUpdateSalt(salt string, entropy int) bool {
	return float64(len(salt))*math.Log2(float64(len(RandomStringChars))) < float64(entropy)
}

// MaskHash returns s with only its first show characters kept and the rest
// replaced by '*' (Django's mask_hash). It counts characters, not bytes.
func MaskHash(s string, show int) string {
	r := []rune(s)
	if show > len(r) {
		show = len(r)
	}
	return string(r[:show]) + strings.Repeat("*", len(r)-show)
}

// checkSalt is Django's _check_encode_args for the salt.
func checkSalt(salt string) error {
	if salt == "" || strings.Contains(salt, "$") {
		return ErrInvalidSalt
	}
	return nil
}

// parseUint parses a decimal parameter from a stored hash: ASCII digits
// only, no sign, no leading zeros (Django writes %d, so a value with them can
// never verify), at most max. Overflow and values above max return an error
// wrapping ErrParameterOutOfRange; other junk wraps ErrMalformed.
func parseUint(name, s string, min, max uint64) (uint64, error) {
	if s == "" || len(s) > 20 || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("%w: %s %q", ErrMalformed, name, truncate(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%w: %s %q", ErrMalformed, name, truncate(s))
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v < min || v > max {
		return 0, fmt.Errorf("%w: %s %s not in [%d, %d]", ErrParameterOutOfRange, name, truncate(s), min, max)
	}
	return v, nil
}

// truncate shortens s for error messages so that a huge stored value does not
// end up in logs whole.
func truncate(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}

// decodeBase64 decodes s with enc, rejecting the CR and LF characters that
// encoding/base64 otherwise skips.
func decodeBase64(enc *base64.Encoding, s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("illegal newline in base64 data")
	}
	return enc.DecodeString(s)
}

// splitN splits encoded into exactly n fields on '$', or fails with
// ErrMalformed.
func splitN(algorithm, encoded string, n int) ([]string, error) {
	parts := strings.SplitN(encoded, "$", n)
	if len(parts) != n {
		return nil, fmt.Errorf("%w: %s: want %d fields", ErrMalformed, algorithm, n)
	}
	if parts[0] != algorithm {
		return nil, fmt.Errorf("%w: not a %s hash", ErrMalformed, algorithm)
	}
	return parts, nil
}
