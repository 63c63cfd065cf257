package hashers

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/djauth/auth/internal/djcrypto"
	"golang.org/x/crypto/blowfish"
)

// DefaultBcryptRounds is Django 6.0's bcrypt cost (log2 of the rounds).
const DefaultBcryptRounds = 12

// Bcrypt cost limits. bcrypt itself allows up to 31, but each step doubles
// the time and cost 31 takes days; stored hashes above MaxBcryptRounds are
// rejected with ErrParameterOutOfRange.
const (
	MinBcryptRounds = 4
	MaxBcryptRounds = 20
)

// bcryptMaxKey is the number of key bytes bcrypt reads (password plus NUL).
const bcryptMaxKey = 72

var bcryptB64 = base64.NewEncoding("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").WithPadding(base64.NoPadding)

// BCryptSHA256 is Django's BCryptSHA256PasswordHasher: bcrypt of the hex
// SHA-256 digest of the password (so no truncation at 72 bytes), stored as
// bcrypt_sha256$$2b$12$<22-char salt><31-char hash>.
type BCryptSHA256 struct {
	// Rounds is the bcrypt cost; 0 means 12.
	Rounds int

	observe func(cost int) // test hook: called before each bcrypt run
}

// BCrypt is Django's BCryptPasswordHasher: plain bcrypt, stored as
// bcrypt$$2b$12$.... bcrypt reads only the first 72 bytes of a password:
// Verify does the same, as Django with bcrypt < 5.0 does (bcrypt 5.0 makes
// Django raise instead), so a longer password verifies if its first 72 bytes
// are right. Encode refuses such a password with [ErrPasswordTooLong]
// rather than truncate it silently. A password containing a NUL byte, which
// Django's bcrypt library rejects, never verifies and cannot be encoded.
type BCrypt struct {
	// Rounds is the bcrypt cost; 0 means 12.
	Rounds int

	observe func(cost int)
}

func (h BCryptSHA256) b() bcryptHasher {
	return bcryptHasher{"bcrypt_sha256", true, h.Rounds, h.observe}
}
func (h BCrypt) b() bcryptHasher { return bcryptHasher{"bcrypt", false, h.Rounds, h.observe} }

// Algorithm returns "bcrypt_sha256".
func (BCryptSHA256) Algorithm() string { return "bcrypt_sha256" }

// Salt returns a new bcrypt salt carrying h's cost, such as
// "$2b$12$" followed by 22 characters (bcrypt.gensalt).
func (h BCryptSHA256) Salt() string { return h.b().salt() }

// Encode hashes password with a bcrypt salt as returned by Salt (only its
// first 29 characters are used, so a whole bcrypt hash also works).
func (h BCryptSHA256) Encode(password, salt string) (string, error) {
	return h.b().encode(password, salt)
}

// Verify reports whether password matches encoded.
func (h BCryptSHA256) Verify(password, encoded string) (bool, error) {
	return h.b().verify(password, encoded)
}

// MustUpdate reports whether encoded has another cost than h.
func (h BCryptSHA256) MustUpdate(encoded string) bool { return h.b().mustUpdate(encoded) }

// HardenRuntime runs bcrypt 2^(h's cost - stored cost) - 1 more times.
func (h BCryptSHA256) HardenRuntime(password, encoded string) {
	h.b().hardenRuntime(password, encoded)
}

// Summary describes encoded with its salt and checksum masked.
func (h BCryptSHA256) Summary(encoded string) ([]SummaryItem, error) {
	return h.b().summary(encoded)
}

// Algorithm returns "bcrypt".
func (BCrypt) Algorithm() string { return "bcrypt" }

// Salt returns a new bcrypt salt carrying h's cost.
func (h BCrypt) Salt() string { return h.b().salt() }

// Encode hashes password with a bcrypt salt as returned by Salt. It
// returns ErrPasswordTooLong for a password over 72 bytes.
func (h BCrypt) Encode(password, salt string) (string, error) { return h.b().encode(password, salt) }

// Verify reports whether password matches encoded, reading at most the
// first 72 bytes of password as bcrypt does.
func (h BCrypt) Verify(password, encoded string) (bool, error) {
	return h.b().verify(password, encoded)
}

// MustUpdate reports whether encoded has another cost than h.
func (h BCrypt) MustUpdate(encoded string) bool { return h.b().mustUpdate(encoded) }

// HardenRuntime runs bcrypt 2^(h's cost - stored cost) - 1 more times.
func (h BCrypt) HardenRuntime(password, encoded string) { h.b().hardenRuntime(password, encoded) }

// Summary describes encoded with its salt and checksum masked.
func (h BCrypt) Summary(encoded string) ([]SummaryItem, error) { return h.b().summary(encoded) }

type bcryptHasher struct {
	algorithm string
	sha256    bool
	rounds    int
	observe   func(int)
}

func (h bcryptHasher) cost() int {
	if h.rounds == 0 {
		return DefaultBcryptRounds
	}
	return h.rounds
}

func (h bcryptHasher) salt() string {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	return fmt.Sprintf("$2b$%02d$%s", h.cost(), bcryptB64.EncodeToString(raw[:]))
}

// bcryptSetting is the parsed "$2b$12$<22 chars>" prefix of a bcrypt value.
type bcryptSetting struct {
	prefix string // "$2b$12$" + salt, 29 characters
	cost   int
	salt   []byte // 16 bytes
}

func parseBcryptSetting(s string) (bcryptSetting, error) {
	var st bcryptSetting
	if len(s) < 29 || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$' {
		return st, fmt.Errorf("%w: bcrypt: want $2b$NN$ and a 22-character salt", ErrMalformed)
	}
	switch s[2] {
	case 'a', 'b', 'y':
	default:
		return st, fmt.Errorf("%w: bcrypt: unsupported version $2%c$", ErrMalformed, s[2])
	}
	if s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9' {
		return st, fmt.Errorf("%w: bcrypt: cost %q", ErrMalformed, s[4:6])
	}
	st.cost = int(s[4]-'0')*10 + int(s[5]-'0')
	if st.cost < MinBcryptRounds || st.cost > MaxBcryptRounds {
		return st, fmt.Errorf("%w: bcrypt cost %d not in [%d, %d]", ErrParameterOutOfRange, st.cost, MinBcryptRounds, MaxBcryptRounds)
	}
	// 22 characters carry 132 bits; bcrypt uses the first 128.
	raw, err := decodeBase64(bcryptB64, s[7:29])
	if err != nil {
		return st, fmt.Errorf("%w: bcrypt salt: %v", ErrMalformed, err)
	}
	st.prefix, st.salt = s[:29], raw
	return st, nil
}

// bcryptHash is the bcrypt core (OpenBSD's bcrypt_hashpass): key is the
// password plus a NUL, of which at most 72 bytes are used. It returns the
// 31-character encoded checksum.
func bcryptHash(password []byte, st bcryptSetting) string {
	key := make([]byte, 0, bcryptMaxKey+1)
	key = append(key, password[:min(len(password), bcryptMaxKey)]...)
	key = append(key, 0)
	key = key[:min(len(key), bcryptMaxKey)]
	c, err := blowfish.NewSaltedCipher(key, st.salt)
	if err != nil { // only for an empty key, which cannot happen
		panic(err)
	}
	for i := uint64(0); i < 1<<uint(st.cost); i++ {
		blowfish.ExpandKey(key, c)
		blowfish.ExpandKey(st.salt, c)
	}
	data := []byte("OrpheanBeholderScryDoubt")
	for i := 0; i < 24; i += 8 {
		for j := 0; j < 64; j++ {
			c.Encrypt(data[i:i+8], data[i:i+8])
		}
	}
	return bcryptB64.EncodeToString(data[:23])
}

func (h bcryptHasher) input(password string) []byte {
	if h.sha256 {
		sum := sha256.Sum256([]byte(password))
		return []byte(hex.EncodeToString(sum[:]))
	}
	return []byte(password)
}

func (h bcryptHasher) run(password string, st bcryptSetting) string {
	if h.observe != nil {
		h.observe(st.cost)
	}
	return h.algorithm + "$" + st.prefix + bcryptHash(h.input(password), st)
}

func (h bcryptHasher) encode(password, salt string) (string, error) {
	if !h.sha256 {
		if len(password) > bcryptMaxKey {
			return "", fmt.Errorf("bcrypt: %w", ErrPasswordTooLong)
		}
		if strings.IndexByte(password, 0) >= 0 {
			return "", fmt.Errorf("%w: bcrypt: password contains a NUL byte", ErrMalformed)
		}
	}
	if c := h.cost(); c < MinBcryptRounds || c > MaxBcryptRounds {
		return "", fmt.Errorf("%w: bcrypt rounds %d", ErrParameterOutOfRange, c)
	}
	st, err := parseBcryptSetting(salt)
	if err != nil {
		return "", fmt.Errorf("%s: %w", h.algorithm, ErrInvalidSalt)
	}
	return h.run(password, st), nil
}

func (h bcryptHasher) decode(encoded string) (bcryptSetting, string, error) {
	data, ok := strings.CutPrefix(encoded, h.algorithm+"$")
	if !ok {
		return bcryptSetting{}, "", fmt.Errorf("%w: not a %s hash", ErrMalformed, h.algorithm)
	}
	if len(data) != 60 {
		return bcryptSetting{}, "", fmt.Errorf("%w: %s: want 60 characters after the prefix", ErrMalformed, h.algorithm)
	}
	st, err := parseBcryptSetting(data)
	if err != nil {
		return st, "", err
	}
	if _, err := decodeBase64(bcryptB64, data[29:]); err != nil {
		return st, "", fmt.Errorf("%w: bcrypt checksum: %v", ErrMalformed, err)
	}
	return st, data[29:], nil
}

func (h bcryptHasher) verify(password, encoded string) (bool, error) {
	st, _, err := h.decode(encoded)
	if err != nil {
		return false, err
	}
	if !h.sha256 && strings.IndexByte(password, 0) >= 0 {
		return false, nil
	}
	return djcrypto.ConstantTimeEqual(encoded, h.run(password, st)), nil
}

func (h bcryptHasher) mustUpdate(encoded string) bool {
	st, _, err := h.decode(encoded)
	return err == nil && st.cost != h.cost()
}

func (h bcryptHasher) hardenRuntime(password, encoded string) {
	st, _, err := h.decode(encoded)
	if err != nil || h.cost() > MaxBcryptRounds || h.cost() <= st.cost {
		return
	}
	// Each extra cost step doubles the work: run the stored setting
	// 2^diff - 1 more times (the verify already ran it once).
	for n := (1 << uint(h.cost()-st.cost)) - 1; n > 0; n-- {
		h.run(password, st)
	}
}

func (h bcryptHasher) summary(encoded string) ([]SummaryItem, error) {
	st, sum, err := h.decode(encoded)
	if err != nil {
		return nil, err
	}
	return []SummaryItem{
		{"algorithm", h.algorithm},
		{"work factor", fmt.Sprint(st.cost)},
		{"salt", MaskHash(st.prefix[7:], 6)},
		{"checksum", MaskHash(sum, 6)},
	}, nil
}
