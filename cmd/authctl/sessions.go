package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/postgres"
)

func init() {
	register("sessions", "list and log out a user's sessions (djauth_session)", runSessions)
}

const sessionsUsage = `Usage: authctl sessions list USERNAME [--database-url URL] [--timeout 1m]
       authctl sessions revoke USERNAME (--id ID | --all) [--database-url URL] [--timeout 1m]

Works on the sessions that the PostgreSQL session store keeps in
djauth_session (Redis sessions are not reached by authctl). Sessions are
named by their public ID (auth.SessionID), never by their token.

list prints the user's unexpired sessions, most recently seen first, one a
line: ID, signed in, last seen, client address, user agent (quoted) and
expiry; "unknown" where a session logged in before djauth recorded it.

revoke logs out the session with --id, which must be one of the user's, or
with --all every session of the user, and prints "Revoked N sessions.".
A logged-out browser is anonymous on its next request.

Sessions saved before migration 0003_session_user carry no user until
their next save and are not listed. Run "authctl migrate" first.

Exit status: 0 success, 1 failure (the message is on stderr), 2 usage error.

Flags:
`

func runSessions(ctx context.Context, e *env, args []string) int {
	return dispatch(ctx, e, "sessions", sessionsUsage, true, args,
		map[string]func(context.Context, *env, []string) error{"list": sessionsList, "revoke": sessionsRevoke})
}

// openSessions connects, looks up the user and returns the session admin
// over djauth_session.
func openSessions(ctx context.Context, e *env, dbf *dbFlags, username string) (auth.SessionAdmin, *auth.User, *db, error) {
	d, err := dbf.open(ctx, e, sessionTables)
	if err != nil {
		return auth.SessionAdmin{}, nil, nil, err
	}
	u, err := lookupUser(ctx, d, username)
	if err != nil {
		d.close(ctx)
		return auth.SessionAdmin{}, nil, nil, err
	}
	s, err := postgres.NewSessionStore(d.conn, postgres.SessionStoreOptions{CleanupInterval: -1})
	if err != nil {
		d.close(ctx)
		return auth.SessionAdmin{}, nil, nil, failf("%v", err)
	}
	return auth.SessionAdmin{Store: s}, u, d, nil
}

// sessionsErr explains a store error, pointing at migrate when the
// user_id column is missing.
func sessionsErr(what string, err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "42703" {
		return failf("%s: djauth_session has no user_id column: run \"authctl migrate\" first", what)
	}
	return failf("%s: %v", what, err)
}

func userArg(pos []string) (string, error) {
	switch {
	case len(pos) == 0:
		return "", usagef("missing argument: USERNAME")
	case len(pos) > 1:
		return "", usagef("unexpected argument %q", pos[1])
	}
	return pos[0], nil
}

func sessionsList(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "sessions list", sessionsUsage)
	dbf := addDBFlags(fs, true)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	username, err := userArg(pos)
	if err != nil {
		return err
	}
	adm, u, d, err := openSessions(ctx, e, dbf, username)
	if err != nil {
		return err
	}
	defer d.close(ctx)
	list, err := adm.List(ctx, u.ID, "")
	if err != nil {
		return sessionsErr("list sessions", err)
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return "unknown"
		}
		return t.UTC().Format(time.RFC3339)
	}
	or := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	var b strings.Builder
	for _, s := range list {
		fmt.Fprintf(&b, "%s\tsigned in %s\tlast seen %s\t%s\t%q\texpires %s\n",
			s.ID, when(s.Created), when(s.LastSeen), or(s.IP), s.UserAgent, when(s.Expires))
	}
	if len(list) == 0 {
		fmt.Fprintf(&b, "User '%s' has no sessions.\n", username)
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}

func sessionsRevoke(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "sessions revoke", sessionsUsage)
	dbf := addDBFlags(fs, true)
	var id string
	var all bool
	fs.StringVar(&id, "id", "", "log out the session with this ID (as list prints it)")
	fs.BoolVar(&all, "all", false, "log out every session of the user")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	username, err := userArg(pos)
	if err != nil {
		return err
	}
	if flagSet(fs, "id") == all {
		return usagef("pass exactly one of --id and --all")
	}
	if flagSet(fs, "id") && strings.TrimSpace(id) == "" {
		return usagef("--id is empty")
	}
	adm, u, d, err := openSessions(ctx, e, dbf, username)
	if err != nil {
		return err
	}
	defer d.close(ctx)
	n := 1
	if all {
		n, err = adm.RevokeAll(ctx, u.ID, "")
	} else {
		err = adm.Revoke(ctx, u.ID, strings.TrimSpace(id))
	}
	if errors.Is(err, auth.ErrSessionNotFound) {
		return failf("user '%s' has no session with ID %q; nothing was revoked", username, id)
	}
	if err != nil {
		return sessionsErr("revoke sessions", err)
	}
	fmt.Fprintf(e.stdout, "Revoked %d sessions.\n", n)
	return nil
}
