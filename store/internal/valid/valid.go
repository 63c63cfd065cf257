// Package valid holds the checks that the stores under store/ share:
// which text a store can hold. (Which user types a store can work with is
// auth.CheckUserType.)
package valid

import (
	"strings"
	"unicode/utf8"
)

// Text reports whether s is text that a store can hold: valid UTF-8 with
// no NUL byte. PostgreSQL refuses anything else (SQLSTATE 22021
// character_not_in_repertoire, or 22P05 untranslatable_character), so a
// lookup by such a string can match nothing and stores answer "not found"
// without a round trip, while writes reject it with a *auth.ValidationError
// (auth.User.Validate and the other Validate methods).
func Text(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}
