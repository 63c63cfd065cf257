package validation

import (
	"github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
)

// Numeric rejects passwords made only of digits (Django's
// NumericPasswordValidator). Digits are what Python's str.isdigit accepts:
// decimal digits of every script, and also superscript, subscript and
// circled digits such as "²" and "①". The empty password is not numeric.
//
// The zero value is ready to use.
type Numeric struct{}

// Validate returns a *ValidationError with code CodeEntirelyNumeric when
// every character of password is a digit.
func (Numeric) Validate(password string, _ *auth.User) error {
	if !pyIsDigit(password) {
		return nil
	}
	return newError(CodeEntirelyNumeric, i18n.Message{ID: "This password is entirely numeric."})
}

// HelpText returns Django's help text.
func (v Numeric) HelpText() string { return v.HelpMessage().String() }

// HelpMessage returns HelpText as Django's msgid, to translate.
func (Numeric) HelpMessage() i18n.Message {
	return i18n.Message{ID: "Your password can’t be entirely numeric."}
}
