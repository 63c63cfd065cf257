package validation

import (
	"fmt"
	"unicode/utf8"

	"github.com/djauth/auth"
)

// DefaultMinLength is the minimum length of Django's MinimumLengthValidator.
const DefaultMinLength = 8

// MinimumLength rejects passwords shorter than Min characters (Django's
// MinimumLengthValidator). Characters are Unicode code points, as Python's
// len() counts them, not bytes: "ééééééé" has 7.
//
// The zero value requires DefaultMinLength (8) characters.
type MinimumLength struct {
	// Min is the least number of characters; 0 or less means 8.
	Min int
}

func (v MinimumLength) min() int {
	if v.Min <= 0 {
		return DefaultMinLength
	}
	return v.Min
}

// Validate returns a *ValidationError with code CodeTooShort when password
// has fewer than Min characters.
func (v MinimumLength) Validate(password string, _ *auth.User) error {
	n := v.min()
	if utf8.RuneCountInString(password) >= n {
		return nil
	}
	return &ValidationError{
		Code:    CodeTooShort,
		Message: fmt.Sprintf("This password is too short. It must contain at least %d %s.", n, plural(n, "character", "characters")),
		Params:  map[string]any{"min_length": n},
	}
}

// HelpText returns "Your password must contain at least 8 characters." (with
// the configured number).
func (v MinimumLength) HelpText() string {
	n := v.min()
	return fmt.Sprintf("Your password must contain at least %d %s.", n, plural(n, "character", "characters"))
}

// plural chooses the English form as Django's ngettext does: singular for
// exactly one.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
