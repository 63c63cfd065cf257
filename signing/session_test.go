package signing_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/signing"
)

// TestDecodeSessionKnownAnswers: session data that Django 3.2 wrote, in
// both formats.
func TestDecodeSessionKnownAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, data string
		want            map[string]any
	}{
		// sessions_tests.test_decode_legacy.
		{"pre-3.1", "django_tests_secret_key",
			"OWUzNTNmNWQxNTBjOWExZmM4MmQ3NzNhMDRmMjU4NmYwNDUyNGI2NDp7ImEgdGVzdCBrZXkiOiJhIHRlc3QgdmFsdWUifQ==",
			map[string]any{"a test key": "a test value"}},
		// db.SessionStore()._legacy_encode({"_auth_user_id": "42", "é": "ü"}).
		{"pre-3.1 non-ASCII", "django_tests_secret_key",
			"NGQ1NWJhZDQ0ZWEyMDUwNTk5NmFkYmU2NWRiNDM1NjQ0ZWE1ZTVlNDp7Il9hdXRoX3VzZXJfaWQiOiI0MiIsIlx1MDBlOSI6Ilx1MDBmYyJ9",
			map[string]any{"_auth_user_id": "42", "é": "ü"}},
		// db.SessionStore().encode(...) at time 123456789: signed and
		// compressed, with an integer beyond float64's precision.
		{"signed", "django_tests_secret_key",
			".eJyrVopPLC3JiC8tTi2Kz0xRslIyMVLSQRZMSkzOTs0DyaRkJeal5-sl5-eVFGUm6YGU6EFli_V881NSc5ygalEMyEgszgDqrqAQAA3NU7IyNDI2MTUzt7A0QLBqAaRWSbQ:8M0kX:O72kAvpZUCf3HzJaiiFHeh4SF6Ghwpd_gPuh_-djoKc",
			map[string]any{
				"_auth_user_id":      "42",
				"_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
				"_auth_user_hash":    strings.Repeat("x", 64),
				"n":                  json.Number("12345678901234567890"),
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := signing.DecodeSession(tt.key, nil, tt.data)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			got, err = signing.DecodeSession("new key", []string{"other", tt.key}, tt.data)
			require.NoError(t, err, "through a fallback key")
			assert.Equal(t, tt.want, got)
			_, err = signing.DecodeSession("new key", nil, tt.data)
			assert.ErrorIs(t, err, signing.ErrBadSignature, "the wrong key")
		})
	}
}

// TestEncodeSession: EncodeSession writes what DecodeSession reads, under
// SessionSalt and compressed when that helps.
func TestEncodeSession(t *testing.T) {
	t.Parallel()
	data := map[string]any{
		"_auth_user_id":      "42",
		"_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
		"_auth_user_hash":    strings.Repeat("ab", 32),
		"n":                  json.Number("12345678901234567890"),
		"é":                  "\U0001F40D",
	}
	s, err := signing.EncodeSession("k", data)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(s, "."), s)
	got, err := signing.DecodeSession("k", nil, s)
	require.NoError(t, err)
	assert.Equal(t, data, got)

	var v map[string]any
	ts := newTimestampSigner(t, signing.Config{Key: "k", Salt: signing.SessionSalt})
	require.NoError(t, ts.UnsignObject(s, &v), "a TimestampSigner under SessionSalt reads it")
	assert.ErrorIs(t, signing.Loads("k", nil, s, &v), signing.ErrBadSignature, "another salt does not")

	_, err = signing.EncodeSession("", data)
	assert.Error(t, err)
	_, err = signing.EncodeSession("k", map[string]any{"f": func() {}})
	assert.Error(t, err)
}

// TestDecodeSessionRefuses: sessions_tests.test_decode_failure_logged_to_security's
// inputs (Django decodes them to {}) and other bad values.
func TestDecodeSessionRefuses(t *testing.T) {
	t.Parallel()
	ts := newTimestampSigner(t, signing.Config{Key: "k", Salt: signing.SessionSalt})
	list, err := ts.SignObject([]any{1})
	require.NoError(t, err)
	null, err := ts.SignObject(nil)
	require.NoError(t, err)
	tests := []struct {
		name, data string
		want       error
	}{
		{"pre-3.1 without a hash", base64.StdEncoding.EncodeToString([]byte("flaskdj:alkdjf")), signing.ErrBadSignature},
		{"three colons", "bad:encoded:value", signing.ErrBadSignature},
		{"empty", "", signing.ErrBadSignature},
		{"not base64", "not base64!", signing.ErrBadSignature},
		{"pre-3.1 without a colon", base64.StdEncoding.EncodeToString([]byte("nocolon")), signing.ErrBadSignature},
		{"a list", list, signing.ErrMalformed},
		{"null", null, signing.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := signing.DecodeSession("k", nil, tt.data)
			assert.ErrorIs(t, err, tt.want)
			assert.Nil(t, got)
		})
	}
	_, err = signing.DecodeSession("", nil, "x")
	assert.Error(t, err)
	_, err = signing.DecodeSession("", nil, "x:y")
	assert.Error(t, err)
}
