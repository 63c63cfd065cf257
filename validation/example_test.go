package validation_test

import (
	"errors"
	"fmt"

	"github.com/djauth/auth"
	"github.com/djauth/auth/validation"
)

func ExampleValidate() {
	user := auth.NewUser("testclient")
	user.Email = "testclient@example.com"

	err := validation.Validate("12345", &user, validation.Default()...)
	var errs validation.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Printf("%s: %s\n", e.Code, e.Message)
		}
	}
	fmt.Println(errors.Is(err, auth.ErrInvalid))

	fmt.Println(validation.Validate("correct horse battery staple", &user, validation.Default()...))
	// Output:
	// password_too_short: This password is too short. It must contain at least 8 characters.
	// password_too_common: This password is too common.
	// password_entirely_numeric: This password is entirely numeric.
	// true
	// <nil>
}

func ExampleHelpTexts() {
	validators := []validation.Validator{validation.MinimumLength{Min: 12}, validation.Numeric{}}
	for _, text := range validation.HelpTexts(validators...) {
		fmt.Println(text)
	}
	// Output:
	// Your password must contain at least 12 characters.
	// Your password can’t be entirely numeric.
}

func ExampleMinimumLength() {
	err := validation.MinimumLength{}.Validate("short", nil)
	fmt.Println(err)
	// Output:
	// This password is too short. It must contain at least 8 characters.
}

func ExampleUserAttributeSimilarity() {
	user := auth.NewUser("jane.doe")
	user.Email = "jane.doe@example.com"

	// The email is compared whole and in parts: "jane", "doe", "example", "com".
	fmt.Println(validation.UserAttributeSimilarity{}.Validate("Example!", &user))
	fmt.Println(validation.UserAttributeSimilarity{}.Validate("lighthouse keeper", &user))
	// Output:
	// The password is too similar to the email address.
	// <nil>
}
