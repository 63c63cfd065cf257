package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/djauth/auth/validation"
)

func init() {
	register("changepassword", "change a user's password (Django's changepassword)", runChangePassword)
}

const changePasswordUsage = `Usage: authctl changepassword [USERNAME] [--database-url URL]

Changes the password of USERNAME (default: the OS user running the command),
as Django's changepassword: the new password is asked twice, hidden when
stdin is a terminal (read as lines from stdin otherwise, so that scripts can
drive it), and must pass the password validators. After three failed
attempts the command gives up. An empty answer aborts.

Prints "Changing password for user 'NAME'" and then "Password changed
successfully for user 'NAME'" on stdout.

Exit status: 0 success, 1 failure (unknown user, three failed attempts,
aborted; nothing was changed), 2 usage error.

Flags:
`

// changePasswordTries is Django's MAX_TRIES.
const changePasswordTries = 3

func runChangePassword(ctx context.Context, e *env, args []string) int {
	return finish(e, "changepassword", changePassword(ctx, e, args))
}

func changePassword(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "changepassword", changePasswordUsage)
	dbf := addDBFlags(fs, true)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("unexpected argument %q", pos[1])
	}
	var username string
	if len(pos) == 1 {
		username = pos[0]
	} else if username, err = e.osUser(); err != nil {
		return failf("%v; name the user: authctl changepassword USERNAME", err)
	}
	d, err := dbf.open(ctx, e, authTables)
	if err != nil {
		return err
	}
	defer d.close(ctx)

	u, err := lookupUser(ctx, d, username)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Changing password for user '%s'\n", u.Username)

	con := newConsole(ctx, e)
	getPass := func(prompt string) (string, error) {
		p, err := con.password(prompt)
		if err == nil && p == "" {
			return "", failf("aborted")
		}
		return p, err
	}
	var password string
	count := 0
	for count < changePasswordTries {
		p1, err := getPass(promptPassword)
		if err != nil {
			return err
		}
		p2, err := getPass(promptPasswordAgain)
		if err != nil {
			return err
		}
		if p1 != p2 {
			fmt.Fprintln(e.stdout, "Passwords do not match. Please try again.")
			count++
			continue
		}
		msgs, err := validatePassword(p2, u)
		if err != nil {
			return err
		}
		if len(msgs) > 0 {
			fmt.Fprintln(e.stderr, strings.Join(msgs, "\n"))
			count++
			continue
		}
		password = p1
		break
	}
	if count == changePasswordTries {
		return failf("Aborting password change for user '%s' after %d attempts", u.Username, count)
	}

	h, err := e.hasherRegistry().Make(ctx, password)
	if err != nil {
		return failf("hash the password: %v", err)
	}
	// Only the password column is written (Django's
	// save(update_fields=["password"])), so a concurrent edit of the user
	// is not undone.
	if err := d.store.SetPassword(ctx, u.ID, h); err != nil {
		return failf("save user: %v", err)
	}
	u.Password = h
	validation.PasswordChanged(password, u, validation.Default()...)
	fmt.Fprintf(e.stdout, "Password changed successfully for user '%s'\n", u.Username)
	return nil
}
