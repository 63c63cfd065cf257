package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/djauth/auth/passwordless"
)

// PasswordlessStore is a passwordless.Store over the djauth_passwordless
// table that Migrate creates (djauth migration 0008_passwordless). Each
// method is one statement (Create two, in a transaction), so concurrent
// consumers of a request get it exactly once. It is safe for concurrent
// use when its Querier is.
type PasswordlessStore struct {
	db Querier
}

var _ passwordless.Store = (*PasswordlessStore)(nil)

// NewPasswordlessStore returns a PasswordlessStore on db.
func NewPasswordlessStore(db Querier) (*PasswordlessStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewPasswordlessStore: nil Querier")
	}
	return &PasswordlessStore{db: db}, nil
}

const passwordlessColumns = `"id", "user_id", "subject", "link_hash", "code_hash", "binding_hash", "attempts", "created", "expires"`

func scanPasswordless(row pgx.Row) (passwordless.Request, error) {
	var r passwordless.Request
	err := row.Scan(&r.ID, &r.UserID, &r.Subject, &r.LinkHash, &r.CodeHash, &r.BindingHash, &r.Attempts, &r.Created, &r.Expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return passwordless.Request{}, passwordless.ErrNotFound
	}
	return r, err
}

// Create implements passwordless.Store.
func (s *PasswordlessStore) Create(ctx context.Context, r passwordless.Request, voidOlder bool) error {
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if voidOlder {
			if _, err := tx.Exec(ctx, `DELETE FROM "djauth_passwordless" WHERE "user_id" = $1 AND "user_id" <> 0`, r.UserID); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO "djauth_passwordless" (`+passwordlessColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.ID, r.UserID, r.Subject, r.LinkHash, r.CodeHash, r.BindingHash, r.Attempts, r.Created, r.Expires)
		return err
	})
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == "23505" {
		return passwordless.ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("postgres: create passwordless request: %w", err)
	}
	return nil
}

// Get implements passwordless.Store.
func (s *PasswordlessStore) Get(ctx context.Context, id string) (passwordless.Request, error) {
	r, err := scanPasswordless(s.db.QueryRow(ctx, `SELECT `+passwordlessColumns+` FROM "djauth_passwordless" WHERE "id" = $1`, id))
	if err != nil && !errors.Is(err, passwordless.ErrNotFound) {
		return r, fmt.Errorf("postgres: get passwordless request: %w", err)
	}
	return r, err
}

// Attempt implements passwordless.Store: one UPDATE that counts only
// below max, and else one DELETE.
func (s *PasswordlessStore) Attempt(ctx context.Context, id string, max int) (passwordless.Request, error) {
	r, err := scanPasswordless(s.db.QueryRow(ctx, `UPDATE "djauth_passwordless" SET "attempts" = "attempts" + 1
		WHERE "id" = $1 AND "attempts" < $2 RETURNING `+passwordlessColumns, id, max))
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, passwordless.ErrNotFound) {
		return r, fmt.Errorf("postgres: count passwordless attempt: %w", err)
	}
	tag, err := s.db.Exec(ctx, `DELETE FROM "djauth_passwordless" WHERE "id" = $1`, id)
	if err != nil {
		return passwordless.Request{}, fmt.Errorf("postgres: void passwordless request: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return passwordless.Request{}, passwordless.ErrNotFound
	}
	return passwordless.Request{}, passwordless.ErrTooManyAttempts
}

// Consume implements passwordless.Store: DELETE … RETURNING, which one
// caller only gets.
func (s *PasswordlessStore) Consume(ctx context.Context, id string) (passwordless.Request, error) {
	r, err := scanPasswordless(s.db.QueryRow(ctx, `DELETE FROM "djauth_passwordless" WHERE "id" = $1 RETURNING `+passwordlessColumns, id))
	if err != nil && !errors.Is(err, passwordless.ErrNotFound) {
		return r, fmt.Errorf("postgres: consume passwordless request: %w", err)
	}
	return r, err
}

// DeleteExpired implements passwordless.Store.
func (s *PasswordlessStore) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM "djauth_passwordless" WHERE "expires" <= $1`, now)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired passwordless requests: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
