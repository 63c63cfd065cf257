package emails

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"strconv"
	"strings"
)

// CodeLength is the length of a typed code: 8 characters of Crockford's
// base32, 40 bits.
const CodeLength = 8

// codeAlphabet is Crockford's base32: no I, L, O or U.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// codeSalt separates code MACs from every other use of the secret key.
const codeSalt = "djauth.emails.code"

// Code returns the code that confirms a now, to be typed instead of
// following the link. It is derived, not stored: an HMAC under the secret
// key of the address's ID, its email and the current period of
// CodeLifetime; ConfirmCode accepts the current and the previous period.
// A verified address has no valid code, so a code works once.
func (m *Manager) Code(a Address) string {
	return makeCode(m.keys[0], a, m.period(0))
}

func (m *Manager) period(back int64) int64 {
	return m.now().Unix()/int64(m.lifetime.Seconds()) - back
}

func (m *Manager) checkCode(a Address, code string) bool {
	ok := 0
	for _, k := range m.keys {
		for back := int64(0); back < 2; back++ {
			ok |= subtle.ConstantTimeCompare([]byte(makeCode(k, a, m.period(back))), []byte(code))
		}
	}
	return ok == 1
}

func makeCode(key string, a Address, period int64) string {
	k := sha256.Sum256([]byte(codeSalt + key))
	mac := hmac.New(sha256.New, k[:])
	mac.Write([]byte(strconv.FormatInt(a.ID, 10) + "\x00" + strings.ToUpper(a.Email) + "\x00" + strconv.FormatInt(period, 10)))
	sum := mac.Sum(nil)
	v := binary.BigEndian.Uint64(sum[:8]) >> (64 - 5*CodeLength)
	var b [CodeLength]byte
	for i := CodeLength - 1; i >= 0; i-- {
		b[i] = codeAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

// normalizeCode reads a typed code as Crockford's base32 is read: case
// and hyphens and spaces ignored, O read as 0, I and L as 1.
func normalizeCode(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != CodeLength {
		return "", false
	}
	return b.String(), true
}
