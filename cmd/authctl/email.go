package main

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// validEmail is Django's EmailValidator (django.core.validators, as of
// Django 6.1) with its default allowlist ("localhost"), which Django's
// EmailField runs on the email of a new user. Its regular expressions use
// lookarounds that Go's regexp lacks, so they are written out here label by
// label; emailVectors in the tests hold Django's answers.
func validEmail(value string) bool {
	if value == "" || !utf8.ValidString(value) || utf8.RuneCountInString(value) > 320 {
		return false
	}
	at := strings.LastIndexByte(value, '@')
	if at < 0 {
		return false
	}
	local, domain := value[:at], value[at+1:]
	if !validEmailLocal(local) {
		return false
	}
	return domain == "localhost" || validEmailDomain(domain)
}

// foldsToASCIILetter reports whether a regular expression class of ASCII
// letters matches r under Python's re.IGNORECASE: the letters themselves
// and four characters whose case mapping is an ASCII letter (İ, ı, ſ and
// the Kelvin sign).
func foldsToASCIILetter(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		return true
	case r == 'İ', r == 'ı', r == 'ſ', r == '\u212a':
		return true
	}
	return false
}

// validEmailLocal matches Django's user_regex: a dot-atom or a quoted
// string.
func validEmailLocal(s string) bool {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return validQuotedString(s[1 : len(s)-1])
	}
	if s == "" {
		return false
	}
	for atom := range strings.SplitSeq(s, ".") {
		if atom == "" {
			return false
		}
		for _, r := range atom {
			if !foldsToASCIILetter(r) && !(r >= '0' && r <= '9') && !strings.ContainsRune("-!#$%&'*+/=?^_`{}|~", r) {
				return false
			}
		}
	}
	return true
}

// validQuotedString matches the inside of a quoted local part: qtext
// characters and backslash-escaped pairs.
func validQuotedString(s string) bool {
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '\\' {
			i++
			if i == len(rs) {
				return false
			}
			q := rs[i]
			if !(q >= 0x01 && q <= 0x09 || q == 0x0b || q == 0x0c || q >= 0x0e && q <= 0x7f || foldsToASCIILetter(q)) {
				return false
			}
			continue
		}
		if !(r >= 0x01 && r <= 0x08 || r == 0x0b || r == 0x0c || r >= 0x0e && r <= 0x1f ||
			r == '!' || r >= '#' && r <= '[' || r >= ']' && r <= 0x7f || foldsToASCIILetter(r)) {
			return false
		}
	}
	return true
}

// validEmailDomain matches Django's domain_regex (hostname, domain labels,
// a top-level domain without a trailing dot) or its literal_regex holding
// an IPv4 or IPv6 address.
func validEmailDomain(d string) bool {
	if strings.HasPrefix(d, "[") && strings.HasSuffix(d, "]") && len(d) > 2 {
		return validAddressLiteral(d[1 : len(d)-1])
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels[:len(labels)-1] {
		if !validDomainLabel(l) {
			return false
		}
	}
	return validTLD(labels[len(labels)-1])
}

// hostRune is the class [a-z\u00a1-\uffff0-9] under re.IGNORECASE.
func hostRune(r rune) bool {
	return foldsToASCIILetter(r) || r >= '0' && r <= '9' || r >= 0xa1 && r <= 0xffff
}

// validDomainLabel: 1 to 63 characters of hostRune or "-", not starting or
// ending with "-".
func validDomainLabel(l string) bool {
	n := utf8.RuneCountInString(l)
	if n < 1 || n > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, r := range l {
		if r != '-' && !hostRune(r) {
			return false
		}
	}
	return true
}

// validTLD: 2 to 63 letters (ASCII or U+00A1 to U+FFFF) or "-", or a
// punycode label "xn--" with 1 to 59 letters and digits; never starting or
// ending with "-".
func validTLD(l string) bool {
	if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	if n := utf8.RuneCountInString(l); n >= 2 && n <= 63 {
		letters := true
		for _, r := range l {
			if r != '-' && !foldsToASCIILetter(r) && !(r >= 0xa1 && r <= 0xffff) {
				letters = false
				break
			}
		}
		if letters {
			return true
		}
	}
	rs := []rune(l)
	if len(rs) < 5 || len(rs) > 63 || !foldsTo(rs[0], 'x') || !foldsTo(rs[1], 'n') || rs[2] != '-' || rs[3] != '-' {
		return false
	}
	for _, r := range rs[4:] {
		if !foldsToASCIILetter(r) && !(r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// foldsTo reports whether r matches the lowercase ASCII letter c under
// re.IGNORECASE.
func foldsTo(r, c rune) bool {
	return r == c || r == c-'a'+'A'
}

// validAddressLiteral matches [A-F0-9:.]+ (case-insensitively) holding an
// address that Python's ipaddress accepts: IPv4 in dotted decimal without
// leading zeros, or IPv6 of at most 39 characters.
func validAddressLiteral(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' || r == ':' || r == '.') {
			return false
		}
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	return a.Is4() || a.Is6() && len(s) <= 39
}
