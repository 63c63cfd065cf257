package valid_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/internal/valid"
)

func TestText(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"": true, "alice": true, "émile": true, "\uFFFD": true, "😀": true,
		"a\x00": false, "\x00": false, "a\xff": false, "\xef\xbf": false, "\xed\xa0\x80": false,
	} {
		assert.Equal(t, want, valid.Text(s), "%q", s)
	}
}

type (
	byValue struct {
		Extra string
		auth.User
	}
	byPointer struct{ *auth.User }
	elsewhere struct{ Name string }
)

var shared auth.User

func TestUserType(t *testing.T) {
	t.Parallel()
	require.NoError(t, valid.UserType(func(u *auth.User) *auth.User { return u.AuthUser() }))
	require.NoError(t, valid.UserType(func(u *byValue) *auth.User { return u.AuthUser() }))
	require.ErrorContains(t, valid.UserType(func(u *byPointer) *auth.User { return u.AuthUser() }),
		"valid_test.byPointer: AuthUser of a new value returns nil")
	require.ErrorContains(t, valid.UserType(func(*elsewhere) *auth.User { return &shared }),
		"valid_test.elsewhere: AuthUser returns a User outside the value")
}
