package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/internal/valid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// CreateUser validates u, inserts it and sets its ID (any ID already set is
// ignored: the database assigns it). A taken username gives
// auth.ErrDuplicateUsername.
func (s *Store[U]) CreateUser(ctx context.Context, u *U) error {
	if u == nil {
		return fmt.Errorf("postgres: create user: %w", errNil("User"))
	}
	au := auth.UserOf(u)
	if err := au.Validate(); err != nil {
		return fmt.Errorf("postgres: create user: %w", err)
	}
	var id int64
	err := guarded(ctx, s.db, func(q Querier) error {
		return q.QueryRow(ctx, s.q.insertUser, s.values(u)...).Scan(&id)
	})
	if err != nil {
		return fmt.Errorf("postgres: create user %q: %w", au.Username, translate(err, nil))
	}
	au.ID = id
	return nil
}

// GetUser returns the user with the id, or auth.ErrUserNotFound.
func (s *Store[U]) GetUser(ctx context.Context, id int64) (*U, error) {
	u, err := s.scanUser(s.db.QueryRow(ctx, s.q.getUserByID, id))
	if err != nil {
		return nil, fmt.Errorf("postgres: get user %d: %w", id, translate(err, auth.ErrUserNotFound))
	}
	return u, nil
}

// GetUserByUsername returns the user whose username is exactly username.
// A username PostgreSQL cannot hold (a NUL byte or invalid UTF-8) is not
// found, without a round trip.
func (s *Store[U]) GetUserByUsername(ctx context.Context, username string) (*U, error) {
	if !valid.Text(username) {
		return nil, fmt.Errorf("postgres: get user %q: %w", username, auth.ErrUserNotFound)
	}
	u, err := s.scanUser(s.db.QueryRow(ctx, s.q.getUserByUsername, username))
	if err != nil {
		return nil, fmt.Errorf("postgres: get user %q: %w", username, translate(err, auth.ErrUserNotFound))
	}
	return u, nil
}

// GetUserByUsernameFold looks the username up case-insensitively, as
// Django's username__iexact does on PostgreSQL (UPPER(a) = UPPER(b)). A
// username PostgreSQL cannot hold is not found, without a round trip.
func (s *Store[U]) GetUserByUsernameFold(ctx context.Context, username string) (*U, error) {
	if !valid.Text(username) {
		return nil, fmt.Errorf("postgres: get user %q (case-insensitive): %w", username, auth.ErrUserNotFound)
	}
	users, err := s.collectUsers(s.db.Query(ctx, s.q.getUserByUsernameFold, username))
	if err != nil {
		return nil, fmt.Errorf("postgres: get user %q (case-insensitive): %w", username, err)
	}
	switch len(users) {
	case 0:
		return nil, fmt.Errorf("postgres: get user %q (case-insensitive): %w", username, auth.ErrUserNotFound)
	case 1:
		return users[0], nil
	default:
		return nil, fmt.Errorf("postgres: get user %q (case-insensitive): %w", username, auth.ErrMultipleUsers)
	}
}

// UpdateUser validates u and writes every mapped column of the user with
// u's ID, or returns auth.ErrUserNotFound.
func (s *Store[U]) UpdateUser(ctx context.Context, u *U) error {
	if u == nil {
		return fmt.Errorf("postgres: update user: %w", errNil("User"))
	}
	au := auth.UserOf(u)
	if err := au.Validate(); err != nil {
		return fmt.Errorf("postgres: update user %d: %w", au.ID, err)
	}
	args := append([]any{au.ID}, s.values(u)...)
	var tag pgconn.CommandTag
	err := guarded(ctx, s.db, func(q Querier) (err error) {
		tag, err = q.Exec(ctx, s.q.updateUser, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: update user %d: %w", au.ID, translate(err, nil))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: update user %d: %w", au.ID, auth.ErrUserNotFound)
	}
	return nil
}

// SetLastLogin writes the last_login column of the user alone, in UTC
// truncated to microseconds, with one UPDATE; a concurrent UpdateUser is
// never undone. It returns auth.ErrUserNotFound for an unknown id and a
// *auth.ValidationError for a time auth.NormalizeLastLogin rejects.
func (s *Store[U]) SetLastLogin(ctx context.Context, id int64, t time.Time) error {
	t, err := auth.NormalizeLastLogin(t)
	if err != nil {
		return fmt.Errorf("postgres: set last login of user %d: %w", id, err)
	}
	tag, err := s.db.Exec(ctx, s.q.setLastLogin, id, t)
	if err != nil {
		return fmt.Errorf("postgres: set last login of user %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: set last login of user %d: %w", id, auth.ErrUserNotFound)
	}
	return nil
}

// SetPassword writes the password column of the user alone, with one
// UPDATE; a concurrent UpdateUser is never undone. It returns
// auth.ErrUserNotFound for an unknown id and a *auth.ValidationError for a
// value auth.ValidateEncodedPassword rejects.
func (s *Store[U]) SetPassword(ctx context.Context, id int64, encoded string) error {
	if err := auth.ValidateEncodedPassword(encoded); err != nil {
		return fmt.Errorf("postgres: set password of user %d: %w", id, err)
	}
	tag, err := s.db.Exec(ctx, s.q.setPassword, id, encoded)
	if err != nil {
		return fmt.Errorf("postgres: set password of user %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: set password of user %d: %w", id, auth.ErrUserNotFound)
	}
	return nil
}

// DeleteUser deletes the user and its memberships in one statement, or
// returns auth.ErrUserNotFound.
func (s *Store[U]) DeleteUser(ctx context.Context, id int64) error {
	tag, err := s.db.Exec(ctx, s.q.deleteUser, id)
	if err != nil {
		return fmt.Errorf("postgres: delete user %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete user %d: %w", id, auth.ErrUserNotFound)
	}
	return nil
}

// userOrder is the ORDER BY list of q.Order, which Validate has checked
// is one of auth.UserOrderFields: text in the "C" collation (byte order,
// as the memory store compares), PostgreSQL's NULL placement (last
// ascending, first descending), then the ID.
func userOrder(q auth.UserQuery) string {
	field, desc, _ := q.OrderField()
	if field == "id" {
		if desc {
			return `u."id" DESC`
		}
		return `u."id"`
	}
	col := `u.` + pgx.Identifier{field}.Sanitize()
	switch field {
	case "username", "email", "first_name", "last_name":
		col += ` COLLATE "C"`
	}
	if desc {
		col += " DESC"
	}
	return col + `, u."id"`
}

// ListUsers returns the users matching q, ordered by q.Order (by ID when
// it is empty).
func (s *Store[U]) ListUsers(ctx context.Context, q auth.UserQuery) ([]*U, error) {
	limit, err := q.Validate()
	if err != nil {
		return nil, fmt.Errorf("postgres: list users: %w", err)
	}
	if matchesNothing(q) {
		return []*U{}, nil
	}
	where, args := s.userFilter(q)
	args = append(args, q.Offset, limit)
	sql := fmt.Sprintf(`SELECT %s FROM %s u%s ORDER BY %s OFFSET $%d LIMIT $%d`,
		s.q.userCols, s.q.userTable, where, userOrder(q), len(args)-1, len(args))
	users, err := s.collectUsers(s.db.Query(ctx, sql, args...))
	if err != nil {
		return nil, fmt.Errorf("postgres: list users: %w", err)
	}
	return users, nil
}

// CountUsers returns how many users match q, ignoring Offset and Limit.
func (s *Store[U]) CountUsers(ctx context.Context, q auth.UserQuery) (int, error) {
	if _, err := q.Validate(); err != nil {
		return 0, fmt.Errorf("postgres: count users: %w", err)
	}
	if matchesNothing(q) {
		return 0, nil
	}
	where, args := s.userFilter(q)
	var n int
	sql := fmt.Sprintf(`SELECT count(*) FROM %s u%s`, s.q.userTable, where)
	if err := s.db.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count users: %w", err)
	}
	return n, nil
}

// matchesNothing reports whether q's Search or Email is text PostgreSQL
// cannot hold (a NUL byte or invalid UTF-8): no user matches it, and
// sending it would fail the query.
func matchesNothing(q auth.UserQuery) bool {
	return !valid.Text(q.Search) || !valid.Text(q.Email)
}

// userFilter builds the WHERE clause of q. Search is Django's icontains on
// PostgreSQL: UPPER(column) LIKE UPPER('%term%') with the LIKE wildcards
// of the term escaped. Email is Django's iexact: UPPER(email) = UPPER(x),
// an equality, so no character of x is special. Django creates no index
// on auth_user.email and Migrate keeps Django's schema, so this reads
// every row of the user table (see "Finding users by email" in the
// package documentation).
func (s *Store[U]) userFilter(q auth.UserQuery) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.Search != "" {
		p := arg("%" + likeEscaper.Replace(q.Search) + "%")
		var ors []string
		for _, c := range []string{"username", "email", "first_name", "last_name"} {
			ors = append(ors, fmt.Sprintf(`upper(u.%q) LIKE upper(%s)`, c, p))
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if q.Email != "" {
		conds = append(conds, fmt.Sprintf(`upper(u."email") = upper(%s)`, arg(q.Email)))
	}
	flags := []struct {
		col string
		v   *bool
	}{{"is_active", q.IsActive}, {"is_staff", q.IsStaff}, {"is_superuser", q.IsSuperuser}}
	for _, f := range flags {
		if f.v != nil {
			conds = append(conds, fmt.Sprintf(`u.%q = %s`, f.col, arg(*f.v)))
		}
	}
	if q.GroupID != 0 {
		conds = append(conds, fmt.Sprintf(`EXISTS (SELECT 1 FROM %s ug WHERE ug.%s = u."id" AND ug."group_id" = %s::bigint)`,
			s.q.userGroups, s.q.userIDCol, arg(q.GroupID)))
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// likeEscaper escapes the LIKE wildcards and the escape character itself.
// It is safe for concurrent use and built once.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
