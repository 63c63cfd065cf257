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

const migrateUsage = `Usage: authctl migrate [--app APP]... [--database-url URL] [--timeout 1m]

Creates Django's auth and contenttypes tables and djauth's session table, or
verifies a schema that Django's own migrate made and leaves it unchanged.
Then, as Django's migrate does, it adds the default permissions of the auth
and contenttypes models that are missing (auth.add_user, ...).
Safe to run again and from several processes at once.

--app (repeatable) also creates, or verifies, the tables of another Django
app as its own migrations make them, recording those migrations in
django_migrations: sessions, otp_totp, otp_static, account, sites,
socialaccount, organizations (django-organizations 2.1, with djauth's
tables of roles and invitation tokens beside it, for "authctl orgs"; the
default permissions of its models are added too).

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
	var apps groupFlags
	fs.Var(&apps, "app", "also migrate this Django app (repeatable; see above)")
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
	djangoApps := make([]postgres.DjangoApp, len(apps))
	for i, a := range apps {
		djangoApps[i] = postgres.DjangoApp(a)
	}
	rep, err := postgres.Migrate(ctx, conn, djangoApps...)
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
			models := auth.AuthModels()
			for _, a := range djangoApps {
				models = append(models, appModels[a]...)
			}
			_, err = auth.Register(ctx, store, models...)
		}
		if err != nil {
			return failf("create default permissions: %v", err)
		}
	}
	return nil
}

// appModels are the models of the Django apps whose default permissions
// Django's post_migrate adds, as migrate --app adds them.
var appModels = map[postgres.DjangoApp][]auth.ModelSpec{
	postgres.DjangoOrganizations: {
		{AppLabel: "organizations", Model: "organization"},
		{AppLabel: "organizations", Model: "organizationuser", VerboseName: "organization user"},
		{AppLabel: "organizations", Model: "organizationowner", VerboseName: "organization owner"},
		{AppLabel: "organizations", Model: "organizationinvitation", VerboseName: "organization invitation"},
	},
}
