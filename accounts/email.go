package accounts

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	auth "github.com/djauth/auth"
)

// Messages of the email field, Django's EmailField.
const (
	// MsgInvalidEmail is Django's EmailValidator message.
	MsgInvalidEmail = "Enter a valid email address."
	// MsgNullCharacters is Django's ProhibitNullCharactersValidator message.
	MsgNullCharacters = "Null characters are not allowed."
)

// maxEmailLength is the max_length of Django's PasswordResetForm.email.
const maxEmailLength = 254

// cleanEmail is Django's EmailField.clean: strip surrounding white space as
// Python's str.strip does, then check the value is present, at most 254
// characters, free of NUL and a valid address (validate_email). It returns
// the stripped value and every error, as Django's form does.
func cleanEmail(raw string) (string, []string) {
	email := strings.TrimFunc(raw, isPythonSpace)
	if email == "" {
		return "", []string{auth.MsgRequired}
	}
	var errs []string
	if n := utf8.RuneCountInString(email); n > maxEmailLength {
		errs = append(errs, fmt.Sprintf("Ensure this value has at most %d characters (it has %d).", maxEmailLength, n))
	}
	if strings.IndexByte(email, 0) >= 0 {
		errs = append(errs, MsgNullCharacters)
	}
	if !ValidEmail(email) {
		errs = append(errs, MsgInvalidEmail)
	}
	return email, errs
}

// isPythonSpace reports whether Python's str.isspace holds for r.
func isPythonSpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

// ValidEmail reports whether Django's validate_email accepts s: a dot-atom
// or quoted local part, then "localhost", a host name whose last label is
// alphabetic (or punycode) or an IP literal in brackets; at most 320
// characters. Like Django's case-insensitive regular expression, the local
// part also accepts the four non-ASCII letters that Python's re matches
// against ASCII ones ignoring case: İ, ı, ſ and the Kelvin sign K.
func ValidEmail(s string) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 320 {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if !validLocalPart(local) {
		return false
	}
	return domain == "localhost" || validDomain(domain) || validLiteral(domain)
}

// validLocalPart is Django's EmailValidator.user_regex.
func validLocalPart(s string) bool {
	if strings.HasPrefix(s, `"`) {
		if len(s) < 2 || !strings.HasSuffix(s, `"`) {
			return false
		}
		body := s[1 : len(s)-1]
		for i := 0; i < len(body); i++ {
			c := body[i]
			switch {
			case c == '\\':
				if i+1 >= len(body) {
					return false
				}
				n := body[i+1]
				if n == 0 || n == '\n' || n == '\r' || n > 0x7f {
					return false
				}
				i++
			case c >= 1 && c <= 8, c == 0x0b, c == 0x0c, c >= 0x0e && c <= 0x1f,
				c == '!', c >= '#' && c <= '[', c >= ']' && c <= 0x7f:
			default:
				return false
			}
		}
		return true
	}
	if s == "" {
		return false
	}
	for _, atom := range strings.Split(s, ".") {
		if atom == "" {
			return false
		}
		for _, r := range atom {
			if !atomRune(r) {
				return false
			}
		}
	}
	return true
}

// atomRune reports whether Django's dot-atom character class, matched
// ignoring case as Python's re does, holds r.
func atomRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	case strings.ContainsRune("-!#$%&'*+/=?^_`{}|~", r):
		return true
	case r == '\u0130', r == '\u0131', r == '\u017f', r == '\u212a':
		return true
	}
	return false
}

// domainRune is Django's "[a-z\u00a1-\uffff0-9]", ignoring case.
func domainRune(r rune, digits bool) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		return true
	case r >= '0' && r <= '9':
		return digits
	case r >= 0xa1 && r <= 0xffff:
		return true
	}
	return false
}

// validDomain is Django's hostname_re + domain_re + tld_no_fqdn_re.
func validDomain(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for i, l := range labels {
		n := utf8.RuneCountInString(l)
		if l == "" || n > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		last := i == len(labels)-1
		if last {
			if isPunycodeTLD(l) {
				continue
			}
			if n < 2 {
				return false
			}
		}
		for _, r := range l {
			if r != '-' && !domainRune(r, !last) {
				return false
			}
		}
	}
	return true
}

// isPunycodeTLD is Django's "xn--[a-z0-9]{1,59}", ignoring case.
func isPunycodeTLD(l string) bool {
	if len(l) < 5 || len(l) > 63 || !strings.EqualFold(l[:4], "xn--") {
		return false
	}
	for i := 4; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// validLiteral is Django's "[ipv4 or ipv6]" domain literal.
func validLiteral(s string) bool {
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return false
	}
	ip, err := netip.ParseAddr(s[1 : len(s)-1])
	return err == nil && ip.Zone() == ""
}

// EmailsMatch reports whether two addresses are the same identifier
// compared without case, Django's _unicode_ci_compare (Unicode Technical
// Report 36, 2.11.2(B)(2)): NFKC normalization, then full Unicode case
// folding. "mike@example.org" and "MIKE@example.org" match;
// "mıke@example.org" (dotless ı) does not, although the two have the same
// upper case "MIKE@EXAMPLE.ORG". This is what stops a reset request for a
// look-alike address from reaching another person's account (Django's
// CVE-2019-19844).
func EmailsMatch(a, b string) bool {
	fold := cases.Fold()
	return fold.String(norm.NFKC.String(a)) == fold.String(norm.NFKC.String(b))
}

// usersWithEmail returns the active users with a usable password whose
// stored email matches email by EmailsMatch: Django's
// PasswordResetForm.get_users. The store finds the candidates as Django's
// email__iexact does, comparing the addresses upper-cased
// (auth.UserQuery.Email), and the usable-password and EmailsMatch checks
// are made here. Upper-casing maps one code point at a time, so it finds
// "mike@example.org" for "mıke@example.org", which EmailsMatch then
// rejects; and it does not find a stored "STRASSE@example.de" for
// "straße@example.de", which full case folding would accept — as in
// Django, whose candidates come from the same comparison. One page holds
// every candidate unless more than auth.MaxUserListLimit active users
// share the address; then the pages are read in turn.
func (m *Manager[U]) usersWithEmail(ctx context.Context, email string) ([]*U, error) {
	active := true
	var out []*U
	for offset := 0; ; {
		page, err := m.auth.Store().ListUsers(ctx, auth.UserQuery{
			Email:    email,
			IsActive: &active,
			Offset:   offset,
			Limit:    auth.MaxUserListLimit,
		})
		if err != nil {
			return nil, fmt.Errorf("accounts: find users by email: %w", err)
		}
		for _, u := range page {
			au := m.auth.AuthUser(u)
			if au.IsActive && au.HasUsablePassword() && EmailsMatch(email, au.Email) {
				out = append(out, u)
			}
		}
		if len(page) < auth.MaxUserListLimit {
			return out, nil
		}
		offset += len(page)
	}
}
