package passwordless

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// CodeAlphabet is the alphabet of the codes: capital letters and digits
// without the look-alikes 0/O and 1/I, 32 symbols, so 5 bits a character
// (an 8-character code holds 40 bits). Codes are typed without regard to
// case, spaces or hyphens.
const CodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// randomToken returns n random bytes in unpadded base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomCode returns n characters of CodeAlphabet.
func randomCode(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = CodeAlphabet[int(b[i])%len(CodeAlphabet)]
	}
	return string(b)
}

// normalizeCode is what a person typed, as it is compared: upper case,
// without white space and hyphens.
func normalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// keyed is the HMAC of the request's secrets, keyed by a key derived from
// the site's secret key, so that a copy of the table lets nobody log in
// nor test codes offline.
type keyed struct{ key []byte }

func newKeyed(secret string) keyed {
	k := sha256.Sum256([]byte("djauth.passwordless.v1\x00" + secret))
	return keyed{key: k[:]}
}

// sum is HMAC-SHA256 over purpose, id and value, NUL-separated.
func (k keyed) sum(purpose, id, value string) []byte {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(purpose + "\x00" + id + "\x00" + value))
	return m.Sum(nil)
}

// match compares value's HMAC with want in constant time.
func (k keyed) match(want []byte, purpose, id, value string) bool {
	return len(want) > 0 && hmac.Equal(want, k.sum(purpose, id, value))
}

// foldEmail is the comparison of addresses that decides who is mailed:
// NFKC and full case folding, as package accounts' EmailsMatch.
func foldEmail(email string) string {
	return cases.Fold().String(norm.NFKC.String(email))
}
