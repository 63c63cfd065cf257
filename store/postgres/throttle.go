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

// Reserve implements throttle.Store: Fail's upsert, whose update is
// skipped while the unexpired counter is at limit (the row lock of the
// upsert makes the check and the count one step). A refused reservation
// reads the counter back.
func (s *ThrottleStore) Reserve(ctx context.Context, key throttle.Key, now, expireBefore time.Time, limit int) (throttle.Record, bool, error) {
	// A counter reset between the refusal and the read-back is tried
	// again: it now has room.
	for range 3 {
		r, reserved, err := s.reserve(ctx, key, now, expireBefore, limit)
		if !errors.Is(err, throttle.ErrNotFound) {
			return r, reserved, err
		}
	}
	return throttle.Record{}, false, fmt.Errorf("postgres: throttle reserve %s %s: counter keeps vanishing", key.Scope, key.Kind)
}

func (s *ThrottleStore) reserve(ctx context.Context, key throttle.Key, now, expireBefore time.Time, limit int) (throttle.Record, bool, error) {
	r := throttle.Record{Key: key}
	err := s.db.QueryRow(ctx, `INSERT INTO "djauth_throttle" AS t ("scope", "kind", "value", "failures", "last_failure")
		VALUES ($1, $2, $3, 1, $4)
		ON CONFLICT ("scope", "kind", "value") DO UPDATE SET
			"failures" = CASE WHEN t."last_failure" < $5 THEN 1 ELSE t."failures" + 1 END,
			"last_failure" = $4
		WHERE $6::integer <= 0 OR t."last_failure" < $5 OR t."failures" < $6::integer
		RETURNING "failures", "last_failure"`,
		key.Scope, string(key.Kind), key.Value, now, expireBefore, limit).Scan(&r.Failures, &r.Last)
	if errors.Is(err, pgx.ErrNoRows) {
		r, err = s.Get(ctx, key)
		if err != nil {
			return throttle.Record{}, false, fmt.Errorf("postgres: throttle reserve %s %s: %w", key.Scope, key.Kind, err)
		}
		return r, false, nil
	}
	if err != nil {
		return throttle.Record{}, false, fmt.Errorf("postgres: throttle reserve %s %s: %w", key.Scope, key.Kind, err)
	}
	return r, true, nil
}

// Release implements throttle.Store.
func (s *ThrottleStore) Release(ctx context.Context, key throttle.Key) error {
	if _, err := s.db.Exec(ctx, `WITH gone AS (DELETE FROM "djauth_throttle"
			WHERE "scope" = $1 AND "kind" = $2 AND "value" = $3 AND "failures" <= 1)
		UPDATE "djauth_throttle" SET "failures" = "failures" - 1
		WHERE "scope" = $1 AND "kind" = $2 AND "value" = $3 AND "failures" > 1`,
		key.Scope, string(key.Kind), key.Value); err != nil {
		return fmt.Errorf("postgres: throttle release %s %s: %w", key.Scope, key.Kind, err)
	}
	return nil
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
