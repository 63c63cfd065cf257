package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/recovery"
)

// RecoveryStore is a recovery.Store over djauth's own tables
// djauth_recovery_device and djauth_recovery_code (djauth migration
// 0004_recovery): the hashed layout, which keeps only the SHA-256 digest
// of each code (recovery.Digest), so that a copy of the database holds no
// usable code. Prefer it to DjangoStaticStore unless Django must verify
// the codes too. It is safe for concurrent use when its Querier is.
type RecoveryStore struct{ codeTables }

// DjangoStaticStore is a recovery.Store over django-otp's otp_static
// tables (the DjangoOTPStatic app): otp_static_staticdevice and
// otp_static_statictoken, as django-otp 1.1.3 makes them, so that codes
// made by Django (StaticToken, "manage.py addstatictoken") work here and
// codes made here work in Django's StaticDevice.verify_token.
//
// django-otp keeps the tokens in plain text and finds them with token=
// in SQL, so this store must keep them in plain text too: anyone who can
// read otp_static_statictoken can use the codes in it. It is safe for
// concurrent use when its Querier is.
type DjangoStaticStore struct{ codeTables }

var (
	_ recovery.Store      = (*RecoveryStore)(nil)
	_ recovery.PlainStore = (*DjangoStaticStore)(nil)
)

// NewRecoveryStore returns a RecoveryStore on db.
func NewRecoveryStore(db Querier) (*RecoveryStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewRecoveryStore: nil Querier")
	}
	return &RecoveryStore{codeTables{db: db, devices: `"djauth_recovery_device"`, codes: `"djauth_recovery_code"`,
		column: `"digest"`, label: recovery.PersistentLabel}}, nil
}

// NewDjangoStaticStore returns a DjangoStaticStore on db.
func NewDjangoStaticStore(db Querier) (*DjangoStaticStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewDjangoStaticStore: nil Querier")
	}
	return &DjangoStaticStore{codeTables{db: db, devices: `"otp_static_staticdevice"`, codes: `"otp_static_statictoken"`,
		column: `"token"`, label: "otp_static.staticdevice", plain: true}}, nil
}

// StoresPlaintext implements recovery.PlainStore: true.
func (s *DjangoStaticStore) StoresPlaintext() bool { return true }

// codeTables is the implementation shared by the two layouts: a device
// table with django-otp's Device and ThrottlingMixin columns, and a code
// table whose column holds digests (bytea) or plain text.
type codeTables struct {
	db      Querier
	devices string // quoted table names
	codes   string
	column  string // quoted code column
	label   string // PersistentID model label
	plain   bool   // column holds Code.Plain, else Code.Digest
}

func (s codeTables) device(userID, id int64, name string) mfa.Device {
	return mfa.Device{Factor: recovery.Kind, ID: id, UserID: userID, Name: name,
		PersistentID: s.label + "/" + strconv.FormatInt(id, 10)}
}

func (s codeTables) values(codes []recovery.Code) any {
	if s.plain {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = c.Plain
		}
		return out
	}
	out := make([][]byte, len(codes))
	for i := range codes {
		out[i] = codes[i].Digest[:]
	}
	return out
}

// arrayType is the SQL array type of values.
func (s codeTables) arrayType() string {
	if s.plain {
		return "text[]"
	}
	return "bytea[]"
}

// Devices implements recovery.Store.
func (s codeTables) Devices(ctx context.Context, userID int64) ([]mfa.Device, error) {
	rows, err := s.db.Query(ctx, `SELECT "id", "name" FROM `+s.devices+`
		WHERE "user_id" = $1::bigint AND "confirmed" ORDER BY "id"`, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: recovery devices of user %d: %w", userID, err)
	}
	devs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (mfa.Device, error) {
		var id int64
		var name string
		err := row.Scan(&id, &name)
		return s.device(userID, id, name), err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: recovery devices of user %d: %w", userID, err)
	}
	return devs, nil
}

// Replace implements recovery.Store. Concurrent calls for one user are
// serialised by an advisory lock on the user, so that they cannot both
// create a device.
func (s codeTables) Replace(ctx context.Context, userID int64, name string, codes []recovery.Code) (mfa.Device, error) {
	var dev mfa.Device
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2::bigint::text, 0))`,
			s.label, userID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT "id", "name" FROM `+s.devices+`
			WHERE "user_id" = $1::bigint ORDER BY "id" FOR UPDATE`, userID)
		if err != nil {
			return err
		}
		type row struct {
			id   int64
			name string
		}
		devs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var d row
			err := r.Scan(&d.id, &d.name)
			return d, err
		})
		if err != nil {
			return err
		}
		var id int64
		var keepName string
		switch len(devs) {
		case 0:
			keepName = name
			if err := tx.QueryRow(ctx, `INSERT INTO `+s.devices+`
				("user_id", "name", "confirmed", "throttling_failure_count", "throttling_failure_timestamp")
				VALUES ($1, $2, true, 0, NULL) RETURNING "id"`, userID, name).Scan(&id); err != nil {
				return err
			}
		default:
			id, keepName = devs[0].id, devs[0].name
			if _, err := tx.Exec(ctx, `DELETE FROM `+s.codes+` WHERE "device_id" IN
				(SELECT "id" FROM `+s.devices+` WHERE "user_id" = $1::bigint)`, userID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM `+s.devices+` WHERE "user_id" = $1::bigint AND "id" <> $2`,
				userID, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE `+s.devices+` SET "confirmed" = true WHERE "id" = $1`, id); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.codes+` ("device_id", `+s.column+`)
			SELECT $1, unnest($2::`+s.arrayType()+`)`,
			id, s.values(codes)); err != nil {
			return err
		}
		dev = s.device(userID, id, keepName)
		return nil
	})
	if err != nil {
		return mfa.Device{}, fmt.Errorf("postgres: replace recovery codes of user %d: %w", userID, err)
	}
	return dev, nil
}

// Use implements recovery.Store: one transaction that locks the user's
// confirmed devices (SELECT ... FOR UPDATE), so that of two concurrent
// uses of one code the second finds it gone.
func (s codeTables) Use(ctx context.Context, userID int64, a recovery.Attempt) (mfa.Device, error) {
	var dev mfa.Device
	var result error
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		dev, result = mfa.Device{}, nil
		type row struct {
			id       int64
			name     string
			failures int
			last     *time.Time
		}
		rows, err := tx.Query(ctx, `SELECT "id", "name", "throttling_failure_count", "throttling_failure_timestamp"
			FROM `+s.devices+` WHERE "user_id" = $1::bigint AND "confirmed" ORDER BY "id" FOR UPDATE`, userID)
		if err != nil {
			return err
		}
		devs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var d row
			err := r.Scan(&d.id, &d.name, &d.failures, &d.last)
			return d, err
		})
		if err != nil {
			return err
		}
		if len(devs) == 0 {
			result = mfa.ErrNoDevice
			return nil
		}
		var wait time.Duration
		checked := false
		for _, d := range devs {
			var last time.Time
			if d.last != nil {
				last = *d.last
			}
			if w := recovery.RetryAfter(d.failures, last, a.Now); w > 0 {
				if wait == 0 || w < wait {
					wait = w
				}
				continue
			}
			checked = true
			var codeID int64
			err := tx.QueryRow(ctx, `DELETE FROM `+s.codes+` WHERE "id" =
				(SELECT "id" FROM `+s.codes+` WHERE "device_id" = $1 AND `+s.column+` = ANY($2) ORDER BY "id" LIMIT 1)
				RETURNING "id"`, d.id, s.values(a.Codes)).Scan(&codeID)
			if errors.Is(err, pgx.ErrNoRows) {
				if _, err := tx.Exec(ctx, `UPDATE `+s.devices+` SET "throttling_failure_count" = "throttling_failure_count" + 1,
					"throttling_failure_timestamp" = $2 WHERE "id" = $1`, d.id, a.Now); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE `+s.devices+` SET "throttling_failure_count" = 0,
				"throttling_failure_timestamp" = NULL WHERE "id" = $1`, d.id); err != nil {
				return err
			}
			dev = s.device(userID, d.id, d.name)
			return nil
		}
		if checked {
			result = mfa.ErrInvalidCode
		} else {
			result = &mfa.ThrottledError{RetryAfter: wait}
		}
		return nil
	})
	if err != nil {
		return mfa.Device{}, fmt.Errorf("postgres: use recovery code of user %d: %w", userID, err)
	}
	if result != nil {
		return mfa.Device{}, result
	}
	return dev, nil
}

// Remaining implements recovery.Store.
func (s codeTables) Remaining(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM `+s.codes+` c JOIN `+s.devices+` d ON d."id" = c."device_id"
		WHERE d."user_id" = $1::bigint AND d."confirmed"`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: remaining recovery codes of user %d: %w", userID, err)
	}
	return n, nil
}

// Remove implements recovery.Store.
func (s codeTables) Remove(ctx context.Context, userID int64) error {
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.codes+` WHERE "device_id" IN
			(SELECT "id" FROM `+s.devices+` WHERE "user_id" = $1::bigint)`, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM `+s.devices+` WHERE "user_id" = $1::bigint`, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: remove recovery codes of user %d: %w", userID, err)
	}
	return nil
}
