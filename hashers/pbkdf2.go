package hashers

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"strconv"

	"github.com/djauth/auth/internal/djcrypto"
	"golang.org/x/crypto/pbkdf2"
)

// DefaultPBKDF2Iterations is Django 6.0's PBKDF2 iteration count.
const DefaultPBKDF2Iterations = 1_200_000

// MaxPBKDF2Iterations bounds the iteration count read from a stored hash or
// configured on a hasher (about 80 times Django 6.0's default).
const MaxPBKDF2Iterations = 100_000_000

// maxSaltLen bounds the salt of a stored hash, in bytes.
const maxSaltLen = 1024

// PBKDF2 is Django's PBKDF2PasswordHasher: PBKDF2-HMAC-SHA256 with a 32-byte
// key, stored as pbkdf2_sha256$<iterations>$<salt>$<base64 key>. It is the
// first hasher of [Default].
type PBKDF2 struct {
	// Iterations is the work factor for new hashes; 0 means
	// DefaultPBKDF2Iterations.
	Iterations int

	observe func(iterations int) // test hook: called before each PBKDF2 run
}

// PBKDF2SHA1 is Django's PBKDF2SHA1PasswordHasher: as [PBKDF2] with
// HMAC-SHA1 and a 20-byte key, stored as pbkdf2_sha1$....
type PBKDF2SHA1 struct {
	// Iterations is the work factor for new hashes; 0 means
	// DefaultPBKDF2Iterations.
	Iterations int

	observe func(iterations int)
}

// Algorithm returns "pbkdf2_sha256".
func (h PBKDF2) Algorithm() string { return "pbkdf2_sha256" }

// Encode hashes password with salt at h's iteration count.
func (h PBKDF2) Encode(password, salt string) (string, error) { return h.p().encode(password, salt) }

// Verify reports whether password matches encoded.
func (h PBKDF2) Verify(password, encoded string) (bool, error) {
	return h.p().verify(password, encoded)
}

// MustUpdate reports whether encoded has another iteration count or a short
// salt.
func (h PBKDF2) MustUpdate(encoded string) bool { return h.p().mustUpdate(encoded) }

// HardenRuntime runs the iterations encoded lacks compared with h.
func (h PBKDF2) HardenRuntime(password, encoded string) { h.p().hardenRuntime(password, encoded) }

// Summary describes encoded with its salt and hash masked.
func (h PBKDF2) Summary(encoded string) ([]SummaryItem, error) { return h.p().summary(encoded) }

func (h PBKDF2) p() pbkdf2Hasher {
	return pbkdf2Hasher{"pbkdf2_sha256", sha256.New, sha256.Size, h.Iterations, h.observe}
}

// Algorithm returns "pbkdf2_sha1".
func (h PBKDF2SHA1) Algorithm() string { return "pbkdf2_sha1" }

// Encode hashes password with salt at h's iteration count.
func (h PBKDF2SHA1) Encode(password, salt string) (string, error) {
	return h.p().encode(password, salt)
}

// Verify reports whether password matches encoded.
func (h PBKDF2SHA1) Verify(password, encoded string) (bool, error) {
	return h.p().verify(password, encoded)
}

// MustUpdate reports whether encoded has another iteration count or a short
// salt.
func (h PBKDF2SHA1) MustUpdate(encoded string) bool { return h.p().mustUpdate(encoded) }

// HardenRuntime runs the iterations encoded lacks compared with h.
func (h PBKDF2SHA1) HardenRuntime(password, encoded string) {
	h.p().hardenRuntime(password, encoded)
}

// Summary describes encoded with its salt and hash masked.
func (h PBKDF2SHA1) Summary(encoded string) ([]SummaryItem, error) { return h.p().summary(encoded) }

func (h PBKDF2SHA1) p() pbkdf2Hasher {
	return pbkdf2Hasher{"pbkdf2_sha1", sha1.New, sha1.Size, h.Iterations, h.observe}
}

type pbkdf2Hasher struct {
	algorithm  string
	digest     func() hash.Hash
	size       int
	iterations int
	observe    func(int)
}

func (h pbkdf2Hasher) iter() int {
	if h.iterations == 0 {
		return DefaultPBKDF2Iterations
	}
	return h.iterations
}

func (h pbkdf2Hasher) key(password, salt string, iterations int) []byte {
	if h.observe != nil {
		h.observe(iterations)
	}
	// HMAC hashes a key longer than its block size once, so a long password
	// costs one extra digest, not one per iteration.
	return pbkdf2.Key([]byte(password), []byte(salt), iterations, h.size, h.digest)
}

func (h pbkdf2Hasher) format(iterations int, salt string, key []byte) string {
	return h.algorithm + "$" + strconv.Itoa(iterations) + "$" + salt + "$" + base64.StdEncoding.EncodeToString(key)
}

func (h pbkdf2Hasher) encode(password, salt string) (string, error) {
	if err := checkSalt(salt); err != nil {
		return "", fmt.Errorf("%s: %w", h.algorithm, err)
	}
	it := h.iter()
	if it < 1 || it > MaxPBKDF2Iterations {
		return "", fmt.Errorf("%w: %s iterations %d", ErrParameterOutOfRange, h.algorithm, it)
	}
	return h.format(it, salt, h.key(password, salt, it)), nil
}

type pbkdf2Decoded struct {
	iterations int
	salt, hash string
}

func (h pbkdf2Hasher) decode(encoded string) (pbkdf2Decoded, error) {
	parts, err := splitN(h.algorithm, encoded, 4)
	if err != nil {
		return pbkdf2Decoded{}, err
	}
	it, err := parseUint("iterations", parts[1], 1, MaxPBKDF2Iterations)
	if err != nil {
		return pbkdf2Decoded{}, fmt.Errorf("%s: %w", h.algorithm, err)
	}
	if parts[2] == "" || len(parts[2]) > maxSaltLen {
		return pbkdf2Decoded{}, fmt.Errorf("%w: %s: salt length %d", ErrMalformed, h.algorithm, len(parts[2]))
	}
	raw, err := decodeBase64(base64.StdEncoding.Strict(), parts[3])
	if err != nil || len(raw) != h.size {
		return pbkdf2Decoded{}, fmt.Errorf("%w: %s: hash is not base64 of %d bytes", ErrMalformed, h.algorithm, h.size)
	}
	return pbkdf2Decoded{int(it), parts[2], parts[3]}, nil
}

func (h pbkdf2Hasher) verify(password, encoded string) (bool, error) {
	d, err := h.decode(encoded)
	if err != nil {
		return false, err
	}
	// Like Django: re-encode with the stored salt and iterations and compare
	// the whole strings.
	return djcrypto.ConstantTimeEqual(encoded, h.format(d.iterations, d.salt, h.key(password, d.salt, d.iterations))), nil
}

func (h pbkdf2Hasher) mustUpdate(encoded string) bool {
	d, err := h.decode(encoded)
	if err != nil {
		return false
	}
	return d.iterations != h.iter() || mustUpdateSalt(d.salt, SaltEntropy)
}

func (h pbkdf2Hasher) hardenRuntime(password, encoded string) {
	d, err := h.decode(encoded)
	if err != nil {
		return
	}
	if extra := h.iter() - d.iterations; extra > 0 && h.iter() <= MaxPBKDF2Iterations {
		h.key(password, d.salt, extra)
	}
}

func (h pbkdf2Hasher) summary(encoded string) ([]SummaryItem, error) {
	d, err := h.decode(encoded)
	if err != nil {
		return nil, err
	}
	return []SummaryItem{
		{"algorithm", h.algorithm},
		{"iterations", strconv.Itoa(d.iterations)},
		{"salt", MaskHash(d.salt, 6)},
		{"hash", MaskHash(d.hash, 6)},
	}, nil
}
