package postgres

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/djauth/auth"
	"github.com/jackc/pgx/v5"
)

// Options configures a Store. The zero value uses Django's default tables.
type Options struct {
	// UserTable is the table of user rows, default "auth_user". Set it
	// when Django's AUTH_USER_MODEL points at a custom model (for
	// "accounts.User" Django names the table "accounts_user"). It may be
	// schema-qualified ("app.accounts_user").
	UserTable string
	// UserGroupsTable is the user↔group table, default "auth_user_groups".
	// Django names it "<user table>_groups" for a custom user model.
	UserGroupsTable string
	// UserPermissionsTable is the user↔permission table, default
	// "auth_user_user_permissions". Django names it
	// "<user table>_user_permissions" for a custom user model.
	UserPermissionsTable string
	// UserIDColumn is the column of the two tables above that refers to the
	// user, default "user_id" (Django derives it from the model name:
	// "myuser_id" for a model MyUser).
	UserIDColumn string
}

// Store is an auth.Store on PostgreSQL, using Django's schema. Create it
// with New. It is safe for concurrent use when its Querier is (a pool or a
// single transaction used by one goroutine).
type Store[U any] struct {
	db     Querier
	fields []field
	q      queries
}

var _ auth.Store[auth.User] = (*Store[auth.User])(nil)

// queries holds the SQL that depends on the configured tables and user
// columns, built once by New.
type queries struct {
	userTable, userGroups, userPerms, userIDCol string
	userCols                                    string // u."id", u."password", ... in field order
	getUserByID                                 string
	getUserByUsername                           string
	getUserByUsernameFold                       string
	insertUser                                  string
	updateUser                                  string
	setLastLogin                                string
	setPassword                                 string
	deleteUser                                  string
	userPermsSQL                                string // "app.codename" of the direct permissions of $1
	groupPermsSQL                               string // "app.codename" of the group permissions of $1
	userWithPerms                               string
	sessionWithUser                             string // djauth_session row of $1 joined with its user
	usersWithPerm                               string
	listGroupUsers                              string
	listUserGroups                              string
	listUserPerms                               string
	deleteGroup                                 string
	deletePermission                            string
}

// New returns a store on db for the user type U, which is auth.User or a
// struct that embeds it by value:
//
//	type MyUser struct {
//		auth.User
//		PhoneNumber string `db:"phone_number"`
//	}
//	store, err := postgres.New[MyUser](pool, postgres.Options{})
//
// Fields map to columns as pgx's RowToAddrOfStructByName maps them (see
// Options and the package documentation); New rejects a type with two
// fields for one column, a pointer embed, or one without the auth_user
// columns. It does not touch the database; run Migrate first.
func New[U any](db Querier, opts Options) (*Store[U], error) {
	if db == nil {
		return nil, errors.New("postgres: New: nil Querier")
	}
	fields, err := mapFields(reflect.TypeFor[U]())
	if err != nil {
		return nil, fmt.Errorf("postgres: New: %w", err)
	}
	opts = opts.withDefaults()
	idents := map[string]string{}
	for name, v := range map[string]string{
		"UserTable": opts.UserTable, "UserGroupsTable": opts.UserGroupsTable,
		"UserPermissionsTable": opts.UserPermissionsTable, "UserIDColumn": opts.UserIDColumn,
	} {
		id, err := quoteIdent(v, name != "UserIDColumn")
		if err != nil {
			return nil, fmt.Errorf("postgres: New: Options.%s: %w", name, err)
		}
		idents[name] = id
	}
	if err := auth.CheckUserType[U](); err != nil {
		return nil, fmt.Errorf("postgres: New: %w", err)
	}
	s := &Store[U]{db: db, fields: fields}
	s.q = buildQueries(fields, idents["UserTable"], idents["UserGroupsTable"],
		idents["UserPermissionsTable"], idents["UserIDColumn"])
	return s, nil
}

func (o Options) withDefaults() Options {
	if o.UserTable == "" {
		o.UserTable = "auth_user"
	}
	if o.UserGroupsTable == "" {
		o.UserGroupsTable = "auth_user_groups"
	}
	if o.UserPermissionsTable == "" {
		o.UserPermissionsTable = "auth_user_user_permissions"
	}
	if o.UserIDColumn == "" {
		o.UserIDColumn = "user_id"
	}
	return o
}

// quoteIdent quotes a name, or a "schema.table" pair when qualified is
// allowed.
func quoteIdent(name string, qualified bool) (string, error) {
	parts := []string{name}
	if qualified {
		parts = strings.Split(name, ".")
	}
	if len(parts) > 2 {
		return "", fmt.Errorf("%q has more than one dot", name)
	}
	for _, p := range parts {
		if p == "" || strings.IndexByte(p, 0) >= 0 || len(p) > 63 {
			return "", fmt.Errorf("%q is not a valid identifier", name)
		}
	}
	return pgx.Identifier(parts).Sanitize(), nil
}

// errNil is returned for a nil pointer argument.
func errNil(field string) error {
	return &auth.ValidationError{Field: field, Code: "required", Message: "must not be nil"}
}

const permKeySQL = `ct."app_label" || '.' || p."codename"`

func buildQueries(fields []field, ut, ug, up, uid string) queries {
	var cols, insCols, insVals, sets []string
	n := 1
	for _, f := range fields {
		c := pgx.Identifier{f.column}.Sanitize()
		cols = append(cols, "u."+c)
		if f.column == "id" {
			continue
		}
		n++
		insCols = append(insCols, c)
		insVals = append(insVals, "$"+strconv.Itoa(n-1))
		sets = append(sets, c+" = $"+strconv.Itoa(n))
	}
	q := queries{userTable: ut, userGroups: ug, userPerms: up, userIDCol: uid}
	q.userCols = strings.Join(cols, ", ")
	q.getUserByID = fmt.Sprintf(`SELECT %s FROM %s u WHERE u."id" = $1::bigint`, q.userCols, ut)
	q.getUserByUsername = fmt.Sprintf(`SELECT %s FROM %s u WHERE u."username" = $1`, q.userCols, ut)
	q.getUserByUsernameFold = fmt.Sprintf(`SELECT %s FROM %s u WHERE upper(u."username") = upper($1) ORDER BY u."id" LIMIT 2`,
		q.userCols, ut)
	q.insertUser = fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s) RETURNING "id"`,
		ut, strings.Join(insCols, ", "), strings.Join(insVals, ", "))
	q.updateUser = fmt.Sprintf(`UPDATE %s SET %s WHERE "id" = $1::bigint`, ut, strings.Join(sets, ", "))
	q.setLastLogin = fmt.Sprintf(`UPDATE %s SET "last_login" = $2 WHERE "id" = $1::bigint`, ut)
	q.setPassword = fmt.Sprintf(`UPDATE %s SET "password" = $2 WHERE "id" = $1::bigint`, ut)
	q.deleteUser = fmt.Sprintf(`WITH g AS (DELETE FROM %[2]s WHERE %[4]s = $1::bigint),
		p AS (DELETE FROM %[3]s WHERE %[4]s = $1::bigint)
		DELETE FROM %[1]s WHERE "id" = $1::bigint`, ut, ug, up, uid)
	q.userPermsSQL = fmt.Sprintf(`SELECT %s FROM %s up
		JOIN "auth_permission" p ON p."id" = up."permission_id"
		JOIN "django_content_type" ct ON ct."id" = p."content_type_id"
		WHERE up.%s = $1::bigint`, permKeySQL, up, uid)
	q.groupPermsSQL = fmt.Sprintf(`SELECT %s FROM %s ug
		JOIN "auth_group_permissions" gp ON gp."group_id" = ug."group_id"
		JOIN "auth_permission" p ON p."id" = gp."permission_id"
		JOIN "django_content_type" ct ON ct."id" = p."content_type_id"
		WHERE ug.%s = $1::bigint`, permKeySQL, ug, uid)
	// The user columns, both permission arrays and the group names (in
	// ListUserGroups' order) of the row u, shared by
	// GetUserWithPermissions and the session store's join.
	userWithPermsCols := fmt.Sprintf(`%s,
		ARRAY(%s) AS user_perms,
		ARRAY(%s) AS group_perms,
		ARRAY(SELECT g."name" FROM %s ug JOIN "auth_group" g ON g."id" = ug."group_id"
			WHERE ug.%s = u."id" ORDER BY g."name" COLLATE "C") AS group_names`,
		q.userCols,
		strings.ReplaceAll(q.userPermsSQL, "$1::bigint", `u."id"`),
		strings.ReplaceAll(q.groupPermsSQL, "$1::bigint", `u."id"`),
		ug, uid)
	q.userWithPerms = fmt.Sprintf(`SELECT %s FROM %s u WHERE u."id" = $1::bigint`, userWithPermsCols, ut)
	// The session of $1 with the user its user_id names, if any (NULL
	// user columns otherwise), as SessionStore.FindCtx reads sessions.
	q.sessionWithUser = fmt.Sprintf(`SELECT s."data", s."user_id", u."id" IS NOT NULL, %s
		FROM "djauth_session" s LEFT JOIN %s u ON u."id" = s."user_id"
		WHERE s."token" = $1 AND current_timestamp < s."expiry"`, userWithPermsCols, ut)
	// Django's UserManager.with_perm for ModelBackend: users holding the
	// permission directly or through a group, or superusers, optionally
	// only active ones.
	q.usersWithPerm = fmt.Sprintf(`WITH perm AS (
			SELECT p."id" FROM "auth_permission" p
			JOIN "django_content_type" ct ON ct."id" = p."content_type_id"
			WHERE ct."app_label" = $1 AND p."codename" = $2)
		SELECT %s FROM %s u
		WHERE EXISTS (SELECT 1 FROM perm)
		  AND ($3 OR u."is_active")
		  AND ((NOT $4 AND u."is_superuser")
		    OR EXISTS (SELECT 1 FROM %s up WHERE up.%s = u."id" AND up."permission_id" IN (SELECT "id" FROM perm))
		    OR EXISTS (SELECT 1 FROM %s ug JOIN "auth_group_permissions" gp ON gp."group_id" = ug."group_id"
		               WHERE ug.%s = u."id" AND gp."permission_id" IN (SELECT "id" FROM perm)))
		ORDER BY u."id"`, q.userCols, ut, up, uid, ug, uid)
	q.listGroupUsers = fmt.Sprintf(`SELECT %s FROM %s u JOIN %s ug ON ug.%s = u."id"
		WHERE ug."group_id" = $1::bigint ORDER BY u."id"`, q.userCols, ut, ug, uid)
	// From the user, so that one round trip tells "no groups" (one row
	// of NULLs) from "no such user" (no row).
	q.listUserGroups = fmt.Sprintf(`SELECT g."id", g."name" FROM %s u
		LEFT JOIN %s ug ON ug.%s = u."id"
		LEFT JOIN "auth_group" g ON g."id" = ug."group_id"
		WHERE u."id" = $1::bigint
		ORDER BY g."name" COLLATE "C", g."id"`, ut, ug, uid)
	q.listUserPerms = fmt.Sprintf(`%s JOIN %s up ON up."permission_id" = p."id"
		WHERE up.%s = $1::bigint`, permSelect, up, uid) + permOrder
	q.deleteGroup = fmt.Sprintf(`WITH m AS (DELETE FROM %s WHERE "group_id" = $1::bigint),
		p AS (DELETE FROM "auth_group_permissions" WHERE "group_id" = $1::bigint)
		DELETE FROM "auth_group" WHERE "id" = $1::bigint`, ug)
	q.deletePermission = fmt.Sprintf(`WITH perm AS (
			SELECT p."id" FROM "auth_permission" p JOIN "django_content_type" ct ON ct."id" = p."content_type_id"
			WHERE ct."app_label" = $1 AND p."codename" = $2),
		u AS (DELETE FROM %s WHERE "permission_id" IN (SELECT "id" FROM perm)),
		g AS (DELETE FROM "auth_group_permissions" WHERE "permission_id" IN (SELECT "id" FROM perm))
		DELETE FROM "auth_permission" WHERE "id" IN (SELECT "id" FROM perm)`, up)
	return q
}

// scanUser scans one row whose leading columns are q.userCols into a new
// U; extra receives the columns that follow.
func (s *Store[U]) scanUser(row pgx.Row, extra ...any) (*U, error) {
	u := new(U)
	v := reflect.ValueOf(u).Elem()
	if err := row.Scan(addrs(v, s.fields, extra...)...); err != nil {
		return nil, err
	}
	toUTC(v, s.fields)
	return u, nil
}

func (s *Store[U]) collectUsers(rows pgx.Rows, err error) ([]*U, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*U{}
	for rows.Next() {
		u, err := s.scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// values returns the column values of u other than id, in field order.
func (s *Store[U]) values(u *U) []any {
	v := reflect.ValueOf(u).Elem()
	out := make([]any, 0, len(s.fields))
	for _, f := range s.fields {
		if f.column != "id" {
			out = append(out, v.FieldByIndex(f.index).Interface())
		}
	}
	return out
}
