package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"

	"github.com/djauth/auth"
)

// DjangoSessionStore keeps scs sessions in Django's own django_session
// table, in Django's format, so that one login holds on a Django site and
// a Go service that share the database: a session Django made is a
// session of the Go side and the reverse, and a logout on either side
// deletes the one row both read. Migrate(ctx, pool, DjangoSessions)
// creates or verifies the table and the store's user index
// (djauth_django_session_user, djauth migration 0006_django_session_user).
//
// Keys: session_key is Django's, at most 40 characters; scs makes
// 43-character tokens. The store is an auth.SessionKeyer: a token that is
// already a Django key (8 to 40 characters of a–z and 0–9) is its own key,
// any other maps to 32 base-36 digits of its SHA-256 (about 165 bits, as
// Django's own keys), which the Auth's Middleware writes into the cookie.
// A cookie value that is not a Django key is not found, without a query.
//
// Data: session_data is Django's signed JSON (signing.EncodeSession),
// signed with the Auth's SecretKey: the store is an
// auth.SessionCodecProvider and auth.New takes its codec (see
// DjangoSessionCodec). Data that does not verify is an empty session, as
// Django reads it.
//
// Like SessionStore it saves update-only (auth.SessionUpdater), renews
// atomically (auth.SessionRenewer), hides expired sessions at once
// (expire_date > now()) and deletes them, with the index rows of deleted
// sessions, in a cleanup goroutine that Close stops. It indexes sessions
// by user (auth.SessionIndexer): Go's writes set the index in the same
// statement, and the sessions Django wrote are indexed, each decoded once,
// before the sessions of a user are listed. Indexing needs the secret key,
// which the store learns when auth.New asks for its codec.
type DjangoSessionStore struct {
	db Querier
	// codec is the codec that SessionCodec last returned: the keys that
	// indexing decodes Django's sessions with.
	codec atomic.Pointer[DjangoSessionCodec]
	clean cleaner
}

var (
	_ scs.Store                 = (*DjangoSessionStore)(nil)
	_ scs.CtxStore              = (*DjangoSessionStore)(nil)
	_ scs.IterableCtxStore      = (*DjangoSessionStore)(nil)
	_ scs.IterableStore         = (*DjangoSessionStore)(nil)
	_ auth.SessionUpdater       = (*DjangoSessionStore)(nil)
	_ auth.SessionRenewer       = (*DjangoSessionStore)(nil)
	_ auth.SessionIndexer       = (*DjangoSessionStore)(nil)
	_ auth.SessionKeyer         = (*DjangoSessionStore)(nil)
	_ auth.SessionCodecProvider = (*DjangoSessionStore)(nil)
)

// ErrNoSessionKey is returned by DjangoSessionStore.UserSessionsCtx when
// the store has no secret key to read the sessions Django wrote: give the
// store to auth.New, or call its SessionCodec, first.
var ErrNoSessionKey = errors.New("postgres: DjangoSessionStore has no secret key yet (auth.New gives it one)")

// NewDjangoSessionStore returns a store on db and starts its cleanup
// goroutine unless opts disable it. Call Close to stop it.
func NewDjangoSessionStore(db Querier, opts SessionStoreOptions) (*DjangoSessionStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewDjangoSessionStore: nil Querier")
	}
	s := &DjangoSessionStore{db: db}
	s.clean.start(opts, "Django sessions", s.DeleteExpired)
	return s, nil
}

// Close stops the cleanup goroutine and waits for it to return. It does
// not close db. Calling it more than once is safe.
func (s *DjangoSessionStore) Close() {
	s.clean.close()
}

// DeleteExpired deletes the expired sessions (as Django's clearsessions
// does) and the index rows whose session is gone, and returns how many
// sessions it deleted.
func (s *DjangoSessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM "django_session" WHERE "expire_date" <= current_timestamp`)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired sessions: %w", err)
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM "djauth_django_session_user" u
		WHERE NOT EXISTS (SELECT 1 FROM "django_session" s WHERE s."session_key" = u."session_key")`); err != nil {
		return 0, fmt.Errorf("postgres: delete index of deleted sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// djangoKeyDigits is the length of the keys SessionKey makes, that of
// Django's own (get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")).
const djangoKeyDigits = 32

// IsDjangoSessionKey reports whether key has the form Django accepts for a
// session key (SessionBase._validate_session_key: at least 8 characters)
// and that session_key holds (at most 40), in the alphabet Django makes
// its keys of (a–z, 0–9).
func IsDjangoSessionKey(key string) bool {
	if len(key) < 8 || len(key) > 40 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// SessionKey implements auth.SessionKeyer: a Django key is its own key;
// any other token maps to 32 base-36 digits of its SHA-256.
func (s *DjangoSessionStore) SessionKey(token string) string {
	if IsDjangoSessionKey(token) {
		return token
	}
	sum := sha256.Sum256([]byte(token))
	n := new(big.Int).SetBytes(sum[:])
	d := n.Text(36)
	if len(d) > djangoKeyDigits {
		d = d[len(d)-djangoKeyDigits:]
	}
	return strings.Repeat("0", djangoKeyDigits-len(d)) + d
}

// SessionCodec implements auth.SessionCodecProvider: the codec of
// Django's session_data signed with secretKey, verified with it or one of
// fallbacks. The store keeps it to index the sessions Django wrote; one
// store serves one SECRET_KEY.
func (s *DjangoSessionStore) SessionCodec(secretKey string, fallbacks []string) scs.Codec {
	c := &DjangoSessionCodec{SecretKey: secretKey, Fallbacks: append([]string(nil), fallbacks...)}
	s.codec.Store(c)
	return c
}

// validKey reports whether a token given to a write is a key the store
// can hold, with a clear error when not.
func validKey(token string) error {
	if !IsDjangoSessionKey(token) {
		return fmt.Errorf("postgres: a token of %d characters is not a Django session key (8 to 40 of a-z, 0-9; map tokens with SessionKey)", len(token))
	}
	return nil
}

// FindCtx returns the data of an unexpired session framed with its
// expire_date for DjangoSessionCodec; found is false, with a nil error,
// for an unknown or expired key and, without a query, for a value that is
// not a Django key.
func (s *DjangoSessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	if !IsDjangoSessionKey(token) {
		return nil, false, nil
	}
	var data string
	var expire time.Time
	err = s.db.QueryRow(ctx, `SELECT "session_data", "expire_date" FROM "django_session"
		WHERE "session_key" = $1 AND current_timestamp < "expire_date"`, token).Scan(&data, &expire)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("postgres: find session: %w", err)
	}
	return frameSession(expire, data), true, nil
}

// CommitCtx stores the session_data that b frames under token with expiry
// as expire_date, creating or replacing the session. Its index row is
// dropped, so the next listing reads its user from the data; the Auth
// saves through CommitUserCtx instead.
func (s *DjangoSessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	return s.CommitUserCtx(ctx, token, -1, b, expiry)
}

// userParam is the user_id of an index row: NULL for an anonymous session.
func userParam(userID int64) *int64 {
	if userID <= 0 {
		return nil
	}
	return &userID
}

// CommitUserCtx implements auth.SessionIndexer: the session and its index
// row in one statement. userID -1 (CommitCtx) drops the row instead.
func (s *DjangoSessionStore) CommitUserCtx(ctx context.Context, token string, userID int64, b []byte, expiry time.Time) error {
	if err := validKey(token); err != nil {
		return err
	}
	_, data, err := unframeSession(b)
	if err != nil {
		return err
	}
	q := `WITH s AS (
			INSERT INTO "django_session" ("session_key", "session_data", "expire_date") VALUES ($1, $2, $3)
			ON CONFLICT ("session_key") DO UPDATE SET "session_data" = EXCLUDED."session_data", "expire_date" = EXCLUDED."expire_date"
			RETURNING "session_key")
		INSERT INTO "djauth_django_session_user" ("session_key", "user_id") SELECT "session_key", $4 FROM s
		ON CONFLICT ("session_key") DO UPDATE SET "user_id" = EXCLUDED."user_id"`
	args := []any{token, data, expiry.UTC(), userParam(userID)}
	if userID < 0 {
		q = `WITH s AS (
			INSERT INTO "django_session" ("session_key", "session_data", "expire_date") VALUES ($1, $2, $3)
			ON CONFLICT ("session_key") DO UPDATE SET "session_data" = EXCLUDED."session_data", "expire_date" = EXCLUDED."expire_date"
			RETURNING "session_key")
		DELETE FROM "djauth_django_session_user" WHERE "session_key" IN (SELECT "session_key" FROM s)`
		args = args[:3]
	}
	if _, err := s.db.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("postgres: commit session: %w", err)
	}
	return nil
}

// UpdateCtx implements auth.SessionUpdater: the data and expiry of an
// unexpired session are replaced in one statement, which never creates a
// session. Its index row is dropped, as by CommitCtx.
func (s *DjangoSessionStore) UpdateCtx(ctx context.Context, token string, b []byte, expiry time.Time) (bool, error) {
	return s.UpdateUserCtx(ctx, token, -1, b, expiry)
}

// UpdateUserCtx implements auth.SessionIndexer: UpdateCtx that sets the
// session's index row, in the same statement. userID -1 (UpdateCtx)
// drops the row instead.
func (s *DjangoSessionStore) UpdateUserCtx(ctx context.Context, token string, userID int64, b []byte, expiry time.Time) (bool, error) {
	if !IsDjangoSessionKey(token) {
		return false, nil
	}
	_, data, err := unframeSession(b)
	if err != nil {
		return false, err
	}
	index := `INSERT INTO "djauth_django_session_user" ("session_key", "user_id") SELECT "session_key", $4 FROM s
			ON CONFLICT ("session_key") DO UPDATE SET "user_id" = EXCLUDED."user_id"`
	args := []any{token, data, expiry.UTC(), userParam(userID)}
	if userID < 0 {
		index = `DELETE FROM "djauth_django_session_user" WHERE "session_key" IN (SELECT "session_key" FROM s)`
		args = args[:3]
	}
	var n int
	err = s.db.QueryRow(ctx, `WITH s AS (
			UPDATE "django_session" SET "session_data" = $2, "expire_date" = $3
			WHERE "session_key" = $1 AND current_timestamp < "expire_date" RETURNING "session_key"),
		i AS (`+index+`)
		SELECT count(*) FROM s`, args...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("postgres: update session: %w", err)
	}
	return n == 1, nil
}

// RenewCtx implements auth.SessionRenewer in one statement: the session
// moves from oldToken to newToken only while oldToken exists and has not
// expired. The new key is indexed from its data at the next listing.
func (s *DjangoSessionStore) RenewCtx(ctx context.Context, oldToken, newToken string, b []byte, expiry time.Time) (bool, error) {
	return s.RenewUserCtx(ctx, oldToken, newToken, -1, b, expiry)
}

// RenewUserCtx implements auth.SessionIndexer: RenewCtx that indexes the
// new key under userID, in the same statement (userID -1: RenewCtx).
func (s *DjangoSessionStore) RenewUserCtx(ctx context.Context, oldToken, newToken string, userID int64, b []byte, expiry time.Time) (bool, error) {
	if !IsDjangoSessionKey(oldToken) {
		return false, nil
	}
	if err := validKey(newToken); err != nil {
		return false, err
	}
	if oldToken == newToken {
		return false, fmt.Errorf("postgres: renew session: the new key is the old one")
	}
	_, data, err := unframeSession(b)
	if err != nil {
		return false, err
	}
	index := `INSERT INTO "djauth_django_session_user" ("session_key", "user_id") SELECT "session_key", $5 FROM n
			ON CONFLICT ("session_key") DO UPDATE SET "user_id" = EXCLUDED."user_id"`
	args := []any{oldToken, newToken, data, expiry.UTC(), userParam(userID)}
	if userID < 0 {
		index = `DELETE FROM "djauth_django_session_user" WHERE "session_key" IN (SELECT "session_key" FROM n)`
		args = args[:4]
	}
	var count int
	err = s.db.QueryRow(ctx, `WITH old AS (
			DELETE FROM "django_session" WHERE "session_key" = $1 AND current_timestamp < "expire_date" RETURNING 1),
		oldi AS (DELETE FROM "djauth_django_session_user" WHERE "session_key" = $1 AND EXISTS (SELECT 1 FROM old)),
		n AS (
			INSERT INTO "django_session" ("session_key", "session_data", "expire_date") SELECT $2, $3, $4 FROM old
			ON CONFLICT ("session_key") DO UPDATE SET "session_data" = EXCLUDED."session_data", "expire_date" = EXCLUDED."expire_date"
			RETURNING "session_key"),
		i AS (`+index+`)
		SELECT count(*) FROM n`, args...).Scan(&count)
	if err != nil {
		return false, fmt.Errorf("postgres: renew session: %w", err)
	}
	return count == 1, nil
}

// DeleteCtx deletes the session and its index row; an unknown key is not
// an error.
func (s *DjangoSessionStore) DeleteCtx(ctx context.Context, token string) error {
	if !IsDjangoSessionKey(token) {
		return nil
	}
	if _, err := s.db.Exec(ctx, `WITH d AS (DELETE FROM "django_session" WHERE "session_key" = $1)
		DELETE FROM "djauth_django_session_user" WHERE "session_key" = $1`, token); err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	return nil
}

// UserSessionsCtx implements auth.SessionIndexer: the unexpired sessions
// of userID by key, framed as FindCtx frames them. It first indexes the
// unexpired sessions that have no index row yet (those Django wrote),
// decoding each with the store's codec: it fails with ErrNoSessionKey
// when the store has none.
func (s *DjangoSessionStore) UserSessionsCtx(ctx context.Context, userID int64) (map[string][]byte, error) {
	if err := s.indexUnseen(ctx); err != nil {
		return nil, err
	}
	out, err := collectDjangoSessions(s.db.Query(ctx, `SELECT s."session_key", s."session_data", s."expire_date"
		FROM "djauth_django_session_user" u JOIN "django_session" s ON s."session_key" = u."session_key"
		WHERE u."user_id" = $1 AND current_timestamp < s."expire_date"`, userID))
	if err != nil {
		return nil, fmt.Errorf("postgres: sessions of user: %w", err)
	}
	return out, nil
}

// indexUnseen gives every unexpired session without an index row one,
// with the user its data names (NULL when anonymous or unverifiable). A
// row a concurrent save wrote first is kept: that save knew the user.
func (s *DjangoSessionStore) indexUnseen(ctx context.Context) error {
	rows, err := s.db.Query(ctx, `SELECT s."session_key", s."session_data" FROM "django_session" s
		WHERE current_timestamp < s."expire_date" AND NOT EXISTS (
			SELECT 1 FROM "djauth_django_session_user" u WHERE u."session_key" = s."session_key")`)
	if err != nil {
		return fmt.Errorf("postgres: index Django sessions: %w", err)
	}
	var keys []string
	var users []*int64
	var key, data string
	codec := s.codec.Load()
	_, err = pgx.ForEachRow(rows, []any{&key, &data}, func() error {
		if codec == nil {
			return ErrNoSessionKey
		}
		keys = append(keys, key)
		users = append(users, userParam(codec.userOf(data)))
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: index Django sessions: %w", err)
	}
	if len(keys) == 0 {
		return nil
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO "djauth_django_session_user" ("session_key", "user_id")
		SELECT * FROM unnest($1::varchar[], $2::bigint[]) ON CONFLICT ("session_key") DO NOTHING`, keys, users); err != nil {
		return fmt.Errorf("postgres: index Django sessions: %w", err)
	}
	return nil
}

// AllCtx returns every unexpired session by key, framed as FindCtx frames
// them; empty, not nil, when there are none.
func (s *DjangoSessionStore) AllCtx(ctx context.Context) (map[string][]byte, error) {
	out, err := collectDjangoSessions(s.db.Query(ctx, `SELECT "session_key", "session_data", "expire_date"
		FROM "django_session" WHERE current_timestamp < "expire_date"`))
	if err != nil {
		return nil, fmt.Errorf("postgres: all sessions: %w", err)
	}
	return out, nil
}

func collectDjangoSessions(rows pgx.Rows, err error) (map[string][]byte, error) {
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	var key, data string
	var expire time.Time
	if _, err := pgx.ForEachRow(rows, []any{&key, &data, &expire}, func() error {
		out[key] = frameSession(expire, data)
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// Find is FindCtx with context.Background(), for scs.Store.
func (s *DjangoSessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx with context.Background(), for scs.Store.
func (s *DjangoSessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx with context.Background(), for scs.Store.
func (s *DjangoSessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// All is AllCtx with context.Background(), for scs.IterableStore.
func (s *DjangoSessionStore) All() (map[string][]byte, error) {
	return s.AllCtx(context.Background())
}
