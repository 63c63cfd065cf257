package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djauth/auth/internal/testenv"
)

// EnvURL is the environment variable that names the test server.
const EnvURL = "AUTH_TEST_DATABASE_URL"

// DBPrefix starts the name of every database that NewDatabase creates.
const DBPrefix = "djauth_test_"

// ServerURL returns the configured maintenance URL. When it is unset the
// test is skipped (and counted for testenv.Main's summary), or fails when
// CI=true.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		testenv.Skip(t, testenv.PostgreSQL, fmt.Sprintf("PostgreSQL tests need %s, e.g. %s='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'", EnvURL, EnvURL))
	}
	return u
}

// Database is a throwaway database created for one test.
type Database struct {
	// Name is the database name.
	Name string
	// URL connects to it, with the user and options of the server URL.
	URL string
	// Host, Port, User and Password are those of the server URL, for tools
	// that take them separately (Django's settings).
	Host     string
	Port     uint16
	User     string
	Password string
}

// NewDatabase creates an empty database and registers its removal with
// t.Cleanup. Connections to it that are still open when the test ends are
// terminated by the drop.
func NewDatabase(t testing.TB) Database {
	t.Helper()
	server := ServerURL(t)
	cfg, err := pgx.ParseConfig(server)
	if err != nil {
		t.Fatalf("pgtest: parse %s: %v", EnvURL, err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("pgtest: random name: %v", err)
	}
	name := DBPrefix + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin(ctx, server, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create database on %s:%d: %v", cfg.Host, cfg.Port, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := admin(ctx, server, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	dbURL, err := withDatabase(server, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return Database{Name: name, URL: dbURL, Host: cfg.Host, Port: cfg.Port, User: cfg.User, Password: cfg.Password}
}

// NewPool creates a fresh database with NewDatabase and returns a pool
// connected to it, closed when the test ends.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return NewTracedPool(t, nil)
}

// PoolFromConfig opens a pool with cfg (for example one with a tracer
// added) and closes it when the test ends.
func PoolFromConfig(t testing.TB, cfg *pgxpool.Config) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("pgtest: open pool: %v", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		t.Fatalf("pgtest: ping: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func admin(ctx context.Context, url, sql string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

// withDatabase returns the server URL with its database replaced by name.
// URL forms keep every query option; key/value forms get a trailing
// dbname, which overrides an earlier one.
func withDatabase(server, name string) (string, error) {
	if strings.HasPrefix(server, "postgres://") || strings.HasPrefix(server, "postgresql://") {
		u, err := url.Parse(server)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	return server + " dbname=" + name, nil
}

// Tracer is a pgx.QueryTracer that records the SQL of every statement sent,
// with runs of white space folded to one space, so that tests can count
// round trips and read what was sent. It is safe for concurrent use.
type Tracer struct {
	mu  sync.Mutex
	sql []string
}

// TraceQueryStart records the statement.
func (tr *Tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	tr.mu.Lock()
	tr.sql = append(tr.sql, strings.Join(strings.Fields(data.SQL), " "))
	tr.mu.Unlock()
	return ctx
}

// TraceQueryEnd does nothing.
func (tr *Tracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Take returns the statements recorded since the last call and forgets them.
func (tr *Tracer) Take() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	s := tr.sql
	tr.sql = nil
	return s
}

// NewTracedPool is NewPool on a fresh database whose statements tr records
// (none when tr is nil).
func NewTracedPool(t testing.TB, tr *Tracer) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(NewDatabase(t).URL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if tr != nil {
		cfg.ConnConfig.Tracer = tr
	}
	return PoolFromConfig(t, cfg)
}
