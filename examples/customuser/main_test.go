package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/memory"
)

const wantOutput = `created carol (phone "+1 555 0100")
created dave (phone "")
read    carol: Carol Jones, phone "+44 20 7946 0000"
users matching "a":
  carol  Carol Jones  +44 20 7946 0000
  dave   Dave Smith   (none)
granted reports.view_report to carol
carol has reports.view_report: true (permissions: [reports.view_report])
dave has reports.view_report: false (permissions: [])
`

func TestMemory(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), "", &out))
	assert.Equal(t, wantOutput, out.String())
}

func TestDemoKeepsTheExtraField(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New[MyUser]()
	var out bytes.Buffer
	require.NoError(t, demo(ctx, store, &out))
	carol, err := store.GetUserByUsername(ctx, "carol")
	require.NoError(t, err)
	assert.Equal(t, "+44 20 7946 0000", carol.PhoneNumber)
	assert.False(t, carol.HasUsablePassword())
	perms, err := store.UserPermissionSet(ctx, carol.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"reports.view_report"}, perms.Sorted())

	// A second run finds the users instead of failing on duplicates.
	out.Reset()
	require.NoError(t, demo(ctx, store, &out))
	assert.True(t, strings.HasPrefix(out.String(), "found   carol\nfound   dave\n"), out.String())
	n, err := store.CountUsers(ctx, auth.UserQuery{})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}

func TestValidatePhone(t *testing.T) {
	t.Parallel()
	assert.NoError(t, validatePhone(strings.Repeat("9", 32)))
	assert.NoError(t, validatePhone(strings.Repeat("é", 32)), "characters, not bytes")
	err := validatePhone(strings.Repeat("9", 33))
	assert.ErrorIs(t, err, auth.ErrInvalid)
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	var out bytes.Buffer
	require.NoError(t, run(ctx, db.URL, &out))
	assert.Equal(t, wantOutput, out.String())

	// The field is in its own column, as Django would see it.
	conn, err := pgx.Connect(ctx, db.URL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var phone string
	require.NoError(t, conn.QueryRow(ctx, "SELECT phone_number FROM auth_user WHERE username = 'carol'").Scan(&phone))
	assert.Equal(t, "+44 20 7946 0000", phone)

	// Running again: the migration and the users are already there.
	out.Reset()
	require.NoError(t, run(ctx, db.URL, &out))
	assert.True(t, strings.HasPrefix(out.String(), "found   carol\nfound   dave\n"), out.String())
}
