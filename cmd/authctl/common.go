package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/postgres"
	"github.com/jackc/pgx/v5"
)

// cmdError is a failure that ends a command with an exit code and a
// message on stderr.
type cmdError struct {
	code int
	msg  string
}

func (e *cmdError) Error() string { return e.msg }

// failf returns a failure (exit 1).
func failf(format string, args ...any) error {
	return &cmdError{code: exitFailure, msg: fmt.Sprintf(format, args...)}
}

// usagef returns a usage error (exit 2).
func usagef(format string, args ...any) error {
	return &cmdError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// finish turns the result of a command into its exit code, writing the
// message of a failure to stderr as "authctl <name>: <message>". An
// interruption prints Django's "Operation cancelled." instead.
func finish(e *env, name string, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errCancelled) {
		fmt.Fprintln(e.stderr, "\nOperation cancelled.")
		return exitFailure
	}
	var ce *cmdError
	if errors.As(err, &ce) {
		if ce.msg != "" {
			fmt.Fprintf(e.stderr, "authctl %s: %s\n", name, ce.msg)
		}
		return ce.code
	}
	fmt.Fprintf(e.stderr, "authctl %s: %v\n", name, err)
	return exitFailure
}

// errHelp reports that -h was given and the usage printed: exit 0.
var errHelp = &cmdError{code: exitOK}

// newFlagSet returns a flag set that prints usage (a text ending with a
// "Flags:" line) and its defaults to stderr.
func newFlagSet(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		io.WriteString(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; the flag package has already printed the
// problem when it returns an error other than errHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return &cmdError{code: exitUsage}
	}
	return nil
}

// flagSet reports whether the flag was given on the command line, which
// tells an empty --email from no --email at all, as Django's None does.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// dbFlags are the database flags that every command but migrate shares.
type dbFlags struct {
	url     string
	timeout time.Duration
}

func addDBFlags(fs *flag.FlagSet) *dbFlags {
	d := &dbFlags{}
	fs.StringVar(&d.url, "database-url", "", "PostgreSQL connection URL (default $DATABASE_URL)")
	fs.DurationVar(&d.timeout, "timeout", time.Minute, "give up connecting, and on any one statement, after this long")
	return d
}

// schemaTables are the tables a command needs. The user, group and
// permission commands need Django's auth schema; clearsessions needs
// djauth's session table.
var (
	authTables    = []string{"django_content_type", "auth_permission", "auth_group", "auth_group_permissions", "auth_user", "auth_user_groups", "auth_user_user_permissions"}
	sessionTables = []string{"djauth_session"}
)

// db is an open connection with the store on it.
type db struct {
	conn  *pgx.Conn
	store *postgres.Store[auth.User]
}

func (d *db) close(ctx context.Context) {
	_ = d.conn.Close(context.WithoutCancel(ctx))
}

// open connects to the database of the flags (or DATABASE_URL) and checks
// that the tables exist. It never changes the schema: a missing table is
// a failure that tells the user to run "authctl migrate".
func (d *dbFlags) open(ctx context.Context, e *env, tables []string) (*db, error) {
	url, err := databaseURL(e, d.url)
	if err != nil {
		return nil, err
	}
	if d.timeout <= 0 {
		return nil, usagef("--timeout must be positive")
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx redacts the password in its parse errors.
		return nil, failf("invalid database URL: %v", err)
	}
	cfg.ConnectTimeout = d.timeout
	cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(d.timeout.Milliseconds(), 10)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, failf("cannot connect to %s:%d/%s: %v", cfg.Host, cfg.Port, cfg.Database, err)
	}
	missing, err := missingTables(ctx, conn, tables)
	if err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, failf("check schema: %v", err)
	}
	if missing != "" {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, failf("the database has no %s table: run \"authctl migrate\" first", missing)
	}
	store, err := postgres.New[auth.User](conn, postgres.Options{})
	if err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, failf("%v", err)
	}
	return &db{conn: conn, store: store}, nil
}

// databaseURL returns the --database-url value, else $DATABASE_URL; a usage
// error when neither is set.
func databaseURL(e *env, flagValue string) (string, error) {
	url := flagValue
	if url == "" {
		url = e.getenv("DATABASE_URL")
	}
	if url == "" {
		return "", usagef("no database: pass --database-url or set DATABASE_URL")
	}
	return url, nil
}

// missingTables returns the first of tables that the search path does not
// find, or "".
func missingTables(ctx context.Context, conn *pgx.Conn, tables []string) (string, error) {
	var found []bool
	err := conn.QueryRow(ctx, `SELECT array_agg(to_regclass(t) IS NOT NULL ORDER BY i) FROM unnest($1::text[]) WITH ORDINALITY AS x(t, i)`, tables).Scan(&found)
	if err != nil {
		return "", err
	}
	for i, ok := range found {
		if !ok {
			return tables[i], nil
		}
	}
	return "", nil
}

// noArgs rejects positional arguments.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// parseArgs parses flags wherever they appear among the positional
// arguments, as Django's argparse does ("group grant editors --database-url
// URL blog.add_post"), and returns the positional ones. After "--" every
// argument is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
