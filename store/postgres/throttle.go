package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/djauth/auth/throttle"
)

// ThrottleStore is a throttle.Store over the djauth_throttle table that
// Migrate creates (djauth migration 0002_throttle), so that every
// instance of a site shares one set of failure counters. Fail is one
// atomic upsert. It is safe for concurrent use when its Querier is.
type ThrottleStore struct {
	db Querier
}

var _ throttle.Store = (*ThrottleStore)(nil)

// NewThrottleStore returns a ThrottleStore on db.
func NewThrottleStore(db Querier) (*ThrottleStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewThrottleStore: nil Querier")
	}
	return &ThrottleStore{db: db}, nil
}

// Get implements throttle.Store.
func (s *ThrottleStore) Get(ctx context.Context, key throttle.Key) (throttle.Record, error) {
	r := throttle.Record{Key: key}
	err := s.db.QueryRow(ctx, `SELECT "failures", "last_failure" FROM "djauth_throttle"
		WHERE "scope" = $1 AND "kind" = $2 AND "value" = $3`, key.Scope, string(key.Kind), key.Value).Scan(&r.Failures, &r.Last)
	if errors.Is(err, pgx.ErrNoRows) {
		return throttle.Record{}, fmt.Errorf("postgres: throttle get %s %s: %w", key.Scope, key.Kind, throttle.ErrNotFound)
	}
	if err != nil {
		return throttle.Record{}, fmt.Errorf("postgres: throttle get %s %s: %w", key.Scope, key.Kind, err)
	}
	return r, nil
}

// Fail implements throttle.Store.
func (s *ThrottleStore) Fail(ctx context.Context, key throttle.Key, now, expireBefore time.Time) (throttle.Record, error) {
	r := throttle.Record{Key: key}
	err := s.db.QueryRow(ctx, `INSERT INTO "djauth_throttle" AS t ("scope", "kind", "value", "failures", "last_failure")
		VALUES ($1, $2, $3, 1, $4)
		ON CONFLICT ("scope", "kind", "value") DO UPDATE SET
			"failures" = CASE WHEN t."last_failure" < $5 THEN 1 ELSE t."failures" + 1 END,
			"last_failure" = $4
		RETURNING "failures", "last_failure"`,
		key.Scope, string(key.Kind), key.Value, now, expireBefore).Scan(&r.Failures, &r.Last)
	if err != nil {
		return throttle.Record{}, fmt.Errorf("postgres: throttle fail %s %s: %w", key.Scope, key.Kind, err)
	}
	return r, nil
}

// Reset implements throttle.Store.
func (s *ThrottleStore) Reset(ctx context.Context, key throttle.Key) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM "djauth_throttle" WHERE "scope" = $1 AND "kind" = $2 AND "value" = $3`,
		key.Scope, string(key.Kind), key.Value); err != nil {
		return fmt.Errorf("postgres: throttle reset %s %s: %w", key.Scope, key.Kind, err)
	}
	return nil
}

// List implements throttle.Store.
func (s *ThrottleStore) List(ctx context.Context, since time.Time) ([]throttle.Record, error) {
	rows, err := s.db.Query(ctx, `SELECT "scope", "kind", "value", "failures", "last_failure" FROM "djauth_throttle"
		WHERE "last_failure" >= $1 ORDER BY "scope" COLLATE "C", "kind" COLLATE "C", "value" COLLATE "C"`, since)
	if err != nil {
		return nil, fmt.Errorf("postgres: throttle list: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (throttle.Record, error) {
		var r throttle.Record
		var kind string
		err := row.Scan(&r.Scope, &kind, &r.Value, &r.Failures, &r.Last)
		r.Kind = throttle.Kind(kind)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: throttle list: %w", err)
	}
	return out, nil
}

// Prune implements throttle.Store.
func (s *ThrottleStore) Prune(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM "djauth_throttle" WHERE "last_failure" < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("postgres: throttle prune: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
