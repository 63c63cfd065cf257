package validation

import (
	"unicode/utf8"

	"github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
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
	return newError(CodeTooShort, i18n.Message{
		ID:     "This password is too short. It must contain at least %(min_length)d character.",
		Plural: "This password is too short. It must contain at least %(min_length)d characters.",
		N:      n, Args: map[string]any{"min_length": n},
	})
}

// HelpText returns "Your password must contain at least 8 characters." (with
// the configured number).
func (v MinimumLength) HelpText() string { return v.HelpMessage().String() }

// HelpMessage returns HelpText as Django's msgid, to translate.
func (v MinimumLength) HelpMessage() i18n.Message {
	n := v.min()
	return i18n.Message{
		ID:     "Your password must contain at least %(min_length)d character.",
		Plural: "Your password must contain at least %(min_length)d characters.",
		N:      n, Args: map[string]any{"min_length": n},
	}
}
