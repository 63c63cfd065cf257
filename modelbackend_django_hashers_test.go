package auth_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/store/memory"
)

// djangoMakePassword has the installed Django, at its default settings,
// hash password; it returns Django's version and the hash.
func djangoMakePassword(t *testing.T, password string) (version, encoded string) {
	t.Helper()
	py := djangotest.Python(t)
	const code = `import sys, django
from django.conf import settings
settings.configure()
django.setup()
from django.contrib.auth.hashers import make_password
print(django.get_version(), make_password(sys.argv[1]))`
	out, err := exec.Command(py, "-c", code, password).Output()
	require.NoError(t, err)
	f := strings.Fields(string(out))
	require.Len(t, f, 2, string(out))
	return f[0], f[1]
}

// TestModelBackendKeepsDjangoHash is issue 9's bug end to end: a user whose
// hash Django 3.2 made logs in through the model backend. With
// hashers.ForDjango("3.2") the stored hash stays byte for byte what Django
// wrote, so Django's session auth hash (an HMAC of it) still matches and
// the user stays logged in on the Django site; with hashers.Default()
// (Django 6.0's settings) the login re-hashes it at 1,200,000 iterations,
// which ends every Django session of the user.
func TestModelBackendKeepsDjangoHash(t *testing.T) {
	t.Parallel()
	version, djangoHash := djangoMakePassword(t, "lètmein")
	require.True(t, strings.HasPrefix(version, "3.2"), "this test knows Django 3.2; got %s", version)
	require.True(t, strings.HasPrefix(djangoHash, "pbkdf2_sha256$260000$"), djangoHash)
	forDjango, err := hashers.ForDjango(version)
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		h       *hashers.Registry
		rehash  bool
		newHash string
	}{
		{"ForDjango(3.2)", forDjango, false, "pbkdf2_sha256$260000$"},
		{"Default", hashers.Default(), true, "pbkdf2_sha256$1200000$"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := memory.New[auth.User]()
			u := auth.NewUser("alice")
			u.Password = djangoHash
			require.NoError(t, s.CreateUser(ctx, &u))
			b := bind(t, s, tc.h, &auth.ModelBackend[auth.User]{})
			got, err := b.Authenticate(ctx, nil, auth.Credentials{"username": "alice", "password": "lètmein"})
			require.NoError(t, err)
			require.NotNil(t, got)
			stored, err := s.GetUser(ctx, u.ID)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(stored.Password, tc.newHash), hashers.MaskHash(stored.Password, 22))
			if tc.rehash {
				assert.NotEqual(t, djangoHash, stored.Password, "Default() re-hashes Django 3.2's hash")
			} else {
				assert.Equal(t, djangoHash, stored.Password, "the stored hash is what Django wrote")
			}
		})
	}
}
