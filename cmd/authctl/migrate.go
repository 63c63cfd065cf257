package main

import (
	"context"
	"fmt"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/postgres"
	"github.com/jackc/pgx/v5"
)

func init() {
	register("migrate", "create or verify the auth schema in a PostgreSQL database", runMigrate)
}

const migrateUsage = `Usage: authctl migrate [--database-url URL] [--timeout 1m]

Creates Django's auth and contenttypes tables and djauth's session table, or
verifies a schema that Django's own migrate made and leaves it unchanged.
Then, as Django's migrate does, it adds the default permissions of the auth
and contenttypes models that are missing (auth.add_user, ...).
Safe to run again and from several processes at once.

Flags:
`

func runMigrate(ctx context.Context, e *env, args []string) int {
	return finish(e, "migrate", migrate(ctx, e, args))
}

// migrate does not use dbFlags: it creates the tables that dbFlags.open
// requires, and its --timeout bounds the whole command.
func migrate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "migrate", migrateUsage)
	dbURL := fs.String("database-url", "", "PostgreSQL connection URL (default $DATABASE_URL)")
	timeout := fs.Duration("timeout", time.Minute, "give up after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	url, err := databaseURL(e, *dbURL)
	if err != nil {
		return err
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx redacts the password in its parse errors.
		return failf("invalid database URL: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return failf("cannot connect to %s:%d/%s: %v", cfg.Host, cfg.Port, cfg.Database, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rep, err := postgres.Migrate(ctx, conn)
	if err != nil {
		return failf("%v", err)
	}
	for _, line := range rep.Lines() {
		fmt.Fprintln(e.stdout, line)
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
			return failf("create default permissions: %v", err)
		}
	}
	return nil
}
