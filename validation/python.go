package validation

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the few pieces of Python's string semantics that Django's
// validators depend on. Python strings are sequences of code points, so every
// length and every comparison here works on runes, never on bytes.

// pyLower is Python's str.lower: Unicode full lowercase mapping. It differs
// from strings.ToLower in two places: U+0130 (capital I with dot above)
// becomes "i" followed by U+0307, and a capital sigma at the end of a word
// becomes the final form ς (U+03C2), as Python applies the Final_Sigma rule.
func pyLower(s string) string {
	if !strings.ContainsRune(s, 'İ') && !strings.ContainsRune(s, 'Σ') {
		return strings.ToLower(s)
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + 2)
	for i, r := range rs {
		switch {
		case r == 'İ':
			b.WriteString("i\u0307")
		case r == 'Σ' && finalSigma(rs, i):
			b.WriteRune('ς')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma reports whether the capital sigma at rs[i] ends a word, by the
// Unicode Final_Sigma condition that Python implements: a cased letter comes
// before it and none comes after it, skipping case-ignorable characters in
// both directions.
func finalSigma(rs []rune, i int) bool {
	j := i - 1
	for j >= 0 && caseIgnorable(rs[j]) {
		j--
	}
	if j < 0 || !cased(rs[j]) {
		return false
	}
	k := i + 1
	for k < len(rs) && caseIgnorable(rs[k]) {
		k++
	}
	return k == len(rs) || !cased(rs[k])
}

// cased approximates the Unicode Cased property: letters with case, plus
// the Other_Lowercase and Other_Uppercase characters.
func cased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

// caseIgnorable approximates the Unicode Case_Ignorable property: marks,
// format characters, modifier letters and symbols, and the word-internal
// punctuation of the word-break rules (apostrophes, full stops, colons).
func caseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '^', '`', 0x00B7, 0x0387, 0x055F, 0x05F4, 0x2018, 0x2019,
		0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

// pySpace is Python's str.isspace for one character: Go's unicode.IsSpace
// plus the four information separators U+001C to U+001F.
func pySpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1C && r <= 0x1F
}

// pyStrip is Python's str.strip() without arguments.
func pyStrip(s string) string {
	return strings.TrimFunc(s, pySpace)
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
