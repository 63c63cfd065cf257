package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/recovery"
	"github.com/djauth/auth/mfa/recovery/recoverytest"
	"github.com/djauth/auth/store/postgres"
)

// newAuthUser returns a function that inserts a row of auth_user and
// returns its id: otp_static_staticdevice references auth_user.
// authUsers returns a function that makes a new auth_user row in pool.
func authUsers(pool *pgxpool.Pool) func(t *testing.T) int64 {
	return func(t *testing.T) int64 { return newAuthUser(t, pool) }
}

// recoveryPool is one migrated database that the subtests of a
// conformance run share; each subtest uses users of its own.
func recoveryPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := pgtest.NewPool(t)
	_, err := postgres.Migrate(context.Background(), pool, postgres.DjangoOTPStatic)
	require.NoError(t, err)
	return pool
}

func TestRecoveryStoreConformance(t *testing.T) {
	t.Parallel()
	pool := recoveryPool(t)
	s, err := postgres.NewRecoveryStore(pool)
	require.NoError(t, err)
	users := authUsers(pool)
	recoverytest.Run(t, func(t *testing.T) recoverytest.Setup {
		return recoverytest.Setup{Store: s, NewUser: users}
	})
}

func TestDjangoStaticStoreConformance(t *testing.T) {
	t.Parallel()
	pool := recoveryPool(t)
	s, err := postgres.NewDjangoStaticStore(pool)
	require.NoError(t, err)
	users := authUsers(pool)
	recoverytest.Run(t, func(t *testing.T) recoverytest.Setup {
		return recoverytest.Setup{Store: s, NewUser: users}
	})
}

func TestNewRecoveryStoresNilQuerier(t *testing.T) {
	_, err := postgres.NewRecoveryStore(nil)
	assert.Error(t, err)
	_, err = postgres.NewDjangoStaticStore(nil)
	assert.Error(t, err)
}

// rawTables returns every row of tables as PostgreSQL's text form of the
// row, bytea in hex and in escape form, so that a code stored in any
// encoding shows.
func rawTables(t *testing.T, pool *pgxpool.Pool, tables ...string) string {
	t.Helper()
	var b strings.Builder
	for _, table := range tables {
		for _, format := range []string{"hex", "escape"} {
			conn, err := pool.Acquire(context.Background())
			require.NoError(t, err)
			_, err = conn.Exec(context.Background(), "SET bytea_output = "+format)
			require.NoError(t, err)
			rows, err := conn.Query(context.Background(), `SELECT t::text FROM "`+table+`" t`)
			require.NoError(t, err)
			for rows.Next() {
				var line string
				require.NoError(t, rows.Scan(&line))
				b.WriteString(line + "\n")
			}
			require.NoError(t, rows.Err())
			_, err = conn.Exec(context.Background(), "RESET bytea_output")
			require.NoError(t, err)
			conn.Release()
		}
	}
	return b.String()
}

// TestRecoveryStoreKeepsNoPlaintext reads djauth's tables raw: they hold
// the digests of the codes and nothing that spells a code.
func TestRecoveryStoreKeepsNoPlaintext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := recoveryPool(t)
	s, err := postgres.NewRecoveryStore(pool)
	require.NoError(t, err)
	f, err := recovery.New(recovery.Config{Store: s})
	require.NoError(t, err)
	user := authUsers(pool)(t)
	_, codes, err := f.Generate(ctx, user)
	require.NoError(t, err)

	raw := rawTables(t, pool, "djauth_recovery_device", "djauth_recovery_code")
	for _, c := range codes {
		canon := recovery.Normalize(c)
		for _, form := range []string{c, canon, canon[:8], canon[8:], fmt.Sprintf("%x", canon[:8])} {
			assert.NotContains(t, raw, form, "the table holds part of code %s", c)
		}
	}
	var digests [][]byte
	rows, err := pool.Query(ctx, `SELECT "digest" FROM "djauth_recovery_code" ORDER BY "id"`)
	require.NoError(t, err)
	for rows.Next() {
		var d []byte
		require.NoError(t, rows.Scan(&d))
		digests = append(digests, d)
	}
	require.NoError(t, rows.Err())
	require.Len(t, digests, len(codes))
	for i, c := range codes {
		want := recovery.Digest(user, recovery.Normalize(c))
		assert.Equal(t, want[:], digests[i])
	}
}

// TestDjangoStaticStoreKeepsPlaintext documents the other layout: the
// codes are in otp_static_statictoken as they are shown.
func TestDjangoStaticStoreKeepsPlaintext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := recoveryPool(t)
	s, err := postgres.NewDjangoStaticStore(pool)
	require.NoError(t, err)
	f, err := recovery.New(recovery.Config{Store: s})
	require.NoError(t, err)
	user := authUsers(pool)(t)
	dev, codes, err := f.Generate(ctx, user)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("otp_static.staticdevice/%d", dev.ID), dev.PersistentID)
	raw := rawTables(t, pool, "otp_static_statictoken")
	for _, c := range codes {
		assert.Len(t, c, recovery.CodeLength, "shown without dashes, as stored")
		assert.Contains(t, raw, c)
	}
}

// TestDjangoStaticStoreDevices covers what only django-otp's tables can
// hold: several devices per user, unconfirmed ones, tokens not made here.
// Each device throttles itself, as django-otp's match_token does.
func TestDjangoStaticStoreDevices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := recoveryPool(t)
	s, err := postgres.NewDjangoStaticStore(pool)
	require.NoError(t, err)
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	f, err := recovery.New(recovery.Config{Store: s, Now: func() time.Time { return now }})
	require.NoError(t, err)
	user := authUsers(pool)(t)
	var first, second, unconfirmed int64
	insert := `INSERT INTO "otp_static_staticdevice" ("name", "confirmed", "user_id", "throttling_failure_count", "throttling_failure_timestamp")
		VALUES ($1, $2, $3, $4, $5) RETURNING "id"`
	require.NoError(t, pool.QueryRow(ctx, insert, "Backup Code", true, user, 3, now).Scan(&first))
	require.NoError(t, pool.QueryRow(ctx, insert, "Paper", true, user, 0, nil).Scan(&second))
	require.NoError(t, pool.QueryRow(ctx, insert, "Pending", false, user, 0, nil).Scan(&unconfirmed))
	_, err = pool.Exec(ctx, `INSERT INTO "otp_static_statictoken" ("device_id", "token") VALUES
		($1, 'onfirst'), ($2, 'onsecond'), ($2, 'Dj-Token'), ($3, 'pending')`, first, second, unconfirmed)
	require.NoError(t, err)

	devs, err := f.Devices(ctx, user)
	require.NoError(t, err)
	require.Len(t, devs, 2)
	assert.Equal(t, []int64{first, second}, []int64{devs[0].ID, devs[1].ID})
	n, err := f.Remaining(ctx, user)
	require.NoError(t, err)
	assert.Equal(t, 3, n, "tokens of unconfirmed devices do not count")

	_, err = f.VerifyCode(ctx, user, "pending")
	assert.ErrorIs(t, err, mfa.ErrInvalidCode, "an unconfirmed device accepts nothing")
	now = now.Add(time.Second) // second's one failure has passed
	dev, err := f.VerifyCode(ctx, user, "onsecond")
	require.NoError(t, err, "the first device is throttled, the second is not")
	assert.Equal(t, second, dev.ID)
	_, err = f.VerifyCode(ctx, user, "onfirst")
	require.ErrorIs(t, err, mfa.ErrInvalidCode, "the first device is throttled (3 failures), so only the second was checked")
	now = now.Add(3 * time.Second)
	_, err = f.VerifyCode(ctx, user, "Dj-Token")
	require.NoError(t, err, "a token with a capital and a dash, compared verbatim")
	now = now.Add(time.Hour)
	dev, err = f.VerifyCode(ctx, user, "ONFIRST")
	require.NoError(t, err)
	assert.Equal(t, first, dev.ID)

	// Regenerating keeps the oldest device, deletes the others and their
	// tokens, and confirms the one it keeps.
	dev, codes, err := f.Generate(ctx, user)
	require.NoError(t, err)
	assert.Equal(t, first, dev.ID)
	assert.Equal(t, "Backup Code", dev.Name, "the device keeps its name")
	var devices, tokens int
	require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM "otp_static_staticdevice"),
		(SELECT count(*) FROM "otp_static_statictoken")`).Scan(&devices, &tokens))
	assert.Equal(t, 1, devices)
	assert.Equal(t, len(codes), tokens)
}
