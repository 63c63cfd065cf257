package signing

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/djauth/auth/internal/djcrypto"
)

// SessionSalt is the salt of Django's session data: SessionBase.key_salt,
// "django.contrib.sessions." + the class's name, for the SessionStore of
// every Django backend (db, cache, cached_db, file).
const SessionSalt = "django.contrib.sessions.SessionStore"

// legacySessionKeySalt is the key salt of the pre-3.1 format's hash,
// SessionBase._hash: "django.contrib.sessions" + the class's name, without
// a dot.
const legacySessionKeySalt = "django.contrib.sessionsSessionStore"

// EncodeSession returns session data as Django 3.1 and later store it in
// django_session.session_data: SessionBase.encode, which is
// signing.dumps(data, salt=SessionSalt, compress=True) with Django's
// JSONSerializer.
func EncodeSession(key string, data map[string]any) (string, error) {
	t, err := NewTimestampSigner(Config{Key: key, Salt: SessionSalt, Compress: true})
	if err != nil {
		return "", err
	}
	return t.SignObject(data)
}

// DecodeSession reads session data that Django stored, trying key and then
// each of fallbacks. It reads both formats that Django 3.2's
// SessionBase.decode reads: the signed one (signing.loads under
// SessionSalt, with no maximum age, accepting SHA-1 signatures too as
// Django 3.2's loads does) and the one before Django 3.1 (_legacy_decode:
// base64 of a SHA-1 salted HMAC in hex, ":", and the JSON), which Django
// 3.1 and 3.2 still write under DEFAULT_HASHING_ALGORITHM = "sha1". The
// fallback keys verify both formats (Django 3.2 has no fallback keys;
// Django 4.1's verify the signed format, the only one it reads). A value holding ":" is read in the signed format,
// any other in the old one: the old format's base64 has no ":", and every
// signed value has one.
//
// Numbers come back as json.Number, so that integers keep every digit
// that Python wrote. Django decodes a value that it cannot verify or read
// to an empty session, and logs it; DecodeSession returns an error
// wrapping ErrBadSignature (or ErrMalformed, ErrTooLarge), and a caller
// that treats an error as an empty session behaves as Django does. Only
// JSON sessions are read: PickleSerializer sessions are refused.
func DecodeSession(key string, fallbacks []string, s string) (map[string]any, error) {
	var data map[string]any
	if strings.Contains(s, ":") {
		t, err := NewTimestampSigner(Config{Key: key, FallbackKeys: fallbacks, Salt: SessionSalt, LegacySHA1: true})
		if err != nil {
			return nil, err
		}
		b64, err := t.Unsign(s)
		if err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
		if err := decodeObject(b64, t.s.maxSize, &data, true); err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
	} else {
		if key == "" {
			return nil, fmt.Errorf("signing: empty key")
		}
		serialized, err := legacySessionPayload(append([]string{key}, fallbacks...), s)
		if err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
		if err := unmarshalJSON(serialized, &data, true); err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
	}
	if data == nil {
		return nil, fmt.Errorf("session: %w: not a JSON object", ErrMalformed)
	}
	return data, nil
}

// legacySessionPayload verifies the pre-3.1 format and returns its JSON.
func legacySessionPayload(keys []string, s string) ([]byte, error) {
	raw, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("%w: not a signed value nor pre-Django 3.1 base64", ErrBadSignature)
	}
	hash, serialized, ok := bytes.Cut(raw, []byte(":"))
	if !ok {
		return nil, fmt.Errorf("%w: no \":\" in pre-Django 3.1 session data", ErrBadSignature)
	}
	for _, key := range keys {
		want := hex.EncodeToString(djcrypto.SaltedHMACWith(sha1.New, legacySessionKeySalt, string(serialized), key))
		if djcrypto.ConstantTimeEqual(string(hash), want) {
			return serialized, nil
		}
	}
	return nil, fmt.Errorf("%w: pre-Django 3.1 session hash does not match", ErrBadSignature)
}
