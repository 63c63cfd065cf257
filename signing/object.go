package signing

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/djauth/auth/internal/djcrypto"
)

// DefaultSalt is the salt of Django's signing.dumps and signing.loads.
const DefaultSalt = "django.core.signing"

// Dumps returns v signed with key as Django's
// signing.dumps(v, key=key, compress=compress) does: JSON, compressed if
// asked and shorter, base64, timestamped and signed with SHA-256 under
// DefaultSalt. For another salt, use a TimestampSigner.
func Dumps(key string, v any, compress bool) (string, error) {
	t, err := NewTimestampSigner(Config{Key: key, Salt: DefaultSalt, Compress: compress})
	if err != nil {
		return "", err
	}
	return t.SignObject(v)
}

// Loads verifies s with key and then fallbacks, whatever its age, and
// decodes its JSON value into v, as Django's
// signing.loads(s, key=key, fallback_keys=fallbacks) does.
func Loads(key string, fallbacks []string, s string, v any) error {
	t, err := NewTimestampSigner(Config{Key: key, FallbackKeys: fallbacks, Salt: DefaultSalt})
	if err != nil {
		return err
	}
	return t.UnsignObject(s, v)
}

// marshalJSON serializes v as Django's JSONSerializer does,
// json.dumps(v, separators=(",", ":")): compact, and ASCII only, with every
// other character escaped as \uXXXX (a surrogate pair beyond the BMP), so
// that Django's latin-1 decoding reads it back unchanged. HTML characters
// are not escaped, as Python does not escape them. Floats may be spelled
// differently from Python's repr (Go writes 10000000000000000 for 1e16 and
// 1 for 1.0, Python 1e+16 and 1.0); each reads the other's spelling.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("signing: serialize: %w", err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if isASCII(b) {
		return b, nil
	}
	// Bytes at or above 0x80 only occur inside strings (encoding/json has
	// made them valid UTF-8), so escaping them keeps the JSON valid.
	out := make([]byte, 0, len(b)+len(b)/2)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		switch {
		case r < utf8.RuneSelf:
			out = append(out, byte(r))
		case r > 0xFFFF:
			r -= 0x10000
			out = fmt.Appendf(out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			out = fmt.Appendf(out, `\u%04x`, r)
		}
	}
	return out, nil
}

// unmarshalJSON decodes data as Django's JSONSerializer.loads does: bytes
// read as latin-1, one JSON value and nothing after it but white space.
// useNumber keeps numbers as json.Number. Python also reads NaN, Infinity
// and -Infinity, which encoding/json refuses; Django never writes them
// unless asked to sign a non-finite float.
func unmarshalJSON(data []byte, v any, useNumber bool) error {
	if !isASCII(data) {
		u := make([]byte, 0, len(data)+len(data)/2)
		for _, c := range data {
			u = utf8.AppendRune(u, rune(c))
		}
		data = u
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if useNumber {
		dec.UseNumber()
	}
	if err := dec.Decode(v); err != nil {
		if _, ok := errors.AsType[*json.InvalidUnmarshalError](err); ok {
			return fmt.Errorf("signing: %w", err) // the caller's mistake, not the payload's
		}
		return fmt.Errorf("%w: JSON: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: JSON: data after the value", ErrMalformed)
	}
	return nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// encodeObject is the unsigned half of Django's sign_object.
func encodeObject(v any, compress bool) (string, error) {
	data, err := marshalJSON(v)
	if err != nil {
		return "", err
	}
	if compress {
		var buf bytes.Buffer
		zw := zlib.NewWriter(&buf)
		_, _ = zw.Write(data) // writes to a bytes.Buffer do not fail
		_ = zw.Close()
		// Django keeps the compressed form only when it is at least two
		// bytes shorter. compress/flate writes other bytes than C zlib,
		// and for a short value sometimes more of them, so a value that
		// Django would compress may stay plain here; both read both.
		if buf.Len() < len(data)-1 {
			return "." + djcrypto.URLSafeBase64Encode(buf.Bytes()), nil
		}
	}
	return djcrypto.URLSafeBase64Encode(data), nil
}

// decodeObject is the half of Django's unsign_object after the signature
// check: a leading "." marks zlib, inflated to at most maxSize bytes.
func decodeObject(b64 string, maxSize int64, v any, useNumber bool) error {
	compressed := len(b64) > 0 && b64[0] == '.'
	if compressed {
		b64 = b64[1:]
	}
	data, err := djcrypto.URLSafeBase64Decode(b64)
	if err != nil {
		return fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	if compressed {
		if data, err = inflate(data, maxSize); err != nil {
			return err
		}
	}
	return unmarshalJSON(data, v, useNumber)
}

// inflate decompresses a zlib stream, refusing more than maxSize bytes.
func inflate(data []byte, maxSize int64) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: zlib: %v", ErrMalformed, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: zlib: %v", ErrMalformed, err)
	}
	if int64(len(out)) > maxSize {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxSize)
	}
	return out, nil
}
