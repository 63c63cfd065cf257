package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The three kinds of pgx handle are all Queriers.
var (
	_ postgres.Querier = (*pgxpool.Pool)(nil)
	_ postgres.Querier = (*pgx.Conn)(nil)
	_ postgres.Querier = pgx.Tx(nil)
)

// seed registers the auth permissions and makes a user with one direct
// permission and one group permission.
func seed(t *testing.T, s *postgres.Store[auth.User]) auth.User {
	t.Helper()
	ctx := context.Background()
	_, err := auth.Register(ctx, s, auth.AuthModels()...)
	require.NoError(t, err)
	g := auth.Group{Name: "editors"}
	require.NoError(t, s.CreateGroup(ctx, &g))
	require.NoError(t, s.AddGroupPermissions(ctx, g.ID, "auth.change_user", "auth.view_user"))
	u := auth.NewUser("alice")
	require.NoError(t, s.CreateUser(ctx, &u))
	require.NoError(t, s.AddUserGroups(ctx, u.ID, g.ID))
	require.NoError(t, s.AddUserPermissions(ctx, u.ID, "auth.add_group"))
	return u
}

func TestRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, counter := newTracedStore(t)
	u := seed(t, s)
	noGroups := auth.NewUser("nogroups")
	require.NoError(t, s.CreateUser(ctx, &noGroups))

	tests := []struct {
		name string
		call func(t *testing.T)
	}{
		{"GetUserWithPermissions", func(t *testing.T) {
			got, perms, err := s.GetUserWithPermissions(ctx, u.ID)
			require.NoError(t, err)
			assert.Equal(t, "alice", got.Username)
			assert.Equal(t, []string{"auth.add_group"}, perms.User.Sorted())
			assert.Equal(t, []string{"auth.change_user", "auth.view_user"}, perms.Group.Sorted())
		}},
		{"UserPermissionSet", func(t *testing.T) {
			set, err := s.UserPermissionSet(ctx, u.ID)
			require.NoError(t, err)
			assert.Equal(t, []string{"auth.add_group"}, set.Sorted())
		}},
		{"GroupPermissionSet", func(t *testing.T) {
			set, err := s.GroupPermissionSet(ctx, u.ID)
			require.NoError(t, err)
			assert.Equal(t, []string{"auth.change_user", "auth.view_user"}, set.Sorted())
		}},
		{"UsersWithPermission", func(t *testing.T) {
			users, err := s.UsersWithPermission(ctx, "auth.view_user", auth.WithPermOptions{})
			require.NoError(t, err)
			require.Len(t, users, 1)
		}},
		{"GetUser", func(t *testing.T) {
			_, err := s.GetUser(ctx, u.ID)
			require.NoError(t, err)
		}},
		{"ListUserGroups", func(t *testing.T) {
			gs, err := s.ListUserGroups(ctx, u.ID)
			require.NoError(t, err)
			assert.Len(t, gs, 1)
		}},
		{"ListUserGroupsOfUserWithoutGroups", func(t *testing.T) {
			// No second statement to tell "no groups" from "no user"
			// (it was 13% of /api/me's CPU, see BENCHMARKS.md).
			gs, err := s.ListUserGroups(ctx, noGroups.ID)
			require.NoError(t, err)
			assert.Empty(t, gs)
		}},
		{"DeleteUser", func(t *testing.T) {
			v := auth.NewUser("bob")
			require.NoError(t, s.CreateUser(ctx, &v))
			require.NoError(t, s.AddUserPermissions(ctx, v.ID, "auth.add_group"))
			n, _ := counter.count(func() { require.NoError(t, s.DeleteUser(ctx, v.ID)) })
			assert.Equal(t, 1, n, "DeleteUser deletes memberships in the same statement")
		}},
	}
	for _, tc := range tests {
		// Sequential: the counter is shared.
		n, sql := counter.count(func() { tc.call(t) })
		if tc.name != "DeleteUser" {
			assert.Equal(t, 1, n, "%s: statements sent: %q", tc.name, sql)
		}
	}
}

func TestErrorTranslation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _ := newTracedStore(t)
	u := seed(t, s)

	dup := auth.NewUser("alice")
	err := s.CreateUser(ctx, &dup)
	require.ErrorIs(t, err, auth.ErrDuplicateUsername)
	var pgErr *pgconn.PgError
	assert.False(t, errors.As(err, &pgErr), "callers never see pgx errors for translated cases")
	assert.Contains(t, err.Error(), `postgres: create user "alice"`)

	other := auth.NewUser("other")
	require.NoError(t, s.CreateUser(ctx, &other))
	other.Username = "alice"
	require.ErrorIs(t, s.UpdateUser(ctx, &other), auth.ErrDuplicateUsername)

	g := auth.Group{Name: "editors"}
	require.ErrorIs(t, s.CreateGroup(ctx, &g), auth.ErrDuplicateGroupName)
	g2 := auth.Group{Name: "writers"}
	require.NoError(t, s.CreateGroup(ctx, &g2))
	g2.Name = "editors"
	require.ErrorIs(t, s.UpdateGroup(ctx, &g2), auth.ErrDuplicateGroupName)

	p := auth.Permission{Name: "Can add user", Codename: "add_user", AppLabel: "auth", Model: "user"}
	require.ErrorIs(t, s.CreatePermission(ctx, &p), auth.ErrDuplicatePermission)

	_, err = s.GetUser(ctx, u.ID+1000)
	require.ErrorIs(t, err, auth.ErrUserNotFound)
	assert.Contains(t, err.Error(), "postgres: get user")
	_, err = s.GetUser(ctx, 1<<40) // beyond auth_user.id's integer range
	require.ErrorIs(t, err, auth.ErrUserNotFound)
	_, _, err = s.GetUserWithPermissions(ctx, -1)
	require.ErrorIs(t, err, auth.ErrUserNotFound)

	err = s.AddUserPermissions(ctx, u.ID, "auth.add_group", "auth.no_such")
	require.ErrorIs(t, err, auth.ErrPermissionNotFound)
	assert.Contains(t, err.Error(), "auth.no_such")
	err = s.AddUserPermissions(ctx, u.ID, "nodot")
	require.ErrorIs(t, err, auth.ErrInvalid)
}

func TestCaseInsensitiveLookup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _ := newTracedStore(t)
	for _, name := range []string{"Straße", "STRASSE", "Ärger"} {
		u := auth.NewUser(name)
		require.NoError(t, s.CreateUser(ctx, &u))
	}
	got, err := s.GetUserByUsernameFold(ctx, "äRGER")
	require.NoError(t, err, "upper() folds non-ASCII letters as Django's iexact does")
	assert.Equal(t, "Ärger", got.Username)
	a, b := auth.NewUser("Twin"), auth.NewUser("TWIN")
	require.NoError(t, s.CreateUser(ctx, &a))
	require.NoError(t, s.CreateUser(ctx, &b))
	_, err = s.GetUserByUsernameFold(ctx, "twin")
	require.ErrorIs(t, err, auth.ErrMultipleUsers)
}

func TestTimesAreUTC(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, pool, _ := newTracedStore(t)
	_, err := pool.Exec(ctx, `SET timezone = 'America/New_York'`)
	require.NoError(t, err)
	u := auth.NewUser("tz")
	loc := time.FixedZone("X", 5*3600)
	u.DateJoined = time.Date(2024, 1, 2, 3, 4, 5, 6999, loc) // stored as 6µs: truncated
	last := time.Date(2025, 6, 7, 8, 9, 10, 0, loc)
	u.LastLogin = &last
	require.NoError(t, s.CreateUser(ctx, &u))
	got, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, time.UTC, got.DateJoined.Location())
	assert.Equal(t, time.UTC, got.LastLogin.Location())
	assert.True(t, got.DateJoined.Equal(u.DateJoined.Truncate(time.Microsecond)), "got %v", got.DateJoined)
	assert.True(t, got.LastLogin.Equal(last))
}

// Types for TestNewRejects.
type (
	dupColumn struct {
		auth.User
		Other string `db:"username"`
	}
	ptrEmbed struct {
		*auth.User
	}
	extraUser struct {
		auth.User
		Phone   string `db:"phone"`
		Skipped string `db:"-"`
		hidden  string //nolint:unused // unexported fields are ignored
	}
)

func TestNew(t *testing.T) {
	t.Parallel()
	db := newMigratedPool(t)
	_, err := postgres.New[dupColumn](db, postgres.Options{})
	require.ErrorContains(t, err, `both map to column "username"`)
	_, err = postgres.New[ptrEmbed](db, postgres.Options{})
	require.ErrorContains(t, err, "embeds a pointer")
	_, err = postgres.New[auth.User](nil, postgres.Options{})
	require.Error(t, err)
	for _, bad := range []postgres.Options{
		{UserTable: "a.b.c"}, {UserTable: "."}, {UserIDColumn: "a\x00b"},
		{UserGroupsTable: strings.Repeat("x", 64)},
	} {
		_, err := postgres.New[auth.User](db, bad)
		require.Error(t, err, "%+v", bad)
	}
	_, err = postgres.New[extraUser](db, postgres.Options{})
	require.NoError(t, err)
}

// accountsUser is a custom user model with its own table, as Django makes
// for AUTH_USER_MODEL = "accounts.User" with an extra field.
type accountsUser struct {
	auth.User
	Phone string `db:"phone"`
}

func TestCustomUserTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newMigratedPool(t)
	_, err := db.Exec(ctx, `
		CREATE SCHEMA accounts;
		CREATE TABLE accounts.accounts_user (LIKE auth_user INCLUDING ALL, phone varchar(20) NOT NULL DEFAULT '');
		CREATE TABLE accounts.accounts_user_groups (id bigserial PRIMARY KEY,
			user_id integer NOT NULL REFERENCES accounts.accounts_user (id) DEFERRABLE INITIALLY DEFERRED,
			group_id integer NOT NULL REFERENCES auth_group (id) DEFERRABLE INITIALLY DEFERRED,
			UNIQUE (user_id, group_id));
		CREATE TABLE accounts.accounts_user_user_permissions (id bigserial PRIMARY KEY,
			user_id integer NOT NULL REFERENCES accounts.accounts_user (id) DEFERRABLE INITIALLY DEFERRED,
			permission_id integer NOT NULL REFERENCES auth_permission (id) DEFERRABLE INITIALLY DEFERRED,
			UNIQUE (user_id, permission_id));`)
	require.NoError(t, err)
	s, err := postgres.New[accountsUser](db, postgres.Options{
		UserTable:            "accounts.accounts_user",
		UserGroupsTable:      "accounts.accounts_user_groups",
		UserPermissionsTable: "accounts.accounts_user_user_permissions",
	})
	require.NoError(t, err)
	_, err = auth.Register(ctx, s, auth.AuthModels()...)
	require.NoError(t, err)

	u := accountsUser{User: auth.NewUser("carol"), Phone: "+1 555 0100"}
	require.NoError(t, s.CreateUser(ctx, &u))
	dup := accountsUser{User: auth.NewUser("carol")}
	require.ErrorIs(t, s.CreateUser(ctx, &dup), auth.ErrDuplicateUsername)
	g := auth.Group{Name: "staff"}
	require.NoError(t, s.CreateGroup(ctx, &g))
	require.NoError(t, s.AddUserGroups(ctx, u.ID, g.ID))
	require.NoError(t, s.AddGroupPermissions(ctx, g.ID, "auth.view_user"))
	require.NoError(t, s.AddUserPermissions(ctx, u.ID, "auth.add_user"))

	got, perms, err := s.GetUserWithPermissions(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "+1 555 0100", got.Phone)
	assert.Equal(t, []string{"auth.add_user"}, perms.User.Sorted())
	assert.Equal(t, []string{"auth.view_user"}, perms.Group.Sorted())
	users, err := s.UsersWithPermission(ctx, "auth.view_user", auth.WithPermOptions{})
	require.NoError(t, err)
	require.Len(t, users, 1)
	require.NoError(t, s.DeleteUser(ctx, u.ID))
	var left int
	require.NoError(t, db.QueryRow(ctx, `SELECT count(*) FROM accounts.accounts_user_groups`).Scan(&left))
	assert.Zero(t, left)
}
