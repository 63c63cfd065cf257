package emails

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// EmailMaxLength is allauth's ACCOUNT_EMAIL_MAX_LENGTH default, the width
// of account_emailaddress.email.
const EmailMaxLength = 254

// Errors of the stores and of the Manager.
var (
	// ErrNotFound: no such address (or no address with that key or code).
	ErrNotFound = errors.New("emails: address not found")
	// ErrEmailTaken: another user has the address, and addresses are
	// unique (allauth's ACCOUNT_UNIQUE_EMAIL, True by default).
	ErrEmailTaken = errors.New("emails: address belongs to another user")
	// ErrInvalidEmail: not an email address, or longer than EmailMaxLength.
	ErrInvalidEmail = errors.New("emails: invalid email address")
	// ErrUnverified: the address is not verified, and the operation needs
	// a verified one (making it primary).
	ErrUnverified = errors.New("emails: address not verified")
	// ErrPrimary: the primary address cannot be removed.
	ErrPrimary = errors.New("emails: the primary address cannot be removed")
	// ErrInvalidKey: a confirmation key or code that is malformed, forged,
	// expired, or for an address that is already verified (allauth's
	// EmailConfirmationHMAC.from_key answers None to all of them).
	ErrInvalidKey = errors.New("emails: invalid or expired confirmation")
)

// Address is a row of allauth's account_emailaddress: one email address
// of a user, verified or not, at most one of the user's primary.
type Address struct {
	ID       int64
	UserID   int64
	Email    string
	Verified bool
	Primary  bool
}

// Normalize checks email and returns it as Django's
// BaseUserManager.normalize_email does (the domain part lower-cased, the
// local part kept): it must be one address without a display name, of at
// most EmailMaxLength characters.
func Normalize(email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" || len(email) > EmailMaxLength {
		return "", fmt.Errorf("%w: %d characters", ErrInvalidEmail, len(email))
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != email {
		return "", fmt.Errorf("%w: %q", ErrInvalidEmail, email)
	}
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return "", fmt.Errorf("%w: %q", ErrInvalidEmail, email)
	}
	return email[:at] + "@" + strings.ToLower(email[at+1:]), nil
}

// SameEmail reports whether a and b are the same address as Django's
// email__iexact lookup compares them on PostgreSQL (UPPER of both).
func SameEmail(a, b string) bool { return strings.ToUpper(a) == strings.ToUpper(b) }
