package validation

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
)

// Validator checks a candidate password, as Django's password validator
// classes do.
//
// Validate returns nil when the password is acceptable and a
// *ValidationError (or Errors) when it is not. user is the account the
// password is meant for and may be nil, for example on a sign-up form
// before the user exists. Any other error means the validator itself could
// not run (a bad configuration, an unreadable list); Validate treats it as a
// failure and returns it at once.
//
// HelpText describes the rule to the person choosing a password.
type Validator interface {
	Validate(password string, user *auth.User) error
	HelpText() string
}

// ChangeNotifier is an optional ability of a Validator: PasswordChanged is
// called after a user's password has been changed, as Django calls
// password_changed() on its validators, for example to remember recent
// passwords. Discover it with a type assertion or call PasswordChanged.
type ChangeNotifier interface {
	PasswordChanged(password string, user *auth.User)
}

// Codes of the errors returned by the built-in validators; they are Django's
// ValidationError codes.
const (
	CodeTooSimilar      = "password_too_similar"
	CodeTooShort        = "password_too_short"
	CodeTooCommon       = "password_too_common"
	CodeEntirelyNumeric = "password_entirely_numeric"
)

// ValidationError is one reason why a password was rejected.
// errors.Is(err, auth.ErrInvalid) reports true for it.
type ValidationError struct {
	// Code is machine-readable, such as CodeTooShort.
	Code string
	// Message is Django's English message, ready to show to the user:
	// Msg.String().
	Message string
	// Msg is the message as Django's msgid and its parameters, to
	// translate when the page is rendered (Translate, or {{t .Msg}} in a
	// template); package i18n's French catalog has every built-in
	// validator's message.
	Msg i18n.Message
	// Params holds the values that were put into Message, for apps that
	// translate it: "min_length" (int) for CodeTooShort, "verbose_name"
	// (string) for CodeTooSimilar. It is nil when there are none.
	Params map[string]any
}

// newError returns the error of code with msg, its English Message
// filled in.
func newError(code string, msg i18n.Message) *ValidationError {
	return &ValidationError{Code: code, Message: msg.String(), Msg: msg, Params: maps.Clone(msg.Args)}
}

// Error returns the message.
func (e *ValidationError) Error() string { return e.Message }

// Translate returns the message in tr's language (English for a nil tr).
// An error built without Msg, by another validator, shows its Message
// through tr's catalog, as a msgid.
func (e *ValidationError) Translate(tr *i18n.Translator) string {
	if e.Msg.IsZero() {
		return tr.Gettext(e.Message)
	}
	return tr.Translate(e.Msg)
}

// Is reports whether target is auth.ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == auth.ErrInvalid }

// Errors is every reason why a password was rejected, in the order of the
// validators, as returned by Validate. errors.Is(err, auth.ErrInvalid)
// reports true for it, and errors.As finds the first *ValidationError.
type Errors []*ValidationError

// Error joins the messages with a space.
func (es Errors) Error() string { return strings.Join(es.Messages(), " ") }

// Is reports whether target is auth.ErrInvalid.
func (es Errors) Is(target error) bool { return target == auth.ErrInvalid }

// Unwrap returns the individual errors.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Messages returns the message of every error, like Django's
// ValidationError.messages.
func (es Errors) Messages() []string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Message
	}
	return msgs
}

// Translate returns the message of every error in tr's language, like
// Messages in English.
func (es Errors) Translate(tr *i18n.Translator) []string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Translate(tr)
	}
	return msgs
}

// Codes returns the code of every error.
func (es Errors) Codes() []string {
	codes := make([]string, len(es))
	for i, e := range es {
		codes[i] = e.Code
	}
	return codes
}

// Validate runs every validator on password and returns nil when all accept
// it. Otherwise it returns Errors holding every rejection at once, as
// Django's validate_password does, so a form can show them all. Pass
// Default()... for Django's four validators; with no validators every
// password is accepted.
//
// If a validator fails with an error that is not a *ValidationError or
// Errors, Validate stops and returns that error wrapped: the password must
// not be accepted when a check could not run.
func Validate(password string, user *auth.User, validators ...Validator) error {
	var all Errors
	for _, v := range validators {
		if v == nil {
			return errors.New("validation: nil Validator")
		}
		err := v.Validate(password, user)
		if err == nil {
			continue
		}
		var one *ValidationError
		var many Errors
		switch {
		case errors.As(err, &many):
			all = append(all, many...)
		case errors.As(err, &one):
			all = append(all, one)
		default:
			return fmt.Errorf("validation: %T could not check the password: %w", v, err)
		}
	}
	if len(all) == 0 {
		return nil
	}
	return all
}

// HelpTexts returns the help text of every validator, in order (Django's
// password_validators_help_texts).
func HelpTexts(validators ...Validator) []string {
	texts := make([]string, 0, len(validators))
	for _, v := range validators {
		texts = append(texts, v.HelpText())
	}
	return texts
}

// HelpMessager is an optional ability of a Validator: HelpMessage is its
// HelpText as a message to translate. The built-in validators have it.
type HelpMessager interface {
	HelpMessage() i18n.Message
}

// HelpMessages returns the help text of every validator as a message to
// translate, in order: HelpMessage where the validator has it, else its
// HelpText as a msgid.
func HelpMessages(validators ...Validator) []i18n.Message {
	msgs := make([]i18n.Message, 0, len(validators))
	for _, v := range validators {
		if h, ok := v.(HelpMessager); ok {
			msgs = append(msgs, h.HelpMessage())
			continue
		}
		msgs = append(msgs, i18n.Message{ID: v.HelpText()})
	}
	return msgs
}

// PasswordChanged tells every validator that implements ChangeNotifier that
// user's password is now password (Django's password_changed). Call it
// after the new password has been stored.
func PasswordChanged(password string, user *auth.User, validators ...Validator) {
	for _, v := range validators {
		if n, ok := v.(ChangeNotifier); ok {
			n.PasswordChanged(password, user)
		}
	}
}

// Default returns Django's four validators with their default settings, in
// the order of Django's project template: UserAttributeSimilarity,
// MinimumLength (8), CommonPassword and Numeric. Each call returns a new
// slice, so callers may append their own validators.
func Default() []Validator {
	return []Validator{
		UserAttributeSimilarity{},
		MinimumLength{},
		CommonPassword{},
		Numeric{},
	}
}
