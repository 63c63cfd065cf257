package signing_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/signing"
)

// TestBase62: Django's TestBase62 round trip, and known answers that
// Django 3.2's baseconv.base62.encode gives (computed with it).
func TestBase62(t *testing.T) {
	t.Parallel()
	known := map[int64]string{
		0: "0", 1: "1", 61: "z", 62: "10", -1: "-1", -62: "-10",
		123456789:     "8M0kX",
		1620378259:    "1lewPD",
		10000000000:   "Aukyoa",
		-10000000000:  "-Aukyoa",
		math.MaxInt64: "AzL8n0Y58m7",
		math.MinInt64: "-AzL8n0Y58m8",
	}
	for i, s := range known {
		assert.Equal(t, s, signing.Base62Encode(i), "%d", i)
		got, err := signing.Base62Decode(s)
		require.NoError(t, err, s)
		assert.Equal(t, i, got, s)
	}
	tests := []int64{-1e10, 1e10, 1620378259}
	for i := int64(-100); i < 100; i++ {
		tests = append(tests, i)
	}
	for _, i := range tests {
		got, err := signing.Base62Decode(signing.Base62Encode(i))
		require.NoError(t, err)
		assert.Equal(t, i, got)
	}
	for _, bad := range []string{"", "-", "+1", " 1", "1 ", "a-b", "_", "AzL8n0Y58m8", "-AzL8n0Y58m9", "zzzzzzzzzzzzzzzzzzzz", "é"} {
		_, err := signing.Base62Decode(bad)
		assert.ErrorIs(t, err, signing.ErrMalformed, "%q", bad)
	}
	got, err := signing.Base62Decode("007")
	require.NoError(t, err)
	assert.Equal(t, int64(7), got, "leading zeros, as Python's loop reads them")
}
