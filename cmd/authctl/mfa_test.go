package main

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/mfa/recovery"
	"github.com/djauth/auth/mfa/totp"
	"github.com/djauth/auth/store/postgres"
)

// mfaDevices are the IDs of one device of each kind of a user.
type mfaDevices struct{ totp, recovery, static, passkey int64 }

// addMFADevices gives u a confirmed TOTP device (when otp is set, on a
// database migrated with django-otp's apps), hashed recovery codes,
// django-otp static codes (with otp) and a passkey.
func addMFADevices(t *testing.T, db testDB, u *auth.User, otp bool) mfaDevices {
	t.Helper()
	ctx := t.Context()
	var ids mfaDevices
	codes := []recovery.Code{recovery.NewCode(u.ID, "aaaabbbbccccdddd"), recovery.NewCode(u.ID, "eeeeffffgggghhhh")}
	rs, err := postgres.NewRecoveryStore(db.pool)
	require.NoError(t, err)
	dev, err := rs.Replace(ctx, u.ID, "Recovery codes", codes)
	require.NoError(t, err)
	ids.recovery = dev.ID
	ps, err := postgres.NewPasskeyStore(db.pool)
	require.NoError(t, err)
	c := &passkey.Credential{UserID: u.ID, Name: "laptop", CredentialID: []byte("cred-" + u.Username),
		PublicKey: []byte{1}, AttestationType: "none", AttestationFormat: "none",
		CreatedAt: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	require.NoError(t, ps.AddCredential(ctx, c))
	ids.passkey = c.ID
	if !otp {
		return ids
	}
	ts, err := postgres.NewTOTPStore(db.pool)
	require.NoError(t, err)
	td, err := ts.Create(ctx, totp.Device{UserID: u.ID, Name: "Phone", Confirmed: true, Key: "3132333435363738393031323334353637383930",
		Step: 30, Digits: 6, Tolerance: 1, LastT: 57000000})
	require.NoError(t, err)
	ids.totp = td.ID
	ss, err := postgres.NewDjangoStaticStore(db.pool)
	require.NoError(t, err)
	dev, err = ss.Replace(ctx, u.ID, "Backup tokens", codes[:1])
	require.NoError(t, err)
	ids.static = dev.ID
	return ids
}

func newOTPTestDB(t *testing.T) testDB {
	t.Helper()
	db := newTestDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := postgres.Migrate(ctx, db.pool, postgres.DjangoOTPTOTP, postgres.DjangoOTPStatic)
	require.NoError(t, err)
	return db
}

func countRows(t *testing.T, db testDB, table string, userID int64) int {
	t.Helper()
	var n int
	require.NoError(t, db.pool.QueryRow(t.Context(), `SELECT count(*) FROM `+table+` WHERE "user_id" = $1`, userID).Scan(&n))
	return n
}

// TestMFAList: every kind of device is listed with what its table knows;
// another user's devices are not; a user without any says so.
func TestMFAList(t *testing.T) {
	t.Parallel()
	db := newOTPTestDB(t)
	alice := db.addUser(t, "alice", "pw", nil)
	bob := db.addUser(t, "bob", "pw", nil)
	db.addUser(t, "carol", "pw", nil)
	ids := addMFADevices(t, db, alice, true)
	addMFADevices(t, db, bob, true)

	r := db.with(session{}).run(t, "mfa", "list", "alice")
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := regexp.MustCompile(`(?m)^.+$`).FindAllString(r.stdout, -1)
	require.Equal(t, []string{
		"totp\t" + strconv.FormatInt(ids.totp, 10) + "\t\"Phone\"\tconfirmed\tcreated unknown\tlast used 2024-03-09T16:00:00Z",
		"recovery\t" + strconv.FormatInt(ids.recovery, 10) + "\t\"Recovery codes\"\tconfirmed\tcreated unknown\tlast used unknown\t2 codes left",
		"static\t" + strconv.FormatInt(ids.static, 10) + "\t\"Backup tokens\"\tconfirmed\tcreated unknown\tlast used unknown\t1 codes left",
		"passkey\t" + strconv.FormatInt(ids.passkey, 10) + "\t\"laptop\"\tconfirmed\tcreated 2024-05-01T12:00:00Z\tlast used unknown",
	}, lines)

	r = db.with(session{}).run(t, "mfa", "list", "carol")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "User 'carol' has no second factor devices.\n", r.stdout)

	r = db.with(session{}).run(t, "mfa", "list", "nobody")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "user 'nobody' does not exist")

	r = db.with(session{}).run(t, "mfa", "list")
	assert.Equal(t, exitUsage, r.code)
}

// TestMFAListWithoutDjangoOTP: a database that never migrated django-otp's
// apps still lists recovery codes and passkeys, and remove of a totp
// device says there is no such table.
func TestMFAListWithoutDjangoOTP(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	alice := db.addUser(t, "alice", "pw", nil)
	addMFADevices(t, db, alice, false)
	r := db.with(session{}).run(t, "mfa", "list", "alice")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `^recovery\t\d+\t"Recovery codes"\t[^\n]+\npasskey\t\d+\t"laptop"\t[^\n]+\n$`, r.stdout)

	r = db.with(session{}).run(t, "mfa", "remove", "alice", "totp", "1")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "the database has no otp_totp_totpdevice table")

	r = db.with(session{}).run(t, "mfa", "reset", "alice", "--yes")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Removed 2 devices of user 'alice' and restarted their enrolment grace period.\n", r.stdout)
}

// TestMFARemove: each kind removes one device of the user with its codes;
// another user's ID, an unknown ID, an unknown kind, a bad ID and an
// unknown user are refused and change nothing.
func TestMFARemove(t *testing.T) {
	t.Parallel()
	db := newOTPTestDB(t)
	alice := db.addUser(t, "alice", "pw", nil)
	bob := db.addUser(t, "bob", "pw", nil)
	a := addMFADevices(t, db, alice, true)
	b := addMFADevices(t, db, bob, true)

	for _, tc := range []struct {
		kind  string
		alice int64
		bob   int64
		table string
	}{
		{"totp", a.totp, b.totp, "otp_totp_totpdevice"},
		{"recovery", a.recovery, b.recovery, "djauth_recovery_device"},
		{"static", a.static, b.static, "otp_static_staticdevice"},
		{"passkey", a.passkey, b.passkey, "djauth_passkey"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			r := db.with(session{}).run(t, "mfa", "remove", "alice", tc.kind, strconv.FormatInt(tc.bob, 10))
			assert.Equal(t, exitFailure, r.code)
			assert.Contains(t, r.stderr, "is not a device of user 'alice'; nothing was removed")
			assert.Equal(t, 1, countRows(t, db, tc.table, bob.ID), "bob's device stays")

			r = db.with(session{}).run(t, "mfa", "remove", "alice", tc.kind, "999999")
			assert.Equal(t, exitFailure, r.code)
			assert.Contains(t, r.stderr, "there is no "+tc.kind+" device with ID 999999")

			r = db.with(session{}).run(t, "mfa", "remove", "alice", tc.kind, strconv.FormatInt(tc.alice, 10))
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, "Removed "+tc.kind+" device "+strconv.FormatInt(tc.alice, 10)+" of user 'alice'.\n", r.stdout)
			assert.Equal(t, 0, countRows(t, db, tc.table, alice.ID))
			assert.Equal(t, 1, countRows(t, db, tc.table, bob.ID))
		})
	}
	var codes int
	require.NoError(t, db.pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM djauth_recovery_code) + (SELECT count(*) FROM otp_static_statictoken)`).Scan(&codes))
	assert.Equal(t, 3, codes, "alice's codes went with her devices, bob's 2 + 1 stay")

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"alice", "sms", "1"}, exitUsage, `unknown device kind "sms": want one of totp, recovery, static, passkey`},
		{[]string{"alice", "totp", "x"}, exitUsage, `device ID "x" is not a positive integer`},
		{[]string{"alice", "totp", "0"}, exitUsage, `device ID "0" is not a positive integer`},
		{[]string{"alice", "totp"}, exitUsage, "missing arguments"},
		{[]string{"nobody", "totp", strconv.FormatInt(b.totp, 10)}, exitFailure, "user 'nobody' does not exist"},
	} {
		r := db.with(session{}).run(t, append([]string{"mfa", "remove"}, tc.args...)...)
		assert.Equal(t, tc.code, r.code, "%v", tc.args)
		assert.Contains(t, r.stderr, tc.msg, "%v", tc.args)
	}
	assert.Equal(t, 1, countRows(t, db, "otp_totp_totpdevice", bob.ID))
}

// TestMFAReset: reset asks, and "no" or the end of input change nothing;
// "yes" (or --yes) removes every device of the user, never another
// user's, and restarts the grace period.
func TestMFAReset(t *testing.T) {
	t.Parallel()
	db := newOTPTestDB(t)
	alice := db.addUser(t, "alice", "pw", func(u *auth.User) { u.IsSuperuser = true })
	bob := db.addUser(t, "bob", "pw", nil)
	addMFADevices(t, db, alice, true)
	addMFADevices(t, db, bob, true)
	ctx := t.Context()
	ps, err := postgres.NewMFAPolicyStore(db.pool)
	require.NoError(t, err)
	early := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, u := range []*auth.User{alice, bob} {
		_, err := ps.RequiredSince(ctx, u.ID, early)
		require.NoError(t, err)
	}
	tables := []string{"otp_totp_totpdevice", "djauth_recovery_device", "otp_static_staticdevice", "djauth_passkey"}
	total := func(u *auth.User) int {
		n := 0
		for _, tb := range tables {
			n += countRows(t, db, tb, u.ID)
		}
		return n
	}

	for _, stdin := range []string{"no\n", ""} {
		r := db.with(session{stdin: stdin}).run(t, "mfa", "reset", "alice")
		assert.Equal(t, exitFailure, r.code)
		assert.Contains(t, r.stderr, "This removes every second factor of user 'alice' (4 devices)")
		assert.Equal(t, 4, total(alice), "nothing changed")
	}

	r := db.with(session{stdin: "yes\n"}).run(t, "mfa", "reset", "alice")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Removed 4 devices of user 'alice' and restarted their enrolment grace period.\n", r.stdout)
	assert.Equal(t, 0, total(alice))
	assert.Equal(t, 4, total(bob))
	var codes int
	require.NoError(t, db.pool.QueryRow(ctx, `SELECT count(*) FROM otp_static_statictoken`).Scan(&codes))
	assert.Equal(t, 1, codes, "alice's static tokens went, bob's stays")
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	since, err := ps.RequiredSince(ctx, alice.ID, now)
	require.NoError(t, err)
	assert.Equal(t, now, since.UTC(), "a new grace period")
	since, err = ps.RequiredSince(ctx, bob.ID, now)
	require.NoError(t, err)
	assert.Equal(t, early, since.UTC(), "bob's is untouched")

	r = db.with(session{}).run(t, "mfa", "reset", "bob", "--no-input")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 0, total(bob))

	r = db.with(session{}).run(t, "mfa", "reset", "nobody", "--yes")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "user 'nobody' does not exist")
}

// TestMFAPolicy: show prints the zero policy, set replaces it (groups must
// exist), --none clears it, and bad flags are usage errors that change
// nothing.
func TestMFAPolicy(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	err := db.store.CreateGroup(t.Context(), &auth.Group{Name: "ops team"})
	require.NoError(t, err)
	ps, err := postgres.NewMFAPolicyStore(db.pool)
	require.NoError(t, err)

	r := db.with(session{}).run(t, "mfa", "policy", "show")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "everyone\tno\nsuperusers\tno\nstaff\tno\ngroups\tnone\ngrace\t0s\n", r.stdout)

	r = db.with(session{}).run(t, "mfa", "policy", "set", "--superusers", "--group", "ops team", "--grace", "168h")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "everyone\tno\nsuperusers\tyes\nstaff\tno\ngroups\t\"ops team\"\ngrace\t168h0m0s\n", r.stdout)
	p, err := ps.Policy(t.Context())
	require.NoError(t, err)
	assert.Equal(t, mfa.Policy{Superusers: true, Groups: []string{"ops team"}, Grace: 168 * time.Hour}, p)

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--group", "nope"}, exitFailure, "group 'nope' does not exist"},
		{[]string{"--staff", "--group", "ops team", "--group", "ops team"}, exitUsage, "named twice"},
		{[]string{"--everyone", "--grace", "-1h"}, exitUsage, "negative grace period"},
		{[]string{}, exitUsage, "say who must use a second factor"},
		{[]string{"--none", "--staff"}, exitUsage, "--none requires nobody"},
		{[]string{"--staff", "extra"}, exitUsage, `unexpected argument "extra"`},
	} {
		r := db.with(session{}).run(t, append([]string{"mfa", "policy", "set"}, tc.args...)...)
		assert.Equal(t, tc.code, r.code, "%v", tc.args)
		assert.Contains(t, r.stderr, tc.msg, "%v", tc.args)
	}
	p, err = ps.Policy(t.Context())
	require.NoError(t, err)
	assert.True(t, p.Superusers, "failed sets changed nothing")

	r = db.with(session{}).run(t, "mfa", "policy", "set", "--none")
	require.Equal(t, exitOK, r.code, r.stderr)
	p, err = ps.Policy(t.Context())
	require.NoError(t, err)
	assert.Equal(t, mfa.Policy{}, p)

	r = db.with(session{}).run(t, "mfa", "policy", "frobnicate")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `authctl mfa policy: unknown subcommand "frobnicate"`)
}
