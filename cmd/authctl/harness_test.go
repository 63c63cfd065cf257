package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/store/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// testHashers is a cheap registry for tests that do not give the hash to
// Django: PBKDF2 at 1,000 iterations keeps the race-detector runs short.
var testHashers = hashers.New(hashers.PBKDF2{Iterations: 1000})

// session describes one in-process run of authctl: what stdin holds, the
// environment, the OS user, and whether stdin is a terminal (passwords
// then come from tty, one answer per hidden read).
type session struct {
	stdin   string
	env     map[string]string
	osUser  string
	tty     []string
	hashers *hashers.Registry
	// in, when set, is stdin instead of the stdin string.
	in io.Reader
}

// result is what a run printed and returned; hidden counts the hidden
// password reads.
type result struct {
	code           int
	stdout, stderr string
	hidden         int
}

func (s session) run(t *testing.T, args ...string) result {
	t.Helper()
	return s.runContext(t, context.Background(), args...)
}

func (s session) runContext(t *testing.T, ctx context.Context, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	var in io.Reader = strings.NewReader(s.stdin)
	if s.in != nil {
		in = s.in
	}
	e := &env{
		stdin:  in,
		stdout: &out,
		stderr: &errOut,
		lookupEnv: func(k string) (string, bool) {
			v, ok := s.env[k]
			return v, ok
		},
		hashers: s.hashers,
	}
	if e.hashers == nil {
		e.hashers = testHashers
	}
	if s.osUser != "" {
		e.currentUser = func() (string, error) { return s.osUser, nil }
	}
	var mu sync.Mutex
	hidden := 0
	if s.tty != nil {
		answers := s.tty
		e.readPassword = func() (string, error) {
			mu.Lock()
			defer mu.Unlock()
			if hidden == len(answers) {
				return "", io.EOF
			}
			hidden++
			return answers[hidden-1], nil
		}
	}
	code := run(ctx, e, args)
	mu.Lock()
	defer mu.Unlock()
	return result{code: code, stdout: out.String(), stderr: errOut.String(), hidden: hidden}
}

// testDB is a migrated throwaway database with a store to look at it.
type testDB struct {
	pgtest.Database
	pool  *pgxpool.Pool
	store *postgres.Store[auth.User]
}

func newTestDB(t *testing.T) testDB {
	t.Helper()
	db := pgtest.NewDatabase(t)
	cfg, err := pgxpool.ParseConfig(db.URL)
	require.NoError(t, err)
	pool := pgtest.PoolFromConfig(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = postgres.Migrate(ctx, pool)
	require.NoError(t, err)
	store, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(t, err)
	// What Django's post_migrate (and authctl migrate) adds.
	_, err = auth.Register(ctx, store, auth.AuthModels()...)
	require.NoError(t, err)
	return testDB{Database: db, pool: pool, store: store}
}

// with returns the session with DATABASE_URL pointing at the database.
func (db testDB) with(s session) session {
	env := map[string]string{"DATABASE_URL": db.URL}
	for k, v := range s.env {
		env[k] = v
	}
	s.env = env
	return s
}

// user returns the stored user, failing the test when it is missing.
func (db testDB) user(t *testing.T, username string) *auth.User {
	t.Helper()
	u, err := db.store.GetUserByUsername(context.Background(), username)
	require.NoError(t, err, "user %q", username)
	return u
}

// noUser asserts that the user does not exist.
func (db testDB) noUser(t *testing.T, username string) {
	t.Helper()
	_, err := db.store.GetUserByUsername(context.Background(), username)
	require.True(t, errors.Is(err, auth.ErrUserNotFound), "user %q: %v", username, err)
}

// addUser creates a user with a password hashed by testHashers.
func (db testDB) addUser(t *testing.T, username, password string, edit func(*auth.User)) *auth.User {
	t.Helper()
	u := auth.NewUser(username)
	h, err := testHashers.Make(t.Context(), password)
	require.NoError(t, err)
	u.Password = h
	if edit != nil {
		edit(&u)
	}
	require.NoError(t, db.store.CreateUser(context.Background(), &u))
	return &u
}

// checkPassword reports whether password verifies against the user's hash.
func checkPassword(t *testing.T, u *auth.User, password string) bool {
	t.Helper()
	ok, _, err := hashers.Default().Check(t.Context(), password, u.Password)
	if err != nil {
		return false
	}
	return ok
}
