package pystr

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsSpace is Python's str.isspace for one character: Go's unicode.IsSpace
// plus the information separators U+001C to U+001F.
func IsSpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

// Strip is Python's str.strip() without arguments.
func Strip(s string) string {
	return strings.TrimFunc(s, IsSpace)
}

// Lower is Python's str.lower: Unicode's default full lowercase mapping,
// which differs from strings.ToLower for U+0130 (capital I with dot above,
// which becomes "i" plus U+0307) and for U+03A3 (capital sigma, which
// becomes the final form ς at the end of a word). Bytes that are not valid
// UTF-8 are kept as they are.
func Lower(s string) string {
	if !strings.ContainsRune(s, '\u0130') && !strings.ContainsRune(s, '\u03a3') && utf8.ValidString(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(s[i : i+size])
		case r == '\u0130':
			b.WriteString("i\u0307")
		case r == '\u03a3':
			if finalSigma(s[:i], s[i+size:]) {
				b.WriteRune('\u03c2')
			} else {
				b.WriteRune('\u03c3')
			}
		default:
			b.WriteRune(unicode.ToLower(r))
		}
		i += size
	}
	return b.String()
}

// finalSigma reports whether a capital sigma between before and after is
// in Unicode's Final_Sigma context: a cased letter before it and none after
// it, skipping case-ignorable characters on both sides.
func finalSigma(before, after string) bool {
	cased := false
	for before != "" {
		r, size := utf8.DecodeLastRuneInString(before)
		before = before[:len(before)-size]
		if !isCaseIgnorable(r) {
			cased = isCased(r)
			break
		}
	}
	if !cased {
		return false
	}
	for after != "" {
		r, size := utf8.DecodeRuneInString(after)
		after = after[size:]
		if !isCaseIgnorable(r) {
			return !isCased(r)
		}
	}
	return true
}

// isCased is Unicode's derived property Cased.
func isCased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.In(r, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

// isCaseIgnorable is Unicode's derived property Case_Ignorable: marks,
// format characters, modifier letters and symbols, and the characters
// whose Word_Break value is MidLetter, MidNumLet or Single_Quote.
func isCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '\u00b7', '\u0387', '\u055f', '\u05f4', '\u2018', '\u2019', '\u2024',
		'\u2027', '\ufe13', '\ufe52', '\ufe55', '\uff07', '\uff0e', '\uff1a':
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}
