package validation

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
)

// DefaultMaxSimilarity is the similarity threshold of Django's
// UserAttributeSimilarityValidator.
const DefaultMaxSimilarity = 0.7

// MinMaxSimilarity is the lowest MaxSimilarity Django accepts; lower values
// would reject almost every password.
const MinMaxSimilarity = 0.1

// DefaultUserAttributes are the attributes that UserAttributeSimilarity
// compares by default (Django's DEFAULT_USER_ATTRIBUTES).
var DefaultUserAttributes = []string{"username", "first_name", "last_name", "email"}

// ErrMaxSimilarity reports a MaxSimilarity below MinMaxSimilarity.
var ErrMaxSimilarity = errors.New("validation: max_similarity must be at least 0.1")

// userAttributes maps Django's field names to the User fields and to the
// verbose names that Django's messages use (translated with them).
var userAttributes = map[string]struct {
	verbose i18n.Message
	value   func(*auth.User) string
}{
	"username":   {i18n.Message{ID: "username"}, func(u *auth.User) string { return u.Username }},
	"first_name": {i18n.Message{ID: "first name"}, func(u *auth.User) string { return u.FirstName }},
	"last_name":  {i18n.Message{ID: "last name"}, func(u *auth.User) string { return u.LastName }},
	"email":      {i18n.Message{ID: "email address"}, func(u *auth.User) string { return u.Email }},
}

// UserAttributeSimilarity rejects passwords that are too similar to the
// user's own attributes (Django's UserAttributeSimilarityValidator).
//
// Each attribute value is lowercased and compared both whole and split into
// parts at every run of non-word characters, so "jane.doe@example.com" is
// checked as itself and as "jane", "doe", "example" and "com". A password
// is rejected when difflib's quick_ratio against any of them reaches
// MaxSimilarity. Parts that are very short next to a long password are
// skipped without comparing, as in Django, since they could not reach the
// threshold. With no user (nil) every password passes.
//
// The zero value compares DefaultUserAttributes with DefaultMaxSimilarity.
type UserAttributeSimilarity struct {
	// Attributes are Django field names of auth.User: "username",
	// "first_name", "last_name" and "email". Other names are ignored, as
	// Django ignores attributes a user does not have. nil means
	// DefaultUserAttributes.
	Attributes []string
	// MaxSimilarity is the threshold between MinMaxSimilarity and 1; 0
	// means DefaultMaxSimilarity. With 1 only a password equal (as a
	// multiset of characters) to an attribute or part is rejected.
	MaxSimilarity float64
}

// NewUserAttributeSimilarity returns a validator for attributes (nil for
// the defaults) and maxSimilarity (0 for the default), or ErrMaxSimilarity
// if maxSimilarity is below MinMaxSimilarity, as Django's constructor
// raises ValueError.
func NewUserAttributeSimilarity(attributes []string, maxSimilarity float64) (UserAttributeSimilarity, error) {
	v := UserAttributeSimilarity{Attributes: attributes, MaxSimilarity: maxSimilarity}
	if _, err := v.max(); err != nil {
		return UserAttributeSimilarity{}, err
	}
	return v, nil
}

func (v UserAttributeSimilarity) max() (float64, error) {
	switch {
	case v.MaxSimilarity == 0:
		return DefaultMaxSimilarity, nil
	case v.MaxSimilarity < MinMaxSimilarity || math.IsNaN(v.MaxSimilarity):
		return 0, fmt.Errorf("%w (got %v)", ErrMaxSimilarity, v.MaxSimilarity)
	}
	return v.MaxSimilarity, nil
}

// Validate returns a *ValidationError with code CodeTooSimilar naming the
// first attribute that is too similar, such as "The password is too similar
// to the email address.", or ErrMaxSimilarity (wrapped) if the validator
// is misconfigured.
func (v UserAttributeSimilarity) Validate(password string, user *auth.User) error {
	maxSim, err := v.max()
	if err != nil {
		return err
	}
	if user == nil {
		return nil
	}
	attrs := v.Attributes
	if attrs == nil {
		attrs = DefaultUserAttributes
	}
	password = pyLower(password)
	pwLen := utf8.RuneCountInString(password)
	for _, name := range attrs {
		attr, ok := userAttributes[name]
		if !ok {
			continue
		}
		value := attr.value(user)
		if value == "" {
			continue
		}
		valueLower := pyLower(value)
		parts := append(pySplitNonWord(valueLower), valueLower)
		for _, part := range parts {
			if exceedsMaximumLengthRatio(pwLen, maxSim, utf8.RuneCountInString(part)) {
				continue
			}
			if quickRatio(password, part) >= maxSim {
				err := newError(CodeTooSimilar, i18n.Message{
					ID:   "The password is too similar to the %(verbose_name)s.",
					Args: map[string]any{"verbose_name": attr.verbose},
				})
				// Params keeps the English verbose name, as before.
				err.Params = map[string]any{"verbose_name": attr.verbose.String()}
				return err
			}
		}
	}
	return nil
}

// exceedsMaximumLengthRatio is Django's shortcut: when the password is at
// least ten times longer than the value and the value is shorter than
// maxSimilarity/2 times the password length, quick_ratio cannot reach the
// threshold, so the comparison is skipped.
func exceedsMaximumLengthRatio(pwLen int, maxSimilarity float64, valueLen int) bool {
	lengthBoundSimilarity := maxSimilarity / 2 * float64(pwLen)
	return pwLen >= 10*valueLen && float64(valueLen) < lengthBoundSimilarity
}

// HelpText returns Django's help text.
func (v UserAttributeSimilarity) HelpText() string { return v.HelpMessage().String() }

// HelpMessage returns HelpText as Django's msgid, to translate.
func (UserAttributeSimilarity) HelpMessage() i18n.Message {
	return i18n.Message{ID: "Your password can’t be too similar to your other personal information."}
}
