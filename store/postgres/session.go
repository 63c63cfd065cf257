package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"

	"github.com/djauth/auth"
)

// DefaultCleanupInterval is how often a SessionStore deletes expired
// sessions when SessionStoreOptions.CleanupInterval is zero.
const DefaultCleanupInterval = 5 * time.Minute

// SessionStoreOptions configures NewSessionStore. The zero value cleans up
// every DefaultCleanupInterval and logs through slog.Default().
type SessionStoreOptions struct {
	// CleanupInterval is the time between deletions of expired sessions.
	// Zero means DefaultCleanupInterval; a negative value disables the
	// cleanup goroutine (call DeleteExpired yourself).
	CleanupInterval time.Duration
	// Logger receives cleanup failures. Nil means slog.Default(). Tokens
	// and session data are never logged.
	Logger *slog.Logger
}

// SessionStore keeps scs sessions in the djauth_session table that Migrate
// creates. It implements scs.Store, scs.CtxStore, scs.IterableCtxStore,
// auth.SessionUpdater, auth.SessionRenewer and auth.SessionIndexer (the
// user_id column of migration 0003_session_user).
// Expired sessions are invisible to Find and All at once and are deleted
// by a cleanup goroutine that NewSessionStore starts and Close stops.
type SessionStore struct {
	db    Querier
	users sessionUserReader // nil unless made by Store.NewSessionStore
	clean cleaner
}

var (
	_ scs.Store            = (*SessionStore)(nil)
	_ scs.CtxStore         = (*SessionStore)(nil)
	_ scs.IterableCtxStore = (*SessionStore)(nil)
	_ scs.IterableStore    = (*SessionStore)(nil)
	_ auth.SessionUpdater  = (*SessionStore)(nil)
	_ auth.SessionRenewer  = (*SessionStore)(nil)
	_ auth.SessionIndexer  = (*SessionStore)(nil)
)

// NewSessionStore returns a session store on db and starts its cleanup
// goroutine unless opts disable it. Call Close to stop it.
func NewSessionStore(db Querier, opts SessionStoreOptions) (*SessionStore, error) {
	return newSessionStore(db, nil, opts)
}

// NewSessionStore returns a session store on the store's Querier, as the
// package's NewSessionStore does, that also reads the user of a session
// in the statement that finds the session: inside auth.Auth.Middleware an
// authenticated request then costs one round trip for its session, user
// and permissions (see auth.SessionUserSlot). The user row is read with
// the store's own column mapping and tables. Call Close to stop its
// cleanup goroutine.
func (s *Store[U]) NewSessionStore(opts SessionStoreOptions) (*SessionStore, error) {
	return newSessionStore(s.db, s, opts)
}

// sessionUserReader finds a session together with its user; *Store[U]
// implements it.
type sessionUserReader interface {
	findSessionWithUser(ctx context.Context, token string, slot *auth.SessionUserSlot) ([]byte, bool, error)
}

func newSessionStore(db Querier, users sessionUserReader, opts SessionStoreOptions) (*SessionStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewSessionStore: nil Querier")
	}
	s := &SessionStore{db: db, users: users}
	s.clean.start(opts, "sessions", s.DeleteExpired)
	return s, nil
}

// Close stops the cleanup goroutine and waits for it to return. It does
// not close db. Calling it more than once is safe.
func (s *SessionStore) Close() {
	s.clean.close()
}

// DeleteExpired deletes the sessions whose expiry has passed and returns
// how many it deleted.
func (s *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM "djauth_session" WHERE "expiry" <= current_timestamp`)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// FindCtx returns the data of an unexpired session; found is false, with a
// nil error, for an unknown or expired token. A store made by
// Store.NewSessionStore, asked with a context that carries an
// auth.SessionUserSlot, reads the session's user (by its user_id) in the
// same statement and offers it to the slot.
func (s *SessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	if s.users != nil {
		if slot := auth.SessionUserSlotFromContext(ctx); slot != nil {
			return s.users.findSessionWithUser(ctx, token, slot)
		}
	}
	err = s.db.QueryRow(ctx, `SELECT "data" FROM "djauth_session"
		WHERE "token" = $1 AND current_timestamp < "expiry"`, token).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("postgres: find session: %w", err)
	}
	return b, true, nil
}

// findSessionWithUser is SessionStore.FindCtx for a store made by
// Store.NewSessionStore: one statement reads the session and, when its
// user_id names a user, that user with both permission sets and its group
// names, which it offers to slot. A user row that cannot be scanned is not offered; the
// request then loads the user as without the slot, and meets the error
// there.
func (s *Store[U]) findSessionWithUser(ctx context.Context, token string, slot *auth.SessionUserSlot) ([]byte, bool, error) {
	rows, err := s.db.Query(ctx, s.q.sessionWithUser, token)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: find session: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, false, fmt.Errorf("postgres: find session: %w", err)
		}
		return nil, false, nil
	}
	var data []byte
	var userID *int64
	var hasUser bool
	// The session columns first, skipping the user's (NULL when there is
	// no user).
	dest := make([]any, 3+len(s.fields)+3)
	dest[0], dest[1], dest[2] = &data, &userID, &hasUser
	if err := rows.Scan(dest...); err != nil {
		return nil, false, fmt.Errorf("postgres: find session: %w", err)
	}
	if !hasUser || userID == nil {
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, false, fmt.Errorf("postgres: find session: %w", err)
		}
		return data, true, nil
	}
	var userPerms, groupPerms, groups []string
	u := new(U)
	v := reflect.ValueOf(u).Elem()
	dest = append([]any{nil, nil, nil}, addrs(v, s.fields, &userPerms, &groupPerms, &groups)...)
	if err := rows.Scan(dest...); err != nil {
		// The session was read; the user is left to the normal path.
		return data, true, nil
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("postgres: find session: %w", err)
	}
	toUTC(v, s.fields)
	slot.Offer(s, *userID, u, userPermissions(userPerms, groupPerms, groups))
	return data, true, nil
}

// CommitCtx stores the session data and expiry, replacing those of an
// existing token and keeping its user_id. The Auth never calls it: its
// guarded store saves through CommitUserCtx.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if b == nil {
		b = []byte{}
	}
	_, err := s.db.Exec(ctx, `INSERT INTO "djauth_session" ("token", "data", "expiry") VALUES ($1, $2, $3)
		ON CONFLICT ("token") DO UPDATE SET "data" = EXCLUDED."data", "expiry" = EXCLUDED."expiry"`,
		token, b, expiry.UTC())
	if err != nil {
		return fmt.Errorf("postgres: commit session: %w", err)
	}
	return nil
}

// RenewCtx implements auth.SessionRenewer in one statement: the session
// moves from oldToken to newToken only while oldToken exists and has not
// expired, so a logout that deleted oldToken during the request holds.
// The new token keeps the old one's user_id.
func (s *SessionStore) RenewCtx(ctx context.Context, oldToken, newToken string, b []byte, expiry time.Time) (found bool, err error) {
	if b == nil {
		b = []byte{}
	}
	tag, err := s.db.Exec(ctx, `WITH old AS (
			DELETE FROM "djauth_session" WHERE "token" = $1 AND current_timestamp < "expiry" RETURNING "user_id")
		INSERT INTO "djauth_session" ("token", "data", "expiry", "user_id") SELECT $2, $3, $4, "user_id" FROM old
		ON CONFLICT ("token") DO UPDATE SET "data" = EXCLUDED."data", "expiry" = EXCLUDED."expiry", "user_id" = EXCLUDED."user_id"`,
		oldToken, newToken, b, expiry.UTC())
	if err != nil {
		return false, fmt.Errorf("postgres: renew session: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// UpdateCtx replaces the data and expiry of an unexpired session in one
// statement and reports whether it found one; it never creates a session.
// It implements auth.SessionUpdater, so that a request that began before a
// logout cannot write the deleted session back.
func (s *SessionStore) UpdateCtx(ctx context.Context, token string, b []byte, expiry time.Time) (found bool, err error) {
	if b == nil {
		b = []byte{}
	}
	tag, err := s.db.Exec(ctx, `UPDATE "djauth_session" SET "data" = $2, "expiry" = $3
		WHERE "token" = $1 AND current_timestamp < "expiry"`, token, b, expiry.UTC())
	if err != nil {
		return false, fmt.Errorf("postgres: update session: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// nullUser is the user_id parameter of userID: NULL for an anonymous
// session.
func nullUser(userID int64) *int64 {
	if userID <= 0 {
		return nil
	}
	return &userID
}

// CommitUserCtx implements auth.SessionIndexer: CommitCtx that also sets
// the session's user_id, in the same statement.
func (s *SessionStore) CommitUserCtx(ctx context.Context, token string, userID int64, b []byte, expiry time.Time) error {
	if b == nil {
		b = []byte{}
	}
	_, err := s.db.Exec(ctx, `INSERT INTO "djauth_session" ("token", "data", "expiry", "user_id") VALUES ($1, $2, $3, $4)
		ON CONFLICT ("token") DO UPDATE SET "data" = EXCLUDED."data", "expiry" = EXCLUDED."expiry", "user_id" = EXCLUDED."user_id"`,
		token, b, expiry.UTC(), nullUser(userID))
	if err != nil {
		return fmt.Errorf("postgres: commit session: %w", err)
	}
	return nil
}

// UpdateUserCtx implements auth.SessionIndexer: UpdateCtx that also sets
// the session's user_id, in the same statement.
func (s *SessionStore) UpdateUserCtx(ctx context.Context, token string, userID int64, b []byte, expiry time.Time) (found bool, err error) {
	if b == nil {
		b = []byte{}
	}
	tag, err := s.db.Exec(ctx, `UPDATE "djauth_session" SET "data" = $2, "expiry" = $3, "user_id" = $4
		WHERE "token" = $1 AND current_timestamp < "expiry"`, token, b, expiry.UTC(), nullUser(userID))
	if err != nil {
		return false, fmt.Errorf("postgres: update session: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// RenewUserCtx implements auth.SessionIndexer: RenewCtx that stores the
// new token with user_id, in the same statement.
func (s *SessionStore) RenewUserCtx(ctx context.Context, oldToken, newToken string, userID int64, b []byte, expiry time.Time) (found bool, err error) {
	if b == nil {
		b = []byte{}
	}
	tag, err := s.db.Exec(ctx, `WITH old AS (
			DELETE FROM "djauth_session" WHERE "token" = $1 AND current_timestamp < "expiry" RETURNING 1)
		INSERT INTO "djauth_session" ("token", "data", "expiry", "user_id") SELECT $2, $3, $4, $5 FROM old
		ON CONFLICT ("token") DO UPDATE SET "data" = EXCLUDED."data", "expiry" = EXCLUDED."expiry", "user_id" = EXCLUDED."user_id"`,
		oldToken, newToken, b, expiry.UTC(), nullUser(userID))
	if err != nil {
		return false, fmt.Errorf("postgres: renew session: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// UserSessionsCtx implements auth.SessionIndexer: the unexpired sessions
// whose user_id is userID, by token.
func (s *SessionStore) UserSessionsCtx(ctx context.Context, userID int64) (map[string][]byte, error) {
	out, err := collectSessions(s.db.Query(ctx, `SELECT "token", "data" FROM "djauth_session"
		WHERE "user_id" = $1 AND current_timestamp < "expiry"`, userID))
	if err != nil {
		return nil, fmt.Errorf("postgres: sessions of user: %w", err)
	}
	return out, nil
}

// DeleteCtx deletes the session; an unknown token is not an error.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM "djauth_session" WHERE "token" = $1`, token); err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	return nil
}

// AllCtx returns the data of every unexpired session by token; it is empty,
// not nil, when there are none.
func (s *SessionStore) AllCtx(ctx context.Context) (map[string][]byte, error) {
	out, err := collectSessions(s.db.Query(ctx, `SELECT "token", "data" FROM "djauth_session" WHERE current_timestamp < "expiry"`))
	if err != nil {
		return nil, fmt.Errorf("postgres: all sessions: %w", err)
	}
	return out, nil
}

// collectSessions reads (token, data) rows into a map, empty rather than
// nil when there are none.
func collectSessions(rows pgx.Rows, err error) (map[string][]byte, error) {
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	var token string
	var data []byte
	// Scanning a bytea into a *[]byte allocates a new slice for every row,
	// so data can be kept as it is.
	if _, err := pgx.ForEachRow(rows, []any{&token, &data}, func() error {
		out[token] = data
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// Find is FindCtx with context.Background(), for scs.Store. scs calls
// FindCtx instead, with the request's context.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx with context.Background(), for scs.Store.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx with context.Background(), for scs.Store.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// All is AllCtx with context.Background(), for scs.IterableStore.
func (s *SessionStore) All() (map[string][]byte, error) {
	return s.AllCtx(context.Background())
}
