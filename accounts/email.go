package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/internal/pystr"
)

// Messages of the email field, Django's EmailField.
const (
	// MsgInvalidEmail is Django's EmailValidator message.
	MsgInvalidEmail = "Enter a valid email address."
	// MsgNullCharacters is Django's ProhibitNullCharactersValidator message
	// (auth.MsgNullCharacters).
	MsgNullCharacters = auth.MsgNullCharacters
)

// maxEmailLength is the max_length of Django's PasswordResetForm.email.
const maxEmailLength = 254

// cleanEmail is Django's EmailField.clean: strip surrounding white space as
// Python's str.strip does, then check the value is present, at most 254
// characters, free of NUL and a valid address (validate_email). It returns
// the stripped value and every error, as Django's form does.
func cleanEmail(raw string) (string, []string) {
	if !utf8.ValidString(raw) {
		return strings.ToValidUTF8(raw, "\uFFFD"), []string{auth.MsgInvalidUTF8}
	}
	email := pystr.Strip(raw)
	if email == "" {
		return "", []string{auth.MsgRequired}
	}
	var errs []string
	if msg := auth.MaxLengthMessage(email, maxEmailLength); msg != "" {
		errs = append(errs, msg)
	}
	if strings.IndexByte(email, 0) >= 0 {
		errs = append(errs, MsgNullCharacters)
	}
	if !ValidEmail(email) {
		errs = append(errs, MsgInvalidEmail)
	}
	return email, errs
}

// ValidEmail reports whether Django's validate_email (EmailValidator, as
// of Django 6.1, with its default allowlist "localhost") accepts s: a
// dot-atom or quoted local part, then "localhost", a host name whose last
// label is alphabetic (or punycode) or an IP literal in brackets (an IPv6
// one of at most 39 characters); at most 320 characters. Like Django's
// case-insensitive regular expressions, the classes of ASCII letters also
// accept the four non-ASCII letters that Python's re matches against
// ASCII ones ignoring case: İ, ı, ſ and the Kelvin sign K. Django's
// regular expressions use lookarounds that Go's regexp lacks, so they are
// written out here label by label; testdata/email_vectors.json holds
// Django's answers.
func ValidEmail(s string) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > 320 {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return false
	}
	local, domain := s[:at], s[at+1:]
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

// EmailsMatch reports whether two addresses are the same identifier
// compared without case, Django's _unicode_ci_compare (Unicode Technical
// Report 36, 2.11.2(B)(2)): NFKC normalization, then full Unicode case
// folding. "mike@example.org" and "MIKE@example.org" match;
// "mıke@example.org" (dotless ı) does not, although the two have the same
// upper case "MIKE@EXAMPLE.ORG". This is what stops a reset request for a
// look-alike address from reaching another person's account (Django's
// CVE-2019-19844).
func EmailsMatch(a, b string) bool { return emailKey(a) == emailKey(b) }

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
func (m *Manager[U]) usersWithEmail(ctx context.Context, email string) ([]resetRecipient[U], error) {
	if m.emails != nil {
		return m.usersWithVerifiedEmail(ctx, email)
	}
	lister, ok := m.auth.Store().(userLister[U])
	if !ok {
		return nil, fmt.Errorf("accounts: the store %T cannot list users by email", m.auth.Store())
	}
	active := true
	var out []resetRecipient[U]
	for offset := 0; ; {
		page, err := lister.ListUsers(ctx, auth.UserQuery{
			Email:    email,
			IsActive: &active,
			Offset:   offset,
			Limit:    auth.MaxUserListLimit,
		})
		if err != nil {
			return nil, fmt.Errorf("accounts: find users by email: %w", err)
		}
		for _, u := range page {
			au := auth.UserOf(u)
			if au.IsActive && au.HasUsablePassword() && EmailsMatch(email, au.Email) {
				out = append(out, resetRecipient[U]{user: u, to: au.Email})
			}
		}
		if len(page) < auth.MaxUserListLimit {
			return out, nil
		}
		offset += len(page)
	}
}

// resetRecipient is a user a reset mail goes to, and the address it goes
// to.
type resetRecipient[U any] struct {
	user *U
	to   string
}

// usersWithVerifiedEmail is usersWithEmail with Config.Emails: the active
// users with a usable password who have email as a verified address, each
// with that address as stored, so that the mail goes to the address that
// was verified (the user table's email may differ from it, or be an
// address nobody verified). The user is as stored: the reset token is
// made from it, as the confirmation page will check it.
func (m *Manager[U]) usersWithVerifiedEmail(ctx context.Context, email string) ([]resetRecipient[U], error) {
	found, err := m.emails.Store().FindAddresses(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("accounts: find verified addresses: %w", err)
	}
	var out []resetRecipient[U]
	for _, a := range found {
		if !a.Verified || !EmailsMatch(email, a.Email) {
			continue
		}
		u, err := m.auth.Store().GetUser(ctx, a.UserID)
		if errors.Is(err, auth.ErrUserNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("accounts: get user %d: %w", a.UserID, err)
		}
		au := auth.UserOf(u)
		if !au.IsActive || !au.HasUsablePassword() {
			continue
		}
		out = append(out, resetRecipient[U]{user: u, to: a.Email})
	}
	return out, nil
}
