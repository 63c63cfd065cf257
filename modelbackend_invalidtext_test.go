package auth_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/store/postgres"
)

// TestModelInvalidTextCostsOneHash: a username no store can hold (a NUL
// byte, invalid UTF-8) is "no such user" to the model backend, with the
// same cost as an unknown username: one run of the preferred hasher, and
// no error. Before the stores answered such lookups themselves, PostgreSQL
// failed them (SQLSTATE 22021), Authenticate returned that error without
// hashing, and the login page answered 500 quickly.
func TestModelInvalidTextCostsOneHash(t *testing.T) {
	t.Parallel()
	stores := []struct {
		name string
		new  func(t *testing.T) auth.Store[auth.User]
	}{
		{"memory", func(*testing.T) auth.Store[auth.User] { return memory.New[auth.User]() }},
		{"postgres", func(t *testing.T) auth.Store[auth.User] {
			pool := pgtest.NewPool(t)
			_, err := postgres.Migrate(context.Background(), pool)
			require.NoError(t, err)
			s, err := postgres.New[auth.User](pool, postgres.Options{})
			require.NoError(t, err)
			return s
		}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			calls := new(atomic.Int64)
			h := hashers.New(countingHasher{runs: calls})
			s := st.new(t)
			newModelUser(t, s, h, "alice", "pw")
			// Names holding U+FFFD, which a lossy decoding of the invalid
			// usernames below would produce.
			newModelUser(t, s, h, "bad\uFFFD", "pw")
			newModelUser(t, s, h, "\uFFFD", "pw")
			m := bind(t, s, h, &auth.ModelBackend[auth.User]{})

			cost := func(username string) int64 {
				t.Helper()
				calls.Store(0)
				u, err := m.Authenticate(ctx, nil, auth.Credentials{"username": username, "password": "pw"})
				require.NoError(t, err, "username %q", username)
				require.Nil(t, u, "username %q", username)
				return calls.Load()
			}
			unknown := cost("nobody")
			require.Equal(t, int64(1), unknown, "an unknown username costs one hash")
			for _, name := range []string{"alice\x00", "\x00", "bad\xff", "\xff", "\xed\xa0\x80", "\xef\xbf"} {
				assert.Equal(t, unknown, cost(name), "username %q costs what an unknown one does", name)
			}
		})
	}
}
