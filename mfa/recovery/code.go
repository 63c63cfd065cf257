package recovery

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
)

// Alphabet is the set of characters of generated codes: digits and
// lowercase letters without 0, 1, i, l, o and u, which are easily misread
// (0/o, 1/i/l) or spell words (u). 30 symbols, log2(30) = 4.91 bits each.
const Alphabet = "23456789abcdefghjkmnpqrstvwxyz"

const (
	// CodeLength is the number of characters of a generated code: 16
	// characters of Alphabet carry 78.5 bits of entropy, which is what
	// lets an unsalted fast hash stand in for a password hash (see the
	// package documentation).
	CodeLength = 16
	// GroupSize is the number of characters between dashes in a code as
	// it is shown ("k7m2-q9xd-4hbn-w3fa").
	GroupSize = 4
	// DefaultCount is the number of codes Generate makes when
	// Config.Count is zero.
	DefaultCount = 10
	// maxTyped bounds a typed code; anything longer is refused before the
	// store is asked.
	maxTyped = 64
)

// newCode returns a random code of CodeLength characters of Alphabet, in
// canonical form. Bytes from crypto/rand at or above the largest multiple
// of len(Alphabet) are rejected, so that every symbol is equally likely.
func newCode() (string, error) {
	const limit = 256 - 256%len(Alphabet) // 240
	out := make([]byte, 0, CodeLength)
	var buf [2 * CodeLength]byte
	for len(out) < CodeLength {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("recovery: random code: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < CodeLength {
				out = append(out, Alphabet[int(b)%len(Alphabet)])
			}
		}
	}
	return string(out), nil
}

// Format returns code, in canonical form, as it is shown to the user: in
// groups of GroupSize characters joined by dashes.
func Format(code string) string {
	var b strings.Builder
	for i := 0; i < len(code); i += GroupSize {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(code[i:min(i+GroupSize, len(code))])
	}
	return b.String()
}

// Normalize returns the canonical form of a code as a user typed it:
// without white space and dashes, ASCII letters in lowercase. A generated
// code, shown as Format shows it and typed with any mix of case, spaces
// and dashes, normalises to itself.
func Normalize(typed string) string {
	var b strings.Builder
	b.Grow(len(typed))
	for _, r := range typed {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '\n' || r == '\r' ||
			r == '\u00a0' || r == '\u2010' || r == '\u2011' || r == '\u2012' || r == '\u2013' || r == '\u2212':
			// Separators, including those a phone or a PDF puts in when
			// the code is copied: no-break space, hyphen, minus sign.
		case 'A' <= r && r <= 'Z':
			b.WriteRune(r + ('a' - 'A'))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// candidates returns the forms of typed that a store matches: its
// canonical form and, if it differs, typed without surrounding white space
// (a django-otp token made by "manage.py addstatictoken -t" may hold
// capitals or dashes and is compared verbatim by django-otp). nil when
// typed is empty or longer than maxTyped.
func candidates(userID int64, typed string) []Code {
	typed = strings.TrimSpace(typed)
	if typed == "" || len(typed) > maxTyped {
		return nil
	}
	forms := []string{Normalize(typed)}
	if forms[0] == "" {
		return nil
	}
	if typed != forms[0] {
		forms = append(forms, typed)
	}
	out := make([]Code, len(forms))
	for i, f := range forms {
		out[i] = NewCode(userID, f)
	}
	return out
}

// digestPrefix separates the digests of recovery codes from any other
// SHA-256 of the same bytes.
const digestPrefix = "djauth.mfa.recovery\x00"

// Digest returns the SHA-256 digest under which the hashed layout stores
// the code of the user userID: SHA-256 of a fixed prefix, the user ID
// (8 bytes, big-endian) and the code. Binding the user in makes each guess
// of an attacker who holds the table a guess at one user's codes only.
func Digest(userID int64, code string) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(digestPrefix))
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], uint64(userID))
	h.Write(id[:])
	h.Write([]byte(code))
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}
