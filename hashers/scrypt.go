package hashers

import (
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/djauth/auth/internal/djcrypto"
	"golang.org/x/crypto/scrypt"
)

// Django 6.0's scrypt parameters and key length.
const (
	DefaultScryptWorkFactor  = 1 << 14 // N
	DefaultScryptBlockSize   = 8       // r
	DefaultScryptParallelism = 5       // p
	scryptKeyLen             = 64
)

// Limits on scrypt parameters read from stored hashes or configured.
const (
	// MaxScryptMemory bounds the memory one scrypt run allocates,
	// 128*r*(N+p) bytes: 1 GiB. (Django passes maxmem=0 to hashlib, so
	// OpenSSL's own default of 32 MiB limits what Django can compute.)
	MaxScryptMemory = 1 << 30
	// MaxScryptWork bounds N*r*p, about 100 times Django's default.
	MaxScryptWork = 1 << 26
)

// Scrypt is Django's ScryptPasswordHasher, stored as
// scrypt$<N>$<salt>$<r>$<p>$<base64 64-byte key>.
type Scrypt struct {
	// WorkFactor is N, a power of two; 0 means 16384.
	WorkFactor int
	// BlockSize is r; 0 means 8.
	BlockSize int
	// Parallelism is p; 0 means 5.
	Parallelism int
}

func (h Scrypt) params() (n, r, p int) {
	n, r, p = h.WorkFactor, h.BlockSize, h.Parallelism
	if n == 0 {
		n = DefaultScryptWorkFactor
	}
	if r == 0 {
		r = DefaultScryptBlockSize
	}
	if p == 0 {
		p = DefaultScryptParallelism
	}
	return n, r, p
}

func checkScrypt(n, r, p int) error {
	if n < 2 || n&(n-1) != 0 || n > MaxScryptMemory/128 {
		return fmt.Errorf("%w: scrypt N=%d (want a power of two from 2)", ErrParameterOutOfRange, n)
	}
	if r < 1 || p < 1 || r > MaxScryptMemory/128 || p > MaxScryptMemory/128 ||
		uint64(128)*uint64(r)*uint64(n+p) > MaxScryptMemory ||
		uint64(n)*uint64(r)*uint64(p) > MaxScryptWork {
		return fmt.Errorf("%w: scrypt N=%d r=%d p=%d", ErrParameterOutOfRange, n, r, p)
	}
	return nil
}

// Algorithm returns "scrypt".
func (Scrypt) Algorithm() string { return "scrypt" }

func scryptFormat(n int, salt string, r, p int, key []byte) string {
	return "scrypt$" + strconv.Itoa(n) + "$" + salt + "$" + strconv.Itoa(r) + "$" + strconv.Itoa(p) + "$" +
		base64.StdEncoding.EncodeToString(key)
}

func scryptKey(password, salt string, n, r, p int) []byte {
	// scrypt runs PBKDF2-HMAC-SHA256 once over the password, so a long
	// password is digested once.
	key, err := scrypt.Key([]byte(password), []byte(salt), n, r, p, scryptKeyLen)
	if err != nil { // parameters were checked by the caller
		panic(err)
	}
	return key
}

// Encode hashes password with salt at h's parameters.
func (h Scrypt) Encode(password, salt string) (string, error) {
	if err := checkSalt(salt); err != nil {
		return "", fmt.Errorf("scrypt: %w", err)
	}
	n, r, p := h.params()
	if err := checkScrypt(n, r, p); err != nil {
		return "", err
	}
	return scryptFormat(n, salt, r, p, scryptKey(password, salt, n, r, p)), nil
}

type scryptDecoded struct {
	n, r, p    int
	salt, hash string
}

func decodeScrypt(encoded string) (scryptDecoded, error) {
	var d scryptDecoded
	parts, err := splitN("scrypt", encoded, 6)
	if err != nil {
		return d, err
	}
	// N, r and p in the order they are stored, so that the first bad one
	// decides the error.
	for _, f := range []struct {
		s   string
		dst *int
	}{{parts[1], &d.n}, {parts[3], &d.r}, {parts[4], &d.p}} {
		v, err := parseUint("scrypt parameter", f.s, 1, MaxScryptMemory)
		if err != nil {
			return d, err
		}
		*f.dst = int(v)
	}
	if err := checkScrypt(d.n, d.r, d.p); err != nil {
		return d, err
	}
	d.salt, d.hash = parts[2], parts[5]
	if d.salt == "" || len(d.salt) > maxSaltLen {
		return d, fmt.Errorf("%w: scrypt salt length %d", ErrMalformed, len(d.salt))
	}
	if raw, err := decodeBase64(base64.StdEncoding.Strict(), d.hash); err != nil || len(raw) != scryptKeyLen {
		return d, fmt.Errorf("%w: scrypt hash is not base64 of %d bytes", ErrMalformed, scryptKeyLen)
	}
	return d, nil
}

// Verify reports whether password matches encoded, using the N, r and p
// stored in it.
func (Scrypt) Verify(password, encoded string) (bool, error) {
	d, err := decodeScrypt(encoded)
	if err != nil {
		return false, err
	}
	return djcrypto.ConstantTimeEqual(encoded, scryptFormat(d.n, d.salt, d.r, d.p, scryptKey(password, d.salt, d.n, d.r, d.p))), nil
}

// MustUpdate reports whether encoded has another N, r or p than h. (Django
// does not check the scrypt salt's length.)
func (h Scrypt) MustUpdate(encoded string) bool {
	d, err := decodeScrypt(encoded)
	if err != nil {
		return false
	}
	n, r, p := h.params()
	return d.n != n || d.r != r || d.p != p
}

// HardenRuntime does nothing, as in Django.
func (Scrypt) HardenRuntime(password, encoded string) {}

// Summary describes encoded with its salt and hash masked.
func (Scrypt) Summary(encoded string) ([]SummaryItem, error) {
	d, err := decodeScrypt(encoded)
	if err != nil {
		return nil, err
	}
	return []SummaryItem{
		{"algorithm", "scrypt"},
		{"work factor", strconv.Itoa(d.n)},
		{"block size", strconv.Itoa(d.r)},
		{"parallelism", strconv.Itoa(d.p)},
		{"salt", MaskHash(d.salt, 6)},
		{"hash", MaskHash(d.hash, 6)},
	}, nil
}
