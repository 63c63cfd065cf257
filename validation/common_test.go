package validation

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/pystr"
	"github.com/djauth/auth/validation/internal/commonlist"
)

// The sources of the embedded list, which internal/gen merges.
const (
	djangoListPath = "testdata/django-common-passwords.txt.gz"
	zxcvbnListPath = "testdata/zxcvbn-passwords.txt.gz"
)

func readSource(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	list, err := commonlist.Read(bytes.NewReader(data))
	require.NoError(t, err)
	require.NotEmpty(t, list)
	return list
}

// zxcvbnOnly returns the entries of zxcvbn's list that Django's lacks.
func zxcvbnOnly(t *testing.T) map[string]struct{} {
	t.Helper()
	django := map[string]struct{}{}
	for _, p := range readSource(t, djangoListPath) {
		django[p] = struct{}{}
	}
	out := map[string]struct{}{}
	for _, p := range readSource(t, zxcvbnListPath) {
		if _, ok := django[p]; !ok {
			out[p] = struct{}{}
		}
	}
	return out
}

// TestCommonPasswordListIsGenerated checks that the embedded list is what
// internal/gen makes of its two sources: Django's entries in Django's
// order, then zxcvbn's new ones in zxcvbn's order.
func TestCommonPasswordListIsGenerated(t *testing.T) {
	t.Parallel()
	django := readSource(t, djangoListPath)
	zxcvbn := readSource(t, zxcvbnListPath)
	require.Len(t, django, 19640)
	require.Len(t, zxcvbn, 30000)
	want, err := commonlist.Merge(django, zxcvbn)
	require.NoError(t, err)
	got, err := commonlist.Read(bytes.NewReader(commonPasswordsGz))
	require.NoError(t, err)
	require.Equal(t, want, got, "common-passwords.txt.gz is stale: run go generate in validation/")
	require.Equal(t, django, got[:len(django)], "Django's entries come first, unchanged")
	assert.Len(t, got, 40101)
}

// TestCommonPasswordZxcvbnEntries checks entries that only zxcvbn's list
// has: the default validator rejects them, Django's list alone does not.
func TestCommonPasswordZxcvbnEntries(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(djangoListPath)
	require.NoError(t, err)
	django, err := NewCommonPassword(bytes.NewReader(data))
	require.NoError(t, err)
	only := zxcvbnOnly(t)
	assert.Len(t, only, 20461)
	for _, pw := range []string{"iwantu", "liverpoo", "swordfis", "usuckballz1", "mrkitty", "angelofwar", " LifeHack\t", "02011989"} {
		t.Run(pw, func(t *testing.T) {
			t.Parallel()
			_, listed := only[pystr.Strip(pyLower(pw))]
			require.True(t, listed, "a zxcvbn-only entry")
			assert.NoError(t, django.Validate(pw, nil), "not in Django's list")
			var ve *ValidationError
			require.ErrorAs(t, CommonPassword{}.Validate(pw, nil), &ve)
			assert.Equal(t, CodeTooCommon, ve.Code)
			assert.Equal(t, "This password is too common.", ve.Message)
		})
	}
}
