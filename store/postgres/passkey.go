package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/djauth/auth/mfa/passkey"
)

// PasskeyStore is a passkey.Store over the djauth_passkey and
// djauth_passkey_user tables that Migrate creates (djauth migration
// 0005_passkey). A deleted auth_user row takes its passkeys with it. It is
// safe for concurrent use when its Querier is.
type PasskeyStore struct {
	db Querier
}

var _ passkey.Store = (*PasskeyStore)(nil)

// NewPasskeyStore returns a PasskeyStore on db.
func NewPasskeyStore(db Querier) (*PasskeyStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewPasskeyStore: nil Querier")
	}
	return &PasskeyStore{db: db}, nil
}

// UserHandle implements passkey.Store.
func (s *PasskeyStore) UserHandle(ctx context.Context, userID int64, candidate []byte) ([]byte, error) {
	var h []byte
	err := s.db.QueryRow(ctx, `WITH ins AS (
			INSERT INTO "djauth_passkey_user" ("user_id", "handle") VALUES ($1, $2)
			ON CONFLICT ("user_id") DO NOTHING RETURNING "handle")
		SELECT "handle" FROM ins
		UNION ALL SELECT "handle" FROM "djauth_passkey_user" WHERE "user_id" = $1
		LIMIT 1`, userID, candidate).Scan(&h)
	if err != nil {
		return nil, fmt.Errorf("postgres: passkey user handle %d: %w", userID, err)
	}
	return h, nil
}

// UserByHandle implements passkey.Store.
func (s *PasskeyStore) UserByHandle(ctx context.Context, handle []byte) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT "user_id" FROM "djauth_passkey_user" WHERE "handle" = $1`, handle).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("postgres: passkey user by handle: %w", passkey.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: passkey user by handle: %w", err)
	}
	return id, nil
}

const passkeyColumns = `"id", "user_id", "name", "credential_id", "public_key", "attestation_type",
	"attestation_format", "transports", "aaguid", "attachment", "sign_count", "clone_warning",
	"user_verified", "backup_eligible", "backup_state", "created_at", "last_used_at"`

// AddCredential implements passkey.Store.
func (s *PasskeyStore) AddCredential(ctx context.Context, c *passkey.Credential) error {
	if len(c.CredentialID) == 0 {
		return errors.New("postgres: add passkey: empty credential ID")
	}
	transports := c.Transports
	if transports == nil {
		transports = []string{}
	}
	aaguid := c.AAGUID
	if aaguid == nil {
		aaguid = []byte{}
	}
	err := withSavepoint(ctx, s.db, func(q Querier) error {
		return q.QueryRow(ctx, `INSERT INTO "djauth_passkey" ("user_id", "name", "credential_id", "public_key",
			"attestation_type", "attestation_format", "transports", "aaguid", "attachment", "sign_count",
			"clone_warning", "user_verified", "backup_eligible", "backup_state", "created_at")
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING "id"`,
			c.UserID, c.Name, c.CredentialID, c.PublicKey, c.AttestationType, c.AttestationFormat, transports,
			aaguid, c.Attachment, int64(c.SignCount), c.CloneWarning, c.UserVerified, c.BackupEligible,
			c.BackupState, c.CreatedAt).Scan(&c.ID)
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("postgres: add passkey: %w", passkey.ErrDuplicateCredential)
	}
	if err != nil {
		return fmt.Errorf("postgres: add passkey: %w", err)
	}
	return nil
}

// withSavepoint runs f in a savepoint when db is a transaction, so that a
// constraint violation leaves the caller's transaction usable.
func withSavepoint(ctx context.Context, db Querier, f func(Querier) error) error {
	if _, ok := db.(pgx.Tx); !ok {
		return f(db)
	}
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error { return f(tx) })
}

func scanPasskey(row pgx.CollectableRow) (passkey.Credential, error) {
	var c passkey.Credential
	var count int64
	var last *time.Time
	err := row.Scan(&c.ID, &c.UserID, &c.Name, &c.CredentialID, &c.PublicKey, &c.AttestationType,
		&c.AttestationFormat, &c.Transports, &c.AAGUID, &c.Attachment, &count, &c.CloneWarning,
		&c.UserVerified, &c.BackupEligible, &c.BackupState, &c.CreatedAt, &last)
	c.SignCount = uint32(count)
	if last != nil {
		c.LastUsedAt = *last
	}
	return c, err
}

// Credentials implements passkey.Store.
func (s *PasskeyStore) Credentials(ctx context.Context, userID int64) ([]passkey.Credential, error) {
	rows, err := s.db.Query(ctx, `SELECT `+passkeyColumns+` FROM "djauth_passkey" WHERE "user_id" = $1 ORDER BY "id"`, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: passkeys of %d: %w", userID, err)
	}
	list, err := pgx.CollectRows(rows, scanPasskey)
	if err != nil {
		return nil, fmt.Errorf("postgres: passkeys of %d: %w", userID, err)
	}
	return list, nil
}

// CredentialByCredentialID implements passkey.Store.
func (s *PasskeyStore) CredentialByCredentialID(ctx context.Context, credID []byte) (passkey.Credential, error) {
	rows, err := s.db.Query(ctx, `SELECT `+passkeyColumns+` FROM "djauth_passkey" WHERE "credential_id" = $1`, credID)
	if err != nil {
		return passkey.Credential{}, fmt.Errorf("postgres: passkey by credential ID: %w", err)
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanPasskey)
	if errors.Is(err, pgx.ErrNoRows) {
		return passkey.Credential{}, fmt.Errorf("postgres: passkey by credential ID: %w", passkey.ErrNotFound)
	}
	if err != nil {
		return passkey.Credential{}, fmt.Errorf("postgres: passkey by credential ID: %w", err)
	}
	return c, nil
}

// RecordUse implements passkey.Store.
func (s *PasskeyStore) RecordUse(ctx context.Context, id int64, u passkey.Use) error {
	var at *time.Time
	if !u.At.IsZero() {
		at = &u.At
	}
	tag, err := s.db.Exec(ctx, `UPDATE "djauth_passkey" SET "sign_count" = $2, "clone_warning" = $3,
		"user_verified" = $4, "backup_state" = $5, "last_used_at" = $6 WHERE "id" = $1`,
		id, int64(u.SignCount), u.CloneWarning, u.UserVerified, u.BackupState, at)
	return passkeyChanged("record use of", id, tag, err)
}

// RenameCredential implements passkey.Store.
func (s *PasskeyStore) RenameCredential(ctx context.Context, userID, id int64, name string) error {
	tag, err := s.db.Exec(ctx, `UPDATE "djauth_passkey" SET "name" = $3 WHERE "id" = $1 AND "user_id" = $2`, id, userID, name)
	return passkeyChanged("rename", id, tag, err)
}

// DeleteCredential implements passkey.Store.
func (s *PasskeyStore) DeleteCredential(ctx context.Context, userID, id int64) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM "djauth_passkey" WHERE "id" = $1 AND "user_id" = $2`, id, userID)
	return passkeyChanged("delete", id, tag, err)
}

func passkeyChanged(op string, id int64, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return fmt.Errorf("postgres: %s passkey %d: %w", op, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s passkey %d: %w", op, id, passkey.ErrNotFound)
	}
	return nil
}
