package validation

import (
	"unicode"
	"unicode/utf8"

	"github.com/djauth/auth/internal/pystr"
)

// This file holds the few pieces of Python's string semantics that Django's
// validators depend on. Python strings are sequences of code points, so every
// length and every comparison here works on runes, never on bytes.

// pyLower is Python's str.lower (pystr.Lower) of the text as Django sees
// it: every byte that is not valid UTF-8 stands for U+FFFD, as Django's
// form decoding with errors="replace" gives it.
func pyLower(s string) string {
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	return pystr.Lower(s)
}

// pyWord reports whether r matches \w in a Python str pattern: a letter, a
// number of any kind, or the underscore.
func pyWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// pySplitNonWord is re.split(r"\W+", s): the runs of word characters between
// runs of other characters, with an empty string at either end when s starts
// or ends with a non-word character.
func pySplitNonWord(s string) []string {
	var parts []string
	start := 0 // start of the current word part
	inSep := false
	for i, r := range s {
		if pyWord(r) {
			if inSep {
				start = i
				inSep = false
			}
			continue
		}
		if !inSep {
			parts = append(parts, s[start:i])
			inSep = true
		}
	}
	if inSep {
		parts = append(parts, "")
	} else {
		parts = append(parts, s[start:])
	}
	return parts
}

// otherDigits lists the characters that Python's str.isdigit accepts beyond
// the decimal digits (category Nd): superscripts, subscripts, circled and
// parenthesised digits and a few historic scripts (Numeric_Type=Digit).
// Generated from Python 3.11's Unicode 14 database.
var otherDigits = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x00B2, 0x00B3, 1}, {0x00B9, 0x00B9, 1}, {0x1369, 0x1371, 1},
		{0x19DA, 0x19DA, 1}, {0x2070, 0x2070, 1}, {0x2074, 0x2079, 1},
		{0x2080, 0x2089, 1}, {0x2460, 0x2468, 1}, {0x2474, 0x247C, 1},
		{0x2488, 0x2490, 1}, {0x24EA, 0x24EA, 1}, {0x24F5, 0x24FD, 1},
		{0x24FF, 0x24FF, 1}, {0x2776, 0x277E, 1}, {0x2780, 0x2788, 1},
		{0x278A, 0x2792, 1},
	},
	R32: []unicode.Range32{
		{0x10A40, 0x10A43, 1}, {0x10E60, 0x10E68, 1}, {0x11052, 0x1105A, 1},
		{0x1F100, 0x1F10A, 1},
	},
}

// pyIsDigit is Python's str.isdigit: true when s is not empty and every
// character is a decimal digit or another Numeric_Type=Digit character.
func pyIsDigit(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) && !unicode.Is(otherDigits, r) {
			return false
		}
	}
	return true
}

// quickRatio is difflib.SequenceMatcher(a=a, b=b).quick_ratio(): an upper
// bound on the similarity of a and b, 2*M/T where T is the total number of
// characters and M counts the characters of a that can be paired with a
// still unpaired equal character of b, ignoring order. Two empty strings
// have ratio 1.
func quickRatio(a, b string) float64 {
	avail := make(map[rune]int, len(b))
	for _, r := range b {
		avail[r]++
	}
	matches := 0
	for _, r := range a {
		if avail[r] > 0 {
			matches++
		}
		avail[r]--
	}
	length := utf8.RuneCountInString(a) + utf8.RuneCountInString(b)
	if length == 0 {
		return 1
	}
	return 2 * float64(matches) / float64(length)
}
