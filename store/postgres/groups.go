package postgres

import (
	"context"
	"fmt"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/internal/valid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// CreateGroup validates g, inserts it and sets its ID. A taken name gives
// auth.ErrDuplicateGroupName.
func (s *Store[U]) CreateGroup(ctx context.Context, g *auth.Group) error {
	if g == nil {
		return fmt.Errorf("postgres: create group: %w", errNil("Group"))
	}
	if err := g.Validate(); err != nil {
		return fmt.Errorf("postgres: create group: %w", err)
	}
	var id int64
	err := guarded(ctx, s.db, func(q Querier) error {
		return q.QueryRow(ctx, `INSERT INTO "auth_group" ("name") VALUES ($1) RETURNING "id"`, g.Name).Scan(&id)
	})
	if err != nil {
		return fmt.Errorf("postgres: create group %q: %w", g.Name, translate(err, nil))
	}
	g.ID = id
	return nil
}

// GetGroup returns the group with the id, or auth.ErrGroupNotFound.
func (s *Store[U]) GetGroup(ctx context.Context, id int64) (auth.Group, error) {
	rows, _ := s.db.Query(ctx, `SELECT "id", "name" FROM "auth_group" WHERE "id" = $1::bigint`, id)
	g, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[auth.Group])
	if err != nil {
		return auth.Group{}, fmt.Errorf("postgres: get group %d: %w", id, translate(err, auth.ErrGroupNotFound))
	}
	return g, nil
}

// GetGroupByName returns the group with exactly that name, or
// auth.ErrGroupNotFound, also for a name PostgreSQL cannot hold (then
// without a round trip).
func (s *Store[U]) GetGroupByName(ctx context.Context, name string) (auth.Group, error) {
	if !valid.Text(name) {
		return auth.Group{}, fmt.Errorf("postgres: get group %q: %w", name, auth.ErrGroupNotFound)
	}
	rows, _ := s.db.Query(ctx, `SELECT "id", "name" FROM "auth_group" WHERE "name" = $1`, name)
	g, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[auth.Group])
	if err != nil {
		return auth.Group{}, fmt.Errorf("postgres: get group %q: %w", name, translate(err, auth.ErrGroupNotFound))
	}
	return g, nil
}

// UpdateGroup renames the group with g's ID, or returns
// auth.ErrGroupNotFound.
func (s *Store[U]) UpdateGroup(ctx context.Context, g *auth.Group) error {
	if g == nil {
		return fmt.Errorf("postgres: update group: %w", errNil("Group"))
	}
	if err := g.Validate(); err != nil {
		return fmt.Errorf("postgres: update group %d: %w", g.ID, err)
	}
	var tag pgconn.CommandTag
	err := guarded(ctx, s.db, func(q Querier) (err error) {
		tag, err = q.Exec(ctx, `UPDATE "auth_group" SET "name" = $2 WHERE "id" = $1::bigint`, g.ID, g.Name)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: update group %d: %w", g.ID, translate(err, nil))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: update group %d: %w", g.ID, auth.ErrGroupNotFound)
	}
	return nil
}

// DeleteGroup deletes the group and its memberships in one statement, or
// returns auth.ErrGroupNotFound.
func (s *Store[U]) DeleteGroup(ctx context.Context, id int64) error {
	tag, err := s.db.Exec(ctx, s.q.deleteGroup, id)
	if err != nil {
		return fmt.Errorf("postgres: delete group %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete group %d: %w", id, auth.ErrGroupNotFound)
	}
	return nil
}

// ListGroups returns every group ordered by name.
func (s *Store[U]) ListGroups(ctx context.Context) ([]auth.Group, error) {
	rows, _ := s.db.Query(ctx, `SELECT "id", "name" FROM "auth_group" ORDER BY "name" COLLATE "C", "id"`)
	gs, err := pgx.CollectRows(rows, pgx.RowToStructByName[auth.Group])
	if err != nil {
		return nil, fmt.Errorf("postgres: list groups: %w", err)
	}
	return gs, nil
}
