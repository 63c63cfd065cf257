package main

// Ports of ChangepasswordManagementCommandTestCase from Django's
// tests/auth_tests/test_management.py.

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChangePassword(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	db.addUser(t, "joe", "qwerty", nil)
	db.addUser(t, "Júlia", "qwerty", nil)
	db.addUser(t, "osuser", "qwerty", nil)

	tests := []struct {
		name     string
		args     []string
		session  session
		code     int
		stdout   string
		messages string
		user     string // whose password ends as password
		password string
	}{
		{
			// test_that_changepassword_command_changes_joes_password
			name: "changes the password", args: []string{"joe"}, session: session{stdin: lines("not qwerty", "not qwerty")},
			stdout: "Changing password for user 'joe'\nPassword changed successfully for user 'joe'\n",
			user:   "joe", password: "not qwerty",
		},
		{
			// test_get_pass with hidden input
			name: "hidden input", args: []string{"joe"}, session: session{tty: []string{goodPass, goodPass}},
			stdout: "Changing password for user 'joe'\nPassword changed successfully for user 'joe'\n",
			user:   "joe", password: goodPass,
		},
		{
			// test_get_pass_no_input
			name: "empty answer aborts", args: []string{"joe"}, session: session{stdin: lines("")},
			code: exitFailure, stdout: "Changing password for user 'joe'\n", messages: "authctl changepassword: aborted",
			user: "joe", password: goodPass,
		},
		{
			// test_system_username
			name: "system username", session: session{osUser: "osuser", stdin: lines("new_password", "new_password")},
			stdout: "Changing password for user 'osuser'\nPassword changed successfully for user 'osuser'\n",
			user:   "osuser", password: "new_password",
		},
		{
			// test_nonexistent_username
			name: "nonexistent user", args: []string{"test"},
			code: exitFailure, messages: "authctl changepassword: user 'test' does not exist",
		},
		{
			// test_that_max_tries_exits_1
			name: "three mismatches", args: []string{"joe"}, session: session{stdin: lines("a1", "b1", "a2", "b2", "a3", "b3")},
			code: exitFailure,
			stdout: "Changing password for user 'joe'\n" +
				"Passwords do not match. Please try again.\nPasswords do not match. Please try again.\nPasswords do not match. Please try again.\n",
			messages: "authctl changepassword: Aborting password change for user 'joe' after 3 attempts",
			user:     "joe", password: goodPass,
		},
		{
			// test_password_validation
			name: "three rejected passwords", args: []string{"joe"},
			session: session{stdin: lines(numericPwd, numericPwd, numericPwd, numericPwd, numericPwd, numericPwd)},
			code:    exitFailure, stdout: "Changing password for user 'joe'\n",
			messages: "This password is entirely numeric.\nThis password is entirely numeric.\nThis password is entirely numeric.\n" +
				"authctl changepassword: Aborting password change for user 'joe' after 3 attempts",
			user: "joe", password: goodPass,
		},
		{
			name: "mismatch then rejected then good", args: []string{"joe"},
			session: session{stdin: lines("x", "y", "short", "short", "better-pass-42", "better-pass-42")},
			stdout: "Changing password for user 'joe'\nPasswords do not match. Please try again.\n" +
				"Password changed successfully for user 'joe'\n",
			messages: "This password is too short. It must contain at least 8 characters.",
			user:     "joe", password: "better-pass-42",
		},
		{
			// test_that_changepassword_command_works_with_nonascii_output
			name: "non-ASCII username", args: []string{"Júlia"}, session: session{stdin: lines("not qwerty", "not qwerty")},
			stdout: "Changing password for user 'Júlia'\nPassword changed successfully for user 'Júlia'\n",
			user:   "Júlia", password: "not qwerty",
		},
		{
			name: "two usernames", args: []string{"joe", "jim"}, code: exitUsage,
			messages: `authctl changepassword: unexpected argument "jim"`,
		},
	}
	// The cases run in order: the later ones expect the password that an
	// earlier one set.
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := db.with(tc.session).run(t, append([]string{"changepassword"}, tc.args...)...)
			assert.Equal(t, tc.code, r.code, r.stderr)
			assert.Equal(t, tc.stdout, r.stdout)
			assert.Equal(t, tc.messages, messages(r.stderr), "stderr:\n%s", r.stderr)
			if tc.user != "" {
				assert.True(t, checkPassword(t, db.user(t, tc.user), tc.password), "password of %s", tc.user)
			}
		})
	}
}

// TestChangePasswordNoOSUser: without USERNAME and without a known OS
// user the command says what to do.
func TestChangePasswordNoOSUser(t *testing.T) {
	t.Parallel()
	r := session{env: map[string]string{"DATABASE_URL": "postgres://unused/db"}}.run(t, "changepassword")
	require.Equal(t, exitFailure, r.code)
	assert.Equal(t, "authctl changepassword: the current user is unknown; name the user: authctl changepassword USERNAME\n", r.stderr)
}
