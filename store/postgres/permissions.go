package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/internal/valid"
	"github.com/jackc/pgx/v5"
)

// permSelect selects auth.Permission rows with their content type.
const permSelect = `SELECT p."id", p."name", p."content_type_id", p."codename", ct."app_label", ct."model"
	FROM "auth_permission" p JOIN "django_content_type" ct ON ct."id" = p."content_type_id"`

// permOrder is Django's Permission ordering, compared bytewise.
const permOrder = ` ORDER BY ct."app_label" COLLATE "C", ct."model" COLLATE "C", p."codename" COLLATE "C", p."id"`

func collectPerms(rows pgx.Rows, err error) ([]auth.Permission, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[auth.Permission])
}

// GetContentType returns the content type, or auth.ErrContentTypeNotFound,
// also for text PostgreSQL cannot hold (then without a round trip).
func (s *Store[U]) GetContentType(ctx context.Context, appLabel, model string) (auth.ContentType, error) {
	if !valid.Text(appLabel) || !valid.Text(model) {
		return auth.ContentType{}, fmt.Errorf("postgres: get content type %q.%q: %w",
			appLabel, model, auth.ErrContentTypeNotFound)
	}
	rows, _ := s.db.Query(ctx, `SELECT "id", "app_label", "model" FROM "django_content_type"
		WHERE "app_label" = $1 AND "model" = $2`, appLabel, model)
	ct, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[auth.ContentType])
	if err != nil {
		return auth.ContentType{}, fmt.Errorf("postgres: get content type %s.%s: %w",
			appLabel, model, translate(err, auth.ErrContentTypeNotFound))
	}
	return ct, nil
}

// GetOrCreateContentType returns the content type, creating it if it is
// missing.
func (s *Store[U]) GetOrCreateContentType(ctx context.Context, appLabel, model string) (auth.ContentType, error) {
	ct := auth.ContentType{AppLabel: appLabel, Model: model}
	if err := ct.Validate(); err != nil {
		return auth.ContentType{}, fmt.Errorf("postgres: create content type: %w", err)
	}
	if err := getOrCreateContentType(ctx, s.db, &ct); err != nil {
		return auth.ContentType{}, fmt.Errorf("postgres: create content type %s.%s: %w", appLabel, model, err)
	}
	return ct, nil
}

// getOrCreateContentType sets ct.ID, inserting the row when it is missing.
// A concurrent insert of the same row is resolved by reading it back.
func getOrCreateContentType(ctx context.Context, db Querier, ct *auth.ContentType) error {
	const sql = `WITH ins AS (
			INSERT INTO "django_content_type" ("app_label", "model") VALUES ($1, $2)
			ON CONFLICT ("app_label", "model") DO NOTHING RETURNING "id")
		SELECT "id" FROM ins
		UNION ALL
		SELECT "id" FROM "django_content_type" WHERE "app_label" = $1 AND "model" = $2`
	for range 2 {
		err := db.QueryRow(ctx, sql, ct.AppLabel, ct.Model).Scan(&ct.ID)
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		// Another transaction inserted the row after this statement's
		// snapshot was taken: the second attempt sees it.
	}
	return fmt.Errorf("%w after retry", auth.ErrContentTypeNotFound)
}

// ListContentTypes returns every content type ordered by app label and
// model.
func (s *Store[U]) ListContentTypes(ctx context.Context) ([]auth.ContentType, error) {
	rows, _ := s.db.Query(ctx, `SELECT "id", "app_label", "model" FROM "django_content_type"
		ORDER BY "app_label" COLLATE "C", "model" COLLATE "C"`)
	cts, err := pgx.CollectRows(rows, pgx.RowToStructByName[auth.ContentType])
	if err != nil {
		return nil, fmt.Errorf("postgres: list content types: %w", err)
	}
	return cts, nil
}

// CreatePermission inserts p under the existing content type (p.AppLabel,
// p.Model) and sets p.ID and p.ContentTypeID.
func (s *Store[U]) CreatePermission(ctx context.Context, p *auth.Permission) error {
	if p == nil {
		return fmt.Errorf("postgres: create permission: %w", errNil("Permission"))
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("postgres: create permission: %w", err)
	}
	var id, ctID int64
	err := guarded(ctx, s.db, func(q Querier) error {
		return q.QueryRow(ctx, `INSERT INTO "auth_permission" ("name", "content_type_id", "codename")
			SELECT $1, ct."id", $2 FROM "django_content_type" ct WHERE ct."app_label" = $3 AND ct."model" = $4
			RETURNING "id", "content_type_id"`, p.Name, p.Codename, p.AppLabel, p.Model).Scan(&id, &ctID)
	})
	if err != nil {
		return fmt.Errorf("postgres: create permission %s: %w", p.Key(), translate(err, auth.ErrContentTypeNotFound))
	}
	p.ID, p.ContentTypeID = id, ctID
	return nil
}

// GetPermission returns the permission named "app_label.codename". When two
// models of the app have a permission with that codename, the first in
// Django's ordering is returned. A name PostgreSQL cannot hold (a NUL byte
// or invalid UTF-8) is auth.ErrPermissionNotFound without a round trip; a
// malformed one is a *auth.ValidationError.
func (s *Store[U]) GetPermission(ctx context.Context, perm string) (auth.Permission, error) {
	if !valid.Text(perm) {
		return auth.Permission{}, fmt.Errorf("postgres: get permission %q: %w", perm, auth.ErrPermissionNotFound)
	}
	app, codename, err := auth.ParsePermission(perm)
	if err != nil {
		return auth.Permission{}, fmt.Errorf("postgres: get permission: %w", err)
	}
	perms, err := collectPerms(s.db.Query(ctx, permSelect+` WHERE ct."app_label" = $1 AND p."codename" = $2`+permOrder+` LIMIT 1`, app, codename))
	if err != nil {
		return auth.Permission{}, fmt.Errorf("postgres: get permission %s: %w", perm, err)
	}
	if len(perms) == 0 {
		return auth.Permission{}, fmt.Errorf("postgres: get permission %s: %w", perm, auth.ErrPermissionNotFound)
	}
	return perms[0], nil
}

// ListPermissions returns the permissions of appLabel, or of every app when
// it is empty, in Django's ordering. An app label PostgreSQL cannot hold
// has no permissions.
func (s *Store[U]) ListPermissions(ctx context.Context, appLabel string) ([]auth.Permission, error) {
	if !valid.Text(appLabel) {
		return []auth.Permission{}, nil
	}
	perms, err := collectPerms(s.db.Query(ctx, permSelect+` WHERE $1 = '' OR ct."app_label" = $1`+permOrder, appLabel))
	if err != nil {
		return nil, fmt.Errorf("postgres: list permissions: %w", err)
	}
	return perms, nil
}

// DeletePermission deletes the permission and every grant of it in one
// statement, or returns auth.ErrPermissionNotFound.
func (s *Store[U]) DeletePermission(ctx context.Context, perm string) error {
	app, codename, err := auth.ParsePermission(perm)
	if err != nil {
		return fmt.Errorf("postgres: delete permission: %w", err)
	}
	tag, err := s.db.Exec(ctx, s.q.deletePermission, app, codename)
	if err != nil {
		return fmt.Errorf("postgres: delete permission %s: %w", perm, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete permission %s: %w", perm, auth.ErrPermissionNotFound)
	}
	return nil
}

// EnsurePermissions creates the content type and the missing permissions
// in one transaction and returns the stored form of each requested one, in
// order. Existing rows are not changed.
func (s *Store[U]) EnsurePermissions(ctx context.Context, appLabel, model string, perms []auth.Permission) ([]auth.Permission, error) {
	ct := auth.ContentType{AppLabel: appLabel, Model: model}
	if err := ct.Validate(); err != nil {
		return nil, fmt.Errorf("postgres: ensure permissions: %w", err)
	}
	names := make([]string, len(perms))
	codenames := make([]string, len(perms))
	for i := range perms {
		p := perms[i]
		p.AppLabel, p.Model = appLabel, model
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("postgres: ensure permissions of %s.%s: %w", appLabel, model, err)
		}
		names[i], codenames[i] = p.Name, p.Codename
	}
	var out []auth.Permission
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := getOrCreateContentType(ctx, tx, &ct); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO "auth_permission" ("name", "content_type_id", "codename")
			SELECT n, $1::bigint, c FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS x(n, c, i) ORDER BY i
			ON CONFLICT ("content_type_id", "codename") DO NOTHING`, ct.ID, names, codenames); err != nil {
			return err
		}
		stored, err := collectPerms(tx.Query(ctx, permSelect+` WHERE p."content_type_id" = $1::bigint AND p."codename" = ANY($2)`, ct.ID, codenames))
		if err != nil {
			return err
		}
		byCode := make(map[string]auth.Permission, len(stored))
		for _, p := range stored {
			byCode[p.Codename] = p
		}
		out = make([]auth.Permission, 0, len(perms))
		for _, c := range codenames {
			out = append(out, byCode[c])
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: ensure permissions of %s.%s: %w", appLabel, model, err)
	}
	return out, nil
}
