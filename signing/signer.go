package signing

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"

	"github.com/djauth/auth/internal/djcrypto"
)

// Errors returned by the signers. ErrSignatureExpired wraps
// ErrBadSignature, as Django's SignatureExpired subclasses BadSignature, so
// errors.Is(err, ErrBadSignature) holds for an expired signature too.
var (
	// ErrBadSignature: the value carries no signature, or one that none of
	// the keys made (Django's BadSignature).
	ErrBadSignature = errors.New("signing: bad signature")
	// ErrSignatureExpired: the signature is valid but older than the
	// maximum age asked for (Django's SignatureExpired).
	ErrSignatureExpired = fmt.Errorf("signing: signature expired: %w", ErrBadSignature)
	// ErrMalformed: the signature is valid but what it signs cannot be
	// read: a timestamp that is not base62, base64, zlib or JSON that does
	// not decode. Django raises ValueError, binascii.Error, zlib.error or
	// JSONDecodeError here.
	ErrMalformed = errors.New("signing: malformed signed value")
	// ErrTooLarge: a compressed payload inflates beyond
	// Config.MaxDecompressedSize. Django has no such limit.
	ErrTooLarge = errors.New("signing: decompressed payload too large")
)

// Algorithm names the hash of the HMAC, as Django's algorithm argument
// names a hashlib function.
type Algorithm string

// The algorithms a Signer supports.
const (
	// SHA256 is Django's default since 3.1.
	SHA256 Algorithm = "sha256"
	// SHA1 is Django's algorithm before 3.1 (DEFAULT_HASHING_ALGORITHM =
	// "sha1" in Django 3.1 and 3.2).
	SHA1 Algorithm = "sha1"
	// SHA224, SHA384 and SHA512 are the other hashlib names Django accepts.
	SHA224 Algorithm = "sha224"
	SHA384 Algorithm = "sha384"
	SHA512 Algorithm = "sha512"
)

func (a Algorithm) hash() (func() hash.Hash, error) {
	switch a {
	case SHA256, "":
		return sha256.New, nil
	case SHA1:
		return sha1.New, nil
	case SHA224:
		return sha256.New224, nil
	case SHA384:
		return sha512.New384, nil
	case SHA512:
		return sha512.New, nil
	}
	return nil, fmt.Errorf("signing: %q is not a supported algorithm", string(a))
}

// DefaultMaxDecompressedSize is the limit on an inflated payload when
// Config.MaxDecompressedSize is zero: 1 MiB.
const DefaultMaxDecompressedSize = 1 << 20

// Config configures a Signer or a TimestampSigner. Only Key is required;
// every other zero value means Django's default.
type Config struct {
	// Key signs and verifies (Django's key, by default SECRET_KEY). A
	// Python bytes key is the same bytes in a Go string.
	Key string
	// FallbackKeys also verify, in order, but never sign (Django 4.1's
	// fallback_keys, by default SECRET_KEY_FALLBACKS): rotate a key by
	// making the old one a fallback.
	FallbackKeys []string
	// Salt namespaces the signatures. Empty means Django's default, the
	// class's dotted name: "django.core.signing.Signer" or
	// "django.core.signing.TimestampSigner".
	Salt string
	// Sep separates a value from its signature and timestamp; empty means
	// ":". Like Django, a separator made only of the characters A-z (the
	// ASCII range, which includes [\]^_`), 0-9, - and = is refused,
	// because base64 and base62 use them.
	Sep string
	// Algorithm is the HMAC's hash; empty means SHA256.
	Algorithm Algorithm
	// LegacySHA1 also accepts SHA-1 signatures when Algorithm is another,
	// as Django 3.1 and 3.2 do (Signer.legacy_algorithm, removed in 4.0).
	LegacySHA1 bool
	// Compress makes SignObject zlib-compress the JSON when that makes it
	// shorter, marking it with a leading "." (Django's compress=True).
	Compress bool
	// MaxDecompressedSize bounds the inflated size of a compressed payload
	// in bytes; zero means DefaultMaxDecompressedSize. Django inflates
	// without limit; this is a deliberate difference, so that a holder of
	// the key (or a bug) cannot make a small cookie a large allocation.
	MaxDecompressedSize int64
	// Now is the clock of a TimestampSigner; nil means time.Now.
	Now func() time.Time
}

// Signer signs strings and JSON values, and verifies them (Django's
// django.core.signing.Signer). It is safe for concurrent use.
type Signer struct {
	sep       string
	verifiers []verifier // verifiers[0] is the signing key's
	compress  bool
	maxSize   int64
}

// verifier is one key's derived HMAC key under one algorithm.
type verifier struct {
	h   func() hash.Hash
	key []byte
}

func (v verifier) signature(value string) string {
	mac := hmac.New(v.h, v.key)
	mac.Write([]byte(value))
	return djcrypto.URLSafeBase64Encode(mac.Sum(nil))
}

// NewSigner returns a Signer for c, or an error if c has no key, an unsafe
// separator or an unknown algorithm.
func NewSigner(c Config) (*Signer, error) {
	return newSigner(c, "django.core.signing.Signer")
}

func newSigner(c Config, defaultSalt string) (*Signer, error) {
	if c.Key == "" {
		return nil, errors.New("signing: empty key")
	}
	sep := c.Sep
	if sep == "" {
		sep = ":"
	} else if unsafeSep(sep) {
		return nil, fmt.Errorf("signing: unsafe separator %q (cannot consist of only A-z0-9-_=)", sep)
	}
	salt := c.Salt
	if salt == "" {
		salt = defaultSalt
	}
	h, err := c.Algorithm.hash()
	if err != nil {
		return nil, err
	}
	hashes := []func() hash.Hash{h}
	if c.LegacySHA1 && c.Algorithm != SHA1 {
		hashes = append(hashes, sha1.New)
	}
	if c.MaxDecompressedSize < 0 {
		return nil, errors.New("signing: negative MaxDecompressedSize")
	}
	s := &Signer{sep: sep, compress: c.Compress, maxSize: c.MaxDecompressedSize}
	if s.maxSize == 0 {
		s.maxSize = DefaultMaxDecompressedSize
	}
	for _, key := range append([]string{c.Key}, c.FallbackKeys...) {
		for _, h := range hashes {
			s.verifiers = append(s.verifiers, verifier{h, djcrypto.SaltedHMACKey(h, salt+"signer", key)})
		}
	}
	return s, nil
}

// unsafeSep reports whether Django's _SEP_UNSAFE, ^[A-z0-9-_=]*$, matches
// sep. Python's $ also matches before one final newline.
func unsafeSep(sep string) bool {
	sep = strings.TrimSuffix(sep, "\n")
	for i := 0; i < len(sep); i++ {
		c := sep[i]
		if !(c >= 'A' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '=') {
			return false
		}
	}
	return true
}

// Signature returns the signature of value under the signing key: URL-safe
// base64, without padding, of HMAC(salted key, value).
func (s *Signer) Signature(value string) string {
	return s.verifiers[0].signature(value)
}

// Sign returns value, the separator and its signature.
func (s *Signer) Sign(value string) string {
	return value + s.sep + s.Signature(value)
}

// Unsign returns the value that signed carries if the signature after its
// last separator is one that the key or a fallback key makes, and wraps
// ErrBadSignature otherwise. Signatures are compared in constant time.
func (s *Signer) Unsign(signed string) (string, error) {
	i := strings.LastIndex(signed, s.sep)
	if i < 0 {
		return "", fmt.Errorf("%w: no %q found in value", ErrBadSignature, s.sep)
	}
	value, sig := signed[:i], signed[i+len(s.sep):]
	for _, v := range s.verifiers {
		if djcrypto.ConstantTimeEqual(sig, v.signature(value)) {
			return value, nil
		}
	}
	return "", fmt.Errorf("%w: signature %q does not match", ErrBadSignature, sig)
}

// SignObject returns v serialized as Django's JSONSerializer does, then
// compressed if Config.Compress asks and it helps, URL-safe base64
// encoded, and signed (Django's Signer.sign_object).
func (s *Signer) SignObject(v any) (string, error) {
	b64, err := encodeObject(v, s.compress)
	if err != nil {
		return "", err
	}
	return s.Sign(b64), nil
}

// UnsignObject verifies signed as Unsign does and decodes the JSON value it
// carries into v, as encoding/json.Unmarshal does (Django's
// Signer.unsign_object).
func (s *Signer) UnsignObject(signed string, v any) error {
	b64, err := s.Unsign(signed)
	if err != nil {
		return err
	}
	return decodeObject(b64, s.maxSize, v, false)
}
