package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	db.addUser(t, "taken", "x", nil)
	const done = "User created successfully.\n"

	tests := []struct {
		name     string
		args     []string
		session  session
		code     int
		stdout   string
		messages string
		check    func(t *testing.T)
	}{
		{
			name: "password from stdin", args: []string{"--username", "ann", "--email", "ann@example.com", "--password-stdin"},
			session: session{stdin: goodPass + "\n"}, stdout: done,
			check: func(t *testing.T) {
				u := db.user(t, "ann")
				assert.True(t, checkPassword(t, u, goodPass))
				assert.False(t, u.IsSuperuser || u.IsStaff)
				assert.True(t, u.IsActive)
				assert.Equal(t, "ann@example.com", u.Email)
			},
		},
		{
			name: "staff, password without a final newline", args: []string{"--username", "sam", "--staff", "--password-stdin"},
			session: session{stdin: goodPass}, stdout: done,
			check: func(t *testing.T) {
				u := db.user(t, "sam")
				assert.True(t, u.IsStaff)
				assert.False(t, u.IsSuperuser)
				assert.True(t, checkPassword(t, u, goodPass))
			},
		},
		{
			name: "stdin password rejected", args: []string{"--username", "weak", "--password-stdin"},
			session: session{stdin: "weak\n"}, code: exitFailure,
			messages: "authctl createuser: The password is too similar to the username.; This password is too short. It must contain at least 8 characters.",
			check:    func(t *testing.T) { db.noUser(t, "weak") },
		},
		{
			name: "empty stdin", args: []string{"--username", "empty", "--password-stdin"}, code: exitFailure,
			messages: "authctl createuser: Error: Blank passwords aren't allowed.",
			check:    func(t *testing.T) { db.noUser(t, "empty") },
		},
		{
			name: "noinput", args: []string{"--username", "nopw", "--noinput"}, stdout: done,
			check: func(t *testing.T) { assert.False(t, db.user(t, "nopw").HasUsablePassword()) },
		},
		{
			name: "taken", args: []string{"--username", "taken", "--noinput"}, code: exitFailure,
			messages: "authctl createuser: Error: That username is already taken.",
		},
		{
			name: "invalid email", args: []string{"--username", "bad", "--email", "a@b", "--noinput"}, code: exitFailure,
			messages: "authctl createuser: Enter a valid email address.",
		},
		{
			name: "interactive", session: session{stdin: lines("taken", "ivy", "ivy@example.com", "n"), tty: []string{"123", "123", goodPass, goodPass}},
			stdout: done, messages: "Error: That username is already taken.\nThis password is too short. It must contain at least 8 characters.\nThis password is too common.\nThis password is entirely numeric.",
			check: func(t *testing.T) {
				u := db.user(t, "ivy")
				assert.True(t, checkPassword(t, u, goodPass))
				assert.False(t, u.IsSuperuser || u.IsStaff)
			},
		},
		{
			name: "noinput without username", args: []string{"--noinput"}, code: exitUsage,
			messages: "authctl createuser: You must use --username with --noinput.",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := db.with(tc.session).run(t, append([]string{"createuser"}, tc.args...)...)
			assert.Equal(t, tc.code, r.code, r.stderr)
			assert.Equal(t, tc.stdout, r.stdout)
			assert.Equal(t, tc.messages, messages(r.stderr), "stderr:\n%s", r.stderr)
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
}
