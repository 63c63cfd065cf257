package hashers

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/djauth/auth/hashers/internal/argon2ref"
	"golang.org/x/crypto/argon2"
)

// Django 6.0's Argon2 parameters (argon2-cffi's RFC 9106 low-memory profile
// as chosen by Django): argon2id, version 19, 32-byte hash.
const (
	DefaultArgon2TimeCost    = 2
	DefaultArgon2MemoryCost  = 102400 // KiB, 100 MiB
	DefaultArgon2Parallelism = 8
	Argon2HashLen            = 32
)

// Limits on Argon2 parameters read from stored hashes or configured.
const (
	MaxArgon2MemoryCost = 1 << 20 // KiB, 1 GiB
	MaxArgon2TimeCost   = 1024
	// MaxArgon2Work bounds TimeCost*MemoryCost (KiB-passes), about 160
	// times Django's default of 2*102400.
	MaxArgon2Work        = 1 << 25
	MaxArgon2Parallelism = 255
	minArgon2SaltLen     = 8 // the reference implementation's minimum
	minArgon2HashLen     = 4
	maxArgon2HashLen     = 1024
)

// Argon2 is Django's Argon2PasswordHasher, stored as
// argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash> with salt and hash in
// unpadded standard base64 (argon2-cffi's encoding).
//
// Verify accepts every variant Django has written: argon2id and argon2i
// (and argon2d), version 19 or the older version 16 (written without a
// "v=" field), and any hash length. New hashes are always argon2id, version
// 19, 32 bytes, as in Django 6.0. Each hash at the defaults allocates 100
// MiB; [Registry] bounds how many run at once.
type Argon2 struct {
	// TimeCost is the number of passes; 0 means 2.
	TimeCost int
	// MemoryCost is the memory in KiB; 0 means 102400.
	MemoryCost int
	// Parallelism is the number of lanes; 0 means 8.
	Parallelism int
	// HashLen is the length of new hashes in bytes; 0 means
	// [Argon2HashLen] (32). Django takes it from argon2-cffi's
	// DEFAULT_HASH_LENGTH, which is 16 before argon2-cffi 21.2 and 32 from
	// 21.2 on, whatever the Django version, and re-hashes a stored value of
	// another length: match the argon2-cffi of the Django you share a
	// database with.
	HashLen int
}

func (h Argon2) params() (t, m, p int) {
	t, m, p = h.TimeCost, h.MemoryCost, h.Parallelism
	if t == 0 {
		t = DefaultArgon2TimeCost
	}
	if m == 0 {
		m = DefaultArgon2MemoryCost
	}
	if p == 0 {
		p = DefaultArgon2Parallelism
	}
	return t, m, p
}

func (h Argon2) hashLen() int {
	if h.HashLen == 0 {
		return Argon2HashLen
	}
	return h.HashLen
}

// Algorithm returns "argon2".
func (Argon2) Algorithm() string { return "argon2" }

// Encode hashes password with the bytes of salt (at least 8) as argon2id.
func (h Argon2) Encode(password, salt string) (string, error) {
	t, m, p := h.params()
	d := argon2Decoded{variety: "argon2id", version: argon2.Version, m: m, t: t, p: p, salt: []byte(salt), hashLen: h.hashLen()}
	if err := d.check(); err != nil {
		return "", err
	}
	if len(salt) < minArgon2SaltLen || len(salt) > maxSaltLen {
		return "", fmt.Errorf("argon2: %w (want %d to %d bytes)", ErrInvalidSalt, minArgon2SaltLen, maxSaltLen)
	}
	d.hash = d.key(password)
	return d.String(), nil
}

type argon2Decoded struct {
	variety       string
	version       int
	hasVersion    bool
	m, t, p       int
	salt, hash    []byte
	hashLen       int
	saltB64, hB64 string
}

func (d argon2Decoded) String() string {
	enc := base64.RawStdEncoding
	return fmt.Sprintf("argon2$%s$v=%d$m=%d,t=%d,p=%d$%s$%s", d.variety, d.version, d.m, d.t, d.p,
		enc.EncodeToString(d.salt), enc.EncodeToString(d.hash))
}

func (d argon2Decoded) check() error {
	switch {
	case d.t < 1 || d.t > MaxArgon2TimeCost:
		return fmt.Errorf("%w: argon2 t=%d", ErrParameterOutOfRange, d.t)
	case d.p < 1 || d.p > MaxArgon2Parallelism:
		return fmt.Errorf("%w: argon2 p=%d", ErrParameterOutOfRange, d.p)
	case d.m < 8*d.p || d.m > MaxArgon2MemoryCost:
		return fmt.Errorf("%w: argon2 m=%d (want %d to %d)", ErrParameterOutOfRange, d.m, 8*d.p, MaxArgon2MemoryCost)
	case d.m*d.t > MaxArgon2Work:
		return fmt.Errorf("%w: argon2 m*t=%d", ErrParameterOutOfRange, d.m*d.t)
	case d.hashLen < minArgon2HashLen || d.hashLen > maxArgon2HashLen:
		return fmt.Errorf("%w: argon2 hash length %d", ErrParameterOutOfRange, d.hashLen)
	}
	return nil
}

func (d argon2Decoded) key(password string) []byte {
	t, m, p, n := uint32(d.t), uint32(d.m), uint8(d.p), uint32(d.hashLen)
	if d.version == argon2.Version {
		switch d.variety {
		case "argon2id":
			return argon2.IDKey([]byte(password), d.salt, t, m, p, n)
		case "argon2i":
			return argon2.Key([]byte(password), d.salt, t, m, p, n)
		}
	}
	mode := map[string]int{"argon2d": argon2ref.Argon2d, "argon2i": argon2ref.Argon2i, "argon2id": argon2ref.Argon2id}[d.variety]
	return argon2ref.Key(mode, d.version, []byte(password), d.salt, t, m, p, n)
}

// decodeArgon2 parses Django's argon2 format and checks every limit.
func decodeArgon2(encoded string) (argon2Decoded, error) {
	var d argon2Decoded
	rest, ok := strings.CutPrefix(encoded, "argon2$")
	if !ok {
		return d, fmt.Errorf("%w: not an argon2 hash", ErrMalformed)
	}
	parts := strings.Split(rest, "$")
	if len(parts) == 4 { // no version field: argon2 1.0 (0x10)
		parts = []string{parts[0], "v=16", parts[1], parts[2], parts[3]}
	} else {
		d.hasVersion = true
	}
	if len(parts) != 5 {
		return d, fmt.Errorf("%w: argon2: wrong number of fields", ErrMalformed)
	}
	d.variety = parts[0]
	switch d.variety {
	case "argon2id", "argon2i", "argon2d":
	default:
		return d, fmt.Errorf("%w: argon2 variety %q", ErrMalformed, truncate(d.variety))
	}
	v, ok := strings.CutPrefix(parts[1], "v=")
	if !ok {
		return d, fmt.Errorf("%w: argon2 version field", ErrMalformed)
	}
	switch v {
	case "19":
		d.version = argon2ref.Version13
	case "16":
		d.version = argon2ref.Version10
	default:
		return d, fmt.Errorf("%w: argon2 version %q", ErrParameterOutOfRange, truncate(v))
	}
	kv := strings.Split(parts[2], ",")
	if len(kv) != 3 {
		return d, fmt.Errorf("%w: argon2 parameters %q", ErrMalformed, truncate(parts[2]))
	}
	dst := []*int{&d.m, &d.t, &d.p}
	limits := []uint64{MaxArgon2MemoryCost, MaxArgon2TimeCost, MaxArgon2Parallelism}
	for i, name := range []string{"m", "t", "p"} {
		val, ok := strings.CutPrefix(kv[i], name+"=")
		if !ok {
			return d, fmt.Errorf("%w: argon2 parameters %q", ErrMalformed, truncate(parts[2]))
		}
		n, err := parseUint("argon2 "+name, val, 1, limits[i])
		if err != nil {
			return d, err
		}
		*dst[i] = int(n)
	}
	var err error
	d.saltB64, d.hB64 = parts[3], parts[4]
	if len(d.saltB64) > 2*maxSaltLen || len(d.hB64) > 2*maxArgon2HashLen {
		return d, fmt.Errorf("%w: argon2 salt or hash too long", ErrParameterOutOfRange)
	}
	if d.salt, err = decodeBase64(base64.RawStdEncoding, d.saltB64); err != nil {
		return d, fmt.Errorf("%w: argon2 salt: %v", ErrMalformed, err)
	}
	if d.hash, err = decodeBase64(base64.RawStdEncoding, d.hB64); err != nil {
		return d, fmt.Errorf("%w: argon2 hash: %v", ErrMalformed, err)
	}
	d.hashLen = len(d.hash)
	if len(d.salt) < minArgon2SaltLen || len(d.salt) > maxSaltLen {
		return d, fmt.Errorf("%w: argon2 salt length %d", ErrParameterOutOfRange, len(d.salt))
	}
	return d, d.check()
}

// Verify reports whether password matches encoded, computing the hash with
// the variety, version, parameters and hash length stored in encoded.
func (Argon2) Verify(password, encoded string) (bool, error) {
	d, err := decodeArgon2(encoded)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(d.key(password), d.hash) == 1, nil
}

// MustUpdate reports whether encoded differs from h in variety, version,
// time, memory, parallelism or hash length, or has a salt under 128 bits
// (Django compares argon2-cffi's Parameters the same way).
func (h Argon2) MustUpdate(encoded string) bool {
	d, err := decodeArgon2(encoded)
	if err != nil {
		return false
	}
	t, m, p := h.params()
	return d.variety != "argon2id" || d.version != argon2.Version || !d.hasVersion ||
		d.t != t || d.m != m || d.p != p || d.hashLen != h.hashLen() ||
		mustUpdateSalt(string(d.salt), SaltEntropy)
}

// HardenRuntime does nothing, as in Django: Argon2's cost is too complex to
// top up.
func (Argon2) HardenRuntime(password, encoded string) {}

// Summary describes encoded with its salt and hash masked.
func (Argon2) Summary(encoded string) ([]SummaryItem, error) {
	d, err := decodeArgon2(encoded)
	if err != nil {
		return nil, err
	}
	// Django shows the salt decoded as Latin-1.
	salt := make([]rune, len(d.salt))
	for i, b := range d.salt {
		salt[i] = rune(b)
	}
	return []SummaryItem{
		{"algorithm", "argon2"},
		{"variety", d.variety},
		{"version", strconv.Itoa(d.version)},
		{"memory cost", strconv.Itoa(d.m)},
		{"time cost", strconv.Itoa(d.t)},
		{"parallelism", strconv.Itoa(d.p)},
		{"salt", MaskHash(string(salt), 6)},
		{"hash", MaskHash(d.hB64, 6)},
	}, nil
}
