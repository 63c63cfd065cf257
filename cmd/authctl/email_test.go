package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmailValidatorMatchesDjango compares validEmail with Django 6.1's
// EmailValidator on the inputs of testdata/email_cases.txt, which include
// the valid and invalid addresses of Django's test_validators and the
// corners of Python's case-insensitive matching (see
// testdata/gen_email_vectors.py).
func TestEmailValidatorMatchesDjango(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/email_vectors.json")
	require.NoError(t, err)
	var vectors [][2]any
	require.NoError(t, json.Unmarshal(b, &vectors))
	require.Greater(t, len(vectors), 100)
	for _, v := range vectors {
		email, want := v[0].(string), v[1].(bool)
		assert.Equal(t, want, validEmail(email), "%q", email)
	}
}

// FuzzValidEmail checks properties that hold for every input: no panic, a
// valid address has an "@" and at most 320 characters, and the answer
// does not depend on the case of ASCII letters (but for the "localhost"
// allowlist).
func FuzzValidEmail(f *testing.F) {
	b, err := os.ReadFile("testdata/email_vectors.json")
	require.NoError(f, err)
	var vectors [][2]any
	require.NoError(f, json.Unmarshal(b, &vectors))
	for _, v := range vectors {
		f.Add(v[0].(string))
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := validEmail(s)
		if !ok {
			return
		}
		if !strings.Contains(s, "@") || utf8.RuneCountInString(s) > 320 || !utf8.ValidString(s) {
			t.Fatalf("accepted %q", s)
		}
		// The "localhost" allowlist is compared exactly, as in Django.
		if isASCII(s) && !strings.HasSuffix(s, "@localhost") && !validEmail(strings.ToUpper(s)) {
			t.Fatalf("%q accepted but its upper case is not", s)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
