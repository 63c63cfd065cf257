package auth_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

func TestGroupValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
		code        string
	}{
		{"Simple", "editors", ""},
		{"Spaces", "Site editors", ""},
		{"Unicode", "rédacteurs", ""},
		{"AtLimit", strings.Repeat("g", 150), ""},
		{"MultiByteAtLimit", strings.Repeat("ü", 150), ""},
		{"Empty", "", "required"},
		{"TooLong", strings.Repeat("g", 151), "max_length"},
		{"MultiByteTooLong", strings.Repeat("ü", 151), "max_length"},
		{"NUL", "a\x00b", "null_characters_not_allowed"},
		{"InvalidUTF8", "\xc3(", "invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := auth.Group{Name: tc.value}
			err := g.Validate()
			if tc.code == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, auth.ErrInvalid)
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "Name", ve.Field)
			assert.Equal(t, tc.code, ve.Code)
		})
	}
}

func TestUserQueryValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		q     auth.UserQuery
		limit int
		field string
	}{
		{"Zero", auth.UserQuery{}, auth.DefaultUserListLimit, ""},
		{"Limit", auth.UserQuery{Limit: 5}, 5, ""},
		{"MaxLimit", auth.UserQuery{Limit: auth.MaxUserListLimit}, auth.MaxUserListLimit, ""},
		{"Offset", auth.UserQuery{Offset: 1 << 30}, auth.DefaultUserListLimit, ""},
		{"NegativeOffset", auth.UserQuery{Offset: -1}, 0, "Offset"},
		{"NegativeLimit", auth.UserQuery{Limit: -1}, 0, "Limit"},
		{"LimitTooHigh", auth.UserQuery{Limit: auth.MaxUserListLimit + 1}, 0, "Limit"},
		// Text no store can hold matches nothing; it is not an error.
		{"SearchNUL", auth.UserQuery{Search: "\x00"}, auth.DefaultUserListLimit, ""},
		{"SearchTooLong", auth.UserQuery{Search: strings.Repeat("s", 255)}, 0, "Search"},
		{"Email", auth.UserQuery{Email: strings.Repeat("e", 254)}, auth.DefaultUserListLimit, ""},
		{"EmailNUL", auth.UserQuery{Email: "a\x00@example.com"}, auth.DefaultUserListLimit, ""},
		{"EmailInvalidUTF8", auth.UserQuery{Email: "\xff@example.com"}, auth.DefaultUserListLimit, ""},
		{"EmailTooLong", auth.UserQuery{Email: strings.Repeat("e", 255)}, 0, "Email"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			limit, err := tc.q.Validate()
			if tc.field == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.limit, limit)
				return
			}
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.ErrorIs(t, err, auth.ErrInvalid)
		})
	}
}
