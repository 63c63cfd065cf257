package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/djauth/auth/emails"
)

// EmailStore is an emails.Store on django-allauth's account_emailaddress
// (migrate it with DjangoAccount, or let Django's migrate make it). It
// keeps the user's email column in step with the primary address in the
// same transaction, as allauth's set_as_primary saves the user. Addresses
// are unique across users when the table's email column is (allauth's
// ACCOUNT_UNIQUE_EMAIL, True by default), compared as Django's iexact; it
// reads that from the schema. It is safe for concurrent use when its
// Querier is.
type EmailStore struct {
	db        Querier
	userTable string
}

// NewEmailStore returns an EmailStore on db; userTable is the user table
// whose email column follows the primary address, "" meaning "auth_user"
// (see Options.UserTable).
func NewEmailStore(db Querier, userTable string) (*EmailStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewEmailStore: nil Querier")
	}
	if userTable == "" {
		userTable = "auth_user"
	}
	ut, err := quoteIdent(userTable, true)
	if err != nil {
		return nil, fmt.Errorf("postgres: NewEmailStore: %w", err)
	}
	return &EmailStore{db: db, userTable: ut}, nil
}

const emailColumns = `"id", "user_id", "email", "verified", "primary"`

func scanAddress(row pgx.Row) (emails.Address, error) {
	var a emails.Address
	err := row.Scan(&a.ID, &a.UserID, &a.Email, &a.Verified, &a.Primary)
	return a, err
}

func (s *EmailStore) collect(ctx context.Context, q Querier, where string, arg any) ([]emails.Address, error) {
	rows, err := q.Query(ctx, `SELECT `+emailColumns+` FROM "account_emailaddress" WHERE `+where+` ORDER BY "id"`, arg)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (emails.Address, error) { return scanAddress(r) })
}

// AddAddress implements emails.Store. Adds of one address (in any case)
// are serialized by a transaction-scoped advisory lock, so that two users
// cannot both get spellings of it.
func (s *EmailStore) AddAddress(ctx context.Context, userID int64, email string) (emails.Address, bool, error) {
	if userID <= 0 || email == "" || len(email) > emails.EmailMaxLength {
		return emails.Address{}, false, fmt.Errorf("%w: user %d, %d characters", emails.ErrInvalidEmail, userID, len(email))
	}
	var out emails.Address
	var created bool
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('account_emailaddress:' || UPPER($1::text), 0))`, email); err != nil {
			return err
		}
		same, err := s.collect(ctx, tx, `UPPER("email"::text) = UPPER($1)`, email)
		if err != nil {
			return err
		}
		for _, a := range same {
			if a.UserID == userID {
				out = a
				return nil
			}
		}
		if len(same) > 0 {
			unique, err := s.unique(ctx, tx)
			if err != nil {
				return err
			}
			if unique {
				return emails.ErrEmailTaken
			}
		}
		out, err = scanAddress(tx.QueryRow(ctx, `INSERT INTO "account_emailaddress" ("email", "verified", "primary", "user_id")
			VALUES ($1, false, false, $2) RETURNING `+emailColumns, email, userID))
		created = err == nil
		return err
	})
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == codeUniqueViolation {
			err = emails.ErrEmailTaken
		}
		if errors.Is(err, emails.ErrEmailTaken) {
			return emails.Address{}, false, err
		}
		return emails.Address{}, false, fmt.Errorf("postgres: add email address of user %d: %w", userID, err)
	}
	return out, created, nil
}

// unique reports whether account_emailaddress.email has a unique index of
// its own (ACCOUNT_UNIQUE_EMAIL = True).
func (s *EmailStore) unique(ctx context.Context, q Querier) (bool, error) {
	var u bool
	err := q.QueryRow(ctx, `SELECT EXISTS (
		SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		WHERE i.indrelid = to_regclass('account_emailaddress') AND i.indisunique AND i.indnatts = 1 AND a.attname = 'email')`).Scan(&u)
	return u, err
}

// GetAddress implements emails.Store.
func (s *EmailStore) GetAddress(ctx context.Context, id int64) (emails.Address, error) {
	a, err := scanAddress(s.db.QueryRow(ctx, `SELECT `+emailColumns+` FROM "account_emailaddress" WHERE "id" = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return emails.Address{}, emails.ErrNotFound
	}
	if err != nil {
		return emails.Address{}, fmt.Errorf("postgres: get email address %d: %w", id, err)
	}
	return a, nil
}

// UserAddresses implements emails.Store.
func (s *EmailStore) UserAddresses(ctx context.Context, userID int64) ([]emails.Address, error) {
	as, err := s.collect(ctx, s.db, `"user_id" = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: email addresses of user %d: %w", userID, err)
	}
	return as, nil
}

// FindAddresses implements emails.Store.
func (s *EmailStore) FindAddresses(ctx context.Context, email string) ([]emails.Address, error) {
	as, err := s.collect(ctx, s.db, `UPPER("email"::text) = UPPER($1)`, email)
	if err != nil {
		return nil, fmt.Errorf("postgres: find email address: %w", err)
	}
	return as, nil
}

// VerifyAddress implements emails.Store.
func (s *EmailStore) VerifyAddress(ctx context.Context, id int64) (emails.Address, error) {
	var out emails.Address
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		// Lock the user's row first, as SetPrimary does: two
		// verifications of one user's addresses cannot both find no
		// primary.
		var userID int64
		if err := tx.QueryRow(ctx, `SELECT "user_id" FROM "account_emailaddress" WHERE "id" = $1`, id).Scan(&userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT 1 FROM `+s.userTable+` WHERE "id" = $1 FOR UPDATE`, userID); err != nil {
			return err
		}
		a, err := scanAddress(tx.QueryRow(ctx, `UPDATE "account_emailaddress" SET "verified" = true WHERE "id" = $1 RETURNING `+emailColumns, id))
		if err != nil {
			return err
		}
		var primaries int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM "account_emailaddress" WHERE "user_id" = $1 AND "primary"`, a.UserID).Scan(&primaries); err != nil {
			return err
		}
		if primaries == 0 {
			if err := s.makePrimary(ctx, tx, a); err != nil {
				return err
			}
			a.Primary = true
		}
		out = a
		return nil
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return emails.Address{}, emails.ErrNotFound
	}
	if err != nil {
		return emails.Address{}, fmt.Errorf("postgres: verify email address %d: %w", id, err)
	}
	return out, nil
}

func (s *EmailStore) makePrimary(ctx context.Context, tx pgx.Tx, a emails.Address) error {
	if _, err := tx.Exec(ctx, `UPDATE "account_emailaddress" SET "primary" = ("id" = $1) WHERE "user_id" = $2 AND ("primary" OR "id" = $1)`, a.ID, a.UserID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE `+s.userTable+` SET "email" = $1 WHERE "id" = $2`, a.Email, a.UserID)
	return err
}

// SetPrimary implements emails.Store.
func (s *EmailStore) SetPrimary(ctx context.Context, userID, id int64) (emails.Address, error) {
	var old emails.Address
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM `+s.userTable+` WHERE "id" = $1 FOR UPDATE`, userID); err != nil {
			return err
		}
		as, err := s.collect(ctx, tx, `"user_id" = $1`, userID)
		if err != nil {
			return err
		}
		var target *emails.Address
		for i := range as {
			if as[i].ID == id {
				target = &as[i]
			} else if as[i].Primary {
				old = as[i]
			}
		}
		if target == nil {
			return emails.ErrNotFound
		}
		return s.makePrimary(ctx, tx, *target)
	})
	if errors.Is(err, emails.ErrNotFound) {
		return emails.Address{}, err
	}
	if err != nil {
		return emails.Address{}, fmt.Errorf("postgres: set primary email address %d of user %d: %w", id, userID, err)
	}
	return old, nil
}

// DeleteAddress implements emails.Store. Django cascades to the
// address's account_emailconfirmation rows; so does this.
func (s *EmailStore) DeleteAddress(ctx context.Context, userID, id int64) error {
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var primary bool
		err := tx.QueryRow(ctx, `SELECT "primary" FROM "account_emailaddress" WHERE "id" = $1 AND "user_id" = $2 FOR UPDATE`, id, userID).Scan(&primary)
		if errors.Is(err, pgx.ErrNoRows) {
			return emails.ErrNotFound
		}
		if err != nil {
			return err
		}
		if primary {
			return emails.ErrPrimary
		}
		if _, err := tx.Exec(ctx, `DELETE FROM "account_emailconfirmation" WHERE "email_address_id" = $1`, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM "account_emailaddress" WHERE "id" = $1`, id)
		return err
	})
	if errors.Is(err, emails.ErrNotFound) || errors.Is(err, emails.ErrPrimary) {
		return err
	}
	if err != nil {
		return fmt.Errorf("postgres: delete email address %d: %w", id, err)
	}
	return nil
}
