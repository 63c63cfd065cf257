package signing_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/signing"
)

// frozen is the instant of Django's test_timestamp_signer, 123456789.
var frozen = time.Unix(123456789, 0)

func clock(t time.Time) func() time.Time { return func() time.Time { return t } }

func newSigner(t *testing.T, c signing.Config) *signing.Signer {
	t.Helper()
	s, err := signing.NewSigner(c)
	require.NoError(t, err)
	return s
}

func newTimestampSigner(t *testing.T, c signing.Config) *signing.TimestampSigner {
	t.Helper()
	s, err := signing.NewTimestampSigner(c)
	require.NoError(t, err)
	return s
}

// TestSignKnownAnswers: signatures that Django 3.2 computes, from
// tests/signing/tests.py and from django.core.signing itself.
func TestSignKnownAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		c     signing.Config
		value string
		want  string
	}{
		// test_works_with_non_ascii_keys: the key is the byte 0xe7.
		{"non-ASCII key", signing.Config{Key: "\xe7"}, "foo", "foo:EE4qGC5MEKyQG5msxYA0sBohAxLC0BJf8uRhemh0BGU"},
		// test_valid_sep.
		{"sep /", signing.Config{Key: "predictable-secret", Sep: "/"}, "foo", "foo/jZQoX_FtSO70jX9HLRGg2A_2s4kdDBxz1QoO_OpEQb0"},
		{"sep *sep*", signing.Config{Key: "predictable-secret", Sep: "*sep*"}, "foo", "foo*sep*jZQoX_FtSO70jX9HLRGg2A_2s4kdDBxz1QoO_OpEQb0"},
		{"sep ,", signing.Config{Key: "predictable-secret", Sep: ","}, "foo", "foo,jZQoX_FtSO70jX9HLRGg2A_2s4kdDBxz1QoO_OpEQb0"},
		// test_custom_algorithm.
		{"sha512", signing.Config{Key: "predictable-secret", Algorithm: signing.SHA512}, "hello",
			"hello:Usf3uVQOZ9m6uPfVonKR-EBXjPe7bjMbp3_Fq8MfsptgkkM1ojidN0BxYaT5HAEN1VzO9_jVu7R-VkqknHYNvw"},
		// Computed with Django 3.2.
		{"sha1", signing.Config{Key: "predictable-secret", Algorithm: signing.SHA1}, "hello", "hello:-e76rxAuvXG_P3pKzQ26zIqf5fY"},
		{"salt", signing.Config{Key: "predictable-secret", Salt: "extra-salt"}, "hello", "hello:g8YZrsJ1xXg4hGFgU2uc4ff9ZZRKt3ReprMkjND8TfM"},
		{"non-ASCII value", signing.Config{Key: "predictable-secret"}, "\u2019", "\u2019:dlLe36d72rMTJA-Nx4rZmsbVBttx4TfQ4hk3i_WNycU"},
		// Sign with the key, never with a fallback.
		{"fallbacks do not sign", signing.Config{Key: "predictable-secret", FallbackKeys: []string{"old"}, Sep: "/"}, "foo", "foo/jZQoX_FtSO70jX9HLRGg2A_2s4kdDBxz1QoO_OpEQb0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSigner(t, tt.c)
			assert.Equal(t, tt.want, s.Sign(tt.value))
			got, err := s.Unsign(tt.want)
			require.NoError(t, err)
			assert.Equal(t, tt.value, got)
		})
	}
}

// TestTimestampKnownAnswer: test_timestamp_signer's value at its frozen
// time, as Django 3.2 signs it, and its max_age boundaries.
func TestTimestampKnownAnswer(t *testing.T) {
	t.Parallel()
	const signed = "hello:8M0kX:0pJB1_TN9Bno2aK29thnZKKHn76ngzcQVnIrp_DNs5M"
	s := newTimestampSigner(t, signing.Config{Key: "predictable-key", Now: clock(frozen)})
	assert.Equal(t, signed, s.Sign("hello"))
	plain := newSigner(t, signing.Config{Key: "predictable-key"})
	assert.NotEqual(t, plain.Sign("hello"), s.Sign("hello"))
	v, err := s.Unsign(signed)
	require.NoError(t, err)
	assert.Equal(t, "hello", v)

	later := newTimestampSigner(t, signing.Config{Key: "predictable-key", Now: clock(time.Unix(123456800, 0))})
	for _, maxAge := range []time.Duration{12 * time.Second, 11 * time.Second} {
		v, err := later.UnsignMaxAge(signed, maxAge)
		require.NoError(t, err, maxAge)
		assert.Equal(t, "hello", v)
	}
	_, err = later.UnsignMaxAge(signed, 10*time.Second)
	require.ErrorIs(t, err, signing.ErrSignatureExpired)
	require.ErrorIs(t, err, signing.ErrBadSignature, "SignatureExpired is a BadSignature")
	v, err = later.Unsign(signed)
	require.NoError(t, err, "no max age: any age")
	assert.Equal(t, "hello", v)
	// A fraction of a second past the limit expires, as Django's float
	// time.time() does.
	justAfter := newTimestampSigner(t, signing.Config{Key: "predictable-key", Now: clock(time.Unix(123456800, 1))})
	_, err = justAfter.UnsignMaxAge(signed, 11*time.Second)
	require.ErrorIs(t, err, signing.ErrSignatureExpired)
}

// TestSignUnsign: test_sign_unsign's examples round-trip.
func TestSignUnsign(t *testing.T) {
	t.Parallel()
	s := newSigner(t, signing.Config{Key: "predictable-secret"})
	for _, example := range []string{"q;wjmbk;wkmb", "3098247529087", "3098247:529:087:", "jkw osanteuh ,rcuh nthu aou oauh ,ud du", "\u2019", ""} {
		signed := s.Sign(example)
		assert.NotEqual(t, example, signed)
		got, err := s.Unsign(signed)
		require.NoError(t, err)
		assert.Equal(t, example, got)
	}
}

// TestUnsignDetectsTampering: test_unsign_detects_tampering's transforms
// and more, for the plain and the timestamp signer.
func TestUnsignDetectsTampering(t *testing.T) {
	t.Parallel()
	s := newSigner(t, signing.Config{Key: "predictable-secret"})
	ts := newTimestampSigner(t, signing.Config{Key: "predictable-secret", Now: clock(frozen)})
	transforms := map[string]func(string) string{
		"upper":         strings.ToUpper,
		"append":        func(s string) string { return s + "a" },
		"first char":    func(s string) string { return "a" + s[1:] },
		"no separators": func(s string) string { return strings.ReplaceAll(s, ":", "") },
		"empty":         func(string) string { return "" },
		"other salt": func(v string) string {
			return newSigner(t, signing.Config{Key: "predictable-secret", Salt: "x"}).Sign(v[:strings.LastIndex(v, ":")])
		},
		"other key": func(v string) string {
			return newSigner(t, signing.Config{Key: "other"}).Sign(v[:strings.LastIndex(v, ":")])
		},
	}
	for name, f := range transforms {
		t.Run(name, func(t *testing.T) {
			_, err := s.Unsign(f(s.Sign("Another string")))
			assert.ErrorIs(t, err, signing.ErrBadSignature)
			_, err = ts.Unsign(f(ts.Sign("Another string")))
			assert.ErrorIs(t, err, signing.ErrBadSignature)
		})
	}
}

// TestFallbackKeys: test_verify_with_non_default_key and
// test_sign_unsign_multiple_keys.
func TestFallbackKeys(t *testing.T) {
	t.Parallel()
	old := newSigner(t, signing.Config{Key: "secret"})
	rotated := newSigner(t, signing.Config{Key: "newsecret", FallbackKeys: []string{"othersecret", "secret"}})
	v, err := rotated.Unsign(old.Sign("abc"))
	require.NoError(t, err)
	assert.Equal(t, "abc", v)

	multi := newSigner(t, signing.Config{Key: "secret", FallbackKeys: []string{"oldsecret"}})
	v, err = multi.Unsign(multi.Sign("abc"))
	require.NoError(t, err)
	assert.Equal(t, "abc", v)

	_, err = old.Unsign(rotated.Sign("abc"))
	assert.ErrorIs(t, err, signing.ErrBadSignature, "a fallback is not the key")
	_, err = newSigner(t, signing.Config{Key: "newsecret"}).Unsign(old.Sign("abc"))
	assert.ErrorIs(t, err, signing.ErrBadSignature, "without fallbacks the old key is refused")
}

// TestLegacySHA1: test_legacy_signature. Django 3.2's Signer also accepts
// SHA-1 signatures; LegacySHA1 asks for that, and without it they are
// refused, as Django 4.0 refuses them.
func TestLegacySHA1(t *testing.T) {
	t.Parallel()
	const sha1Sig = "foo:l-EMM5FtewpcHMbKFeQodt3X9z8" // Signer() under the test suite's SECRET_KEY
	legacy := newSigner(t, signing.Config{Key: "django_tests_secret_key", LegacySHA1: true})
	assert.NotEqual(t, sha1Sig, legacy.Sign("foo"), "SHA-256 signs")
	v, err := legacy.Unsign(sha1Sig)
	require.NoError(t, err)
	assert.Equal(t, "foo", v)

	_, err = newSigner(t, signing.Config{Key: "django_tests_secret_key"}).Unsign(sha1Sig)
	assert.ErrorIs(t, err, signing.ErrBadSignature)

	rotated := newSigner(t, signing.Config{Key: "new", FallbackKeys: []string{"django_tests_secret_key"}, LegacySHA1: true})
	_, err = rotated.Unsign(sha1Sig)
	assert.NoError(t, err, "SHA-1 under a fallback key")
}

// TestConfigErrors: test_invalid_sep, test_invalid_algorithm, and the
// rest of what NewSigner refuses.
func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, sep := range []string{"-", "abc", "=", "A-z", "^", "`", "_", "0\n", "\n"} {
		_, err := signing.NewSigner(signing.Config{Key: "k", Sep: sep})
		assert.ErrorContains(t, err, "unsafe separator", "%q", sep)
	}
	for _, sep := range []string{"/", "*sep*", ",", ":", "a:b", "\n\n", "\u2019", "{"} {
		_, err := signing.NewSigner(signing.Config{Key: "k", Sep: sep})
		assert.NoError(t, err, "%q", sep)
	}
	_, err := signing.NewSigner(signing.Config{Key: "k", Algorithm: "whatever"})
	assert.ErrorContains(t, err, `"whatever" is not a supported algorithm`)
	_, err = signing.NewSigner(signing.Config{})
	assert.ErrorContains(t, err, "empty key")
	_, err = signing.NewTimestampSigner(signing.Config{Key: "k", MaxDecompressedSize: -1})
	assert.Error(t, err)
	_, err = signing.Dumps("", 1, false)
	assert.Error(t, err)
	assert.Error(t, signing.Loads("", nil, "x:y:z", new(any)))
}

// TestTimestampMalformed: a valid signature over a value whose timestamp
// is missing or not base62 is malformed, not badly signed (Django raises
// ValueError there).
func TestTimestampMalformed(t *testing.T) {
	t.Parallel()
	// TimestampSigner verifies as a Signer with the same salt does.
	plain := newSigner(t, signing.Config{Key: "k", Salt: "django.core.signing.TimestampSigner"})
	ts := newTimestampSigner(t, signing.Config{Key: "k", Now: clock(frozen)})
	for _, inner := range []string{"no timestamp", "v:", "v:!!", "v:zzzzzzzzzzzzzz", "v:-"} {
		_, err := ts.Unsign(plain.Sign(inner))
		assert.ErrorIs(t, err, signing.ErrMalformed, inner)
		assert.NotErrorIs(t, err, signing.ErrBadSignature, inner)
	}
	v, err := ts.UnsignMaxAge(plain.Sign("v:-1"), time.Hour)
	require.ErrorIs(t, err, signing.ErrSignatureExpired, "a negative timestamp is 1969, long ago")
	assert.Empty(t, v)
	_, err = ts.UnsignMaxAge(plain.Sign("v:"+signing.Base62Encode(frozen.Unix()+3600)), 0)
	assert.NoError(t, err, "a future timestamp has a negative age")
	assert.True(t, errors.Is(signing.ErrSignatureExpired, signing.ErrBadSignature))
}
