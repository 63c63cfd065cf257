package signing_test

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/signing"
)

// dumpsSigner is signing.dumps at Django's test_timestamp_signer instant.
func dumpsSigner(t *testing.T, compress bool) *signing.TimestampSigner {
	return newTimestampSigner(t, signing.Config{Key: "predictable-key", Salt: signing.DefaultSalt, Compress: compress, Now: clock(frozen)})
}

// TestDumpsKnownAnswers: what Django 3.2's signing.dumps(v,
// key="predictable-key") returns at time 123456789, byte for byte, and
// that Loads reads it back. The compressed one is signing's docstring
// example, list(range(1, 20)), which is only read: Go's compress/flate
// writes other bytes than C zlib (and here none shorter than the JSON, so
// Go leaves it uncompressed, which Django reads as well).
func TestDumpsKnownAnswers(t *testing.T) {
	t.Parallel()
	r19 := make([]any, 0, 19)
	for i := 1; i < 20; i++ {
		r19 = append(r19, float64(i))
	}
	tests := []struct {
		name     string
		v        any
		compress bool
		want     string
	}{
		{"object", map[string]any{"baz": float64(1), "foo": "bar"}, false, ""},
		{"dict order", nil, false, "eyJmb28iOiJiYXIiLCJiYXoiOjF9:8M0kX:EBc3XyFiMGPwJhgU-A8mWrEhA0lTkuhC4LEyuRLREy0"},
		{"non-ASCII and escapes", "a string \u2019 \U0001F40D <&> \b\f\x01\n", false,
			"ImEgc3RyaW5nIFx1MjAxOSBcdWQ4M2RcdWRjMGQgPCY-IFxiXGZcdTAwMDFcbiI:8M0kX:TxLlOUKYhc1UMxrOA5BppGgPskj0oEboM9Y58ivfxp4"},
		{"compressed", r19, true,
			".eJwFwcERACAIwLCF-rCiILN47r-GyZVJsNgkxaFxoDgxcOHGxMKD_T7vhAml:8M0kX:4SjgORh4mYdUUc02c251hOBdrha9n4GiBFvWMEJNCcA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want != "" && tt.v != nil && !tt.compress {
				got, err := dumpsSigner(t, tt.compress).SignObject(tt.v)
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			}
			if tt.want == "" {
				return
			}
			var v any
			require.NoError(t, signing.Loads("predictable-key", nil, tt.want, &v))
			if tt.v != nil {
				assert.Equal(t, tt.v, v)
			} else {
				assert.Equal(t, map[string]any{"foo": "bar", "baz": float64(1)}, v)
			}
		})
	}
}

// TestLoadsLegacySHA1: test_dumps_loads_legacy_signature, a SHA-1 value
// that Django 3.2's loads reads; ours reads it with LegacySHA1 only.
func TestLoadsLegacySHA1(t *testing.T) {
	t.Parallel()
	const signed = "ImEgc3RyaW5nIFx1MjAyMCI:1k1beT:ZfNhN1kdws7KosUleOvuYroPHEc"
	legacy := newTimestampSigner(t, signing.Config{Key: "django_tests_secret_key", Salt: signing.DefaultSalt, LegacySHA1: true})
	var v string
	require.NoError(t, legacy.UnsignObject(signed, &v))
	assert.Equal(t, "a string \u2020", v)
	assert.ErrorIs(t, signing.Loads("django_tests_secret_key", nil, signed, &v), signing.ErrBadSignature)

	// DEFAULT_HASHING_ALGORITHM = "sha1", as Django 3.2 computed it.
	sha1 := newTimestampSigner(t, signing.Config{Key: "predictable-key", Salt: signing.DefaultSalt, Algorithm: signing.SHA1, Now: clock(frozen)})
	got, err := sha1.SignObject(map[string]any{"a": "dictionary"})
	require.NoError(t, err)
	assert.Equal(t, "eyJhIjoiZGljdGlvbmFyeSJ9:8M0kX:uYy47ySDOjjMPpYXfSI4H8F5ATM", got)
}

// TestDumpsLoads: test_dumps_loads and test_sign_unsign_object, plain and
// compressed, and through both signers.
func TestDumpsLoads(t *testing.T) {
	t.Parallel()
	objects := []any{
		[]any{"a", "list"},
		"a string \u2019",
		map[string]any{"a": "dictionary"},
		map[string]any{"long": strings.Repeat("compressible ", 100), "emoji": "\U0001F40D", "zh": "你好", "combining": "he\u0301llo"},
		nil, true, float64(1.5),
	}
	s := newSigner(t, signing.Config{Key: "predictable-secret"})
	sc := newSigner(t, signing.Config{Key: "predictable-secret", Compress: true})
	for _, o := range objects {
		for _, compress := range []bool{false, true} {
			d, err := signing.Dumps("k", o, compress)
			require.NoError(t, err)
			var got any
			require.NoError(t, signing.Loads("k", nil, d, &got))
			assert.Equal(t, o, got)

			signer := s
			if compress {
				signer = sc
			}
			d, err = signer.SignObject(o)
			require.NoError(t, err)
			got = nil
			require.NoError(t, signer.UnsignObject(d, &got))
			assert.Equal(t, o, got)
		}
	}
	d, err := signing.Dumps("k", objects[3], true)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(d, "."), "a long repetitive value is compressed")
	d, err = signing.Dumps("k", "ab", true)
	require.NoError(t, err)
	assert.False(t, strings.HasPrefix(d, "."), "a short value is not: zlib would lengthen it")
	_, err = signing.Dumps("k", func() {}, false)
	assert.Error(t, err)
}

// TestLoadsDetectsTampering: test_decode_detects_tampering.
func TestLoadsDetectsTampering(t *testing.T) {
	t.Parallel()
	encoded, err := signing.Dumps("k", map[string]any{"foo": "bar", "baz": 1}, false)
	require.NoError(t, err)
	for _, tampered := range []string{strings.ToUpper(encoded), encoded + "a", "a" + encoded[1:], strings.ReplaceAll(encoded, ":", "")} {
		var v any
		assert.ErrorIs(t, signing.Loads("k", nil, tampered, &v), signing.ErrBadSignature)
	}
	var v any
	assert.ErrorIs(t, signing.Loads("other", nil, encoded, &v), signing.ErrBadSignature)
	require.NoError(t, signing.Loads("other", []string{"older", "k"}, encoded, &v), "a fallback verifies")
}

// TestLoadsMalformed: a payload that verifies but cannot be read is
// ErrMalformed, and a zlib bomb is refused at the limit.
func TestLoadsMalformed(t *testing.T) {
	t.Parallel()
	ts := newTimestampSigner(t, signing.Config{Key: "k", Salt: signing.DefaultSalt, MaxDecompressedSize: 1000})
	zl := func(b []byte) string {
		var buf bytes.Buffer
		zw := zlib.NewWriter(&buf)
		_, _ = zw.Write(b)
		_ = zw.Close()
		return "." + base64.RawURLEncoding.EncodeToString(buf.Bytes())
	}
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name, payload string
		want          error
	}{
		{"bad base64", "!!!!", signing.ErrMalformed},
		{"bad zlib", "." + b64([]byte("not zlib")), signing.ErrMalformed},
		{"truncated zlib", zl([]byte(`"hello"`))[:8], signing.ErrMalformed},
		{"bad JSON", b64([]byte(`{"a":`)), signing.ErrMalformed},
		{"trailing data", b64([]byte(`1 2`)), signing.ErrMalformed},
		{"NaN", b64([]byte(`NaN`)), signing.ErrMalformed},
		{"at the limit", zl([]byte(`"` + strings.Repeat("a", 998) + `"`)), nil},
		{"over the limit", zl([]byte(`"` + strings.Repeat("a", 999) + `"`)), signing.ErrTooLarge},
		{"bomb", zl(bytes.Repeat([]byte(" "), 4<<20)), signing.ErrTooLarge}, // 4 MiB in 4 KiB
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			err := ts.UnsignObject(ts.Sign(tt.payload), &v)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
			assert.NotErrorIs(t, err, signing.ErrBadSignature)
		})
	}
	// Decoding into a non-pointer is the caller's mistake, not the payload's.
	err := ts.UnsignObject(ts.Sign(b64([]byte(`1`))), 0)
	assert.ErrorContains(t, err, "non-pointer")
	assert.NotErrorIs(t, err, signing.ErrMalformed)
	// The default limit is 1 MiB.
	def := newTimestampSigner(t, signing.Config{Key: "k"})
	var v any
	assert.ErrorIs(t, def.UnsignObject(def.Sign(zl(bytes.Repeat([]byte(" "), signing.DefaultMaxDecompressedSize+1))), &v), signing.ErrTooLarge)
	assert.NoError(t, def.UnsignObject(def.Sign(zl(append(bytes.Repeat([]byte(" "), signing.DefaultMaxDecompressedSize-1), '1'))), &v))
}

// TestLoadsLatin1: Django's JSONSerializer reads the bytes as latin-1, so
// a raw byte 0xe9 is "é" (Django never writes one: it escapes).
func TestLoadsLatin1(t *testing.T) {
	t.Parallel()
	ts := newTimestampSigner(t, signing.Config{Key: "k", Salt: signing.DefaultSalt})
	var v string
	require.NoError(t, ts.UnsignObject(ts.Sign(base64.RawURLEncoding.EncodeToString([]byte("\"caf\xe9\""))), &v))
	assert.Equal(t, "café", v)
}

// TestMaxAgeObject: UnsignObjectMaxAge refuses an old value and reads a
// fresh one.
func TestMaxAgeObject(t *testing.T) {
	t.Parallel()
	now := frozen
	ts := newTimestampSigner(t, signing.Config{Key: "k", Now: func() time.Time { return now }})
	signed, err := ts.SignObject(map[string]any{"n": 1})
	require.NoError(t, err)
	now = now.Add(time.Minute)
	var v map[string]json.Number
	require.NoError(t, ts.UnsignObjectMaxAge(signed, time.Minute, &v))
	assert.Equal(t, json.Number("1"), v["n"])
	assert.ErrorIs(t, ts.UnsignObjectMaxAge(signed, time.Minute-time.Second, &v), signing.ErrSignatureExpired)
}
