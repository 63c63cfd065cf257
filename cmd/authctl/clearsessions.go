package main

import (
	"context"
	"fmt"

	"github.com/djauth/auth/store/postgres"
)

func init() {
	register("clearsessions", "delete expired sessions (Django's clearsessions)", runClearSessions)
}

const clearSessionsUsage = `Usage: authctl clearsessions [--database-url URL] [--timeout 1m]

Deletes the expired sessions from djauth's session table (djauth_session), as
Django's clearsessions does for its own, and prints "Deleted N expired
sessions." on stdout. Run it from cron when no process runs the session
store's own cleanup.

Exit status: 0 success, 1 failure (the message is on stderr), 2 usage error.

Flags:
`

func runClearSessions(ctx context.Context, e *env, args []string) int {
	return finish(e, "clearsessions", clearSessions(ctx, e, args))
}

func clearSessions(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "clearsessions", clearSessionsUsage)
	dbf := addDBFlags(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	d, err := dbf.open(ctx, e, sessionTables)
	if err != nil {
		return err
	}
	defer d.close(ctx)
	s, err := postgres.NewSessionStore(d.conn, postgres.SessionStoreOptions{CleanupInterval: -1})
	if err != nil {
		return failf("%v", err)
	}
	defer s.Close()
	n, err := s.DeleteExpired(ctx)
	if err != nil {
		return failf("delete expired sessions: %v", err)
	}
	fmt.Fprintf(e.stdout, "Deleted %d expired sessions.\n", n)
	return nil
}
