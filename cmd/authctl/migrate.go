package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/postgres"
	"github.com/jackc/pgx/v5"
)

func init() {
	register("migrate", "create or verify the auth schema in a PostgreSQL database", runMigrate)
}

func runMigrate(ctx context.Context, e *env, args []string) int {
	stdout, stderr := e.stdout, e.stderr
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := fs.String("database-url", "", "PostgreSQL connection URL (default $DATABASE_URL)")
	timeout := fs.Duration("timeout", time.Minute, "give up after this long")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: authctl migrate [--database-url URL] [--timeout 1m]

Creates Django's auth and contenttypes tables and djauth's session table, or
verifies a schema that Django's own migrate made and leaves it unchanged.
Then, as Django's migrate does, it adds the default permissions of the auth
and contenttypes models that are missing (auth.add_user, ...).
Safe to run again and from several processes at once.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "authctl migrate: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	url := *dbURL
	if url == "" {
		url = e.getenv("DATABASE_URL")
	}
	if url == "" {
		fmt.Fprintln(stderr, "authctl migrate: no database: pass --database-url or set DATABASE_URL")
		return exitUsage
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx redacts the password in its parse errors.
		fmt.Fprintf(stderr, "authctl migrate: invalid database URL: %v\n", err)
		return exitFailure
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "authctl migrate: cannot connect to %s:%d/%s: %v\n", cfg.Host, cfg.Port, cfg.Database, err)
		return exitFailure
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rep, err := postgres.Migrate(ctx, conn)
	if err != nil {
		fmt.Fprintf(stderr, "authctl migrate: %v\n", err)
		return exitFailure
	}
	for _, line := range rep.Lines() {
		fmt.Fprintln(stdout, line)
	}
	// Django's migrate ends with create_permissions (post_migrate): the
	// content types and default permissions of auth and contenttypes.
	// Register is idempotent and leaves existing rows alone.
	if !rep.CustomUserModel {
		store, err := postgres.New[auth.User](conn, postgres.Options{})
		if err == nil {
			_, err = auth.Register(ctx, store, auth.AuthModels()...)
		}
		if err != nil {
			fmt.Fprintf(stderr, "authctl migrate: create default permissions: %v\n", err)
			return exitFailure
		}
	}
	return exitOK
}
