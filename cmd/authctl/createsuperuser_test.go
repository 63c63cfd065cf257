package main

// Ports of the createsuperuser tests of Django's
// tests/auth_tests/test_management.py that apply to the default User
// model. Django's tests replace input() and getpass(); here the answers are
// lines of stdin (and hidden reads of a fake terminal), and prompts, which
// go to stderr, are removed before comparing with Django's expected output.

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/djauth/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// messages returns stderr without the prompts, one message a line: what
// Django's tests see when input() and getpass() are mocked.
func messages(stderr string) string {
	s := stderr
	for _, p := range []string{promptBypass, promptPasswordAgain, promptPassword, "Email address: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		for strings.HasPrefix(line, "Username") {
			// "Username: " or "Username (leave blank to use 'x'): "
			_, rest, ok := strings.Cut(line, ": ")
			if !ok {
				break
			}
			line = rest
		}
		if line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// lines joins the answers to the prompts, one a line.
func lines(answers ...string) string {
	return strings.Join(answers, "\n") + "\n"
}

const (
	created    = "Superuser created successfully.\n"
	goodPass   = "correct-horse-battery-9"
	numericPwd = "83025719463817" // not in the common list, only digits
)

func TestCreateSuperuserNoInput(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	db.addUser(t, "janet", "x", nil)

	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout string
		stderr string
		check  func(t *testing.T)
	}{
		{
			// test_basic_usage
			name: "basic usage", args: []string{"--username", "joe", "--email", "joe@somewhere.org"},
			stdout: created,
			check: func(t *testing.T) {
				u := db.user(t, "joe")
				assert.Equal(t, "joe@somewhere.org", u.Email)
				assert.False(t, u.HasUsablePassword(), "created password should be unusable")
				assert.True(t, u.IsSuperuser && u.IsStaff && u.IsActive)
			},
		},
		{
			// test_no_email_argument
			name: "no email argument", args: []string{"--username", "joe_noemail"},
			code: exitFailure, stderr: "authctl createsuperuser: You must use --email with --noinput.\n",
			check: func(t *testing.T) { db.noUser(t, "joe_noemail") },
		},
		{
			name: "no username", args: []string{"--email", "a@example.com"},
			code: exitFailure, stderr: "authctl createsuperuser: You must use --username with --noinput.\n",
		},
		{
			// test_validate_username
			name: "invalid username", args: []string{"--username", "🤠", "--email", "joe@somewhere.org"},
			code:   exitFailure,
			stderr: "authctl createsuperuser: Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.\n",
			check:  func(t *testing.T) { db.noUser(t, "🤠") },
		},
		{
			name: "too long username", args: []string{"--username", strings.Repeat("x", 150) + "y", "--email", ""},
			code:   exitFailure,
			stderr: "authctl createsuperuser: Ensure this value has at most 150 characters (it has 151).\n",
		},
		{
			// test_email_in_username
			name: "email in username", args: []string{"--username", "joe+admin@somewhere.org", "--email", "joe@somewhere.org"},
			stdout: created,
			check: func(t *testing.T) {
				u := db.user(t, "joe+admin@somewhere.org")
				assert.Equal(t, "joe@somewhere.org", u.Email)
				assert.False(t, u.HasUsablePassword())
			},
		},
		{
			// test_blank_username_non_interactive
			name: "blank username", args: []string{"--username", "", "--email", "a@example.com"},
			code: exitFailure, stderr: "authctl createsuperuser: Username cannot be blank.\n",
		},
		{
			// test_blank_email_allowed_non_interactive
			name: "blank email flag", args: []string{"--username", "joe_blank", "--email", ""},
			stdout: created,
			check:  func(t *testing.T) { assert.Equal(t, "", db.user(t, "joe_blank").Email) },
		},
		{
			// test_blank_email_allowed_non_interactive_environment_variable
			name: "blank email variable", args: []string{"--username", "joe_blankenv"},
			env:    map[string]string{"DJANGO_SUPERUSER_EMAIL": ""},
			stdout: created,
			check:  func(t *testing.T) { assert.Equal(t, "", db.user(t, "joe_blankenv").Email) },
		},
		{
			name: "invalid email", args: []string{"--username", "joe_bademail", "--email", "not-an-address"},
			code: exitFailure, stderr: "authctl createsuperuser: Enter a valid email address.\n",
			check: func(t *testing.T) { db.noUser(t, "joe_bademail") },
		},
		{
			// test_existing_username_non_interactive
			name: "existing username", args: []string{"--username", "janet", "--email", ""},
			code: exitFailure, stderr: "authctl createsuperuser: Error: That username is already taken.\n",
		},
		{
			// NFKC: "ﬁ" is "fi"; the name is taken once normalised.
			name: "existing username after normalisation", args: []string{"--username", "ｊａｎｅｔ", "--email", ""},
			code: exitFailure, stderr: "authctl createsuperuser: Error: That username is already taken.\n",
		},
		{
			name: "username normalised", args: []string{"--username", "ﬁnn", "--email", "Finn@EXAMPLE.com"},
			stdout: created,
			check: func(t *testing.T) {
				u := db.user(t, "finn")
				assert.Equal(t, "Finn@example.com", u.Email, "Django lowercases the domain only")
			},
		},
		{
			// test_environment_variable_non_interactive
			name: "environment variables",
			env: map[string]string{
				"DJANGO_SUPERUSER_PASSWORD":   "test_password",
				"DJANGO_SUPERUSER_USERNAME":   "test_superuser",
				"DJANGO_SUPERUSER_EMAIL":      "joe@somewhere.org",
				"DJANGO_SUPERUSER_FIRST_NAME": "ignored_first_name",
			},
			stdout: created,
			check: func(t *testing.T) {
				u := db.user(t, "test_superuser")
				assert.Equal(t, "joe@somewhere.org", u.Email)
				assert.True(t, checkPassword(t, u, "test_password"))
				assert.Equal(t, "", u.FirstName, "environment variables are ignored for non-required fields")
			},
		},
		{
			// test_ignore_environment_variable_non_interactive
			name: "flags win over variables", args: []string{"--username", "cmd_superuser", "--email", "cmd@somewhere.org"},
			env: map[string]string{
				"DJANGO_SUPERUSER_USERNAME": "test_superuser2",
				"DJANGO_SUPERUSER_EMAIL":    "joe@somewhere.org",
			},
			stdout: created,
			check: func(t *testing.T) {
				u := db.user(t, "cmd_superuser")
				assert.Equal(t, "cmd@somewhere.org", u.Email)
				assert.False(t, u.HasUsablePassword())
				db.noUser(t, "test_superuser2")
			},
		},
		{
			// Python's `options["email"] or os.environ.get(...)`.
			name: "empty email flag falls back to the variable", args: []string{"--username", "joe_fallback", "--email", ""},
			env:    map[string]string{"DJANGO_SUPERUSER_EMAIL": "env@example.com"},
			stdout: created,
			check:  func(t *testing.T) { assert.Equal(t, "env@example.com", db.user(t, "joe_fallback").Email) },
		},
		{
			// Django skips the validators with --noinput.
			name: "validators do not run", args: []string{"--username", "joe_weak", "--email", ""},
			env:    map[string]string{"DJANGO_SUPERUSER_PASSWORD": "123"},
			stdout: created,
			check:  func(t *testing.T) { assert.True(t, checkPassword(t, db.user(t, "joe_weak"), "123")) },
		},
		{
			// Django would make "" a working password; here it means none.
			name: "empty password variable", args: []string{"--username", "joe_emptypw", "--email", ""},
			env:    map[string]string{"DJANGO_SUPERUSER_PASSWORD": ""},
			stdout: created,
			check:  func(t *testing.T) { assert.False(t, db.user(t, "joe_emptypw").HasUsablePassword()) },
		},
		{
			name: "no-input spelling", args: []string{"--username", "joe_dash"},
			env:    map[string]string{"DJANGO_SUPERUSER_EMAIL": "d@example.com"},
			stdout: created,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flag := "--noinput"
			if tc.name == "no-input spelling" {
				flag = "--no-input"
			}
			r := db.with(session{env: tc.env}).run(t, append([]string{"createsuperuser", flag}, tc.args...)...)
			assert.Equal(t, tc.code, r.code, r.stderr)
			assert.Equal(t, tc.stdout, r.stdout)
			assert.Equal(t, tc.stderr, r.stderr)
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
}

func TestCreateSuperuserInteractive(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	db.addUser(t, "janet", "x", nil)

	tests := []struct {
		name     string
		args     []string
		stdin    string
		osUser   string
		code     int
		messages string // stderr without prompts
		stdout   string
		check    func(t *testing.T)
	}{
		{
			// test_default_username
			name: "default username", osUser: "Dëfault User", stdin: lines("", "", goodPass, goodPass),
			stdout: created,
			check:  func(t *testing.T) { assert.True(t, checkPassword(t, db.user(t, "defaultuser"), goodPass)) },
		},
		{
			// test_password_validation
			name: "password validation", stdin: lines("joe_numeric", "", numericPwd, numericPwd, "n", goodPass, goodPass),
			messages: "This password is entirely numeric.", stdout: created,
			check: func(t *testing.T) { assert.True(t, checkPassword(t, db.user(t, "joe_numeric"), goodPass)) },
		},
		{
			// test_validate_password_against_username
			name: "password like the username", stdin: lines("supremelycomplex", "", "supremelycomplex", "supremelycomplex", "n", goodPass, goodPass),
			messages: "The password is too similar to the username.", stdout: created,
		},
		{
			name: "password like the email", stdin: lines("joe_mail", "josephine.bloggs@example.com", "josephine.bloggs", "josephine.bloggs", "N", goodPass, goodPass),
			messages: "The password is too similar to the email address.", stdout: created,
		},
		{
			// test_password_validation_bypass
			name: "bypass", stdin: lines("joe_bypass", "", numericPwd, numericPwd, "Y"),
			messages: "This password is entirely numeric.", stdout: created,
			check: func(t *testing.T) { assert.True(t, checkPassword(t, db.user(t, "joe_bypass"), numericPwd)) },
		},
		{
			// test_blank_username
			name: "blank username flag", args: []string{"--username", ""}, stdin: lines(goodPass, goodPass),
			code: exitFailure, messages: "authctl createsuperuser: Username cannot be blank.",
		},
		{
			// test_invalid_username
			name: "invalid username", stdin: lines(strings.Repeat("x", 150)+"y", "janet2", "", goodPass, goodPass),
			messages: "Error: Ensure this value has at most 150 characters (it has 151).", stdout: created,
			check: func(t *testing.T) { db.user(t, "janet2") },
		},
		{
			name: "invalid characters", stdin: lines("a b", "", "janet3", "", goodPass, goodPass),
			messages: "Error: Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.\n" +
				"Error: This field cannot be blank.",
			stdout: created,
		},
		{
			// test_existing_username
			name: "existing username", stdin: lines("janet", "joe_new", "", goodPass, goodPass),
			messages: "Error: That username is already taken.", stdout: created,
			check: func(t *testing.T) { db.user(t, "joe_new") },
		},
		{
			// test_existing_username_provided_via_option_and_interactive
			name: "existing username from flag", args: []string{"--username", "janet"}, stdin: lines("janet1", "test@test.com", goodPass, goodPass),
			messages: "Error: That username is already taken.", stdout: created,
			check: func(t *testing.T) { assert.Equal(t, "test@test.com", db.user(t, "janet1").Email) },
		},
		{
			// test_validation_mismatched_passwords
			name: "mismatched passwords", stdin: lines("joe_mismatch", "", "password", "not password", goodPass, goodPass),
			messages: "Error: Your passwords didn't match.", stdout: created,
		},
		{
			// test_validation_blank_password_entered
			name: "blank password", stdin: lines("joe_blankpw", "", "", "", " \t", " \t", goodPass, goodPass),
			messages: "Error: Blank passwords aren't allowed.\nError: Blank passwords aren't allowed.", stdout: created,
		},
		{
			name: "invalid email is asked again", stdin: lines("joe_email", "nope", "joe@example.com", goodPass, goodPass),
			messages: "Error: Enter a valid email address.", stdout: created,
			check: func(t *testing.T) { assert.Equal(t, "joe@example.com", db.user(t, "joe_email").Email) },
		},
		{
			name: "invalid email flag", args: []string{"--email", "nope"}, stdin: lines("joe_emailflag", goodPass, goodPass),
			code: exitFailure, messages: "authctl createsuperuser: Enter a valid email address.",
			check: func(t *testing.T) { db.noUser(t, "joe_emailflag") },
		},
		{
			name: "end of input", stdin: lines("joe_eof", ""),
			code: exitFailure, messages: "authctl createsuperuser: aborted: end of input",
			check: func(t *testing.T) { db.noUser(t, "joe_eof") },
		},
		{
			name: "end of input at the bypass question", stdin: lines("joe_eof2", "", numericPwd, numericPwd),
			code: exitFailure, messages: "This password is entirely numeric.\nauthctl createsuperuser: aborted: end of input",
			check: func(t *testing.T) { db.noUser(t, "joe_eof2") },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := db.with(session{stdin: tc.stdin, osUser: tc.osUser}).run(t, append([]string{"createsuperuser"}, tc.args...)...)
			assert.Equal(t, tc.code, r.code, r.stderr)
			assert.Equal(t, tc.stdout, r.stdout)
			assert.Equal(t, tc.messages, messages(r.stderr), "stderr:\n%s", r.stderr)
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
}

// TestCreateSuperuserIgnoresEnvironmentInteractive ports
// test_ignore_environment_variable_interactive, with the password typed
// on a (fake) terminal.
func TestCreateSuperuserIgnoresEnvironmentInteractive(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	r := db.with(session{
		env: map[string]string{
			"DJANGO_SUPERUSER_PASSWORD": "test_password",
			"DJANGO_SUPERUSER_USERNAME": "test_superuser",
			"DJANGO_SUPERUSER_EMAIL":    "joe@somewhere.org",
		},
		tty: []string{"cmd_password", "cmd_password"},
	}).run(t, "createsuperuser", "--username", "cmd_superuser", "--email", "cmd@somewhere.org")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, created, r.stdout)
	assert.Equal(t, 2, r.hidden, "both passwords were read without echo")
	// The command does not echo the hidden input and ends each hidden
	// read with the newline the terminal did not show.
	assert.Equal(t, "Password: \nPassword (again): \n", r.stderr)
	u := db.user(t, "cmd_superuser")
	assert.Equal(t, "cmd@somewhere.org", u.Email)
	assert.True(t, checkPassword(t, u, "cmd_password"))
	db.noUser(t, "test_superuser")
}

// TestCreateSuperuserPrompts checks the exact transcript: the default
// username is offered as Django offers it, and it is not offered when
// taken.
func TestCreateSuperuserPrompts(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	r := db.with(session{stdin: lines("", "alice@example.com"), osUser: "alice", tty: []string{goodPass, goodPass}}).run(t, "createsuperuser")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Username (leave blank to use 'alice'): Email address: Password: \nPassword (again): \n", r.stderr)
	db.user(t, "alice")

	// alice is taken now: no default.
	r = db.with(session{stdin: lines("bob", ""), osUser: "alice", tty: []string{goodPass, goodPass}}).run(t, "createsuperuser")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Username: Email address: Password: \nPassword (again): \n", r.stderr)

	// An OS user name that is not a valid username is not offered.
	r = db.with(session{stdin: lines("carol", ""), osUser: "$$$", tty: []string{goodPass, goodPass}}).run(t, "createsuperuser")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stderr, "Username: "), r.stderr)
}

// TestCreateSuperuserInterrupt ports test_keyboard_interrupt: Ctrl-C at a
// prompt prints "Operation cancelled." and exits 1 without creating
// anything.
func TestCreateSuperuserInterrupt(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	// A stdin that never answers; the interrupt (Ctrl-C) comes once the
	// command waits for the first answer.
	stdin := &firstReadHook{r: pr, hook: cancel}
	r := db.with(session{in: stdin}).runContext(t, ctx, "createsuperuser")
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "Username: \nOperation cancelled.\n", r.stderr)
	assert.Empty(t, r.stdout)
	n, err := db.store.CountUsers(context.Background(), auth.UserQuery{})
	require.NoError(t, err)
	assert.Zero(t, n)
}

// firstReadHook calls hook when the first Read starts, then reads from r.
type firstReadHook struct {
	r    io.Reader
	once sync.Once
	hook func()
}

func (h *firstReadHook) Read(p []byte) (int, error) {
	h.once.Do(h.hook)
	return h.r.Read(p)
}
