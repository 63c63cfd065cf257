package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/djauth/auth"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Querier is the part of pgx that the stores use. *pgxpool.Pool, *pgx.Conn
// and pgx.Tx satisfy it, so a store can run on a pool or inside the
// caller's transaction; writes that touch several rows call Begin, which is
// a savepoint when the Querier is already a transaction. On a pgx.Tx, the
// writes that can fail on a constraint (a taken username or group name, a
// duplicate permission) also run in a savepoint, so that the error they
// return leaves the caller's transaction usable, as a nested atomic() does
// in Django; on a pool or a connection they cost no extra round trip. A
// *pgx.Conn or pgx.Tx is not safe for concurrent use, and neither is a
// store built on one.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

// guarded runs fn on db, inside a savepoint when db is a transaction: a
// statement that fails in a PostgreSQL transaction aborts it, and the
// savepoint confines that to fn, so that the caller's transaction goes on
// after an error such as auth.ErrDuplicateUsername.
func guarded(ctx context.Context, db Querier, fn func(q Querier) error) error {
	tx, ok := db.(pgx.Tx)
	if !ok {
		return fn(db)
	}
	return pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error { return fn(sp) })
}

// PostgreSQL error codes the store translates.
const (
	codeUniqueViolation = "23505"
)

// translate turns pgx errors into the auth sentinels: no rows becomes
// notFound (when given), a unique violation becomes the sentinel of the
// constraint it broke, and a not-null violation a *NotNullError. Other errors are returned as they are.
func translate(err error, notFound error) error {
	if err == nil {
		return nil
	}
	if notFound != nil && errors.Is(err, pgx.ErrNoRows) {
		return notFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == codeUniqueViolation {
		if dup := duplicateSentinel(pgErr); dup != nil {
			return fmt.Errorf("%w (constraint %s)", dup, pgErr.ConstraintName)
		}
	}
	if errors.As(err, &pgErr) {
		if nn := notNullError(pgErr); nn != nil {
			return nn
		}
	}
	return err
}

// duplicateSentinel maps a unique constraint to its sentinel by name: the
// username constraint of any user table ("auth_user_username_key", or
// "<table>_username_key" for a custom table), the group name and the
// permission's (content_type_id, codename).
func duplicateSentinel(e *pgconn.PgError) error {
	name := e.ConstraintName
	switch {
	case e.TableName == "auth_group" || strings.HasPrefix(name, "auth_group_name"):
		return auth.ErrDuplicateGroupName
	case strings.HasPrefix(name, "auth_permission_content_type_id_codename"):
		return auth.ErrDuplicatePermission
	case strings.Contains(name, "username"):
		return auth.ErrDuplicateUsername
	}
	return nil
}
