package signing

import (
	"fmt"
	"strings"
	"time"
)

// TimestampSigner is a Signer that also signs the time of signing, so that
// a verifier can refuse old signatures (Django's
// django.core.signing.TimestampSigner). It is safe for concurrent use.
type TimestampSigner struct {
	s   *Signer
	now func() time.Time
}

// NewTimestampSigner returns a TimestampSigner for c; an empty c.Salt means
// "django.core.signing.TimestampSigner".
func NewTimestampSigner(c Config) (*TimestampSigner, error) {
	s, err := newSigner(c, "django.core.signing.TimestampSigner")
	if err != nil {
		return nil, err
	}
	now := c.Now
	if now == nil {
		now = time.Now
	}
	return &TimestampSigner{s: s, now: now}, nil
}

// Sign returns value, the separator, the current Unix time in base62, the
// separator and the signature of all that.
func (t *TimestampSigner) Sign(value string) string {
	return t.s.Sign(value + t.s.sep + Base62Encode(t.now().Unix()))
}

// Unsign verifies signed as Signer.Unsign does and returns the value
// without its timestamp, however old the signature is.
func (t *TimestampSigner) Unsign(signed string) (string, error) {
	value, _, err := t.unsign(signed)
	return value, err
}

// UnsignMaxAge is Unsign that also wraps ErrSignatureExpired when the
// signature is more than maxAge old (Django's unsign(value, max_age)).
func (t *TimestampSigner) UnsignMaxAge(signed string, maxAge time.Duration) (string, error) {
	value, ts, err := t.unsign(signed)
	if err != nil {
		return "", err
	}
	if age := t.now().Sub(ts); age > maxAge {
		return "", fmt.Errorf("%w: signature age %v > %v", ErrSignatureExpired, age, maxAge)
	}
	return value, nil
}

func (t *TimestampSigner) unsign(signed string) (string, time.Time, error) {
	result, err := t.s.Unsign(signed)
	if err != nil {
		return "", time.Time{}, err
	}
	i := strings.LastIndex(result, t.s.sep)
	if i < 0 {
		return "", time.Time{}, fmt.Errorf("%w: no timestamp", ErrMalformed)
	}
	ts, err := Base62Decode(result[i+len(t.s.sep):])
	if err != nil {
		return "", time.Time{}, fmt.Errorf("timestamp: %w", err)
	}
	return result[:i], time.Unix(ts, 0), nil
}

// SignObject is Signer.SignObject with a timestamp (Django's
// TimestampSigner.sign_object, which signing.dumps calls).
func (t *TimestampSigner) SignObject(v any) (string, error) {
	b64, err := encodeObject(v, t.s.compress)
	if err != nil {
		return "", err
	}
	return t.Sign(b64), nil
}

// UnsignObject verifies signed as Unsign does and decodes the JSON value it
// carries into v (Django's TimestampSigner.unsign_object, which
// signing.loads calls).
func (t *TimestampSigner) UnsignObject(signed string, v any) error {
	b64, err := t.Unsign(signed)
	if err != nil {
		return err
	}
	return decodeObject(b64, t.s.maxSize, v, false)
}

// UnsignObjectMaxAge is UnsignObject that also refuses a signature more
// than maxAge old, wrapping ErrSignatureExpired.
func (t *TimestampSigner) UnsignObjectMaxAge(signed string, maxAge time.Duration, v any) error {
	b64, err := t.UnsignMaxAge(signed, maxAge)
	if err != nil {
		return err
	}
	return decodeObject(b64, t.s.maxSize, v, false)
}
