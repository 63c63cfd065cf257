package postgres_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/orgs/orgstest"
	"github.com/djauth/auth/store/postgres"
)

// newOrgStore migrates a fresh database with DjangoOrganizations and
// returns an OrgStore on it with a clock the test moves.
func newOrgStore(t *testing.T) (*postgres.OrgStore, *pgxpool.Pool, *fakeClock) {
	t.Helper()
	pool := pgtest.NewPool(t)
	_, err := postgres.Migrate(t.Context(), pool, postgres.DjangoOrganizations)
	require.NoError(t, err)
	users, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(t, err)
	_, err = auth.Register(t.Context(), users, auth.AuthModels()...)
	require.NoError(t, err)
	clock := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)}
	s, err := postgres.NewOrgStore(pool, postgres.OrgOptions{Now: clock.Now})
	require.NoError(t, err)
	return s, pool, clock
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func hashOf(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func TestOrgStoreOrganizations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, pool, clock := newOrgStore(t)
	alice, bob := newAuthUser(t, pool), newAuthUser(t, pool)

	acme, err := s.CreateOrganization(ctx, orgs.Organization{Name: "Acme", Slug: "acme", IsActive: true}, alice)
	require.NoError(t, err)
	assert.NotZero(t, acme.ID)
	want := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)
	assert.Equal(t, want, acme.Created, "microseconds, UTC")
	assert.Equal(t, want, acme.Modified)
	got, err := s.OrganizationBySlug(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, acme, got)

	owner, err := s.Membership(ctx, acme.ID, alice)
	require.NoError(t, err)
	assert.True(t, owner.IsAdmin)
	assert.True(t, owner.IsOwner)

	_, err = s.CreateOrganization(ctx, orgs.Organization{Name: "Other", Slug: "acme"}, bob)
	assert.ErrorIs(t, err, orgs.ErrSlugTaken)
	_, err = s.CreateOrganization(ctx, orgs.Organization{Name: "Ghost", Slug: "ghost"}, 999999)
	assert.ErrorIs(t, err, auth.ErrUserNotFound)
	_, err = s.OrganizationBySlug(ctx, "ghost")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "nothing half-written")
	_, err = s.CreateOrganization(ctx, orgs.Organization{Name: "", Slug: "x"}, bob)
	assert.ErrorIs(t, err, auth.ErrInvalid)
	_, err = s.CreateOrganization(ctx, orgs.Organization{Name: "x", Slug: strings.Repeat("s", 201)}, bob)
	assert.ErrorIs(t, err, auth.ErrInvalid)

	clock.Add(time.Hour)
	acme.Name, acme.IsActive = "Acme Inc", false
	require.NoError(t, s.UpdateOrganization(ctx, acme))
	got, err = s.Organization(ctx, acme.ID)
	require.NoError(t, err)
	assert.Equal(t, "Acme Inc", got.Name)
	assert.False(t, got.IsActive)
	assert.Equal(t, want, got.Created)
	assert.Equal(t, want.Add(time.Hour), got.Modified, "modified moves as AutoLastModifiedField's")

	beta, err := s.CreateOrganization(ctx, orgs.Organization{Name: "beta 100%_", Slug: "beta"}, bob)
	require.NoError(t, err)
	beta.Slug = "acme"
	assert.ErrorIs(t, s.UpdateOrganization(ctx, beta), orgs.ErrSlugTaken)
	assert.ErrorIs(t, s.UpdateOrganization(ctx, orgs.Organization{ID: 424242, Name: "n", Slug: "n"}), orgs.ErrNotFound)

	for _, tc := range []struct {
		o     orgs.ListOptions
		names []string
		total int
	}{
		{orgs.ListOptions{}, []string{"Acme Inc", "beta 100%_"}, 2},
		{orgs.ListOptions{Search: "ACME"}, []string{"Acme Inc"}, 1},
		{orgs.ListOptions{Search: "%_"}, []string{"beta 100%_"}, 1},
		{orgs.ListOptions{Search: "_"}, []string{"beta 100%_"}, 1},
		{orgs.ListOptions{Limit: 1, Offset: 1}, []string{"beta 100%_"}, 2},
		{orgs.ListOptions{Search: "zzz"}, nil, 0},
	} {
		list, total, err := s.ListOrganizations(ctx, tc.o)
		require.NoError(t, err)
		var names []string
		for _, o := range list {
			names = append(names, o.Name)
		}
		assert.Equal(t, tc.names, names, "%+v", tc.o)
		assert.Equal(t, tc.total, total, "%+v", tc.o)
	}
	_, _, err = s.ListOrganizations(ctx, orgs.ListOptions{Offset: -1})
	assert.ErrorIs(t, err, auth.ErrInvalid)

	list, ms, err := s.UserOrganizations(ctx, bob)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, beta.ID, list[0].ID)
	assert.Equal(t, bob, ms[0].UserID)

	// Deletion takes the roles' groups, invitations and members along.
	role, err := s.CreateRole(ctx, acme.ID, "editor")
	require.NoError(t, err)
	require.NoError(t, s.SetRolePermissions(ctx, acme.ID, role.ID, []string{"auth.view_user"}))
	_, err = s.AddMember(ctx, acme.ID, bob, false)
	require.NoError(t, err)
	require.NoError(t, s.AssignRole(ctx, acme.ID, bob, role.ID))
	_, err = s.CreateInvitation(ctx, orgs.Invitation{OrgID: acme.ID, Email: "x@example.com", InvitedBy: alice,
		RoleIDs: []int64{role.ID}, TokenHash: hashOf("t"), ExpiresAt: clock.Now().Add(time.Hour)})
	require.NoError(t, err)
	require.NoError(t, s.DeleteOrganization(ctx, acme.ID))
	_, err = s.Organization(ctx, acme.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.ErrorIs(t, s.DeleteOrganization(ctx, acme.ID), orgs.ErrNotFound)
	for _, table := range []string{"auth_group", "auth_group_permissions", "djauth_org_role", "djauth_org_member_role",
		"djauth_org_invitation", "djauth_org_invitation_role", "organizations_organizationinvitation"} {
		assert.Zero(t, rowCount(t, pool, table), table)
	}
	assert.Equal(t, 1, rowCount(t, pool, "organizations_organizationuser"), "beta's owner stays")
}

func rowCount(t *testing.T, pool *pgxpool.Pool, table string) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(*) FROM "`+table+`"`).Scan(&n))
	return n
}

func TestOrgStoreMembersAndRoles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, pool, _ := newOrgStore(t)
	alice, bob, carol := newAuthUser(t, pool), newAuthUser(t, pool), newAuthUser(t, pool)
	acme, err := s.CreateOrganization(ctx, orgs.Organization{Name: "Acme", Slug: "acme"}, alice)
	require.NoError(t, err)
	other, err := s.CreateOrganization(ctx, orgs.Organization{Name: "Other", Slug: "other"}, carol)
	require.NoError(t, err)

	m, err := s.AddMember(ctx, acme.ID, bob, false)
	require.NoError(t, err)
	assert.False(t, m.IsAdmin || m.IsOwner)
	_, err = s.AddMember(ctx, acme.ID, bob, true)
	assert.ErrorIs(t, err, orgs.ErrAlreadyMember)
	_, err = s.AddMember(ctx, 999999, bob, true)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = s.AddMember(ctx, acme.ID, 999999, true)
	assert.ErrorIs(t, err, auth.ErrUserNotFound)
	ms, err := s.Members(ctx, acme.ID)
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, []int64{alice, bob}, []int64{ms[0].UserID, ms[1].UserID})
	_, err = s.Members(ctx, 999999)
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	require.NoError(t, s.SetAdmin(ctx, acme.ID, bob, true))
	assert.ErrorIs(t, s.SetAdmin(ctx, acme.ID, carol, true), orgs.ErrNotMember)
	assert.ErrorIs(t, s.SetAdmin(ctx, acme.ID, alice, false), orgs.ErrOwnerRequired)
	assert.ErrorIs(t, s.RemoveMember(ctx, acme.ID, alice), orgs.ErrOwnerRequired)

	// Roles are groups named per organization; names repeat across
	// organizations.
	ed, err := s.CreateRole(ctx, acme.ID, "editor")
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("org %d: editor", acme.ID), ed.GroupName)
	otherEd, err := s.CreateRole(ctx, other.ID, "editor")
	require.NoError(t, err)
	_, err = s.CreateRole(ctx, acme.ID, "editor")
	assert.ErrorIs(t, err, orgs.ErrRoleNameTaken)
	_, err = s.CreateRole(ctx, 999999, "editor")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	long1, err := s.CreateRole(ctx, acme.ID, strings.Repeat("é", 149)+"1")
	require.NoError(t, err)
	long2, err := s.CreateRole(ctx, acme.ID, strings.Repeat("é", 149)+"2")
	require.NoError(t, err)
	assert.NotEqual(t, long1.GroupName, long2.GroupName)
	assert.LessOrEqual(t, len([]rune(long1.GroupName)), 150)
	_, err = s.CreateRole(ctx, acme.ID, strings.Repeat("x", 151))
	assert.ErrorIs(t, err, auth.ErrInvalid)
	require.NoError(t, s.DeleteRole(ctx, acme.ID, long2.ID))
	assert.ErrorIs(t, s.DeleteRole(ctx, acme.ID, long2.ID), orgs.ErrNotFound)
	assert.ErrorIs(t, s.DeleteRole(ctx, acme.ID, otherEd.ID), orgs.ErrNotFound, "another organization's role")
	roles, err := s.Roles(ctx, acme.ID)
	require.NoError(t, err)
	require.Len(t, roles, 2)
	assert.Equal(t, "editor", roles[0].Name)

	require.NoError(t, s.SetRolePermissions(ctx, acme.ID, ed.ID, []string{"auth.view_user", "auth.change_user", "auth.view_user"}))
	perms, err := s.RolePermissions(ctx, acme.ID, ed.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"auth.change_user", "auth.view_user"}, perms)
	err = s.SetRolePermissions(ctx, acme.ID, ed.ID, []string{"auth.view_group", "auth.nope"})
	assert.ErrorIs(t, err, auth.ErrPermissionNotFound)
	perms, err = s.RolePermissions(ctx, acme.ID, ed.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"auth.change_user", "auth.view_user"}, perms, "unchanged")
	assert.ErrorIs(t, s.SetRolePermissions(ctx, other.ID, ed.ID, nil), orgs.ErrNotFound)
	_, err = s.RolePermissions(ctx, other.ID, ed.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	require.NoError(t, s.SetRolePermissions(ctx, other.ID, otherEd.ID, []string{"auth.delete_user"}))

	require.NoError(t, s.AssignRole(ctx, acme.ID, bob, ed.ID))
	require.NoError(t, s.AssignRole(ctx, acme.ID, bob, ed.ID), "again: a no-op")
	assert.ErrorIs(t, s.AssignRole(ctx, acme.ID, bob, otherEd.ID), orgs.ErrNotFound)
	assert.ErrorIs(t, s.AssignRole(ctx, other.ID, bob, otherEd.ID), orgs.ErrNotMember)
	assert.ErrorIs(t, s.AssignRole(ctx, acme.ID, carol, ed.ID), orgs.ErrNotMember)
	mr, err := s.MemberRoles(ctx, acme.ID, bob)
	require.NoError(t, err)
	require.Len(t, mr, 1)
	assert.Equal(t, ed, mr[0])
	perms, err = s.MemberPermissions(ctx, acme.ID, bob)
	require.NoError(t, err)
	assert.Equal(t, []string{"auth.change_user", "auth.view_user"}, perms)
	perms, err = s.MemberPermissions(ctx, acme.ID, alice)
	require.NoError(t, err)
	assert.Empty(t, perms)
	_, err = s.MemberPermissions(ctx, other.ID, bob)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	_, err = s.MemberRoles(ctx, other.ID, bob)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	var global int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM auth_user_groups`).Scan(&global))
	assert.Zero(t, global, "roles never reach auth_user_groups")

	require.NoError(t, s.UnassignRole(ctx, acme.ID, bob, ed.ID))
	require.NoError(t, s.UnassignRole(ctx, acme.ID, bob, ed.ID))
	perms, err = s.MemberPermissions(ctx, acme.ID, bob)
	require.NoError(t, err)
	assert.Empty(t, perms)

	// Ownership moves to bob; alice may then leave and her roles go.
	require.NoError(t, s.AssignRole(ctx, acme.ID, alice, ed.ID))
	require.NoError(t, s.SetAdmin(ctx, acme.ID, bob, false))
	require.NoError(t, s.TransferOwnership(ctx, acme.ID, bob))
	m, err = s.Membership(ctx, acme.ID, bob)
	require.NoError(t, err)
	assert.True(t, m.IsOwner && m.IsAdmin)
	m, err = s.Membership(ctx, acme.ID, alice)
	require.NoError(t, err)
	assert.False(t, m.IsOwner)
	assert.ErrorIs(t, s.TransferOwnership(ctx, acme.ID, carol), orgs.ErrNotMember)
	require.NoError(t, s.RemoveMember(ctx, acme.ID, alice))
	_, err = s.Membership(ctx, acme.ID, alice)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	assert.ErrorIs(t, s.RemoveMember(ctx, acme.ID, alice), orgs.ErrNotMember)
	assert.Zero(t, rowCount(t, pool, "djauth_org_member_role"))
}

func TestOrgStoreInvitations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, pool, clock := newOrgStore(t)
	alice, bob, carol := newAuthUser(t, pool), newAuthUser(t, pool), newAuthUser(t, pool)
	acme, err := s.CreateOrganization(ctx, orgs.Organization{Name: "Acme", Slug: "acme"}, alice)
	require.NoError(t, err)
	other, err := s.CreateOrganization(ctx, orgs.Organization{Name: "Other", Slug: "other"}, carol)
	require.NoError(t, err)
	ed, err := s.CreateRole(ctx, acme.ID, "editor")
	require.NoError(t, err)
	rv, err := s.CreateRole(ctx, acme.ID, "reviewer")
	require.NoError(t, err)
	foreign, err := s.CreateRole(ctx, other.ID, "spy")
	require.NoError(t, err)
	now := clock.Now()

	_, err = s.CreateInvitation(ctx, orgs.Invitation{OrgID: acme.ID, Email: "b@example.com", InvitedBy: alice,
		RoleIDs: []int64{foreign.ID}, TokenHash: hashOf("x"), ExpiresAt: now.Add(time.Hour)})
	assert.ErrorIs(t, err, orgs.ErrNotFound, "a role of another organization")
	_, err = s.CreateInvitation(ctx, orgs.Invitation{OrgID: acme.ID, Email: "b@example.com", InvitedBy: 999999,
		TokenHash: hashOf("x"), ExpiresAt: now.Add(time.Hour)})
	assert.ErrorIs(t, err, auth.ErrUserNotFound)
	_, err = s.CreateInvitation(ctx, orgs.Invitation{OrgID: acme.ID, Email: "b@example.com", InvitedBy: alice})
	assert.ErrorIs(t, err, auth.ErrInvalid, "no token hash")
	assert.Zero(t, rowCount(t, pool, "organizations_organizationinvitation"))

	inv, err := s.CreateInvitation(ctx, orgs.Invitation{OrgID: acme.ID, Email: "b@example.com", InvitedBy: alice,
		RoleIDs: []int64{rv.ID, ed.ID, rv.ID}, IsAdmin: true, TokenHash: hashOf("bob"), ExpiresAt: now.Add(time.Hour)})
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, inv.GUID)
	got, err := s.InvitationByTokenHash(ctx, hashOf("bob"))
	require.NoError(t, err)
	assert.Equal(t, inv, got)
	assert.ElementsMatch(t, []int64{ed.ID, rv.ID}, got.RoleIDs)
	_, err = s.InvitationByTokenHash(ctx, hashOf("nobody"))
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	clock.Add(time.Second)
	late, err := s.CreateInvitation(ctx, orgs.Invitation{OrgID: acme.ID, Email: "c@example.com", InvitedBy: alice,
		TokenHash: hashOf("carol"), ExpiresAt: now.Add(time.Minute)})
	require.NoError(t, err)
	list, err := s.Invitations(ctx, acme.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []int64{late.ID, inv.ID}, []int64{list[0].ID, list[1].ID}, "newest first")
	list, err = s.Invitations(ctx, other.ID)
	require.NoError(t, err)
	assert.Empty(t, list)

	// Another organization's ID reaches nothing.
	_, err = s.AcceptInvitation(ctx, other.ID, inv.ID, bob, now)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.ErrorIs(t, s.RevokeInvitation(ctx, other.ID, inv.ID), orgs.ErrNotFound)

	_, err = s.AcceptInvitation(ctx, acme.ID, late.ID, carol, now.Add(time.Minute+time.Microsecond))
	assert.ErrorIs(t, err, orgs.ErrInvitationExpired)
	_, err = s.AcceptInvitation(ctx, acme.ID, inv.ID, alice, now)
	assert.ErrorIs(t, err, orgs.ErrAlreadyMember)
	got, err = s.InvitationByTokenHash(ctx, hashOf("bob"))
	require.NoError(t, err)
	assert.True(t, got.AcceptedAt.IsZero(), "still open")

	// Eight acceptances at once: one wins.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	members := make([]orgs.Member, 8)
	for i := range errs {
		wg.Go(func() { members[i], errs[i] = s.AcceptInvitation(ctx, acme.ID, inv.ID, bob, now) })
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		if err == nil {
			won++
			assert.True(t, members[i].IsAdmin)
			continue
		}
		assert.True(t, errors.Is(err, orgs.ErrInvitationUsed), "%v", err)
	}
	assert.Equal(t, 1, won)
	got, err = s.InvitationByTokenHash(ctx, hashOf("bob"))
	require.NoError(t, err)
	assert.Equal(t, now.Truncate(time.Microsecond), got.AcceptedAt)
	assert.Equal(t, bob, got.InviteeID)
	roles, err := s.MemberRoles(ctx, acme.ID, bob)
	require.NoError(t, err)
	assert.Len(t, roles, 2)
	list, err = s.Invitations(ctx, acme.ID)
	require.NoError(t, err)
	require.Len(t, list, 1, "the accepted one is no longer open")
	assert.ErrorIs(t, s.RevokeInvitation(ctx, acme.ID, inv.ID), orgs.ErrInvitationUsed)
	require.NoError(t, s.RevokeInvitation(ctx, acme.ID, late.ID))
	assert.ErrorIs(t, s.RevokeInvitation(ctx, acme.ID, late.ID), orgs.ErrNotFound)
	_, err = s.InvitationByTokenHash(ctx, hashOf("carol"))
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}

// TestOrgStoreInTransaction runs the store inside a caller's transaction:
// a failed write leaves the transaction usable.
func TestOrgStoreInTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, pool, _ := newOrgStore(t)
	alice := newAuthUser(t, pool)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	s, err := postgres.NewOrgStore(tx, postgres.OrgOptions{})
	require.NoError(t, err)
	acme, err := s.CreateOrganization(ctx, orgs.Organization{Name: "Acme", Slug: "acme"}, alice)
	require.NoError(t, err)
	_, err = s.CreateOrganization(ctx, orgs.Organization{Name: "Acme", Slug: "acme"}, alice)
	require.ErrorIs(t, err, orgs.ErrSlugTaken)
	_, err = s.AddMember(ctx, acme.ID, alice, false)
	require.ErrorIs(t, err, orgs.ErrAlreadyMember)
	_, err = s.CreateRole(ctx, acme.ID, "r")
	require.NoError(t, err, "the transaction goes on")
	require.NoError(t, tx.Commit(ctx))
	_, err = postgres.NewOrgStore(nil, postgres.OrgOptions{})
	assert.Error(t, err)
}

// TestOrgStoreConformance runs orgstest on PostgreSQL: real auth_user rows
// and auth_permission rows for the suite's fixtures.
func TestOrgStoreConformance(t *testing.T) {
	t.Parallel()
	orgstest.Run(t, func(t *testing.T) orgstest.Harness {
		s, pool, _ := newOrgStore(t)
		users, err := postgres.New[auth.User](pool, postgres.Options{})
		require.NoError(t, err)
		return orgstest.Harness{
			Store:   s,
			NewUser: func(context.Context) int64 { return newAuthUser(t, pool) },
			NewPermission: func(ctx context.Context, perm string) {
				app, code, err := auth.ParsePermission(perm)
				require.NoError(t, err)
				_, err = users.EnsurePermissions(ctx, app, "orgstestmodel", []auth.Permission{{Codename: code, Name: "Can " + code}})
				require.NoError(t, err)
			},
		}
	})
}

// TestOrgStoreIsolation runs orgstest's attacks of one organization's
// admin on another through the orgs API and pages, over PostgreSQL.
func TestOrgStoreIsolation(t *testing.T) {
	t.Parallel()
	orgstest.RunIsolation(t, func(t *testing.T) orgstest.IsolationHarness {
		s, pool, _ := newOrgStore(t)
		users, err := postgres.New[auth.User](pool, postgres.Options{})
		require.NoError(t, err)
		return orgstest.IsolationHarness{Users: users, Store: s}
	})
}
