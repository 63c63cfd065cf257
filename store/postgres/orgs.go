package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/djauth/auth"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/store/internal/valid"
)

// OrgStore is an orgs.Store over django-organizations' tables
// (organizations_organization, organizations_organizationuser,
// organizations_organizationowner, organizations_organizationinvitation)
// and djauth's beside them (djauth migration 0009_orgs: djauth_org_role,
// djauth_org_member_role, djauth_org_invitation,
// djauth_org_invitation_role). Migrate with DjangoOrganizations creates
// them, or verifies the ones Django made.
//
// Django reads what it writes: an organization, its members, owner and
// invitations are django-organizations' own rows, with created and
// modified set as its AutoCreatedField and AutoLastModifiedField set them;
// a role is a plain auth_group whose permissions are its
// auth_group_permissions. Who holds a role is kept per membership in
// djauth_org_member_role, never in auth_user_groups, so Django grants no
// role permission globally.
//
// Every statement that reads or writes a member, role or invitation names
// its organization_id, so an ID of another organization matches nothing.
// Invitations made by Django, which lack djauth's token, expiry and
// acceptance, are not listed.
//
// The foreign keys of django-organizations are deferred: on a pool, a user
// that does not exist is auth.ErrUserNotFound; inside the caller's
// transaction it fails the caller's commit. OrgStore is safe for
// concurrent use when its Querier is.
type OrgStore struct {
	db  Querier
	now func() time.Time
}

var _ orgs.Store = (*OrgStore)(nil)

// OrgOptions configures NewOrgStore. The zero value is ready to use.
type OrgOptions struct {
	// Now is the clock of the created and modified columns, as Django's
	// timezone.now is theirs; nil means time.Now. AcceptInvitation takes
	// its own now.
	Now func() time.Time
}

// NewOrgStore returns an OrgStore on db.
func NewOrgStore(db Querier, opts OrgOptions) (*OrgStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewOrgStore: nil Querier")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &OrgStore{db: db, now: now}, nil
}

// stamp is the store's clock at PostgreSQL's microsecond precision, so
// that what a method returns is what a later read finds.
func (s *OrgStore) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Field lengths of django-organizations and auth_group.
const (
	orgNameMax     = 200
	orgSlugMax     = 200
	inviteeMax     = 1000
	roleNameMax    = 150
	groupNameMax   = 150
	tokenHashMax   = 64
	codeFKViolated = "23503"
)

func checkText(field, s string, maxLen int) error {
	switch {
	case s == "":
		return &auth.ValidationError{Field: field, Code: "required", Message: "this field cannot be blank"}
	case !valid.Text(s):
		return &auth.ValidationError{Field: field, Code: "invalid", Message: "must be valid UTF-8 without NUL bytes"}
	case utf8.RuneCountInString(s) > maxLen:
		return &auth.ValidationError{Field: field, Code: "max_length",
			Message: fmt.Sprintf("must have at most %d characters", maxLen)}
	}
	return nil
}

func checkOrg(org orgs.Organization) error {
	if err := checkText("Name", org.Name, orgNameMax); err != nil {
		return err
	}
	return checkText("Slug", org.Slug, orgSlugMax)
}

// orgError translates what PostgreSQL says about a write: the unique slug
// is orgs.ErrSlugTaken, a membership that exists orgs.ErrAlreadyMember, a
// missing user (a deferred foreign key) auth.ErrUserNotFound.
func orgError(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch {
	case pgErr.Code == codeUniqueViolation && pgErr.TableName == "organizations_organization":
		return orgs.ErrSlugTaken
	case pgErr.Code == codeUniqueViolation && pgErr.TableName == "organizations_organizationuser":
		return orgs.ErrAlreadyMember
	case pgErr.Code == codeUniqueViolation && pgErr.TableName == "djauth_org_role":
		return orgs.ErrRoleNameTaken
	case pgErr.Code == codeUniqueViolation && pgErr.TableName == "auth_group":
		return fmt.Errorf("%w: its group name is taken by another group", orgs.ErrRoleNameTaken)
	case pgErr.Code == codeFKViolated && userKey(pgErr.Detail):
		return fmt.Errorf("%w (constraint %s)", auth.ErrUserNotFound, pgErr.ConstraintName)
	}
	return err
}

// userKey reports whether a foreign key violation's detail ("Key
// (user_id)=(7) is not present in table ...") names a column that
// references the user table.
func userKey(detail string) bool {
	for _, col := range []string{"(user_id)=", "(invited_by_id)=", "(invitee_id)="} {
		if strings.Contains(detail, "Key "+col) {
			return true
		}
	}
	return false
}

func utc(ts ...*time.Time) {
	for _, t := range ts {
		*t = t.UTC()
	}
}

// Organizations.

const orgColumns = `o."id", o."name", o."slug", o."is_active", o."created", o."modified"`

func scanOrg(row pgx.Row) (orgs.Organization, error) {
	var o orgs.Organization
	err := row.Scan(&o.ID, &o.Name, &o.Slug, &o.IsActive, &o.Created, &o.Modified)
	utc(&o.Created, &o.Modified)
	return o, err
}

// CreateOrganization implements orgs.Store: the organization, the owner's
// organizationuser (is_admin) and organizationowner, in one transaction.
func (s *OrgStore) CreateOrganization(ctx context.Context, org orgs.Organization, ownerID int64) (orgs.Organization, error) {
	if err := checkOrg(org); err != nil {
		return orgs.Organization{}, err
	}
	now := s.stamp()
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO "organizations_organization" AS o
			("name", "is_active", "created", "modified", "slug") VALUES ($1, $2, $3, $3, $4)
			RETURNING `+orgColumns, org.Name, org.IsActive, now, org.Slug).
			Scan(&org.ID, &org.Name, &org.Slug, &org.IsActive, &org.Created, &org.Modified); err != nil {
			return err
		}
		var ouID int64
		if err := tx.QueryRow(ctx, `INSERT INTO "organizations_organizationuser"
			("created", "modified", "is_admin", "organization_id", "user_id") VALUES ($1, $1, true, $2, $3)
			RETURNING "id"`, now, org.ID, ownerID).Scan(&ouID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO "organizations_organizationowner"
			("created", "modified", "organization_id", "organization_user_id") VALUES ($1, $1, $2, $3)`,
			now, org.ID, ouID)
		return err
	})
	if err != nil {
		return orgs.Organization{}, fmt.Errorf("postgres: create organization %q: %w", org.Slug, orgError(err))
	}
	utc(&org.Created, &org.Modified)
	return org, nil
}

// Organization implements orgs.Store.
func (s *OrgStore) Organization(ctx context.Context, id int64) (orgs.Organization, error) {
	o, err := scanOrg(s.db.QueryRow(ctx, `SELECT `+orgColumns+` FROM "organizations_organization" o
		WHERE o."id" = $1::bigint`, id))
	if err != nil {
		return orgs.Organization{}, fmt.Errorf("postgres: organization %d: %w", id, translate(err, orgs.ErrNotFound))
	}
	return o, nil
}

// OrganizationBySlug implements orgs.Store.
func (s *OrgStore) OrganizationBySlug(ctx context.Context, slug string) (orgs.Organization, error) {
	if !valid.Text(slug) {
		return orgs.Organization{}, fmt.Errorf("postgres: organization %q: %w", slug, orgs.ErrNotFound)
	}
	o, err := scanOrg(s.db.QueryRow(ctx, `SELECT `+orgColumns+` FROM "organizations_organization" o
		WHERE o."slug" = $1`, slug))
	if err != nil {
		return orgs.Organization{}, fmt.Errorf("postgres: organization %q: %w", slug, translate(err, orgs.ErrNotFound))
	}
	return o, nil
}

// UpdateOrganization implements orgs.Store; modified is set to now.
func (s *OrgStore) UpdateOrganization(ctx context.Context, org orgs.Organization) error {
	if err := checkOrg(org); err != nil {
		return err
	}
	err := guarded(ctx, s.db, func(q Querier) error {
		tag, err := q.Exec(ctx, `UPDATE "organizations_organization"
			SET "name" = $2, "slug" = $3, "is_active" = $4, "modified" = $5 WHERE "id" = $1::bigint`,
			org.ID, org.Name, org.Slug, org.IsActive, s.stamp())
		if err == nil && tag.RowsAffected() == 0 {
			err = orgs.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: update organization %d: %w", org.ID, orgError(err))
	}
	return nil
}

// DeleteOrganization implements orgs.Store: the role groups (with their
// permissions), invitations, owner, members and the organization, in one
// transaction. djauth's rows go with them by cascade.
func (s *OrgStore) DeleteOrganization(ctx context.Context, id int64) error {
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM "organizations_organization" WHERE "id" = $1::bigint FOR UPDATE`,
			id).Scan(&one); err != nil {
			return translate(err, orgs.ErrNotFound)
		}
		for _, sql := range []string{
			`DELETE FROM "auth_group_permissions" WHERE "group_id" IN
				(SELECT "group_id" FROM "djauth_org_role" WHERE "organization_id" = $1::bigint)`,
			`DELETE FROM "auth_user_groups" WHERE "group_id" IN
				(SELECT "group_id" FROM "djauth_org_role" WHERE "organization_id" = $1::bigint)`,
			`DELETE FROM "auth_group" WHERE "id" IN
				(SELECT "group_id" FROM "djauth_org_role" WHERE "organization_id" = $1::bigint)`,
			`DELETE FROM "organizations_organizationinvitation" WHERE "organization_id" = $1::bigint`,
			`DELETE FROM "organizations_organizationowner" WHERE "organization_id" = $1::bigint`,
			`DELETE FROM "organizations_organizationuser" WHERE "organization_id" = $1::bigint`,
			`DELETE FROM "organizations_organization" WHERE "id" = $1::bigint`,
		} {
			if _, err := tx.Exec(ctx, sql, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: delete organization %d: %w", id, err)
	}
	return nil
}

// likePattern escapes s for LIKE with the default escape character.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// ListOrganizations implements orgs.Store.
func (s *OrgStore) ListOrganizations(ctx context.Context, o orgs.ListOptions) ([]orgs.Organization, int, error) {
	if o.Offset < 0 || o.Limit < 0 {
		return nil, 0, &auth.ValidationError{Field: "ListOptions", Code: "invalid", Message: "offset and limit cannot be negative"}
	}
	if !valid.Text(o.Search) {
		return nil, 0, nil
	}
	where, args := "", []any{}
	if o.Search != "" {
		where = ` WHERE o."name" ILIKE $1 OR o."slug" ILIKE $1`
		args = append(args, likePattern(o.Search))
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM "organizations_organization" o`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("postgres: list organizations: %w", err)
	}
	sql := `SELECT ` + orgColumns + ` FROM "organizations_organization" o` + where + ` ORDER BY o."name", o."id"`
	sql += fmt.Sprintf(" OFFSET %d", o.Offset)
	if o.Limit > 0 {
		sql += fmt.Sprintf(" LIMIT %d", o.Limit)
	}
	rows, err := s.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: list organizations: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (orgs.Organization, error) { return scanOrg(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: list organizations: %w", err)
	}
	return list, total, nil
}

// Members.

const memberColumns = `ou."id", ou."organization_id", ou."user_id", ou."is_admin",
	EXISTS (SELECT 1 FROM "organizations_organizationowner" ow
		WHERE ow."organization_user_id" = ou."id" AND ow."organization_id" = ou."organization_id"),
	ou."created", ou."modified"`

func scanMember(row pgx.Row) (orgs.Member, error) {
	var m orgs.Member
	err := row.Scan(&m.ID, &m.OrgID, &m.UserID, &m.IsAdmin, &m.IsOwner, &m.Created, &m.Modified)
	utc(&m.Created, &m.Modified)
	return m, err
}

func collectMembers(rows pgx.Rows, err error) ([]orgs.Member, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (orgs.Member, error) { return scanMember(r) })
}

// Membership implements orgs.Store.
func (s *OrgStore) Membership(ctx context.Context, orgID, userID int64) (orgs.Member, error) {
	m, err := membership(ctx, s.db, orgID, userID, "")
	if err != nil {
		return orgs.Member{}, fmt.Errorf("postgres: membership of user %d in organization %d: %w", userID, orgID, err)
	}
	return m, nil
}

// membership reads one membership, with lock appended (such as FOR
// UPDATE OF ou) when it is not empty.
func membership(ctx context.Context, db Querier, orgID, userID int64, lock string) (orgs.Member, error) {
	m, err := scanMember(db.QueryRow(ctx, `SELECT `+memberColumns+` FROM "organizations_organizationuser" ou
		WHERE ou."organization_id" = $1::bigint AND ou."user_id" = $2::bigint `+lock, orgID, userID))
	return m, translate(err, orgs.ErrNotMember)
}

// UserOrganizations implements orgs.Store.
func (s *OrgStore) UserOrganizations(ctx context.Context, userID int64) ([]orgs.Organization, []orgs.Member, error) {
	rows, err := s.db.Query(ctx, `SELECT `+orgColumns+`, `+memberColumns+`
		FROM "organizations_organizationuser" ou
		JOIN "organizations_organization" o ON o."id" = ou."organization_id"
		WHERE ou."user_id" = $1::bigint ORDER BY o."name", o."id"`, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: organizations of user %d: %w", userID, err)
	}
	var list []orgs.Organization
	var ms []orgs.Member
	var o orgs.Organization
	var m orgs.Member
	_, err = pgx.ForEachRow(rows, []any{&o.ID, &o.Name, &o.Slug, &o.IsActive, &o.Created, &o.Modified,
		&m.ID, &m.OrgID, &m.UserID, &m.IsAdmin, &m.IsOwner, &m.Created, &m.Modified}, func() error {
		utc(&o.Created, &o.Modified, &m.Created, &m.Modified)
		list, ms = append(list, o), append(ms, m)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: organizations of user %d: %w", userID, err)
	}
	return list, ms, nil
}

// Members implements orgs.Store; an unknown organization is
// orgs.ErrNotFound.
func (s *OrgStore) Members(ctx context.Context, orgID int64) ([]orgs.Member, error) {
	ms, err := collectMembers(s.db.Query(ctx, `SELECT `+memberColumns+` FROM "organizations_organizationuser" ou
		WHERE ou."organization_id" = $1::bigint ORDER BY ou."user_id"`, orgID))
	if err == nil && len(ms) == 0 {
		err = ownerMissing(ctx, s.db, `"organizations_organization"`, orgID, orgs.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: members of organization %d: %w", orgID, err)
	}
	return ms, nil
}

// AddMember implements orgs.Store.
func (s *OrgStore) AddMember(ctx context.Context, orgID, userID int64, isAdmin bool) (orgs.Member, error) {
	var m orgs.Member
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var err error
		m, err = addMember(ctx, tx, orgID, userID, isAdmin, s.stamp())
		return err
	})
	if err != nil {
		return orgs.Member{}, fmt.Errorf("postgres: add user %d to organization %d: %w", userID, orgID, orgError(err))
	}
	return m, nil
}

// addMember inserts a membership of an organization that exists (locked
// against deletion until tx ends).
func addMember(ctx context.Context, tx pgx.Tx, orgID, userID int64, isAdmin bool, now time.Time) (orgs.Member, error) {
	if err := requireRow(ctx, tx, `"organizations_organization"`, orgID, orgs.ErrNotFound); err != nil {
		return orgs.Member{}, err
	}
	m := orgs.Member{OrgID: orgID, UserID: userID, IsAdmin: isAdmin, Created: now, Modified: now}
	err := tx.QueryRow(ctx, `INSERT INTO "organizations_organizationuser"
		("created", "modified", "is_admin", "organization_id", "user_id") VALUES ($1, $1, $2, $3, $4)
		RETURNING "id"`, now, isAdmin, orgID, userID).Scan(&m.ID)
	return m, err
}

// SetAdmin implements orgs.Store. The owner stays an admin:
// orgs.ErrOwnerRequired when isAdmin is false for the owner.
func (s *OrgStore) SetAdmin(ctx context.Context, orgID, userID int64, isAdmin bool) error {
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		m, err := membership(ctx, tx, orgID, userID, `FOR UPDATE OF ou`)
		if err != nil {
			return err
		}
		if m.IsOwner && !isAdmin {
			return orgs.ErrOwnerRequired
		}
		_, err = tx.Exec(ctx, `UPDATE "organizations_organizationuser" SET "is_admin" = $3, "modified" = $4
			WHERE "id" = $1 AND "organization_id" = $2::bigint`, m.ID, orgID, isAdmin, s.stamp())
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: set admin of user %d in organization %d: %w", userID, orgID, err)
	}
	return nil
}

// RemoveMember implements orgs.Store: the membership and, by cascade, the
// member's roles in the organization.
func (s *OrgStore) RemoveMember(ctx context.Context, orgID, userID int64) error {
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		m, err := membership(ctx, tx, orgID, userID, `FOR UPDATE OF ou`)
		if err != nil {
			return err
		}
		if m.IsOwner {
			return orgs.ErrOwnerRequired
		}
		// The owner is checked again in the statement: a concurrent
		// transfer to this member may have committed since.
		tag, err := tx.Exec(ctx, `DELETE FROM "organizations_organizationuser" ou
			WHERE ou."id" = $1 AND ou."organization_id" = $2::bigint AND NOT EXISTS
			(SELECT 1 FROM "organizations_organizationowner" ow WHERE ow."organization_user_id" = ou."id")`, m.ID, orgID)
		if err == nil && tag.RowsAffected() == 0 {
			err = orgs.ErrOwnerRequired
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: remove user %d from organization %d: %w", userID, orgID, err)
	}
	return nil
}

// TransferOwnership implements orgs.Store: the member becomes an admin
// and the organization's owner row points at them (or is created, for an
// organization Django made without an owner).
func (s *OrgStore) TransferOwnership(ctx context.Context, orgID, userID int64) error {
	now := s.stamp()
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		m, err := membership(ctx, tx, orgID, userID, `FOR UPDATE OF ou`)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE "organizations_organizationuser" SET "is_admin" = true, "modified" = $3
			WHERE "id" = $1 AND "organization_id" = $2::bigint AND NOT "is_admin"`, m.ID, orgID, now); err != nil {
			return err
		}
		if m.IsOwner {
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO "organizations_organizationowner" AS ow
			("created", "modified", "organization_id", "organization_user_id") VALUES ($1, $1, $2, $3)
			ON CONFLICT ("organization_id") DO UPDATE SET "organization_user_id" = EXCLUDED."organization_user_id",
				"modified" = EXCLUDED."modified"`, now, orgID, m.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: transfer organization %d to user %d: %w", orgID, userID, err)
	}
	return nil
}

// Roles.

// roleGroupName is the auth_group name of an organization's role: "org
// <id>: <name>", unique across the site because role names are unique in
// their organization. A name too long for auth_group's 150 characters is
// cut and given the start of its SHA-256, so that two long names that
// share a beginning keep distinct groups.
func roleGroupName(orgID int64, name string) string {
	prefix := fmt.Sprintf("org %d: ", orgID)
	full := prefix + name
	if utf8.RuneCountInString(full) <= groupNameMax {
		return full
	}
	sum := sha256.Sum256([]byte(name))
	suffix := " #" + hex.EncodeToString(sum[:6])
	keep := groupNameMax - utf8.RuneCountInString(prefix) - len(suffix)
	r := []rune(name)
	return prefix + string(r[:keep]) + suffix
}

const roleColumns = `r."group_id", r."organization_id", r."name", g."name"`

const roleFrom = ` FROM "djauth_org_role" r JOIN "auth_group" g ON g."id" = r."group_id"`

func collectRoles(rows pgx.Rows, err error) ([]orgs.Role, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (orgs.Role, error) {
		var role orgs.Role
		err := r.Scan(&role.ID, &role.OrgID, &role.Name, &role.GroupName)
		return role, err
	})
}

// CreateRole implements orgs.Store: an auth_group named by roleGroupName
// and its djauth_org_role row, in one transaction.
func (s *OrgStore) CreateRole(ctx context.Context, orgID int64, name string) (orgs.Role, error) {
	if err := checkText("Name", name, roleNameMax); err != nil {
		return orgs.Role{}, err
	}
	role := orgs.Role{OrgID: orgID, Name: name, GroupName: roleGroupName(orgID, name)}
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := requireRow(ctx, tx, `"organizations_organization"`, orgID, orgs.ErrNotFound); err != nil {
			return err
		}
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM "djauth_org_role"
			WHERE "organization_id" = $1::bigint AND "name" = $2)`, orgID, name).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return orgs.ErrRoleNameTaken
		}
		if err := tx.QueryRow(ctx, `INSERT INTO "auth_group" ("name") VALUES ($1) RETURNING "id"`,
			role.GroupName).Scan(&role.ID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO "djauth_org_role" ("group_id", "organization_id", "name")
			VALUES ($1, $2, $3)`, role.ID, orgID, name)
		return err
	})
	if err != nil {
		return orgs.Role{}, fmt.Errorf("postgres: create role %q in organization %d: %w", name, orgID, orgError(err))
	}
	return role, nil
}

// Roles implements orgs.Store; an unknown organization is
// orgs.ErrNotFound.
func (s *OrgStore) Roles(ctx context.Context, orgID int64) ([]orgs.Role, error) {
	roles, err := collectRoles(s.db.Query(ctx, `SELECT `+roleColumns+roleFrom+`
		WHERE r."organization_id" = $1::bigint ORDER BY r."name"`, orgID))
	if err == nil && len(roles) == 0 {
		err = ownerMissing(ctx, s.db, `"organizations_organization"`, orgID, orgs.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: roles of organization %d: %w", orgID, err)
	}
	return roles, nil
}

// lockRole returns orgs.ErrNotFound unless roleID is a role of the
// organization, and locks it against deletion until tx ends.
func lockRole(ctx context.Context, tx pgx.Tx, orgID, roleID int64, strength string) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM "djauth_org_role"
		WHERE "group_id" = $1::bigint AND "organization_id" = $2::bigint FOR `+strength, roleID, orgID).Scan(&one)
	return translate(err, orgs.ErrNotFound)
}

// DeleteRole implements orgs.Store: the group, its permissions and, by
// cascade, the role and its assignments.
func (s *OrgStore) DeleteRole(ctx context.Context, orgID, roleID int64) error {
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := lockRole(ctx, tx, orgID, roleID, "UPDATE"); err != nil {
			return err
		}
		// The role is the organization's (locked above): its group goes.
		for _, sql := range []string{
			`DELETE FROM "auth_group_permissions" WHERE "group_id" = $1::bigint`,
			`DELETE FROM "auth_user_groups" WHERE "group_id" = $1::bigint`,
			`DELETE FROM "auth_group" WHERE "id" = $1::bigint`,
		} {
			if _, err := tx.Exec(ctx, sql, roleID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: delete role %d of organization %d: %w", roleID, orgID, err)
	}
	return nil
}

// SetRolePermissions implements orgs.Store: the role's group gets exactly
// perms in auth_group_permissions; a permission that does not exist is
// auth.ErrPermissionNotFound and changes nothing.
func (s *OrgStore) SetRolePermissions(ctx context.Context, orgID, roleID int64, perms []string) error {
	apps, codenames, err := parsePerms(perms)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := lockRole(ctx, tx, orgID, roleID, "UPDATE"); err != nil {
			return err
		}
		ids, err := resolvePerms(ctx, tx, perms, apps, codenames)
		if errors.Is(err, auth.ErrPermissionNotFound) {
			return fmt.Errorf("%w: %w", orgs.ErrNotFound, err)
		}
		if err != nil {
			return err
		}
		if ids == nil {
			ids = []int64{}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM "auth_group_permissions"
			WHERE "group_id" = $1::bigint AND NOT ("permission_id" = ANY($2::bigint[]))`, roleID, ids); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO "auth_group_permissions" ("group_id", "permission_id")
			SELECT $1::bigint, p FROM unnest($2::bigint[]) AS p
			WHERE NOT EXISTS (SELECT 1 FROM "auth_group_permissions" gp
				WHERE gp."group_id" = $1::bigint AND gp."permission_id" = p)
			GROUP BY p`, roleID, ids)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: set permissions of role %d of organization %d: %w", roleID, orgID, err)
	}
	return nil
}

// RolePermissions implements orgs.Store.
func (s *OrgStore) RolePermissions(ctx context.Context, orgID, roleID int64) ([]string, error) {
	perms, err := s.permKeys(ctx, `SELECT DISTINCT ct."app_label" || '.' || p."codename"
		FROM "djauth_org_role" r
		JOIN "auth_group_permissions" gp ON gp."group_id" = r."group_id"
		JOIN "auth_permission" p ON p."id" = gp."permission_id"
		JOIN "django_content_type" ct ON ct."id" = p."content_type_id"
		WHERE r."group_id" = $1::bigint AND r."organization_id" = $2::bigint`, roleID, orgID)
	if err == nil && len(perms) == 0 {
		var exists bool
		if err = s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM "djauth_org_role"
			WHERE "group_id" = $1::bigint AND "organization_id" = $2::bigint)`, roleID, orgID).Scan(&exists); err == nil && !exists {
			err = orgs.ErrNotFound
		}
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: permissions of role %d of organization %d: %w", roleID, orgID, err)
	}
	return perms, nil
}

// permKeys runs a query of "app_label.codename" strings and sorts them.
func (s *OrgStore) permKeys(ctx context.Context, sql string, args ...any) ([]string, error) {
	rows, err := s.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	slices.Sort(keys)
	if keys == nil {
		keys = []string{}
	}
	return keys, nil
}

// AssignRole implements orgs.Store; assigning a role the member holds is
// a no-op.
func (s *OrgStore) AssignRole(ctx context.Context, orgID, userID, roleID int64) error {
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		// The role first: another organization's role is not found,
		// whoever the user is.
		if err := lockRole(ctx, tx, orgID, roleID, "KEY SHARE"); err != nil {
			return err
		}
		m, err := membership(ctx, tx, orgID, userID, `FOR KEY SHARE OF ou`)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO "djauth_org_member_role" ("organization_user_id", "role_id", "organization_id")
			VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, m.ID, roleID, orgID)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: assign role %d of organization %d to user %d: %w", roleID, orgID, userID, err)
	}
	return nil
}

// UnassignRole implements orgs.Store; taking a role the member does not
// hold is a no-op.
func (s *OrgStore) UnassignRole(ctx context.Context, orgID, userID, roleID int64) error {
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		// The role first: another organization's role is not found,
		// whoever the user is.
		if err := lockRole(ctx, tx, orgID, roleID, "KEY SHARE"); err != nil {
			return err
		}
		m, err := membership(ctx, tx, orgID, userID, "")
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM "djauth_org_member_role"
			WHERE "organization_user_id" = $1 AND "role_id" = $2::bigint AND "organization_id" = $3::bigint`,
			m.ID, roleID, orgID)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: unassign role %d of organization %d from user %d: %w", roleID, orgID, userID, err)
	}
	return nil
}

// MemberRoles implements orgs.Store, ordered by name; orgs.ErrNotMember
// when the user is not a member.
func (s *OrgStore) MemberRoles(ctx context.Context, orgID, userID int64) ([]orgs.Role, error) {
	roles, err := collectRoles(s.db.Query(ctx, `SELECT `+roleColumns+roleFrom+`
		JOIN "djauth_org_member_role" mr ON mr."role_id" = r."group_id" AND mr."organization_id" = r."organization_id"
		JOIN "organizations_organizationuser" ou ON ou."id" = mr."organization_user_id"
			AND ou."organization_id" = mr."organization_id"
		WHERE r."organization_id" = $1::bigint AND ou."user_id" = $2::bigint ORDER BY r."name"`, orgID, userID))
	if err == nil && len(roles) == 0 {
		_, err = membership(ctx, s.db, orgID, userID, "")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: roles of user %d in organization %d: %w", userID, orgID, err)
	}
	if roles == nil {
		roles = []orgs.Role{}
	}
	return roles, nil
}

// MemberPermissions implements orgs.Store in one query (two when the
// answer is empty, to tell a member without permissions from a
// non-member).
func (s *OrgStore) MemberPermissions(ctx context.Context, orgID, userID int64) ([]string, error) {
	perms, err := s.permKeys(ctx, `SELECT DISTINCT ct."app_label" || '.' || p."codename"
		FROM "organizations_organizationuser" ou
		JOIN "djauth_org_member_role" mr ON mr."organization_user_id" = ou."id"
			AND mr."organization_id" = ou."organization_id"
		JOIN "auth_group_permissions" gp ON gp."group_id" = mr."role_id"
		JOIN "auth_permission" p ON p."id" = gp."permission_id"
		JOIN "django_content_type" ct ON ct."id" = p."content_type_id"
		WHERE ou."organization_id" = $1::bigint AND ou."user_id" = $2::bigint`, orgID, userID)
	if err == nil && len(perms) == 0 {
		_, err = membership(ctx, s.db, orgID, userID, "")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: permissions of user %d in organization %d: %w", userID, orgID, err)
	}
	return perms, nil
}

// Invitations.

const invitationSelect = `SELECT i."id", i."guid"::text, i."organization_id", i."invitee_identifier",
	i."invited_by_id", coalesce(i."invitee_id", 0), x."is_admin", x."token_hash", x."expires_at",
	x."accepted_at", i."created",
	ARRAY(SELECT ir."role_id"::bigint FROM "djauth_org_invitation_role" ir
		WHERE ir."invitation_id" = i."id" AND ir."organization_id" = i."organization_id" ORDER BY ir."role_id")
	FROM "organizations_organizationinvitation" i
	JOIN "djauth_org_invitation" x ON x."invitation_id" = i."id" AND x."organization_id" = i."organization_id"`

func scanInvitation(row pgx.Row) (orgs.Invitation, error) {
	var inv orgs.Invitation
	var accepted *time.Time
	err := row.Scan(&inv.ID, &inv.GUID, &inv.OrgID, &inv.Email, &inv.InvitedBy, &inv.InviteeID, &inv.IsAdmin,
		&inv.TokenHash, &inv.ExpiresAt, &accepted, &inv.Created, &inv.RoleIDs)
	if accepted != nil {
		inv.AcceptedAt = accepted.UTC()
	}
	if len(inv.RoleIDs) == 0 {
		inv.RoleIDs = nil
	}
	utc(&inv.ExpiresAt, &inv.Created)
	return inv, err
}

// newGUID returns a random (version 4) UUID.
func newGUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// CreateInvitation implements orgs.Store: django-organizations' row
// (guid, invitee_identifier, invited_by) and djauth's (token hash,
// expiry, is_admin, roles), in one transaction. Every role must be one of
// the organization's (orgs.ErrNotFound otherwise); a token hash in use is
// an error.
func (s *OrgStore) CreateInvitation(ctx context.Context, inv orgs.Invitation) (orgs.Invitation, error) {
	if err := checkText("Email", inv.Email, inviteeMax); err != nil {
		return orgs.Invitation{}, err
	}
	if len(inv.TokenHash) == 0 || len(inv.TokenHash) > tokenHashMax {
		return orgs.Invitation{}, &auth.ValidationError{Field: "TokenHash", Code: "invalid",
			Message: fmt.Sprintf("must have 1 to %d bytes", tokenHashMax)}
	}
	guid, err := newGUID()
	if err != nil {
		return orgs.Invitation{}, fmt.Errorf("postgres: create invitation: %w", err)
	}
	inv.ID, inv.GUID, inv.InviteeID, inv.AcceptedAt = 0, guid, 0, time.Time{}
	inv.Created = s.stamp()
	inv.ExpiresAt = inv.ExpiresAt.UTC().Truncate(time.Microsecond)
	roles := slices.Clone(inv.RoleIDs)
	slices.Sort(roles)
	roles = slices.Compact(roles)
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := requireRow(ctx, tx, `"organizations_organization"`, inv.OrgID, orgs.ErrNotFound); err != nil {
			return err
		}
		if len(roles) > 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM "djauth_org_role"
				WHERE "organization_id" = $1::bigint AND "group_id" = ANY($2::bigint[]) FOR KEY SHARE) r`,
				inv.OrgID, roles).Scan(&n); err != nil {
				return err
			}
			if n != len(roles) {
				return fmt.Errorf("%w: a role of the invitation is not one of the organization's", orgs.ErrNotFound)
			}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO "organizations_organizationinvitation"
			("guid", "invitee_identifier", "created", "modified", "invited_by_id", "invitee_id", "organization_id")
			VALUES ($1, $2, $3, $3, $4, NULL, $5) RETURNING "id"`,
			guid, inv.Email, inv.Created, inv.InvitedBy, inv.OrgID).Scan(&inv.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO "djauth_org_invitation"
			("invitation_id", "organization_id", "token_hash", "expires_at", "accepted_at", "is_admin")
			VALUES ($1, $2, $3, $4, NULL, $5)`, inv.ID, inv.OrgID, inv.TokenHash, inv.ExpiresAt, inv.IsAdmin); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO "djauth_org_invitation_role" ("invitation_id", "role_id", "organization_id")
			SELECT $1, r, $2 FROM unnest($3::bigint[]) AS r`, inv.ID, inv.OrgID, roles)
		return err
	})
	if err != nil {
		return orgs.Invitation{}, fmt.Errorf("postgres: create invitation to organization %d: %w", inv.OrgID, orgError(err))
	}
	inv.RoleIDs = roles
	if len(inv.RoleIDs) == 0 {
		inv.RoleIDs = nil
	}
	inv.TokenHash = slices.Clone(inv.TokenHash)
	return inv, nil
}

// InvitationByTokenHash implements orgs.Store, open or not.
func (s *OrgStore) InvitationByTokenHash(ctx context.Context, hash []byte) (orgs.Invitation, error) {
	if len(hash) == 0 {
		return orgs.Invitation{}, fmt.Errorf("postgres: invitation by token: %w", orgs.ErrNotFound)
	}
	inv, err := scanInvitation(s.db.QueryRow(ctx, invitationSelect+` WHERE x."token_hash" = $1`, hash))
	if err != nil {
		return orgs.Invitation{}, fmt.Errorf("postgres: invitation by token: %w", translate(err, orgs.ErrNotFound))
	}
	return inv, nil
}

// Invitations implements orgs.Store: those not accepted, expired ones
// included, newest first; an unknown organization is orgs.ErrNotFound.
func (s *OrgStore) Invitations(ctx context.Context, orgID int64) ([]orgs.Invitation, error) {
	rows, err := s.db.Query(ctx, invitationSelect+`
		WHERE i."organization_id" = $1::bigint AND x."accepted_at" IS NULL
		ORDER BY i."created" DESC, i."id" DESC`, orgID)
	var list []orgs.Invitation
	if err == nil {
		list, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (orgs.Invitation, error) { return scanInvitation(r) })
	}
	if err == nil && len(list) == 0 {
		err = ownerMissing(ctx, s.db, `"organizations_organization"`, orgID, orgs.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: invitations of organization %d: %w", orgID, err)
	}
	return list, nil
}

// AcceptInvitation implements orgs.Store. One UPDATE claims the open,
// unexpired invitation (of two concurrent acceptances the second waits
// for the first and then matches nothing); in the same transaction the
// invitee column is set and the membership and its roles are inserted, so
// an error (orgs.ErrAlreadyMember) leaves the invitation open.
func (s *OrgStore) AcceptInvitation(ctx context.Context, orgID, invitationID, userID int64, now time.Time) (orgs.Member, error) {
	now = now.UTC().Truncate(time.Microsecond)
	stamp := s.stamp()
	var m orgs.Member
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var isAdmin bool
		err := tx.QueryRow(ctx, `UPDATE "djauth_org_invitation" SET "accepted_at" = $3
			WHERE "invitation_id" = $1::bigint AND "organization_id" = $2::bigint
			  AND "accepted_at" IS NULL AND "expires_at" >= $3
			RETURNING "is_admin"`, invitationID, orgID, now).Scan(&isAdmin)
		if errors.Is(err, pgx.ErrNoRows) {
			return s.whyNotOpen(ctx, tx, orgID, invitationID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE "organizations_organizationinvitation" SET "invitee_id" = $3, "modified" = $4
			WHERE "id" = $1::bigint AND "organization_id" = $2::bigint`, invitationID, orgID, userID, stamp); err != nil {
			return err
		}
		if m, err = addMember(ctx, tx, orgID, userID, isAdmin, stamp); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO "djauth_org_member_role" ("organization_user_id", "role_id", "organization_id")
			SELECT $1, ir."role_id", ir."organization_id" FROM "djauth_org_invitation_role" ir
			WHERE ir."invitation_id" = $2::bigint AND ir."organization_id" = $3::bigint`, m.ID, invitationID, orgID)
		return err
	})
	if err != nil {
		return orgs.Member{}, fmt.Errorf("postgres: accept invitation %d of organization %d: %w", invitationID, orgID, orgError(err))
	}
	return m, nil
}

// whyNotOpen tells why an invitation could not be claimed.
func (s *OrgStore) whyNotOpen(ctx context.Context, tx pgx.Tx, orgID, invitationID int64) error {
	var accepted bool
	err := tx.QueryRow(ctx, `SELECT "accepted_at" IS NOT NULL FROM "djauth_org_invitation"
		WHERE "invitation_id" = $1::bigint AND "organization_id" = $2::bigint`, invitationID, orgID).Scan(&accepted)
	switch {
	case err != nil:
		return translate(err, orgs.ErrNotFound)
	case accepted:
		return orgs.ErrInvitationUsed
	}
	return orgs.ErrInvitationExpired
}

// RevokeInvitation implements orgs.Store: the open invitation's rows are
// deleted; an accepted one is orgs.ErrInvitationUsed.
func (s *OrgStore) RevokeInvitation(ctx context.Context, orgID, invitationID int64) error {
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM "organizations_organizationinvitation" i
			USING "djauth_org_invitation" x
			WHERE i."id" = $1::bigint AND i."organization_id" = $2::bigint
			  AND x."invitation_id" = i."id" AND x."organization_id" = i."organization_id" AND x."accepted_at" IS NULL`,
			invitationID, orgID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM "djauth_org_invitation"
			WHERE "invitation_id" = $1::bigint AND "organization_id" = $2::bigint)`, invitationID, orgID).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return orgs.ErrInvitationUsed
		}
		return orgs.ErrNotFound
	})
	if err != nil {
		return fmt.Errorf("postgres: revoke invitation %d of organization %d: %w", invitationID, orgID, err)
	}
	return nil
}
