package signing

import (
	"fmt"
	"math"
)

// base62Alphabet is Django's BASE62_ALPHABET.
const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Base62Encode encodes i in Django's base62 (b62_encode, and
// baseconv.base62.encode before Django 4.0): digits 0-9A-Za-z, a leading
// "-" for a negative number.
func Base62Encode(i int64) string {
	if i == 0 {
		return "0"
	}
	var buf [12]byte // 62^11 > 2^63, plus the sign
	n := len(buf)
	u := uint64(i)
	if i < 0 {
		u = -u
	}
	for u > 0 {
		n--
		buf[n] = base62Alphabet[u%62]
		u /= 62
	}
	if i < 0 {
		n--
		buf[n] = '-'
	}
	return string(buf[n:])
}

// Base62Decode decodes what Base62Encode encodes. It wraps ErrMalformed for
// an empty string, a lone "-", a character outside the alphabet, or a
// number outside int64 (Python's integers have no such bound, but a Unix
// timestamp does).
func Base62Decode(s string) (int64, error) {
	neg := len(s) > 0 && s[0] == '-'
	digits := s
	if neg {
		digits = s[1:]
	}
	if digits == "" {
		return 0, fmt.Errorf("%w: empty base62 number %q", ErrMalformed, s)
	}
	var u uint64
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	for i := 0; i < len(digits); i++ {
		d := base62Digit(digits[i])
		if d < 0 {
			return 0, fmt.Errorf("%w: %q is not base62", ErrMalformed, s)
		}
		if u > (limit-uint64(d))/62 {
			return 0, fmt.Errorf("%w: base62 number %q out of range", ErrMalformed, s)
		}
		u = u*62 + uint64(d)
	}
	if neg {
		return int64(-u), nil
	}
	return int64(u), nil
}

func base62Digit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 36
	}
	return -1
}
