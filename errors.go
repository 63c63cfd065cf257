package auth

import (
	"errors"
	"fmt"
)

// Sentinel errors returned by stores and by the rest of the library. Check
// them with errors.Is; they are usually wrapped with context.
var (
	// ErrUserNotFound reports that no user matches the id or username.
	ErrUserNotFound = errors.New("auth: user not found")
	// ErrGroupNotFound reports that no group matches the id or name.
	ErrGroupNotFound = errors.New("auth: group not found")
	// ErrPermissionNotFound reports that a permission ("app_label.codename")
	// does not exist.
	ErrPermissionNotFound = errors.New("auth: permission not found")
	// ErrContentTypeNotFound reports that no content type matches.
	ErrContentTypeNotFound = errors.New("auth: content type not found")
	// ErrDuplicateUsername reports that another user already has the username.
	ErrDuplicateUsername = errors.New("auth: a user with that username already exists")
	// ErrDuplicateGroupName reports that another group already has the name.
	ErrDuplicateGroupName = errors.New("auth: a group with that name already exists")
	// ErrDuplicatePermission reports that the content type already has a
	// permission with that codename.
	ErrDuplicatePermission = errors.New("auth: a permission with that codename already exists")
	// ErrMultipleUsers reports that a case-insensitive username lookup matched
	// more than one user (Django's MultipleObjectsReturned).
	ErrMultipleUsers = errors.New("auth: more than one user matches")
	// ErrInvalid is matched by every *ValidationError: the input was rejected
	// before anything was written.
	ErrInvalid = errors.New("auth: invalid input")
)

// ValidationError describes input that was rejected before anything was
// written. errors.Is(err, ErrInvalid) reports true for it.
type ValidationError struct {
	// Field is the Go name of the offending field, such as "Username".
	Field string
	// Code is a short machine-readable reason, in the manner of Django's
	// ValidationError codes: "required", "max_length", "invalid".
	Code string
	// Message is a human-readable explanation.
	Message string
}

// Error implements the error interface.
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return "auth: " + e.Message
	}
	return fmt.Sprintf("auth: %s: %s", e.Field, e.Message)
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }
