package main

import (
	"context"
	"flag"
	"fmt"
)

func init() {
	register("createsuperuser", "create a superuser (Django's createsuperuser)", runCreateSuperuser)
}

const createSuperuserUsage = `Usage: authctl createsuperuser [--username NAME] [--email ADDRESS] [--noinput] [--database-url URL]

Creates a superuser (active, staff, superuser), as Django's createsuperuser.

Interactively it asks for what the flags do not give: the username (the
default is the name of the OS user, when that is valid and free), the email
address and the password twice, hidden when stdin is a terminal. The password
validators run; when they reject the password their messages are printed and
"Bypass password validation and create user anyway? [y/N]:" is asked.
Prompts go to stderr. When stdin is not a terminal, the answers are read as
lines from stdin.

With --noinput nothing is asked and the validators do not run. The username
comes from --username or DJANGO_SUPERUSER_USERNAME, the email from --email or
DJANGO_SUPERUSER_EMAIL (one of them must be given; an empty value means no
email) and the password from DJANGO_SUPERUSER_PASSWORD. Without a password the
user gets an unusable one and cannot log in until it is set.

Prints "Superuser created successfully." on stdout.

Exit status: 0 success, 1 failure (the message is on stderr; nothing was
written), 2 usage error.

Flags:
`

func runCreateSuperuser(ctx context.Context, e *env, args []string) int {
	return finish(e, "createsuperuser", createSuperuser(ctx, e, args))
}

func createSuperuser(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "createsuperuser", createSuperuserUsage)
	username := fs.String("username", "", "the login of the superuser")
	email := fs.String("email", "", "the email address of the superuser")
	var noinput bool
	fs.BoolVar(&noinput, "noinput", false, "ask nothing (see above)")
	fs.BoolVar(&noinput, "no-input", false, "the same as --noinput")
	dbf := addDBFlags(fs, true)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	d, err := dbf.open(ctx, e, authTables)
	if err != nil {
		return err
	}
	defer d.close(ctx)

	n := &newUser{ctx: ctx, e: e, store: d.store, superuser: true, staff: true}
	if noinput {
		err = n.superuserFromEnv(optional(fs, "username", *username), optional(fs, "email", *email))
	} else {
		err = n.ask(optional(fs, "username", *username), optional(fs, "email", *email), true)
	}
	if err != nil {
		return err
	}
	if err := n.create(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Superuser created successfully.")
	return nil
}

// optional returns a pointer to the flag's value when the flag was given,
// and nil when it was not: Django's None.
func optional(fs *flag.FlagSet, name, value string) *string {
	if flagSet(fs, name) {
		return &value
	}
	return nil
}
