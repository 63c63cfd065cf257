package hashers_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/djauth/auth/hashers"
)

// Checking a hash written by Django, and upgrading it.
func ExampleRegistry_Check() {
	ctx := context.Background()
	// Django 6.0's settings, plus salted MD5 for an imported table. (Cheap
	// PBKDF2 iterations keep the example fast; use hashers.PBKDF2{} in
	// production.)
	reg := hashers.New(hashers.PBKDF2{Iterations: 1000}, hashers.MD5{})

	stored := "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3" // from Django's tests
	ok, mustUpdate, err := reg.Check(ctx, "lètmein", stored)
	fmt.Println(ok, mustUpdate, err)
	if ok && mustUpdate {
		stored, _ = reg.Make(ctx, "lètmein")
	}
	fmt.Println(strings.HasPrefix(stored, "pbkdf2_sha256$1000$"))

	ok, mustUpdate, err = reg.Check(ctx, "wrong", stored)
	fmt.Println(ok, mustUpdate, err)
	// Output:
	// true true <nil>
	// true
	// false false <nil>
}

// Encode with a fixed salt reproduces Django's known-answer vectors.
func ExampleMD5_Encode() {
	enc, _ := hashers.MD5{}.Encode("lètmein", "seasalt")
	fmt.Println(enc)
	// Output: md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3
}

// An unusable password never verifies, and costs the same time as a wrong
// one.
func ExampleRegistry_MakeUnusable() {
	ctx := context.Background()
	reg := hashers.New(hashers.MD5{})
	u := reg.MakeUnusable()
	ok, _, err := reg.Check(ctx, "anything", u)
	fmt.Println(len(u), reg.IsUsable(u), ok, err)
	// Output: 41 false false <nil>
}

// Summary masks salts and hashes for admin screens and logs.
func ExampleRegistry_Summary() {
	reg := hashers.Default()
	for _, item := range reg.Summary("pbkdf2_sha256$1200000$seasalt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=") {
		fmt.Printf("%s: %s\n", item.Label, item.Value)
	}
	// Output:
	// algorithm: pbkdf2_sha256
	// iterations: 1200000
	// salt: seasal*
	// hash: 6sTlFi**************************************
}

// Malformed or unknown values are reported with sentinel errors.
func ExampleRegistry_Identify() {
	ctx := context.Background()
	reg := hashers.New(hashers.PBKDF2{Iterations: 1000}, hashers.Argon2{})
	_, err := reg.Identify("lolcat$salt$hash")
	fmt.Println(errors.Is(err, hashers.ErrUnknownAlgorithm))
	_, _, err = reg.Check(ctx, "pw", "argon2$argon2id$v=19$m=4294967295,t=2,p=8$c29tZXNhbHQ$TMa6A8fPJhCAUXRhJXCXdw")
	fmt.Println(errors.Is(err, hashers.ErrParameterOutOfRange))
	// Output:
	// true
	// true
}

// A login for a user that does not exist spends one run of the preferred
// hasher.
func ExampleRegistry_RunDummy() {
	ctx := context.Background()
	reg := hashers.New(hashers.PBKDF2{Iterations: 1000})
	if err := reg.RunDummy(ctx, "password from the login form"); err != nil {
		fmt.Println(err)
	}
	fmt.Println("done")
	// Output: done
}

// A service sharing its user table with a Django 3.2 site hashes as Django
// 3.2 does, so that neither re-hashes (and so logs out) the other's users.
func ExampleForDjango() {
	reg, err := hashers.ForDjango("3.2")
	if err != nil {
		panic(err)
	}
	enc, err := reg.Make(context.Background(), "s3cret")
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.Join(strings.Split(enc, "$")[:2], "$"))
	_, err = hashers.ForDjango("3.1")
	fmt.Println(err)
	// Output:
	// pbkdf2_sha256$260000
	// hashers: unknown Django version "3.1" (known: 3.2, 4.0, 4.1, 4.2, 5.0, 5.1, 5.2, 6.0)
}
