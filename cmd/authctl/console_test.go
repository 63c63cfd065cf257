package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReadLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		lines []string
		err   error // after the lines
	}{
		{"", nil, errEndOfInput},
		{"\n", []string{""}, errEndOfInput},
		{"a\nb\n", []string{"a", "b"}, errEndOfInput},
		{"a\r\nb", []string{"a", "b"}, errEndOfInput},
		{"  spaced  \n", []string{"  spaced  "}, errEndOfInput},
		{strings.Repeat("x", maxLineBytes) + "\n", []string{strings.Repeat("x", maxLineBytes)}, errEndOfInput},
		{strings.Repeat("x", maxLineBytes+1) + "\n", nil, errLineTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.in[:min(len(tc.in), 10)], func(t *testing.T) {
			r := strings.NewReader(tc.in)
			for _, want := range tc.lines {
				got, err := readLine(r)
				assert.NoError(t, err)
				assert.Equal(t, want, got)
			}
			_, err := readLine(r)
			assert.ErrorIs(t, err, tc.err)
		})
	}
}

// FuzzReadLine: lines never hold a newline, never exceed the limit, and
// joined back they give the input up to the line ends.
func FuzzReadLine(f *testing.F) {
	for _, s := range []string{"", "a\nb", "a\r\n\r\n", "\x00\n\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := strings.NewReader(in)
		var got []string
		for {
			l, err := readLine(r)
			if err != nil {
				break
			}
			if strings.Contains(l, "\n") || len(l) > maxLineBytes {
				t.Fatalf("bad line %q", l)
			}
			got = append(got, l)
		}
		if len(in) < maxLineBytes && !strings.Contains(in, "\r") {
			want := strings.Split(strings.TrimSuffix(in, "\n"), "\n")
			if in == "" {
				want = nil
			}
			assert.Equal(t, want, got)
		}
	})
}

// TestConsoleCancel: a prompt gives up when the context ends.
func TestConsoleCancel(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := newConsole(ctx, &env{stdin: pr, stderr: io.Discard})
	_, err := c.ask("Username: ")
	assert.ErrorIs(t, err, errCancelled)
}

// Example lists the commands, as "authctl help" does.
func Example() {
	e := &env{stdin: strings.NewReader(""), stdout: os.Stdout, stderr: os.Stdout}
	run(context.Background(), e, []string{"help"})
	// Output:
	// Usage: authctl <command> [flags]
	//
	// Commands:
	//   changepassword   change a user's password (Django's changepassword)
	//   clearsessions    delete expired sessions (Django's clearsessions)
	//   createsuperuser  create a superuser (Django's createsuperuser)
	//   createuser       create an ordinary (non-superuser) user
	//   group            create, delete and list groups; grant and revoke their permissions
	//   lockouts         list and reset login throttling and lockouts
	//   mfa              list, remove and reset users' second factors; show and set the MFA policy
	//   migrate          create or verify the auth schema in a PostgreSQL database
	//   orgs             manage organizations: members, owners, roles and invitations
	//   perms            list the permissions in the database
	//   sessions         list and log out a user's sessions (djauth_session or Redis)
	//   user             grant and revoke a user's permissions and groups; list its permissions
	//
	// Run "authctl help <command>" for the flags of a command.
}
