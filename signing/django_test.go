package signing_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/signing"
)

// djangoOp is one call that testdata/django_signing.py makes into Django.
type djangoOp map[string]any

// djangoResult is its answer: the value returned, or the class of the
// exception raised.
type djangoResult struct {
	Value json.RawMessage
	Error string
}

// runDjango runs ops in one Django process whose SECRET_KEY is secret.
func runDjango(t *testing.T, secret string, ops []djangoOp) []djangoResult {
	t.Helper()
	python := djangotest.Python(t)
	for _, op := range ops {
		if k, ok := op["key"].(string); ok {
			op["key"] = b64(k)
		}
	}
	req, err := json.Marshal(map[string]any{"secret": b64(secret), "ops": ops})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "testdata/django_signing.py")
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var res []djangoResult
	require.NoError(t, json.Unmarshal(out, &res), string(out))
	require.Len(t, res, len(ops))
	return res
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// value decodes a result's value, failing the test if Django raised.
func (r djangoResult) value(t *testing.T) any {
	t.Helper()
	require.Empty(t, r.Error, "Django raised")
	var v any
	dec := json.NewDecoder(bytes.NewReader(r.Value))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&v))
	return v
}

func (r djangoResult) str(t *testing.T) string {
	t.Helper()
	s, ok := r.value(t).(string)
	require.True(t, ok, "Django returned %s, not a string", r.Value)
	return s
}

// The keys of the interop tests: text with non-ASCII characters, the byte
// key of test_works_with_non_ascii_keys, and a rotated-out key.
const (
	djangoSecret = "djauth-interop-sécret-🔑"
	byteKey      = "\xe7"
	oldSecret    = "the-old-secret"
)

// interopObjects are the values signed both ways.
var interopObjects = []any{
	"a string \u2019",
	map[string]any{"a": "dictionary", "é": []any{json.Number("1"), json.Number("2.5"), nil, true}},
	map[string]any{"emoji": "\U0001F40D", "zh": "你好", "combining": "he\u0301llo", "html": "<a href='x'>&amp;</a>", "ctl": "\b\f\x01\n\t\u2028"},
	map[string]any{"long": strings.Repeat("compress me ", 200), "big": json.Number("123456789012345678901234567890")},
	[]any{},
}

// TestGoSignsDjangoReads: what this package signs, Django 3.2's signing
// and sessions accept, compressed or not, under text and byte keys, with
// or without a timestamp, and with SHA-1.
func TestGoSignsDjangoReads(t *testing.T) {
	t.Parallel()
	var ops []djangoOp
	var want []any
	for _, key := range []string{djangoSecret, byteKey} {
		for _, o := range interopObjects {
			for _, compress := range []bool{false, true} {
				d, err := signing.Dumps(key, o, compress)
				require.NoError(t, err)
				ops = append(ops, djangoOp{"op": "loads", "s": d, "key": key})
				want = append(want, o)
			}
		}
	}
	compressed, err := signing.Dumps(djangoSecret, interopObjects[3], true)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(compressed, "."), "the long value is compressed")

	// A timestamp an hour old: Django accepts it within two hours and
	// refuses it within one minute.
	hourAgo := time.Now().Add(-time.Hour)
	ts := newTimestampSigner(t, signing.Config{Key: djangoSecret, Salt: "my.salt", Now: func() time.Time { return hourAgo }})
	old := ts.Sign("hello \u2019")
	ops = append(ops,
		djangoOp{"op": "unsign_ts", "s": old, "key": djangoSecret, "salt": "my.salt", "max_age": 7200},
		djangoOp{"op": "unsign_ts", "s": old, "key": djangoSecret, "salt": "my.salt", "max_age": 60},
		djangoOp{"op": "unsign_ts", "s": old, "key": djangoSecret, "salt": "other.salt"},
	)
	want = append(want, "hello \u2019", "SignatureExpired", "BadSignature")

	sha1 := newSigner(t, signing.Config{Key: byteKey, Sep: "/", Salt: "s", Algorithm: signing.SHA1})
	plain := newSigner(t, signing.Config{Key: djangoSecret})
	ops = append(ops,
		djangoOp{"op": "unsign", "s": sha1.Sign("v:1"), "key": byteKey, "sep": "/", "salt": "s", "algorithm": "sha1"},
		djangoOp{"op": "unsign", "s": sha1.Sign("v:1"), "key": byteKey, "sep": "/", "salt": "s"},
		djangoOp{"op": "unsign", "s": plain.Sign("x"), "key": djangoSecret},
		djangoOp{"op": "unsign", "s": plain.Sign("x") + "a", "key": djangoSecret},
	)
	want = append(want, "v:1", "v:1", "x", "BadSignature") // Django 3.2 also accepts SHA-1 under SHA-256

	session := map[string]any{
		"_auth_user_id":      "42",
		"_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
		"_auth_user_hash":    strings.Repeat("0f", 32),
		"_session_expiry":    json.Number("1209600"),
		"cart":               []any{"thé", "🐍"},
	}
	enc, err := signing.EncodeSession(djangoSecret, session)
	require.NoError(t, err)
	wrong, err := signing.EncodeSession(oldSecret, session)
	require.NoError(t, err)
	ops = append(ops,
		djangoOp{"op": "session_decode", "s": enc},
		djangoOp{"op": "session_decode", "s": wrong},
		djangoOp{"op": "version"},
	)
	want = append(want, session, map[string]any{})

	res := runDjango(t, djangoSecret, ops)
	t.Logf("Django %s", res[len(res)-1].str(t))
	for i, w := range want {
		if e, ok := w.(string); ok && (e == "SignatureExpired" || e == "BadSignature") {
			assert.Equal(t, e, res[i].Error, "op %d %v", i, ops[i])
			continue
		}
		assert.Equal(t, normalize(t, w), res[i].value(t), "op %d %v", i, ops[i])
	}
}

// TestDjangoSignsGoReads: what Django 3.2 signs and its sessions encode,
// this package reads, including compressed payloads, byte keys, keys
// rotated into fallbacks, SHA-1 and the pre-3.1 session format.
func TestDjangoSignsGoReads(t *testing.T) {
	t.Parallel()
	var ops []djangoOp
	for _, key := range []string{djangoSecret, byteKey} {
		for _, o := range interopObjects {
			ops = append(ops,
				djangoOp{"op": "dumps", "obj": o, "key": key},
				djangoOp{"op": "dumps", "obj": o, "key": key, "compress": true})
		}
	}
	nObjects := len(ops)
	session := map[string]any{"_auth_user_id": "7", "é": "ü\U0001F40D", "n": json.Number("98765432109876543210"), "long": strings.Repeat("ab", 300)}
	ops = append(ops,
		djangoOp{"op": "sign_ts", "value": "hello \u2019", "key": djangoSecret, "salt": "my.salt"},
		djangoOp{"op": "sign", "value": "v", "key": byteKey, "sep": "/", "salt": "s", "algorithm": "sha1"},
		djangoOp{"op": "dumps", "obj": "rotated", "key": oldSecret, "compress": true},
		djangoOp{"op": "session_encode", "data": session},
		djangoOp{"op": "session_legacy_encode", "data": session},
	)
	res := runDjango(t, djangoSecret, ops)

	for i := 0; i < nObjects; i++ {
		op := ops[i]
		key, err := base64.StdEncoding.DecodeString(op["key"].(string))
		require.NoError(t, err)
		s := res[i].str(t)
		if op["compress"] == true && i%2 == 1 && i/2%len(interopObjects) == 3 {
			assert.True(t, strings.HasPrefix(s, "."), "Django compressed the long value: %s", s)
		}
		var raw json.RawMessage // to compare numbers digit by digit
		ts := newTimestampSigner(t, signing.Config{Key: string(key), Salt: signing.DefaultSalt})
		require.NoError(t, ts.UnsignObjectMaxAge(s, time.Hour, &raw), "op %d %s", i, s)
		assert.Equal(t, normalize(t, op["obj"]), normalize(t, raw), "op %d", i)
	}
	rest := res[nObjects:]

	ts := newTimestampSigner(t, signing.Config{Key: djangoSecret, Salt: "my.salt"})
	v, err := ts.UnsignMaxAge(rest[0].str(t), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, "hello \u2019", v)
	later := newTimestampSigner(t, signing.Config{Key: djangoSecret, Salt: "my.salt", Now: func() time.Time { return time.Now().Add(2 * time.Minute) }})
	_, err = later.UnsignMaxAge(rest[0].str(t), time.Minute)
	assert.ErrorIs(t, err, signing.ErrSignatureExpired)

	sha1 := newSigner(t, signing.Config{Key: byteKey, Sep: "/", Salt: "s", LegacySHA1: true})
	v, err = sha1.Unsign(rest[1].str(t))
	require.NoError(t, err)
	assert.Equal(t, "v", v)

	var rotated string
	require.NoError(t, signing.Loads(djangoSecret, []string{"x", oldSecret}, rest[2].str(t), &rotated))
	assert.Equal(t, "rotated", rotated)
	assert.ErrorIs(t, signing.Loads(djangoSecret, nil, rest[2].str(t), &rotated), signing.ErrBadSignature)

	for _, r := range rest[3:] {
		s := r.str(t)
		got, err := signing.DecodeSession(djangoSecret, nil, s)
		require.NoError(t, err, s)
		assert.Equal(t, session, got, s)
		got, err = signing.DecodeSession("new", []string{djangoSecret}, s)
		require.NoError(t, err, "fallback key")
		assert.Equal(t, session, got)
	}
	assert.True(t, strings.HasPrefix(rest[3].str(t), "."), "Django compresses sessions")
	assert.NotContains(t, rest[4].str(t), ":", "the pre-3.1 format is plain base64")
}

// normalize gives v the shape that decoding its JSON with UseNumber gives.
func normalize(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&out))
	return out
}
