package djcrypto

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"hash"
	"math"
	"strconv"
	"strings"
)

// ErrInvalid reports a malformed base36 or base64 input.
var ErrInvalid = errors.New("djcrypto: invalid encoding")

// SaltedHMAC returns HMAC(value) keyed with SHA-256(keySalt + secret), as
// Django's salted_hmac(key_salt, value, secret, algorithm="sha256") does.
func SaltedHMAC(keySalt, value, secret string) []byte {
	return SaltedHMACWith(sha256.New, keySalt, value, secret)
}

// SaltedHMACWith is SaltedHMAC with another hash function, such as
// crypto/sha1.New for Django's legacy algorithm="sha1".
func SaltedHMACWith(h func() hash.Hash, keySalt, value, secret string) []byte {
	mac := hmac.New(h, SaltedHMACKey(h, keySalt, secret))
	mac.Write([]byte(value))
	return mac.Sum(nil)
}

// SaltedHMACKey is the key of Django's salted_hmac: h(keySalt + secret).
// Callers that sign many values with one key derive it once and keep an
// hmac.New(h, key) around.
func SaltedHMACKey(h func() hash.Hash, keySalt, secret string) []byte {
	kh := h()
	kh.Write([]byte(keySalt))
	kh.Write([]byte(secret))
	return kh.Sum(nil)
}

// ConstantTimeEqual reports whether a and b are equal, in time that depends
// only on their lengths (Django's constant_time_compare).
func ConstantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// RandomAlphabet is Django's RANDOM_STRING_CHARS.
const RandomAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// RandomString returns n characters drawn uniformly from alphabet with
// crypto/rand (Django's get_random_string). An empty alphabet means
// RandomAlphabet. The alphabet is a string of bytes, at most 256 of them;
// a longer one is a programming error and panics.
func RandomString(n int, alphabet string) string {
	if alphabet == "" {
		alphabet = RandomAlphabet
	}
	if len(alphabet) > 256 {
		panic("djcrypto: RandomString alphabet longer than 256 bytes")
	}
	// Reject random bytes at or above the largest multiple of the alphabet's
	// size (248 for 62 characters) so that b % size is unbiased.
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go 1.24+).
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

// EntropyChars returns how many characters of an alphabet of size n carry at
// least bits bits of entropy: ceil(bits / log2(n)).
func EntropyChars(bits float64, n int) int {
	return int(math.Ceil(bits / math.Log2(float64(n))))
}

// IntToBase36 encodes a non-negative integer in lowercase base 36 (Django's
// int_to_base36).
func IntToBase36(i int64) string {
	if i < 0 {
		panic("djcrypto: IntToBase36 of a negative number")
	}
	return strconv.FormatInt(i, 36)
}

// Base36ToInt decodes 1 to 13 characters of [0-9a-z], Django's limit for
// base36_to_int, and rejects everything else (signs, spaces, underscores
// and upper case, which Python's int() would tolerate).
func Base36ToInt(s string) (int64, error) {
	if len(s) == 0 || len(s) > 13 {
		return 0, ErrInvalid
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return 0, ErrInvalid
		}
	}
	n, err := strconv.ParseInt(s, 36, 64)
	if err != nil {
		return 0, ErrInvalid
	}
	return n, nil
}

// URLSafeBase64Encode encodes b in URL-safe base64 without padding (Django's
// urlsafe_base64_encode).
func URLSafeBase64Encode(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}

// URLSafeBase64Decode decodes URL-safe base64 with or without padding
// (Django's urlsafe_base64_decode), strictly: any other character is an
// error.
func URLSafeBase64Decode(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	// The decoder skips '\r' and '\n' even in strict mode; Django's tokens
	// never hold them, so anything outside the alphabet is refused here.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, ErrInvalid
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, ErrInvalid
	}
	return b, nil
}
