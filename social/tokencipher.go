package social

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/hkdf"
)

// tokenPrefix starts every encrypted token value.
const tokenPrefix = "djauth-gcm1$"

// ErrTokenDecrypt is returned when an encrypted token does not decrypt:
// another key, another account, or altered text.
var ErrTokenDecrypt = errors.New("social: token does not decrypt")

// TokenCipher encrypts the tokens Social stores (AES-256-GCM, with a key
// derived by HKDF-SHA256 from the Auth's SecretKey), for deployments where
// Django does not read them: allauth reads socialaccount_socialtoken in
// plain text, and sees only "djauth-gcm1$..." in an encrypted row. Each
// value is bound to its account, so a value copied to another row does
// not decrypt. Rotating SecretKey makes the stored tokens unreadable;
// they are then fetched again at the next login.
type TokenCipher struct {
	aead cipher.AEAD
}

// NewTokenCipher derives the cipher's key from secret (at least 32
// bytes).
func NewTokenCipher(secret string) (*TokenCipher, error) {
	if len(secret) < 32 {
		return nil, errors.New("social: NewTokenCipher: the secret must be at least 32 bytes")
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, []byte(secret), nil, []byte("djauth social token encryption v1")), key); err != nil {
		return nil, fmt.Errorf("social: derive token key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("social: token cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("social: token cipher: %w", err)
	}
	return &TokenCipher{aead: aead}, nil
}

func tokenAAD(accountID int64) []byte {
	return []byte("socialtoken:" + strconv.FormatInt(accountID, 10))
}

// Seal encrypts a token value of the account. "" stays "".
func (c *TokenCipher) Seal(accountID int64, plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	nonce := make([]byte, c.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("social: token nonce: %w", err)
	}
	out := c.aead.Seal(nonce, nonce, []byte(plain), tokenAAD(accountID))
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a value Seal made for the account. A value without the
// prefix is returned as it is (a token stored in plain text, by Django
// or before encryption was turned on).
func (c *TokenCipher) Open(accountID int64, stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, tokenPrefix)
	if !ok {
		return stored, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(raw) < c.aead.NonceSize()+c.aead.Overhead() {
		return "", ErrTokenDecrypt
	}
	n := c.aead.NonceSize()
	plain, err := c.aead.Open(nil, raw[:n], raw[n:], tokenAAD(accountID))
	if err != nil {
		return "", ErrTokenDecrypt
	}
	return string(plain), nil
}
