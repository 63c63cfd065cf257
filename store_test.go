package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

func TestNormalizeLastLogin(t *testing.T) {
	t.Parallel()
	east := time.FixedZone("UTC+09:00", 9*3600)
	tests := []struct {
		name string
		in   time.Time
		want time.Time
		code string // the ValidationError code, or "" when accepted
	}{
		{"UTC", time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC), time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC), ""},
		{"Truncated", time.Date(2025, 1, 2, 3, 4, 5, 6999, time.UTC), time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC), ""},
		{"ToUTC", time.Date(2025, 1, 1, 8, 0, 0, 0, east), time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC), ""},
		{"FirstMicrosecond", time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC), ""},
		{"LastMicrosecond", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
			time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), ""},
		{"Zero", time.Time{}, time.Time{}, "required"},
		{"ZeroInstantElsewhere", time.Time{}.In(east), time.Time{}, "required"},
		{"BelowZeroMicrosecond", time.Date(1, 1, 1, 0, 0, 0, 999, time.UTC), time.Time{}, "invalid"},
		{"Year0", time.Date(0, 6, 1, 0, 0, 0, 0, time.UTC), time.Time{}, "invalid"},
		{"Year0InUTC", time.Date(1, 1, 1, 8, 0, 0, 0, east), time.Time{}, "invalid"},
		{"Year10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}, "invalid"},
		{"Year10000InUTC", time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("UTC-2", -7200)), time.Time{}, "invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := auth.NormalizeLastLogin(tc.in)
			if tc.code != "" {
				require.ErrorIs(t, err, auth.ErrInvalid)
				var ve *auth.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "LastLogin", ve.Field)
				assert.Equal(t, tc.code, ve.Code)
				assert.True(t, got.IsZero())
				return
			}
			require.NoError(t, err)
			assert.True(t, tc.want.Equal(got), "want %s, got %s", tc.want, got)
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestValidateEncodedPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, code string // code is "" when accepted
	}{
		{"Empty", "", ""},
		{"PBKDF2", "pbkdf2_sha256$870000$salt$aGFzaA==", ""},
		{"Unusable", "!abcdefghijklmnopqrstuvwxyz0123456789ABCD", ""},
		{"MaxASCII", "md5$$" + strings.Repeat("p", auth.MaxPasswordLength-5), ""},
		{"MaxMultiByte", "md5$$" + strings.Repeat("é", auth.MaxPasswordLength-5), ""},
		{"Plaintext", "hunter2", "not_hashed"},
		{"TooLong", strings.Repeat("p", auth.MaxPasswordLength+1), "max_length"},
		{"TooLongMultiByte", strings.Repeat("é", auth.MaxPasswordLength+1), "max_length"},
		{"NUL", "md5$\x00$x", "null_characters_not_allowed"},
		{"InvalidUTF8", "md5$\xc3$x", "invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := auth.ValidateEncodedPassword(tc.in)
			if tc.code == "" {
				require.NoError(t, err)
				// The same rule as the Password field of User.Validate.
				u := auth.NewUser("someone")
				u.Password = tc.in
				require.NoError(t, u.Validate())
				return
			}
			require.ErrorIs(t, err, auth.ErrInvalid)
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "Password", ve.Field)
			assert.Equal(t, tc.code, ve.Code)
			u := auth.NewUser("someone")
			u.Password = tc.in
			require.Equal(t, err, u.Validate(), "User.Validate agrees")
		})
	}
}
