package signing_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/djauth/auth/signing"
)

// Signing a string with Django's test key: the same string Django's
// Signer(key="predictable-secret").sign("foo") returns.
func ExampleSigner() {
	s, err := signing.NewSigner(signing.Config{Key: "predictable-secret"})
	if err != nil {
		panic(err)
	}
	signed := s.Sign("foo")
	fmt.Println(signed)
	v, err := s.Unsign(signed)
	fmt.Println(v, err)
	_, err = s.Unsign(signed + "x")
	fmt.Println(errors.Is(err, signing.ErrBadSignature))
	// Output:
	// foo:jZQoX_FtSO70jX9HLRGg2A_2s4kdDBxz1QoO_OpEQb0
	// foo <nil>
	// true
}

// A timestamped signature refused once it is older than the maximum age,
// with an injected clock.
func ExampleTimestampSigner_UnsignMaxAge() {
	now := time.Unix(123456789, 0)
	s, err := signing.NewTimestampSigner(signing.Config{Key: "predictable-key", Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	signed := s.Sign("hello")
	fmt.Println(signed)
	now = now.Add(11 * time.Second)
	v, err := s.UnsignMaxAge(signed, 12*time.Second)
	fmt.Println(v, err)
	_, err = s.UnsignMaxAge(signed, 10*time.Second)
	fmt.Println(errors.Is(err, signing.ErrSignatureExpired), errors.Is(err, signing.ErrBadSignature))
	// Output:
	// hello:8M0kX:0pJB1_TN9Bno2aK29thnZKKHn76ngzcQVnIrp_DNs5M
	// hello <nil>
	// true true
}

// Reading a value that Django's signing.dumps(list(range(1, 20)),
// key="predictable-key", compress=True) wrote: compressed, as the leading
// "." says.
func ExampleLoads() {
	const fromDjango = ".eJwFwcERACAIwLCF-rCiILN47r-GyZVJsNgkxaFxoDgxcOHGxMKD_T7vhAml:8M0kX:4SjgORh4mYdUUc02c251hOBdrha9n4GiBFvWMEJNCcA"
	var v []int
	if err := signing.Loads("predictable-key", nil, fromDjango, &v); err != nil {
		panic(err)
	}
	fmt.Println(v)
	// Output:
	// [1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19]
}

// Rotating the key: the old key becomes a fallback, which verifies but
// never signs.
func ExampleConfig_fallbackKeys() {
	old, _ := signing.NewSigner(signing.Config{Key: "old-secret"})
	rotated, _ := signing.NewSigner(signing.Config{Key: "new-secret", FallbackKeys: []string{"old-secret"}})
	v, err := rotated.Unsign(old.Sign("still valid"))
	fmt.Println(v, err)
	_, err = old.Unsign(rotated.Sign("new"))
	fmt.Println(err != nil)
	// Output:
	// still valid <nil>
	// true
}

// Reading a session row that Django 3.2 wrote before 3.1's format
// (sessions_tests' test_decode_legacy), and writing one Django reads.
func ExampleDecodeSession() {
	const row = "OWUzNTNmNWQxNTBjOWExZmM4MmQ3NzNhMDRmMjU4NmYwNDUyNGI2NDp7ImEgdGVzdCBrZXkiOiJhIHRlc3QgdmFsdWUifQ=="
	data, err := signing.DecodeSession("django_tests_secret_key", nil, row)
	fmt.Println(data, err)

	enc, err := signing.EncodeSession("django_tests_secret_key", map[string]any{"_auth_user_id": "42"})
	if err != nil {
		panic(err)
	}
	data, err = signing.DecodeSession("django_tests_secret_key", nil, enc)
	fmt.Println(data, err)
	// Output:
	// map[a test key:a test value] <nil>
	// map[_auth_user_id:42] <nil>
}
