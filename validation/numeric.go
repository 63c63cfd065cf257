package validation

import "github.com/djauth/auth"

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
	return &ValidationError{Code: CodeEntirelyNumeric, Message: "This password is entirely numeric."}
}

// HelpText returns Django's help text.
func (Numeric) HelpText() string { return "Your password can’t be entirely numeric." }
