package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
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

// dbFlags are the database flags that every command but migrate shares,
// and, for the commands that touch users, the user table flags.
type dbFlags struct {
	url     string
	timeout time.Duration
	// users is true for commands that read or write users; only they have
	// --user-table and --user-id-column.
	users        bool
	userTable    string
	userIDColumn string
}

// Environment variables that give the user table flags their defaults.
const (
	envUserTable    = "DJAUTH_USER_TABLE"
	envUserIDColumn = "DJAUTH_USER_ID_COLUMN"
)

// addDBFlags adds --database-url and --timeout to fs, and with users the
// flags that name a custom user table.
func addDBFlags(fs *flag.FlagSet, users bool) *dbFlags {
	d := &dbFlags{users: users}
	fs.StringVar(&d.url, "database-url", "", "PostgreSQL connection URL (default $DATABASE_URL)")
	fs.DurationVar(&d.timeout, "timeout", time.Minute, "give up connecting, and on any one statement, after this long")
	if users {
		fs.StringVar(&d.userTable, "user-table", "", "the table of users, for a Django project whose AUTH_USER_MODEL is a custom model (\"accounts_user\"; may be schema-qualified); its memberships are in TABLE_groups and TABLE_user_permissions, as Django names them (default $"+envUserTable+", else auth_user)")
		fs.StringVar(&d.userIDColumn, "user-id-column", "", "the user column of those two tables: Django names it after the model, \"myuser_id\" for MyUser (default $"+envUserIDColumn+", else user_id)")
	}
	return d
}

// storeOptions returns the store options of the user table flags (or
// their environment variables); the zero Options is Django's auth_user.
func (d *dbFlags) storeOptions(e *env) postgres.Options {
	if !d.users {
		return postgres.Options{}
	}
	table := d.userTable
	if table == "" {
		table = e.getenv(envUserTable)
	}
	col := d.userIDColumn
	if col == "" {
		col = e.getenv(envUserIDColumn)
	}
	o := postgres.Options{UserIDColumn: col}
	if table != "" {
		o.UserTable = table
		o.UserGroupsTable = table + "_groups"
		o.UserPermissionsTable = table + "_user_permissions"
	}
	return o
}

// schemaTables are the tables a command needs. The user, group and
// permission commands need Django's auth schema (with the user tables
// that the options name); clearsessions needs djauth's session table.
var (
	authTables    = []string{"django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}
	sessionTables = []string{"djauth_session"}
)

// userTables are the tables of users and their memberships that the
// store of o uses.
func userTables(o postgres.Options) []string {
	pick := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	return []string{pick(o.UserTable, "auth_user"), pick(o.UserGroupsTable, "auth_user_groups"), pick(o.UserPermissionsTable, "auth_user_user_permissions")}
}

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
	opts := d.storeOptions(e)
	if d.users {
		tables = append(slices.Clip(tables), userTables(opts)...)
	}
	missing, err := missingTables(ctx, conn, tables)
	if err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, failf("check schema: %v", err)
	}
	if missing != "" {
		_ = conn.Close(context.WithoutCancel(ctx))
		if opts.UserTable != "" && slices.Contains(userTables(opts), missing) {
			return nil, failf("the database has no %s table: the custom user table %s (--user-table or $%s) needs it, with %s and %s beside it as Django names them",
				missing, opts.UserTable, envUserTable, opts.UserGroupsTable, opts.UserPermissionsTable)
		}
		return nil, failf("the database has no %s table: run \"authctl migrate\" first", missing)
	}
	store, err := postgres.New[auth.User](conn, opts)
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

// missingTables returns the first of tables ("name" or "schema.name") that
// the search path does not find, or "". Each name is quoted as the store
// quotes it, so that a mixed-case table is looked up by its exact name,
// not folded to lower case.
func missingTables(ctx context.Context, conn *pgx.Conn, tables []string) (string, error) {
	quoted := make([]string, len(tables))
	for i, t := range tables {
		quoted[i] = pgx.Identifier(strings.Split(t, ".")).Sanitize()
	}
	var found []bool
	err := conn.QueryRow(ctx, `SELECT array_agg(to_regclass(t) IS NOT NULL ORDER BY i) FROM unnest($1::text[]) WITH ORDINALITY AS x(t, i)`, quoted).Scan(&found)
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
