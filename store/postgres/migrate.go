package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrSchemaMismatch reports that the database holds part of Django's auth
// schema, an outdated one, or one that lacks columns the store needs.
// Migrate changes nothing in that case.
var ErrSchemaMismatch = errors.New("postgres: existing schema does not match Django's auth schema")

// migrateLockKey is the pg_advisory_xact_lock key that serialises Migrate
// across processes ("djauth" in ASCII).
const migrateLockKey int64 = 0x646a61757468

// djangoTables are the tables of contenttypes 0001-0002 and auth 0001-0012.
var djangoTables = []string{
	"django_content_type", "auth_permission", "auth_group", "auth_group_permissions",
	"auth_user", "auth_user_groups", "auth_user_user_permissions",
}

// userTables are the tables that Django leaves out when AUTH_USER_MODEL
// names a custom ("swapped") user model.
var userTables = []string{"auth_user", "auth_user_groups", "auth_user_user_permissions"}

// djangoMigration is one row of django_migrations.
type djangoMigration struct{ app, name string }

func (m djangoMigration) String() string { return m.app + "." + m.name }

// djangoMigrations are the Django migrations whose combined schema
// migrations/django_auth.sql creates, in the order Django applies them.
var djangoMigrations = []djangoMigration{
	{"contenttypes", "0001_initial"},
	{"auth", "0001_initial"},
	{"contenttypes", "0002_remove_content_type_name"},
	{"auth", "0002_alter_permission_name_max_length"},
	{"auth", "0003_alter_user_email_max_length"},
	{"auth", "0004_alter_user_username_opts"},
	{"auth", "0005_alter_user_last_login_null"},
	{"auth", "0006_require_contenttypes_0002"},
	{"auth", "0007_alter_validators_add_error_messages"},
	{"auth", "0008_alter_user_username_max_length"},
	{"auth", "0009_alter_user_last_name_max_length"},
	{"auth", "0010_alter_group_name_max_length"},
	{"auth", "0011_update_proxy_permissions"},
	{"auth", "0012_alter_user_first_name_max_length"},
}

// djauthMigrations are djauth's own migrations, recorded in
// djauth_migrations. Each names a file under migrations/.
var djauthMigrations = []string{"0001_session", "0002_throttle", "0003_session_user", "0004_recovery", "0005_passkey", "0007_mfa_policy", "0008_passwordless", "0010_audit"}

// requiredColumns are the columns the store reads and writes, with the
// smallest varchar length it relies on (0 for other types).
var requiredColumns = map[string]map[string]int{
	"django_content_type":        {"id": 0, "app_label": 100, "model": 100},
	"auth_permission":            {"id": 0, "name": 255, "content_type_id": 0, "codename": 100},
	"auth_group":                 {"id": 0, "name": 150},
	"auth_group_permissions":     {"id": 0, "group_id": 0, "permission_id": 0},
	"auth_user_groups":           {"id": 0, "user_id": 0, "group_id": 0},
	"auth_user_user_permissions": {"id": 0, "user_id": 0, "permission_id": 0},
	"auth_user": {
		"id": 0, "password": 128, "last_login": 0, "is_superuser": 0, "username": 150,
		"first_name": 150, "last_name": 150, "email": 254, "is_staff": 0, "is_active": 0,
		"date_joined": 0,
	},
}

// Report says what Migrate found and did.
type Report struct {
	// Created is true when Migrate created Django's auth and contenttypes
	// tables, and false when it found them.
	Created bool
	// SerialIDs is true when the existing schema has serial primary keys
	// (made by Django before 4.1) instead of identity columns. The store
	// works with both.
	SerialIDs bool
	// CustomUserModel is true when the existing schema belongs to a Django
	// project whose AUTH_USER_MODEL is a custom model: Django made
	// auth_group, auth_permission and the rest but no auth_user tables.
	// Point Options.UserTable and its companions at the custom tables.
	CustomUserModel bool
	// Recorded lists the rows added to django_migrations, as
	// "app.name" ("auth.0001_initial").
	Recorded []string
	// Applied lists the djauth migrations applied by this call, recorded
	// in djauth_migrations ("0001_session").
	Applied []string
}

// Lines describes the report in human-readable lines, for command-line
// tools.
func (r Report) Lines() []string {
	var out []string
	if r.Created {
		out = append(out, "applied: Django schema ("+strings.Join(djangoTables, ", ")+")")
	} else {
		kind := "identity"
		if r.SerialIDs {
			kind = "serial"
		}
		custom := ""
		if r.CustomUserModel {
			custom = " with a custom user model (no auth_user table)"
		}
		out = append(out, "found existing Django schema"+custom+" ("+kind+" ids), left unchanged")
	}
	for _, m := range r.Recorded {
		out = append(out, "recorded in django_migrations: "+m)
	}
	for _, m := range r.Applied {
		out = append(out, "applied: djauth."+m)
	}
	if !r.Created && len(r.Recorded) == 0 && len(r.Applied) == 0 {
		out = append(out, "nothing to do")
	}
	return out
}

// Migrate creates or verifies the schema, in one transaction (a savepoint
// when db is already a transaction) guarded by an advisory lock, so that
// two processes may run it at once.
//
// On a database without the auth tables it creates exactly the schema that
// Django's migrations contenttypes 0001-0002 and auth 0001-0012 create, and
// records those migrations in django_migrations (creating that table if
// needed), so that Django's own "manage.py migrate" considers them applied.
//
// On a database that Django migrated it changes nothing in Django's tables:
// it checks that all seven tables exist, that the fourteen migrations are
// recorded and that the columns the store uses are there, and returns
// ErrSchemaMismatch otherwise.
//
// Either way it then applies djauth's own migrations (the djauth_session
// table, the djauth_throttle table of ThrottleStore, the recovery code
// tables of RecoveryStore, the passkey tables of PasskeyStore and the two
// tables of MFAPolicyStore), recorded in djauth_migrations.
//
// Each of apps is then created or verified the same way: on a database
// without its tables, they are created as that app's migrations create
// them and the migrations are recorded in django_migrations; where Django
// made them, Migrate checks that they and their migrations are there and
// changes nothing. Running Migrate again is a no-op.
func Migrate(ctx context.Context, db Querier, apps ...DjangoApp) (Report, error) {
	var rep Report
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		rep = Report{}
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if err := migrateDjango(ctx, tx, &rep); err != nil {
			return err
		}
		if err := migrateDjauth(ctx, tx, &rep); err != nil {
			return err
		}
		return migrateApps(ctx, tx, apps, &rep)
	})
	if err != nil {
		return Report{}, fmt.Errorf("postgres: migrate: %w", err)
	}
	return rep, nil
}

func migrateDjango(ctx context.Context, tx pgx.Tx, rep *Report) error {
	if err := execFile(ctx, tx, "migrations/django_migrations.sql"); err != nil {
		return err
	}
	existing, err := existingTables(ctx, tx, djangoTables)
	if err != nil {
		return err
	}
	recorded, err := recordedDjango(ctx, tx)
	if err != nil {
		return err
	}
	switch len(existing) {
	case 0:
		if len(recorded) > 0 {
			return fmt.Errorf("%w: django_migrations records %s but the tables are missing",
				ErrSchemaMismatch, strings.Join(recorded, ", "))
		}
		if err := execFile(ctx, tx, "migrations/django_auth.sql"); err != nil {
			return err
		}
		for _, m := range djangoMigrations {
			if _, err := tx.Exec(ctx,
				`INSERT INTO "django_migrations" ("app", "name", "applied") VALUES ($1, $2, statement_timestamp())`,
				m.app, m.name); err != nil {
				return fmt.Errorf("record %s: %w", m, err)
			}
			rep.Recorded = append(rep.Recorded, m.String())
		}
		rep.Created = true
		return nil
	case len(djangoTables), len(djangoTables) - len(userTables):
		custom := len(existing) < len(djangoTables)
		if custom && slices.ContainsFunc(existing, func(t string) bool { return slices.Contains(userTables, t) }) {
			break
		}
		var missing []string
		for _, m := range djangoMigrations {
			if !slices.Contains(recorded, m.String()) {
				missing = append(missing, m.String())
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%w: the tables exist but django_migrations lacks %s; run Django's migrate first",
				ErrSchemaMismatch, strings.Join(missing, ", "))
		}
		serial, err := verifyColumns(ctx, tx, existing)
		if err != nil {
			return err
		}
		rep.SerialIDs, rep.CustomUserModel = serial, custom
		return nil
	}
	return fmt.Errorf("%w: only %s of the %d tables exist", ErrSchemaMismatch,
		strings.Join(existing, ", "), len(djangoTables))
}

func migrateDjauth(ctx context.Context, tx pgx.Tx, rep *Report) error {
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS "djauth_migrations" (
		"name" varchar(255) NOT NULL PRIMARY KEY,
		"applied" timestamp with time zone NOT NULL)`); err != nil {
		return fmt.Errorf("create djauth_migrations: %w", err)
	}
	return applyDjauth(ctx, tx, djauthMigrations, rep)
}

// applyDjauth applies those of the djauth migrations names that
// djauth_migrations does not record, in order, and records them.
func applyDjauth(ctx context.Context, tx pgx.Tx, names []string, rep *Report) error {
	if len(names) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT "name" FROM "djauth_migrations"`)
	if err != nil {
		return fmt.Errorf("read djauth_migrations: %w", err)
	}
	done, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("read djauth_migrations: %w", err)
	}
	for _, name := range names {
		if slices.Contains(done, name) {
			continue
		}
		if err := execFile(ctx, tx, "migrations/djauth_"+name+".sql"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO "djauth_migrations" ("name", "applied") VALUES ($1, statement_timestamp())`, name); err != nil {
			return fmt.Errorf("record djauth %s: %w", name, err)
		}
		rep.Applied = append(rep.Applied, name)
	}
	return nil
}

func execFile(ctx context.Context, tx pgx.Tx, name string) error {
	sql, err := migrationFS.ReadFile(name)
	if err != nil {
		return err
	}
	// Simple protocol: a file holds several statements and no parameters.
	if _, err := tx.Exec(ctx, string(sql), pgx.QueryExecModeSimpleProtocol); err != nil {
		return fmt.Errorf("apply %s: %w", name, err)
	}
	return nil
}

// existingTables returns those of tables that resolve on the search path.
func existingTables(ctx context.Context, tx pgx.Tx, tables []string) ([]string, error) {
	rows, err := tx.Query(ctx,
		`SELECT t FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n)
		 WHERE to_regclass(quote_ident(t)) IS NOT NULL ORDER BY n`, tables)
	if err != nil {
		return nil, fmt.Errorf("inspect tables: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("inspect tables: %w", err)
	}
	return found, nil
}

func recordedDjango(ctx context.Context, tx pgx.Tx) ([]string, error) {
	rows, err := tx.Query(ctx,
		`SELECT "app" || '.' || "name" FROM "django_migrations" WHERE "app" IN ('auth', 'contenttypes') ORDER BY "id"`)
	if err != nil {
		return nil, fmt.Errorf("read django_migrations: %w", err)
	}
	rec, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read django_migrations: %w", err)
	}
	return rec, nil
}

// verifyColumns checks requiredColumns of tables, found on the search
// path, and reports whether their first table's id is a serial column.
func verifyColumns(ctx context.Context, tx pgx.Tx, tables []string) (serial bool, err error) {
	found, err := columnsOf(ctx, tx, tables)
	if err != nil {
		return false, err
	}
	if err := columnProblems(tables, found, requiredColumns); err != nil {
		return false, err
	}
	return !found[tables[0]]["id"].identity, nil
}

// checkColumns checks the columns required of tables.
func checkColumns(ctx context.Context, tx pgx.Tx, tables []string, required map[string]map[string]int) error {
	found, err := columnsOf(ctx, tx, tables)
	if err != nil {
		return err
	}
	return columnProblems(tables, found, required)
}

// column is what columnsOf finds of a column.
type column struct {
	length   int
	identity bool
}

// columnsOf returns the columns of tables, found on the search path.
func columnsOf(ctx context.Context, tx pgx.Tx, tables []string) (map[string]map[string]column, error) {
	rows, err := tx.Query(ctx, `
		SELECT c.relname, a.attname, a.atttypmod, a.attidentity <> '' AS is_identity
		FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.oid = ANY (SELECT to_regclass(quote_ident(t)) FROM unnest($1::text[]) t)
		  AND a.attnum > 0 AND NOT a.attisdropped`, tables)
	if err != nil {
		return nil, fmt.Errorf("inspect columns: %w", err)
	}
	found := map[string]map[string]column{}
	var table, name string
	var typmod int32
	var identity bool
	_, err = pgx.ForEachRow(rows, []any{&table, &name, &typmod, &identity}, func() error {
		if found[table] == nil {
			found[table] = map[string]column{}
		}
		length := math.MaxInt32 // no typmod: text or unbounded varchar
		if typmod > 4 {         // varchar(n) stores n+4
			length = int(typmod - 4)
		}
		found[table][name] = column{length, identity}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inspect columns: %w", err)
	}
	return found, nil
}

// columnProblems returns ErrSchemaMismatch naming each column of required
// that tables lack or that is too short.
func columnProblems(tables []string, found map[string]map[string]column, required map[string]map[string]int) error {
	var problems []string
	for _, t := range tables {
		for c, minLen := range required[t] {
			got, ok := found[t][c]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s.%s is missing", t, c))
			case minLen > 0 && got.length < minLen:
				problems = append(problems, fmt.Sprintf("%s.%s is varchar(%d), want at least %d", t, c, got.length, minLen))
			}
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("%w: %s", ErrSchemaMismatch, strings.Join(problems, "; "))
	}
	return nil
}
