package accounts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/validation"
)

// TestCreateUser ports UserCreationFormTest: username rules and
// uniqueness (without case), email normalization, the validators, every
// failure at once, nothing written on failure.
func TestCreateUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	e.createUser("testclient", "password")

	for _, tc := range []struct {
		name, username, password string
		codes                    []string // of the password errors
		usernameCode             string
	}{
		{"invalid username", "jsmith!", "testclient-strong-1", nil, "invalid"},
		{"duplicate username", "testclient", "testclient-strong-1", nil, "unique"},
		{"duplicate username, other case", "TestClient", "testclient-strong-1", nil, "unique"},
		{"weak password", "jsmith", "1234567", []string{validation.CodeTooShort, "password_too_common", "password_entirely_numeric"}, ""},
		{"similar to the username", "jsmith123", "jsmith123", []string{validation.CodeTooSimilar}, ""},
		{"both", "bad user", "123", []string{validation.CodeTooShort, "password_too_common", "password_entirely_numeric"}, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := auth.NewUser(tc.username)
			err := e.m.CreateUser(ctx, &u, tc.password)
			require.Error(t, err)
			assert.ErrorIs(t, err, auth.ErrInvalid)
			var ve *auth.ValidationError
			if tc.usernameCode != "" {
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "Username", ve.Field)
				assert.Equal(t, tc.usernameCode, ve.Code)
			} else {
				assert.False(t, errors.As(err, &ve))
			}
			var pw validation.Errors
			if tc.codes != nil {
				require.ErrorAs(t, err, &pw)
				assert.Equal(t, tc.codes, pw.Codes())
			} else {
				assert.False(t, errors.As(err, &pw))
			}
			assert.Zero(t, u.ID)
			n, err := e.store.CountUsers(ctx, auth.UserQuery{})
			require.NoError(t, err)
			assert.Equal(t, 1, n, "nothing written")
		})
	}

	u := auth.NewUser("ﬁle")
	u.Email = "Jane@EXAMPLE.COM"
	u.FirstName = "Jane"
	require.NoError(t, e.m.CreateUser(ctx, &u, "correct-horse-battery"))
	assert.NotZero(t, u.ID)
	stored := e.reload(u.ID)
	assert.Equal(t, "file", stored.Username, "NFKC")
	assert.Equal(t, "Jane@example.com", stored.Email, "domain lowercased")
	assert.True(t, e.checkPassword(u.ID, "correct-horse-battery"))
}

// TestChangePasswordAndSetPassword: ChangePassword validates, SetPassword
// does not (Django's set_password).
func TestChangePasswordAndSetPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	u := e.createUser("testclient", "password")
	err := e.m.ChangePassword(ctx, u, "testclient")
	var errs validation.Errors
	require.ErrorAs(t, err, &errs)
	assert.Equal(t, []string{validation.CodeTooSimilar}, errs.Codes())
	assert.True(t, e.checkPassword(u.ID, "password"), "nothing written")

	require.NoError(t, e.m.ChangePassword(ctx, u, "correct-horse-battery"))
	assert.True(t, e.checkPassword(u.ID, "correct-horse-battery"))

	require.NoError(t, e.a.SetPassword(ctx, u, "1"))
	assert.True(t, e.checkPassword(u.ID, "1"), "SetPassword runs no validators")

	ghost := auth.NewUser("ghost")
	assert.Error(t, e.a.SetPassword(ctx, &ghost, "x"), "a user without an ID")
	ghost.ID = 999
	assert.ErrorIs(t, e.a.SetPassword(ctx, &ghost, "x"), auth.ErrUserNotFound)
	assert.Error(t, e.m.ChangePassword(ctx, nil, "x"))
	assert.Error(t, e.m.CreateUser(ctx, nil, "x"))
}
