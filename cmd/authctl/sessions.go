package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	goredis "github.com/redis/go-redis/v9"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/postgres"
	redisstore "github.com/djauth/auth/store/redis"
)

func init() {
	register("sessions", "list and log out a user's sessions (djauth_session or Redis)", runSessions)
}

const sessionsUsage = `Usage: authctl sessions list USERNAME [--database-url URL] [--redis-url URL [--redis-prefix P]] [--timeout 1m]
       authctl sessions revoke USERNAME (--id ID | --all) [--database-url URL] [--redis-url URL [--redis-prefix P]] [--timeout 1m]

Works on the sessions that the PostgreSQL session store keeps in
djauth_session or, with --redis-url (default $REDIS_URL), on those that
the Redis session store (package store/redis) keeps in a single Redis
server: the key of a session is the prefix (--redis-prefix, default
$DJAUTH_REDIS_PREFIX, else "djauth:session:") followed by its token, and
the sessions of a user are found through the store's per-user index.
Users are always read from the database. Sessions are named by their
public ID (auth.SessionID), never by their token.

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

// Environment variables that give the Redis flags their defaults.
const (
	envRedisURL    = "REDIS_URL"
	envRedisPrefix = "DJAUTH_REDIS_PREFIX"
)

// sessionFlags are the flags of the sessions subcommands: the database
// (users, and sessions unless Redis is named) and the Redis server.
type sessionFlags struct {
	db          *dbFlags
	redisURL    string
	redisPrefix string
}

func addSessionFlags(fs *flag.FlagSet) *sessionFlags {
	f := &sessionFlags{db: addDBFlags(fs, true)}
	fs.StringVar(&f.redisURL, "redis-url", "", "Redis URL of the session store, redis://[user:password@]host:port/db (default $"+envRedisURL+"; empty: sessions in djauth_session)")
	fs.StringVar(&f.redisPrefix, "redis-prefix", "", "key prefix of the Redis sessions, as the app's redis.Options.Prefix (default $"+envRedisPrefix+", else "+redisstore.DefaultPrefix+")")
	return f
}

func runSessions(ctx context.Context, e *env, args []string) int {
	return dispatch(ctx, e, "sessions", sessionsUsage, true, args,
		map[string]func(context.Context, *env, []string) error{"list": sessionsList, "revoke": sessionsRevoke})
}

// openSessions connects, looks up the user and returns the session admin
// over djauth_session, or over Redis when a Redis URL is given, and the
// function that closes what it opened.
func openSessions(ctx context.Context, e *env, f *sessionFlags, username string) (auth.SessionAdmin, *auth.User, func(), error) {
	redisURL := f.redisURL
	if redisURL == "" {
		redisURL = e.getenv(envRedisURL)
	}
	prefix := f.redisPrefix
	if prefix == "" {
		prefix = e.getenv(envRedisPrefix)
	}
	if redisURL == "" && f.redisPrefix != "" {
		return auth.SessionAdmin{}, nil, nil, usagef("--redis-prefix needs --redis-url (or $%s)", envRedisURL)
	}
	var ropts *goredis.Options
	if redisURL != "" {
		var err error
		if ropts, err = parseRedisURL(redisURL); err != nil {
			return auth.SessionAdmin{}, nil, nil, err
		}
	}
	tables := sessionTables
	if ropts != nil {
		tables = nil // only the user tables
	}
	d, err := f.db.open(ctx, e, tables)
	if err != nil {
		return auth.SessionAdmin{}, nil, nil, err
	}
	u, err := lookupUser(ctx, d, username)
	if err != nil {
		d.close(ctx)
		return auth.SessionAdmin{}, nil, nil, err
	}
	if ropts == nil {
		s, err := postgres.NewSessionStore(d.conn, postgres.SessionStoreOptions{CleanupInterval: -1})
		if err != nil {
			d.close(ctx)
			return auth.SessionAdmin{}, nil, nil, failf("%v", err)
		}
		return auth.SessionAdmin{Store: s}, u, func() { d.close(ctx) }, nil
	}
	ropts.DialTimeout, ropts.ReadTimeout, ropts.WriteTimeout = f.db.timeout, f.db.timeout, f.db.timeout
	client := goredis.NewClient(ropts)
	closeAll := func() {
		_ = client.Close()
		d.close(ctx)
	}
	if err := client.Ping(ctx).Err(); err != nil {
		closeAll()
		return auth.SessionAdmin{}, nil, nil, failf("cannot connect to Redis at %s/%d: %v", ropts.Addr, ropts.DB, err)
	}
	s, err := redisstore.NewSessionStore(client, redisstore.Options{Prefix: prefix})
	if err != nil {
		closeAll()
		return auth.SessionAdmin{}, nil, nil, failf("%v", err)
	}
	return auth.SessionAdmin{Store: s}, u, closeAll, nil
}

// parseRedisURL parses a Redis URL as go-redis does; the message of a bad
// one never shows its password.
func parseRedisURL(raw string) (*goredis.Options, error) {
	opts, err := goredis.ParseURL(raw)
	if err == nil {
		return opts, nil
	}
	msg := err.Error()
	if u, perr := url.Parse(raw); perr == nil {
		msg = strings.ReplaceAll(msg, raw, u.Redacted())
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
	} else {
		msg = "not a URL"
	}
	return nil, usagef("invalid Redis URL (--redis-url or $%s): %s", envRedisURL, msg)
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

// parseUserArg parses the flags of a command whose one positional
// argument is a USERNAME, and returns it.
func parseUserArg(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return "", err
	}
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
	sf := addSessionFlags(fs)
	username, err := parseUserArg(fs, args)
	if err != nil {
		return err
	}
	adm, u, done, err := openSessions(ctx, e, sf, username)
	if err != nil {
		return err
	}
	defer done()
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
	sf := addSessionFlags(fs)
	var id string
	var all bool
	fs.StringVar(&id, "id", "", "log out the session with this ID (as list prints it)")
	fs.BoolVar(&all, "all", false, "log out every session of the user")
	username, err := parseUserArg(fs, args)
	if err != nil {
		return err
	}
	if flagSet(fs, "id") == all {
		return usagef("pass exactly one of --id and --all")
	}
	if flagSet(fs, "id") && strings.TrimSpace(id) == "" {
		return usagef("--id is empty")
	}
	adm, u, done, err := openSessions(ctx, e, sf, username)
	if err != nil {
		return err
	}
	defer done()
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
