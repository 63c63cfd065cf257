package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/pystr"
)

func init() {
	register("createuser", "create an ordinary (non-superuser) user", runCreateUser)
}

const createUserUsage = `Usage: authctl createuser [--username NAME] [--email ADDRESS] [--staff]
                          [--password-stdin | --noinput] [--database-url URL]

Creates an active user that is not a superuser (djauth's addition; Django has
only createsuperuser). --staff also lets the user into admin screens.

Interactively it asks, as createsuperuser does, for what the flags do not
give: username, email address and the password twice (hidden when stdin is a
terminal), runs the password validators and offers to bypass them. Prompts
go to stderr; when stdin is not a terminal the answers are read as lines.

--password-stdin reads the password from the first line of stdin and asks
nothing else: --username is required and the validators must accept the
password. --noinput asks nothing and gives the user an unusable password.

Prints "User created successfully." on stdout.

Exit status: 0 success, 1 failure (the message is on stderr; nothing was
written), 2 usage error.

Flags:
`

func runCreateUser(ctx context.Context, e *env, args []string) int {
	return finish(e, "createuser", createUser(ctx, e, args))
}

func createUser(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "createuser", createUserUsage)
	username := fs.String("username", "", "the login of the user")
	email := fs.String("email", "", "the email address of the user")
	staff := fs.Bool("staff", false, "make the user staff (is_staff)")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	var noinput bool
	fs.BoolVar(&noinput, "noinput", false, "ask nothing; the password is unusable unless --password-stdin")
	fs.BoolVar(&noinput, "no-input", false, "the same as --noinput")
	dbf := addDBFlags(fs, true)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *passwordStdin && !flagSet(fs, "username") {
		return usagef("--password-stdin needs --username")
	}
	if noinput && !flagSet(fs, "username") {
		return usagef("You must use --username with --noinput.")
	}
	d, err := dbf.open(ctx, e, authTables)
	if err != nil {
		return err
	}
	defer d.close(ctx)

	n := &newUser{ctx: ctx, e: e, store: d.store, staff: *staff}
	if *passwordStdin || noinput {
		err = n.fromFlags(*username, *email, *passwordStdin)
	} else {
		err = n.ask(optional(fs, "username", *username), optional(fs, "email", *email), false)
	}
	if err != nil {
		return err
	}
	if err := n.create(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "User created successfully.")
	return nil
}

// fromFlags takes the user from the flags and, with passwordStdin, the
// password from the first line of stdin, which the validators must accept.
func (n *newUser) fromFlags(username, email string, passwordStdin bool) error {
	msg, err := checkUsername(n.ctx, n.store, username)
	if err != nil {
		return err
	}
	if msg != "" {
		return failf("%s", msg)
	}
	if msgs := cleanEmail(email); len(msgs) > 0 {
		return failf("%s", strings.Join(msgs, "; "))
	}
	n.username, n.email = username, email
	if !passwordStdin {
		return nil
	}
	pw, err := newConsole(n.ctx, n.e).read(func() (string, error) { return readLine(n.e.stdin) })
	if err != nil && !errors.Is(err, errEndOfInput) {
		return err
	}
	if pystr.Strip(pw) == "" {
		return failf("%s", msgBlankPassword)
	}
	candidate := auth.NewUser(username)
	candidate.Email = auth.NormalizeEmail(email)
	msgs, err := validatePassword(pw, &candidate)
	if err != nil {
		return err
	}
	if len(msgs) > 0 {
		return failf("%s", strings.Join(msgs, "; "))
	}
	n.password, n.hasPassword = pw, true
	return nil
}
