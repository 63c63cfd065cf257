package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/pystr"
	"github.com/djauth/auth/store/postgres"
	"github.com/djauth/auth/validation"
	"golang.org/x/text/unicode/norm"
)

// newUser gathers and creates the user of createsuperuser and createuser,
// following Django's createsuperuser command.
type newUser struct {
	ctx       context.Context
	e         *env
	store     *postgres.Store[auth.User]
	superuser bool
	staff     bool

	username    string
	email       string
	password    string
	hasPassword bool // false: an unusable password
}

// Django's password prompts and messages.
const (
	promptPassword      = "Password: "
	promptPasswordAgain = "Password (again): "
	promptBypass        = "Bypass password validation and create user anyway? [y/N]: "
	msgPasswordMismatch = "Error: Your passwords didn't match."
	msgBlankPassword    = "Error: Blank passwords aren't allowed."
)

// ask is the interactive half of Django's createsuperuser: username and
// email are asked for unless given (non-nil), then the password twice.
// suggest offers the OS user name as the default username.
func (n *newUser) ask(username, email *string, suggest bool) error {
	con := newConsole(n.ctx, n.e)
	stderr := n.e.stderr
	def := ""
	if suggest {
		var err error
		if def, err = n.defaultUsername(); err != nil {
			return err
		}
	}
	if username != nil {
		if *username == "" {
			return failf("%s", msgUsernameBlank)
		}
		msg, err := checkUsername(n.ctx, n.store, *username)
		if err != nil {
			return err
		}
		if msg != "" {
			fmt.Fprintln(stderr, msg)
			username = nil
		}
	}
	prompt := "Username: "
	if def != "" {
		prompt = fmt.Sprintf("Username (leave blank to use '%s'): ", def)
	}
	for username == nil {
		raw, err := con.ask(prompt)
		if err != nil {
			return err
		}
		if raw == "" && def != "" {
			raw = def
		}
		if msgs := cleanUsername(raw); len(msgs) > 0 {
			fmt.Fprintln(stderr, "Error: "+strings.Join(msgs, "; "))
			continue
		}
		msg, err := checkUsername(n.ctx, n.store, raw)
		if err != nil {
			return err
		}
		if msg != "" {
			fmt.Fprintln(stderr, msg)
			continue
		}
		username = &raw
	}
	n.username = *username

	if email != nil {
		if msgs := cleanEmail(*email); len(msgs) > 0 {
			return failf("%s", strings.Join(msgs, "; "))
		}
		n.email = *email
	} else {
		for {
			raw, err := con.ask("Email address: ")
			if err != nil {
				return err
			}
			if msgs := cleanEmail(raw); len(msgs) > 0 {
				fmt.Fprintln(stderr, "Error: "+strings.Join(msgs, "; "))
				continue
			}
			n.email = raw
			break
		}
	}

	// The validators see the user as it will be stored.
	candidate := auth.NewUser(n.username)
	candidate.Email = auth.NormalizeEmail(n.email)
	for {
		p1, err := con.password(promptPassword)
		if err != nil {
			return err
		}
		p2, err := con.password(promptPasswordAgain)
		if err != nil {
			return err
		}
		if p1 != p2 {
			fmt.Fprintln(stderr, msgPasswordMismatch)
			continue
		}
		if pystr.Strip(p1) == "" {
			fmt.Fprintln(stderr, msgBlankPassword)
			continue
		}
		msgs, err := validatePassword(p2, &candidate)
		if err != nil {
			return err
		}
		if len(msgs) > 0 {
			fmt.Fprintln(stderr, strings.Join(msgs, "\n"))
			answer, err := con.ask(promptBypass)
			if err != nil {
				return err
			}
			if strings.ToLower(answer) != "y" {
				continue
			}
		}
		n.password, n.hasPassword = p1, true
		return nil
	}
}

// superuserFromEnv is the --noinput half of Django's createsuperuser: flags
// first, then the DJANGO_SUPERUSER_<FIELD> variables. The validators do not
// run.
func (n *newUser) superuserFromEnv(username, email *string) error {
	// Django uses DJANGO_SUPERUSER_PASSWORD even when it is empty, which
	// makes the empty string a working password; here an empty value
	// means no password, as a missing one does.
	if pw, ok := n.e.lookup("DJANGO_SUPERUSER_PASSWORD"); ok && pw != "" {
		n.password, n.hasPassword = pw, true
	}
	if username == nil {
		if v, ok := n.e.lookup("DJANGO_SUPERUSER_USERNAME"); ok {
			username = &v
		}
	}
	if username == nil {
		return failf("You must use --username with --noinput.")
	}
	msg, err := checkUsername(n.ctx, n.store, *username)
	if err != nil {
		return err
	}
	if msg != "" {
		return failf("%s", msg)
	}
	n.username = *username

	// Python's `options["email"] or os.environ.get(...)`: an empty flag
	// falls through to the variable.
	value := ""
	if email != nil {
		value = *email
	}
	envEmail, envSet := n.e.lookup("DJANGO_SUPERUSER_EMAIL")
	if value == "" {
		value = envEmail
	}
	if value == "" {
		if (email != nil && *email == "") || (envSet && envEmail == "") {
			return nil
		}
		return failf("You must use --email with --noinput.")
	}
	if msgs := cleanEmail(value); len(msgs) > 0 {
		return failf("%s", strings.Join(msgs, "; "))
	}
	n.email = value
	return nil
}

// create stores the user with Django's create_user/create_superuser
// defaults: active, joined now, username NFKC-normalised, the domain of
// the email lowercased, and the password hashed by the preferred hasher or
// made unusable.
func (n *newUser) create() error {
	u := auth.NewUser(n.username)
	u.Email = auth.NormalizeEmail(n.email)
	u.IsStaff = n.staff
	u.IsSuperuser = n.superuser
	reg := n.e.hasherRegistry()
	if n.hasPassword {
		h, err := reg.Make(n.ctx, n.password)
		if err != nil {
			return failf("hash the password: %v", err)
		}
		u.Password = h
	} else {
		u.Password = reg.MakeUnusable()
	}
	err := n.store.CreateUser(n.ctx, &u)
	var notNull *postgres.NotNullError
	switch {
	case errors.Is(err, auth.ErrDuplicateUsername):
		return failf("%s", msgUsernameTaken)
	case errors.As(err, &notNull):
		// A column the user table has and auth.User does not fill.
		return failf("%s.%s is NOT NULL without a default, and authctl's users have no such field: "+
			"add a default to the column (ALTER TABLE %s ALTER COLUMN %s SET DEFAULT ...), or create this user from code with a custom user type that sets it",
			notNull.Table, notNull.Column, notNull.Table, notNull.Column)
	case err != nil:
		return failf("create user: %v", err)
	}
	return nil
}

// defaultUsername is Django's get_default_username: the OS user name,
// NFKD-decomposed, stripped of what is not ASCII and of spaces, lowercased,
// and used only when it is a valid username that nobody has yet.
func (n *newUser) defaultUsername() (string, error) {
	name, err := n.e.osUser()
	if err != nil {
		return "", nil
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(name) {
		if r < 0x80 && r != ' ' {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	name = b.String()
	if name == "" || len(cleanUsername(name)) > 0 {
		return "", nil
	}
	_, err = n.store.GetUserByUsername(n.ctx, name)
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, auth.ErrUserNotFound):
		return name, nil
	}
	return "", failf("look up user: %v", err)
}

// validatePassword runs validation.Default() against the password and the
// user, and returns the messages of a rejection. An error means a
// validator could not run, which refuses the password too.
func validatePassword(password string, u *auth.User) ([]string, error) {
	err := validation.Validate(password, u, validation.Default()...)
	if err == nil {
		return nil, nil
	}
	var errs validation.Errors
	if errors.As(err, &errs) {
		return errs.Messages(), nil
	}
	return nil, failf("validate password: %v", err)
}
