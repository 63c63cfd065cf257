package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/totp"
)

// TOTPStore is a totp.Store over django-otp's otp_totp_totpdevice table
// (Migrate with DjangoOTPTOTP), so that djauth and django-otp share one
// set of TOTP devices, their spent time steps and their throttling.
// CountFailure and Succeed are single conditional UPDATEs, so concurrent
// attempts, here or in Django, cannot pass one throttle check twice or
// spend one code twice. It is safe for concurrent use when its Querier
// is.
type TOTPStore struct {
	db Querier
}

var _ totp.Store = (*TOTPStore)(nil)

// NewTOTPStore returns a TOTPStore on db.
func NewTOTPStore(db Querier) (*TOTPStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewTOTPStore: nil Querier")
	}
	return &TOTPStore{db: db}, nil
}

const totpColumns = `"id", "user_id", "name", "confirmed", "key", "step", "t0", "digits", "tolerance",
	"drift", "last_t", "throttling_failure_count", "throttling_failure_timestamp"`

func scanTOTP(row pgx.Row) (totp.Device, error) {
	var d totp.Device
	var last *time.Time
	err := row.Scan(&d.ID, &d.UserID, &d.Name, &d.Confirmed, &d.Key, &d.Step, &d.T0, &d.Digits,
		&d.Tolerance, &d.Drift, &d.LastT, &d.Throttle.Failures, &last)
	if last != nil {
		d.Throttle.Last = *last
	}
	return d, err
}

// nullTime is t, or NULL for the zero time.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Create implements totp.Store.
func (s *TOTPStore) Create(ctx context.Context, d totp.Device) (totp.Device, error) {
	err := s.db.QueryRow(ctx, `INSERT INTO "otp_totp_totpdevice" ("user_id", "name", "confirmed", "key", "step",
		"t0", "digits", "tolerance", "drift", "last_t", "throttling_failure_count", "throttling_failure_timestamp")
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING "id"`,
		d.UserID, d.Name, d.Confirmed, d.Key, d.Step, d.T0, d.Digits, d.Tolerance, d.Drift, d.LastT,
		d.Throttle.Failures, nullTime(d.Throttle.Last)).Scan(&d.ID)
	if err != nil {
		return totp.Device{}, fmt.Errorf("postgres: create TOTP device: %w", err)
	}
	return d, nil
}

// Get implements totp.Store.
func (s *TOTPStore) Get(ctx context.Context, id int64) (totp.Device, error) {
	d, err := scanTOTP(s.db.QueryRow(ctx, `SELECT `+totpColumns+` FROM "otp_totp_totpdevice" WHERE "id" = $1`, id))
	if err != nil {
		return totp.Device{}, fmt.Errorf("postgres: TOTP device %d: %w", id, translate(err, mfa.ErrNoDevice))
	}
	return d, nil
}

// List implements totp.Store.
func (s *TOTPStore) List(ctx context.Context, userID int64) ([]totp.Device, error) {
	rows, err := s.db.Query(ctx, `SELECT `+totpColumns+` FROM "otp_totp_totpdevice" WHERE "user_id" = $1 ORDER BY "id"`, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: TOTP devices of user %d: %w", userID, err)
	}
	devs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (totp.Device, error) { return scanTOTP(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: TOTP devices of user %d: %w", userID, err)
	}
	return devs, nil
}

// CountFailure implements totp.Store.
func (s *TOTPStore) CountFailure(ctx context.Context, id int64, seen totp.Throttle, at time.Time) (bool, error) {
	tag, err := s.db.Exec(ctx, `UPDATE "otp_totp_totpdevice"
		SET "throttling_failure_count" = "throttling_failure_count" + 1, "throttling_failure_timestamp" = $2
		WHERE "id" = $1 AND "throttling_failure_count" = $3 AND "throttling_failure_timestamp" IS NOT DISTINCT FROM $4`,
		id, at, seen.Failures, nullTime(seen.Last))
	if err != nil {
		return false, fmt.Errorf("postgres: count TOTP failure on device %d: %w", id, err)
	}
	return s.changed(ctx, id, tag.RowsAffected())
}

// Succeed implements totp.Store.
func (s *TOTPStore) Succeed(ctx context.Context, id int64, r totp.Success) (bool, error) {
	tag, err := s.db.Exec(ctx, `UPDATE "otp_totp_totpdevice"
		SET "last_t" = $2, "drift" = $3, "confirmed" = "confirmed" OR $4,
			"throttling_failure_count" = 0, "throttling_failure_timestamp" = NULL
		WHERE "id" = $1 AND "last_t" < $2`, id, r.T, r.Drift, r.Confirm)
	if err != nil {
		return false, fmt.Errorf("postgres: record TOTP success on device %d: %w", id, err)
	}
	return s.changed(ctx, id, tag.RowsAffected())
}

// changed turns the row count of a conditional UPDATE into its result:
// one row, done; none, the condition failed or the device is gone.
func (s *TOTPStore) changed(ctx context.Context, id, n int64) (bool, error) {
	if n == 1 {
		return true, nil
	}
	var one int
	err := s.db.QueryRow(ctx, `SELECT 1 FROM "otp_totp_totpdevice" WHERE "id" = $1`, id).Scan(&one)
	if err != nil {
		return false, fmt.Errorf("postgres: TOTP device %d: %w", id, translate(err, mfa.ErrNoDevice))
	}
	return false, nil
}

// Rename implements totp.Store.
func (s *TOTPStore) Rename(ctx context.Context, userID, id int64, name string) error {
	tag, err := s.db.Exec(ctx, `UPDATE "otp_totp_totpdevice" SET "name" = $3 WHERE "id" = $1 AND "user_id" = $2`, id, userID, name)
	if err != nil {
		return fmt.Errorf("postgres: rename TOTP device %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: rename TOTP device %d: %w", id, mfa.ErrNoDevice)
	}
	return nil
}

// Delete implements totp.Store.
func (s *TOTPStore) Delete(ctx context.Context, userID, id int64) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM "otp_totp_totpdevice" WHERE "id" = $1 AND "user_id" = $2`, id, userID)
	if err != nil {
		return fmt.Errorf("postgres: delete TOTP device %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete TOTP device %d: %w", id, mfa.ErrNoDevice)
	}
	return nil
}
