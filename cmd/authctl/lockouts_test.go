package main

import (
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/store/postgres"
	"github.com/djauth/auth/throttle"
)

// TestLockouts: a site's limiter locks alice and counts two addresses;
// lockouts list shows them, reset clears by username and by address.
func TestLockouts(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := t.Context()
	s, err := postgres.NewThrottleStore(db.pool)
	require.NoError(t, err)
	l, err := throttle.New(throttle.Config{Store: s})
	require.NoError(t, err)
	fail := func(remote, username string) {
		r := httptest.NewRequest("POST", "/accounts/login/", nil)
		r.RemoteAddr = remote
		_, _, err := l.Fail(ctx, r, throttle.ScopeLogin, username)
		require.NoError(t, err)
	}
	for range 10 {
		fail("203.0.113.5:1", "alice")
	}
	fail("[2001:db8:1:2::5]:1", "bob")

	r := db.with(session{}).run(t, "lockouts", "list")
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := regexp.MustCompile(`(?m)^.+$`).FindAllString(r.stdout, -1)
	require.Len(t, lines, 4, r.stdout)
	assert.Regexp(t, `^login\taddress\t"2001:db8:1:2::/64"\t1 failures\tlast \S+\tcounting$`, lines[0])
	assert.Regexp(t, `^login\taddress\t"203.0.113.5"\t10 failures\tlast \S+\tcounting$`, lines[1])
	assert.Regexp(t, `^login\tkey\t"alice"\t10 failures\tlast \S+\tlocked until \S+$`, lines[2])
	assert.Regexp(t, `^login\tkey\t"bob"\t1 failures\tlast \S+\tcounting$`, lines[3])

	// The username is normalised as the login form does.
	r = db.with(session{}).run(t, "lockouts", "reset", "--username", " alice ")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Reset 1 counters.\n", r.stdout)
	req := httptest.NewRequest("POST", "/accounts/login/", nil)
	req.RemoteAddr = "198.51.100.1:1"
	wait, _, err := l.Check(ctx, req, throttle.ScopeLogin, "alice")
	require.NoError(t, err)
	assert.Zero(t, wait, "alice may log in again")

	r = db.with(session{}).run(t, "lockouts", "reset", "--address", "2001:db8:1:2::99", "--username", "bob")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Reset 2 counters.\n", r.stdout)
	r = db.with(session{}).run(t, "lockouts", "reset", "--address", "203.0.113.5")
	assert.Equal(t, "Reset 1 counters.\n", r.stdout)
	r = db.with(session{}).run(t, "lockouts", "list")
	assert.Equal(t, "No counters.\n", r.stdout)
}

func TestLockoutsUsage(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"lockouts", "reset"}, "pass --username, --address or both"},
		{[]string{"lockouts", "reset", "--address", "nope"}, `--address "nope" is not an IP address`},
		{[]string{"lockouts", "list", "extra"}, `unexpected argument "extra"`},
		{[]string{"lockouts", "frob"}, `unknown subcommand "frob"`},
	} {
		r := db.with(session{}).run(t, tt.args...)
		assert.Equal(t, exitUsage, r.code, "%v", tt.args)
		assert.Contains(t, r.stderr, tt.want, "%v", tt.args)
	}
}
