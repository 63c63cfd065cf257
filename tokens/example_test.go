package tokens_test

import (
	"fmt"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/tokens"
)

func Example() {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	g := &tokens.Generator{
		Secret: "django-insecure-example-key-do-not-use",
		Now:    func() time.Time { return now }, // a fixed clock for the example
	}
	user := &auth.User{ID: 42, Email: "jane@example.com", Password: "pbkdf2_sha256$870000$salt$hash"}

	token, err := g.Make(user)
	if err != nil {
		panic(err)
	}
	// Django 3.2 makes the same token for this user at this time.
	fmt.Printf("/reset/%s/%s/\n", tokens.EncodeUID(user.ID), token)
	fmt.Println(g.Check(user, token))

	// Resetting the password changes the hash, which kills the token.
	user.Password = "pbkdf2_sha256$870000$salt2$hash2"
	fmt.Println(g.Check(user, token))
	// Output:
	// /reset/NDI/c05n6t-5fc22d2fcba277653818eb8129f0ba7f/
	// true
	// false
}

func ExampleDecodeUID() {
	id, err := tokens.DecodeUID("NDI")
	fmt.Println(id, err)
	_, err = tokens.DecodeUID("NDI=")
	fmt.Println(err)
	// Output:
	// 42 <nil>
	// tokens: invalid uid: not a canonical positive ID
}
