package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/mfa/passkey/passkeytest"
	"github.com/djauth/auth/store/postgres"
)

// newPasskeyEnv returns a PasskeyStore on a fresh database and the IDs of
// two users in auth_user.
func newPasskeyEnv(t *testing.T) (postgres.Querier, *postgres.PasskeyStore, int64, int64) {
	t.Helper()
	db := newMigratedPool(t)
	users, err := postgres.New[auth.User](db, postgres.Options{})
	require.NoError(t, err)
	var ids [2]int64
	for i, name := range []string{"alice", "bob"} {
		u := auth.NewUser(name)
		require.NoError(t, users.CreateUser(context.Background(), &u))
		ids[i] = u.ID
	}
	s, err := postgres.NewPasskeyStore(db)
	require.NoError(t, err)
	return db, s, ids[0], ids[1]
}

// TestPasskeyConformance runs the passkey store conformance suite, each
// test in its own database.
func TestPasskeyConformance(t *testing.T) {
	passkeytest.Run(t, func(t *testing.T) (passkey.Store, int64, int64) {
		_, s, alice, bob := newPasskeyEnv(t)
		return s, alice, bob
	})
}

// TestPasskeyDeletedWithUser: deleting the auth_user row takes the user's
// passkeys and handle with it (ON DELETE CASCADE).
func TestPasskeyDeletedWithUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, s, alice, _ := newPasskeyEnv(t)
	_, err := s.UserHandle(ctx, alice, []byte("h"))
	require.NoError(t, err)
	require.NoError(t, s.AddCredential(ctx, &passkey.Credential{UserID: alice, Name: "k", CredentialID: []byte{1}, PublicKey: []byte{2}}))
	_, err = db.Exec(ctx, `DELETE FROM "auth_user" WHERE "id" = $1`, alice)
	require.NoError(t, err)
	_, err = s.CredentialByCredentialID(ctx, []byte{1})
	require.True(t, errors.Is(err, passkey.ErrNotFound), "%v", err)
	_, err = s.UserByHandle(ctx, []byte("h"))
	require.True(t, errors.Is(err, passkey.ErrNotFound), "%v", err)
	// And a credential needs an existing user.
	err = s.AddCredential(ctx, &passkey.Credential{UserID: alice, Name: "k", CredentialID: []byte{3}, PublicKey: []byte{2}})
	require.Error(t, err)
}
