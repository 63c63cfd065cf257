package social_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/social"
)

func TestTokenCipher(t *testing.T) {
	c, err := social.NewTokenCipher(testSecret)
	require.NoError(t, err)
	sealed, err := c.Seal(7, "gho_secret")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(sealed, "djauth-gcm1$"))
	assert.NotContains(t, sealed, "gho_secret")
	again, err := c.Seal(7, "gho_secret")
	require.NoError(t, err)
	assert.NotEqual(t, sealed, again, "a fresh nonce each time")
	plain, err := c.Open(7, sealed)
	require.NoError(t, err)
	assert.Equal(t, "gho_secret", plain)
	_, err = c.Open(8, sealed)
	require.ErrorIs(t, err, social.ErrTokenDecrypt, "bound to its account")
	other, err := social.NewTokenCipher(testSecret + "x")
	require.NoError(t, err)
	_, err = other.Open(7, sealed)
	require.ErrorIs(t, err, social.ErrTokenDecrypt)
	plain, err = c.Open(7, "plain-token-from-django")
	require.NoError(t, err)
	assert.Equal(t, "plain-token-from-django", plain)
	empty, err := c.Seal(7, "")
	require.NoError(t, err)
	assert.Empty(t, empty)
	_, err = social.NewTokenCipher("short")
	require.Error(t, err)
}

func FuzzTokenOpen(f *testing.F) {
	c, err := social.NewTokenCipher(testSecret)
	require.NoError(f, err)
	sealed, _ := c.Seal(1, "token")
	f.Add(sealed)
	f.Add("djauth-gcm1$")
	f.Add("djauth-gcm1$AAAA")
	f.Add("plain")
	f.Fuzz(func(t *testing.T, s string) {
		plain, err := c.Open(1, s)
		if err == nil && strings.HasPrefix(s, "djauth-gcm1$") && s != sealed {
			// Only a value Seal made opens.
			resealed, _ := c.Seal(1, plain)
			if back, _ := c.Open(1, resealed); back != plain {
				t.Fatalf("round trip of %q", plain)
			}
		}
	})
}
