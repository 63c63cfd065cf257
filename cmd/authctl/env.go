package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"

	"github.com/djauth/auth/hashers"
	"golang.org/x/term"
)

// env is everything a command reads and writes besides its arguments. main
// fills it from the process (osEnv); tests fill it with buffers and fakes,
// so that every command runs in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// lookupEnv is os.LookupEnv. Nil means an empty environment.
	lookupEnv func(key string) (string, bool)
	// readPassword reads one line from the terminal without echoing it.
	// It is nil when stdin is not a terminal: passwords are then read as
	// ordinary lines from stdin, so that scripts and tests can drive the
	// prompts.
	readPassword func() (string, error)
	// currentUser returns the login name of the user running the command,
	// as Python's getpass.getuser does. Nil means unknown.
	currentUser func() (string, error)
	// hashers makes password hashes. Nil means hashers.Default().
	hashers *hashers.Registry
}

// osEnv returns the env of the process, and a function that puts the
// terminal back in the state it was in, for main to call before it exits
// (a password prompt interrupted by Ctrl-C would otherwise leave echo off).
func osEnv() (e *env, restore func()) {
	e = &env{
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		lookupEnv: os.LookupEnv,
	}
	e.currentUser = func() (string, error) { return getuser(e.getenv, user.Current) }
	restore = func() {}
	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		e.readPassword = func() (string, error) {
			b, err := term.ReadPassword(fd)
			return string(b), err
		}
		if state, err := term.GetState(fd); err == nil {
			restore = func() { _ = term.Restore(fd, state) }
		}
	}
	return e, restore
}

// getenv returns the value of an environment variable, or "".
func (e *env) getenv(key string) string {
	v, _ := e.lookup(key)
	return v
}

// lookup is lookupEnv, with a nil lookupEnv meaning an empty environment.
func (e *env) lookup(key string) (string, bool) {
	if e.lookupEnv == nil {
		return "", false
	}
	return e.lookupEnv(key)
}

// hasherRegistry returns the registry that hashes new passwords.
func (e *env) hasherRegistry() *hashers.Registry {
	if e.hashers == nil {
		e.hashers = hashers.Default()
	}
	return e.hashers
}

// osUser returns the login name of the current user.
func (e *env) osUser() (string, error) {
	if e.currentUser == nil {
		return "", errors.New("the current user is unknown")
	}
	return e.currentUser()
}

// getuser is Python's getpass.getuser: the first non-empty of LOGNAME,
// USER, LNAME and USERNAME, else the name in the password database.
func getuser(getenv func(string) string, current func() (*user.User, error)) (string, error) {
	for _, k := range []string{"LOGNAME", "USER", "LNAME", "USERNAME"} {
		if v := getenv(k); v != "" {
			return v, nil
		}
	}
	u, err := current()
	if err != nil {
		return "", fmt.Errorf("cannot determine the current user: %w", err)
	}
	return u.Username, nil
}
