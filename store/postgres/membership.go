package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/internal/valid"
	"github.com/jackc/pgx/v5"
)

// parsePerms validates every "app_label.codename" before anything is read
// or written.
func parsePerms(perms []string) (apps, codenames []string, err error) {
	apps = make([]string, len(perms))
	codenames = make([]string, len(perms))
	for i, p := range perms {
		if apps[i], codenames[i], err = auth.ParsePermission(p); err != nil {
			return nil, nil, err
		}
	}
	return apps, codenames, nil
}

// resolvePerms returns the ids of the named permissions, or
// auth.ErrPermissionNotFound naming the first one that does not exist. A
// name that several models of an app share resolves to all of them, as a
// grant by name covers every permission that answers to it.
func resolvePerms(ctx context.Context, tx pgx.Tx, perms, apps, codenames []string) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT x.i, p."id"
		FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(a, c, i)
		LEFT JOIN "django_content_type" ct ON ct."app_label" = x.a
		LEFT JOIN "auth_permission" p ON p."content_type_id" = ct."id" AND p."codename" = x.c
		ORDER BY x.i`, apps, codenames)
	if err != nil {
		return nil, err
	}
	found := make([]bool, len(perms))
	var ids []int64
	var i int64
	var id *int64
	if _, err := pgx.ForEachRow(rows, []any{&i, &id}, func() error {
		if id != nil {
			found[i-1] = true
			ids = append(ids, *id)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	for k, ok := range found {
		if !ok {
			return nil, fmt.Errorf("%w: %s", auth.ErrPermissionNotFound, perms[k])
		}
	}
	return ids, nil
}

// requireRow returns notFound unless table has a row with the id. The row
// is locked against deletion until the transaction ends.
func requireRow(ctx context.Context, tx pgx.Tx, table string, id int64, notFound error) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM `+table+` WHERE "id" = $1::bigint FOR KEY SHARE`, id).Scan(&one)
	return translate(err, notFound)
}

// requireGroups returns auth.ErrGroupNotFound unless every id names a
// group, locking them against deletion.
func requireGroups(ctx context.Context, tx pgx.Tx, ids []int64) error {
	rows, err := tx.Query(ctx, `SELECT "id" FROM "auth_group" WHERE "id" = ANY($1::bigint[]) FOR KEY SHARE`, ids)
	if err != nil {
		return err
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.Contains(got, id) {
			return fmt.Errorf("%w: %d", auth.ErrGroupNotFound, id)
		}
	}
	return nil
}

// ownerMissing is called when a list came back empty: it tells an owner
// without members (nil) from an unknown one (notFound). Lists that have
// rows cost one query; empty ones two.
func ownerMissing(ctx context.Context, db Querier, table string, id int64, notFound error) error {
	var exists bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE "id" = $1::bigint)`, id).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return notFound
	}
	return nil
}

// link describes one many-to-many table: the owner column, its table and
// not-found sentinel, and the target column.
type link struct {
	table, ownerCol, ownerTable, targetCol string
	ownerNotFound                          error
}

func (s *Store[U]) userGroupsLink() link {
	return link{s.q.userGroups, s.q.userIDCol, s.q.userTable, `"group_id"`, auth.ErrUserNotFound}
}

func (s *Store[U]) userPermsLink() link {
	return link{s.q.userPerms, s.q.userIDCol, s.q.userTable, `"permission_id"`, auth.ErrUserNotFound}
}

func groupPermsLink() link {
	return link{`"auth_group_permissions"`, `"group_id"`, `"auth_group"`, `"permission_id"`, auth.ErrGroupNotFound}
}

type linkOp int

const (
	opAdd linkOp = iota
	opRemove
	opSet
)

// apply adds, removes or sets the targets of owner in one transaction.
// resolve checks and returns the target ids inside that transaction.
func (s *Store[U]) apply(ctx context.Context, l link, op linkOp, owner int64, resolve func(pgx.Tx) ([]int64, error)) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := requireRow(ctx, tx, l.ownerTable, owner, l.ownerNotFound); err != nil {
			return err
		}
		ids, err := resolve(tx)
		if err != nil {
			return err
		}
		if ids == nil {
			ids = []int64{}
		}
		if op == opRemove {
			_, err := tx.Exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s = $1::bigint AND %s = ANY($2::bigint[])`,
				l.table, l.ownerCol, l.targetCol), owner, ids)
			return err
		}
		if op == opSet {
			if _, err := tx.Exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s = $1::bigint AND %s <> ALL($2::bigint[])`,
				l.table, l.ownerCol, l.targetCol), owner, ids); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, fmt.Sprintf(`INSERT INTO %s (%s, %s)
			SELECT $1::bigint, t FROM unnest($2::bigint[]) AS t ORDER BY t
			ON CONFLICT (%[2]s, %[3]s) DO NOTHING`, l.table, l.ownerCol, l.targetCol), owner, ids)
		return err
	})
}

func (s *Store[U]) applyGroups(ctx context.Context, what string, op linkOp, userID int64, groupIDs []int64) error {
	err := s.apply(ctx, s.userGroupsLink(), op, userID, func(tx pgx.Tx) ([]int64, error) {
		return groupIDs, requireGroups(ctx, tx, groupIDs)
	})
	if err != nil {
		return fmt.Errorf("postgres: %s of user %d: %w", what, userID, err)
	}
	return nil
}

func (s *Store[U]) applyPerms(ctx context.Context, what string, l link, op linkOp, owner int64, perms []string) error {
	apps, codenames, err := parsePerms(perms)
	if err != nil {
		return fmt.Errorf("postgres: %s %d: %w", what, owner, err)
	}
	err = s.apply(ctx, l, op, owner, func(tx pgx.Tx) ([]int64, error) {
		return resolvePerms(ctx, tx, perms, apps, codenames)
	})
	if err != nil {
		return fmt.Errorf("postgres: %s %d: %w", what, owner, err)
	}
	return nil
}

// AddUserGroups puts the user in the groups; an unknown user or group
// fails the call and writes nothing.
func (s *Store[U]) AddUserGroups(ctx context.Context, userID int64, groupIDs ...int64) error {
	return s.applyGroups(ctx, "add groups", opAdd, userID, groupIDs)
}

// RemoveUserGroups takes the user out of the groups.
func (s *Store[U]) RemoveUserGroups(ctx context.Context, userID int64, groupIDs ...int64) error {
	return s.applyGroups(ctx, "remove groups", opRemove, userID, groupIDs)
}

// SetUserGroups makes groupIDs the user's only groups.
func (s *Store[U]) SetUserGroups(ctx context.Context, userID int64, groupIDs []int64) error {
	return s.applyGroups(ctx, "set groups", opSet, userID, groupIDs)
}

// ListUserGroups returns the user's groups ordered by name, or
// auth.ErrUserNotFound.
func (s *Store[U]) ListUserGroups(ctx context.Context, userID int64) ([]auth.Group, error) {
	rows, _ := s.db.Query(ctx, s.q.listUserGroups, userID)
	found := false
	gs := []auth.Group{}
	var id *int64
	var name *string
	_, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error {
		found = true
		if id != nil { // nil: the user's one row when it has no groups
			gs = append(gs, auth.Group{ID: *id, Name: *name})
		}
		return nil
	})
	if err == nil && !found {
		err = auth.ErrUserNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: list groups of user %d: %w", userID, err)
	}
	return gs, nil
}

// ListGroupUsers returns the members of the group ordered by ID, or
// auth.ErrGroupNotFound.
func (s *Store[U]) ListGroupUsers(ctx context.Context, groupID int64) ([]*U, error) {
	users, err := s.collectUsers(s.db.Query(ctx, s.q.listGroupUsers, groupID))
	if err == nil && len(users) == 0 {
		err = ownerMissing(ctx, s.db, `"auth_group"`, groupID, auth.ErrGroupNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: list users of group %d: %w", groupID, err)
	}
	return users, nil
}

// AddUserPermissions grants the permissions to the user directly.
func (s *Store[U]) AddUserPermissions(ctx context.Context, userID int64, perms ...string) error {
	return s.applyPerms(ctx, "add permissions of user", s.userPermsLink(), opAdd, userID, perms)
}

// RemoveUserPermissions revokes direct grants.
func (s *Store[U]) RemoveUserPermissions(ctx context.Context, userID int64, perms ...string) error {
	return s.applyPerms(ctx, "remove permissions of user", s.userPermsLink(), opRemove, userID, perms)
}

// SetUserPermissions makes perms the user's only direct permissions.
func (s *Store[U]) SetUserPermissions(ctx context.Context, userID int64, perms []string) error {
	return s.applyPerms(ctx, "set permissions of user", s.userPermsLink(), opSet, userID, perms)
}

// ListUserPermissions returns the user's direct permissions in Django's
// ordering.
func (s *Store[U]) ListUserPermissions(ctx context.Context, userID int64) ([]auth.Permission, error) {
	perms, err := collectPerms(s.db.Query(ctx, s.q.listUserPerms, userID))
	if err == nil && len(perms) == 0 {
		err = ownerMissing(ctx, s.db, s.q.userTable, userID, auth.ErrUserNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: list permissions of user %d: %w", userID, err)
	}
	return perms, nil
}

// AddGroupPermissions grants the permissions to the group.
func (s *Store[U]) AddGroupPermissions(ctx context.Context, groupID int64, perms ...string) error {
	return s.applyPerms(ctx, "add permissions of group", groupPermsLink(), opAdd, groupID, perms)
}

// RemoveGroupPermissions revokes grants from the group.
func (s *Store[U]) RemoveGroupPermissions(ctx context.Context, groupID int64, perms ...string) error {
	return s.applyPerms(ctx, "remove permissions of group", groupPermsLink(), opRemove, groupID, perms)
}

// SetGroupPermissions makes perms the group's only permissions.
func (s *Store[U]) SetGroupPermissions(ctx context.Context, groupID int64, perms []string) error {
	return s.applyPerms(ctx, "set permissions of group", groupPermsLink(), opSet, groupID, perms)
}

// ListGroupPermissions returns the group's permissions in Django's
// ordering.
func (s *Store[U]) ListGroupPermissions(ctx context.Context, groupID int64) ([]auth.Permission, error) {
	perms, err := collectPerms(s.db.Query(ctx, permSelect+` JOIN "auth_group_permissions" gp ON gp."permission_id" = p."id"
		WHERE gp."group_id" = $1::bigint`+permOrder, groupID))
	if err == nil && len(perms) == 0 {
		err = ownerMissing(ctx, s.db, `"auth_group"`, groupID, auth.ErrGroupNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: list permissions of group %d: %w", groupID, err)
	}
	return perms, nil
}

// UserPermissionSet returns the user's direct permissions in one query.
func (s *Store[U]) UserPermissionSet(ctx context.Context, userID int64) (auth.PermSet, error) {
	set, err := s.permSet(ctx, s.q.userPermsSQL, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: permissions of user %d: %w", userID, err)
	}
	return set, nil
}

// GroupPermissionSet returns the permissions the user holds through its
// groups, in one query.
func (s *Store[U]) GroupPermissionSet(ctx context.Context, userID int64) (auth.PermSet, error) {
	set, err := s.permSet(ctx, s.q.groupPermsSQL, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: group permissions of user %d: %w", userID, err)
	}
	return set, nil
}

func (s *Store[U]) permSet(ctx context.Context, sql string, id int64) (auth.PermSet, error) {
	rows, err := s.db.Query(ctx, sql, id)
	if err != nil {
		return nil, err
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	return auth.NewPermSet(keys...), nil
}

// GetUserWithPermissions returns the user, both permission sets and its
// group names (ordered as ListUserGroups orders them) in one query: three
// ARRAY subqueries beside the user columns.
func (s *Store[U]) GetUserWithPermissions(ctx context.Context, id int64) (*U, auth.UserPermissions, error) {
	var userPerms, groupPerms, groups []string
	u, err := s.scanUser(s.db.QueryRow(ctx, s.q.userWithPerms, id), &userPerms, &groupPerms, &groups)
	if err != nil {
		return nil, auth.UserPermissions{}, fmt.Errorf("postgres: get user %d with permissions: %w",
			id, translate(err, auth.ErrUserNotFound))
	}
	return u, userPermissions(userPerms, groupPerms, groups), nil
}

// userPermissions makes the auth.UserPermissions of the three arrays that
// follow the user columns of q.userWithPerms and q.sessionWithUser.
func userPermissions(userPerms, groupPerms, groups []string) auth.UserPermissions {
	if groups == nil {
		groups = []string{}
	}
	return auth.UserPermissions{User: auth.NewPermSet(userPerms...), Group: auth.NewPermSet(groupPerms...), Groups: groups}
}

// UsersWithPermission returns the users holding perm, ordered by ID, with
// Django's with_perm semantics, in one query. Only when that query returns
// no user does a second one tell an unknown permission
// (auth.ErrPermissionNotFound) from a known one that nobody holds.
func (s *Store[U]) UsersWithPermission(ctx context.Context, perm string, opts auth.WithPermOptions) ([]*U, error) {
	if !valid.Text(perm) {
		return nil, fmt.Errorf("postgres: users with permission %q: %w", perm, auth.ErrPermissionNotFound)
	}
	app, codename, err := auth.ParsePermission(perm)
	if err != nil {
		return nil, fmt.Errorf("postgres: users with permission: %w", err)
	}
	users, err := s.collectUsers(s.db.Query(ctx, s.q.usersWithPerm, app, codename, opts.IncludeInactive, opts.ExcludeSuperusers))
	if err != nil {
		return nil, fmt.Errorf("postgres: users with permission %s: %w", perm, err)
	}
	if len(users) > 0 {
		return users, nil
	}
	if _, err := s.GetPermission(ctx, perm); err != nil {
		return nil, fmt.Errorf("postgres: users with permission %s: %w", perm, err)
	}
	return users, nil
}
