package auth

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Column limits of Django's auth and contenttypes models, in characters
// (PostgreSQL varchar(n) counts characters, not bytes).
const (
	MaxUsernameLength         = 150 // auth_user.username
	MaxPasswordLength         = 128 // auth_user.password
	MaxEmailLength            = 254 // auth_user.email
	MaxFirstNameLength        = 150 // auth_user.first_name
	MaxLastNameLength         = 150 // auth_user.last_name
	MaxGroupNameLength        = 150 // auth_group.name
	MaxPermissionNameLength   = 255 // auth_permission.name
	MaxCodenameLength         = 100 // auth_permission.codename
	MaxAppLabelLength         = 100 // django_content_type.app_label
	MaxContentTypeModelLength = 100 // django_content_type.model
)

// checkText validates one text column: valid UTF-8, no NUL byte (PostgreSQL
// cannot store it), at most max characters, and non-empty when required.
func checkText(field, value string, max int, required bool) error {
	if required && value == "" {
		return &ValidationError{Field: field, Code: "required", Message: "this field cannot be blank"}
	}
	if !utf8.ValidString(value) {
		return &ValidationError{Field: field, Code: "invalid", Message: "not valid UTF-8"}
	}
	if strings.IndexByte(value, 0) >= 0 {
		return &ValidationError{Field: field, Code: "null_characters_not_allowed", Message: "null characters are not allowed"}
	}
	return checkLength(field, value, max)
}

// checkLength rejects a value of more than max characters.
func checkLength(field, value string, max int) error {
	if n := utf8.RuneCountInString(value); n > max {
		return &ValidationError{Field: field, Code: "max_length",
			Message: fmt.Sprintf("ensure this value has at most %d characters (it has %d)", max, n)}
	}
	return nil
}
