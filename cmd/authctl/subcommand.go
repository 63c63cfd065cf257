package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/djauth/auth"
)

// subcommand is one action of a command group ("group grant").
type subcommand struct {
	name    string
	args    string // synopsis of the positional arguments
	summary string
	minArgs int
	maxArgs int // -1: no limit
	run     func(ctx context.Context, e *env, d *db, args []string) error
}

// runGroup returns the commandFunc of a command made of subcommands, all
// of which work on the auth schema.
func runGroup(group, doc string, subs []subcommand) commandFunc {
	usage := func(w io.Writer) {
		var b strings.Builder
		fmt.Fprintf(&b, "Usage: authctl %s <subcommand> [arguments] [--database-url URL] [--timeout 1m]\n\n%s\nSubcommands:\n", group, doc)
		for _, s := range subs {
			fmt.Fprintf(&b, "  %s %-28s %s\n", group, s.name+" "+s.args, s.summary)
		}
		b.WriteString(exitStatusDoc)
		io.WriteString(w, b.String())
	}
	return func(ctx context.Context, e *env, args []string) int {
		if len(args) == 0 {
			usage(e.stderr)
			return exitUsage
		}
		switch args[0] {
		case "-h", "-help", "--help", "help":
			usage(e.stderr)
			return exitOK
		}
		for _, s := range subs {
			if s.name == args[0] {
				name := group + " " + s.name
				return finish(e, name, runSub(ctx, e, name, s, args[1:]))
			}
		}
		fmt.Fprintf(e.stderr, "authctl %s: unknown subcommand %q\n", group, args[0])
		usage(e.stderr)
		return exitUsage
	}
}

// dispatch runs the subcommand of a command group whose subcommands parse
// their own flags (lockouts, sessions): help prints usage, with the
// database flags (and --user-table when users is set); an unknown or
// missing subcommand is a usage error.
func dispatch(ctx context.Context, e *env, group, usage string, users bool, args []string,
	subs map[string]func(context.Context, *env, []string) error) int {
	if len(args) == 0 {
		newFlagSet(e, group, usage).Usage()
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fs := newFlagSet(e, group, usage)
		addDBFlags(fs, users)
		fs.Usage()
		return exitOK
	}
	if run, ok := subs[args[0]]; ok {
		return finish(e, group+" "+args[0], run(ctx, e, args[1:]))
	}
	fmt.Fprintf(e.stderr, "authctl %s: unknown subcommand %q\n", group, args[0])
	newFlagSet(e, group, usage).Usage()
	return exitUsage
}

// exitStatusDoc ends the usage of every command group.
const exitStatusDoc = `
Exit status: 0 success, 1 failure (the message is on stderr; a failed
command changes nothing), 2 usage error.
`

func runSub(ctx context.Context, e *env, name string, s subcommand, args []string) error {
	fs := newFlagSet(e, name, fmt.Sprintf("Usage: authctl %s %s [--database-url URL] [--timeout 1m]\n\n%s.\n%s\nFlags:\n", name, s.args, s.summary, exitStatusDoc))
	dbf := addDBFlags(fs, true)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) < s.minArgs:
		fs.Usage()
		return usagef("missing arguments: %s", s.args)
	case s.maxArgs >= 0 && len(pos) > s.maxArgs:
		return usagef("unexpected argument %q", pos[s.maxArgs])
	}
	d, err := dbf.open(ctx, e, authTables)
	if err != nil {
		return err
	}
	defer d.close(ctx)
	return s.run(ctx, e, d, pos)
}

// lookupUser returns the user with exactly that username.
func lookupUser(ctx context.Context, d *db, username string) (*auth.User, error) {
	u, err := d.store.GetUserByUsername(ctx, username)
	if errors.Is(err, auth.ErrUserNotFound) || errors.Is(err, auth.ErrInvalid) {
		return nil, failf("user '%s' does not exist", username)
	}
	if err != nil {
		return nil, failf("look up user '%s': %v", username, err)
	}
	return u, nil
}

// lookupGroup returns the group with exactly that name.
func lookupGroup(ctx context.Context, d *db, name string) (auth.Group, error) {
	g, err := d.store.GetGroupByName(ctx, name)
	if errors.Is(err, auth.ErrGroupNotFound) || errors.Is(err, auth.ErrInvalid) {
		return auth.Group{}, failf("group '%s' does not exist", name)
	}
	if err != nil {
		return auth.Group{}, failf("look up group '%s': %v", name, err)
	}
	return g, nil
}

// checkPermissions makes sure every permission is well formed and stored,
// before anything is written, and returns them without duplicates.
func checkPermissions(ctx context.Context, d *db, perms []string) ([]string, error) {
	seen := make(map[string]bool, len(perms))
	out := make([]string, 0, len(perms))
	for _, p := range perms {
		if _, _, err := auth.ParsePermission(p); err != nil {
			return nil, failf("invalid permission '%s': want app_label.codename", p)
		}
		_, err := d.store.GetPermission(ctx, p)
		if errors.Is(err, auth.ErrPermissionNotFound) {
			return nil, failf("permission '%s' does not exist", p)
		}
		if err != nil {
			return nil, failf("look up permission '%s': %v", p, err)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// lookupGroups resolves group names to IDs, failing on the first unknown
// one.
func lookupGroups(ctx context.Context, d *db, names []string) ([]auth.Group, error) {
	groups := make([]auth.Group, 0, len(names))
	for _, n := range names {
		g, err := lookupGroup(ctx, d, n)
		if err != nil {
			return nil, err
		}
		groups = append(groups, g)
	}
	return groups, nil
}
