package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// codeNotNullViolation is PostgreSQL's not_null_violation.
const codeNotNullViolation = "23502"

// ErrNotNullViolation reports that a write left a NOT NULL column without
// a value. The error that carries it is a *NotNullError naming the column.
var ErrNotNullViolation = errors.New("postgres: a NOT NULL column got no value")

// NotNullError reports that a write left a NOT NULL column without a
// value: typically a column added to the user table, with no default, that
// the user type has no field for. It matches ErrNotNullViolation with
// errors.Is, and unwraps to the *pgconn.PgError.
type NotNullError struct {
	// Table and Column name the column ("auth_user", "phone_number").
	Table, Column string
	// Err is the server's error.
	Err error
}

// Error says which column is missing and the two ways to fill it.
func (e *NotNullError) Error() string {
	return fmt.Sprintf("%s.%s is NOT NULL without a default; add a default or use a custom user type that sets it", e.Table, e.Column)
}

// Is reports whether target is ErrNotNullViolation.
func (e *NotNullError) Is(target error) bool { return target == ErrNotNullViolation }

// Unwrap returns the server's error.
func (e *NotNullError) Unwrap() error { return e.Err }

// notNullError returns the *NotNullError of a not_null_violation, or nil.
func notNullError(e *pgconn.PgError) error {
	if e.Code != codeNotNullViolation {
		return nil
	}
	return &NotNullError{Table: e.TableName, Column: e.ColumnName, Err: e}
}
