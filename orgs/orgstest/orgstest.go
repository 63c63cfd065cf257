// Package orgstest is the conformance suite of orgs.Store: the memory
// store and the PostgreSQL store both run Run, so that the behaviour of a
// store, its isolation of one organization from another first of all, is
// written once.
package orgstest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/orgs"
)

// Harness is a store under test and the fixtures its database needs.
type Harness struct {
	// Store is a fresh, empty store.
	Store orgs.Store
	// NewUser creates a user (an auth_user row where the store needs one
	// for its foreign keys) and returns its ID. It fails the test itself
	// when it cannot.
	NewUser func(ctx context.Context) int64
	// NewPermission creates the permission "app_label.codename" (with its
	// content type where the store needs one), so that
	// SetRolePermissions accepts it. Creating one twice is not an error.
	NewPermission func(ctx context.Context, perm string)
}

// Run runs the suite; newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, h Harness)
	}{
		{"CreateOrganization", testCreateOrganization},
		{"SlugUnique", testSlugUnique},
		{"UpdateOrganization", testUpdateOrganization},
		{"ListOrganizations", testListOrganizations},
		{"DeleteCascades", testDeleteCascades},
		{"Members", testMembers},
		{"OwnerProtected", testOwnerProtected},
		{"TransferOwnership", testTransferOwnership},
		{"UserOrganizations", testUserOrganizations},
		{"Roles", testRoles},
		{"RoleNameUniquePerOrg", testRoleNameUniquePerOrg},
		{"RolePermissions", testRolePermissions},
		{"AssignRoles", testAssignRoles},
		{"MemberPermissionsUnion", testMemberPermissionsUnion},
		{"RemoveMemberEndsRoles", testRemoveMemberEndsRoles},
		{"DeleteRole", testDeleteRole},
		{"Invitations", testInvitations},
		{"AcceptInvitation", testAcceptInvitation},
		{"InvitationExpiry", testInvitationExpiry},
		{"InvitationAlreadyMember", testInvitationAlreadyMember},
		{"InvitationSingleUseConcurrent", testInvitationConcurrent},
		{"RevokeInvitation", testRevokeInvitation},
		{"Isolation", testIsolation},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newHarness(t)) })
	}
}

var seq atomic.Int64

// unique returns a short string no other call in the process returns.
func unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, seq.Add(1)) }

// newOrg creates an organization owned by a new user.
func newOrg(t *testing.T, h Harness, name string) (orgs.Organization, int64) {
	t.Helper()
	ctx := context.Background()
	owner := h.NewUser(ctx)
	org, err := h.Store.CreateOrganization(ctx, orgs.Organization{Name: name, Slug: unique("org"), IsActive: true}, owner)
	require.NoError(t, err)
	return org, owner
}

// member adds a new user to org.
func member(t *testing.T, h Harness, orgID int64, admin bool) int64 {
	t.Helper()
	ctx := context.Background()
	u := h.NewUser(ctx)
	_, err := h.Store.AddMember(ctx, orgID, u, admin)
	require.NoError(t, err)
	return u
}

func role(t *testing.T, h Harness, orgID int64, name string, perms ...string) orgs.Role {
	t.Helper()
	ctx := context.Background()
	r, err := h.Store.CreateRole(ctx, orgID, name)
	require.NoError(t, err)
	for _, p := range perms {
		h.NewPermission(ctx, p)
	}
	if len(perms) > 0 {
		require.NoError(t, h.Store.SetRolePermissions(ctx, orgID, r.ID, perms))
	}
	return r
}

func tokenHash(t *testing.T) []byte {
	t.Helper()
	b := make([]byte, 32)
	_, err := rand.Read(b)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return sum[:]
}

// now is a fixed instant at microsecond precision, which PostgreSQL keeps.
var now = time.Date(2026, 3, 4, 5, 6, 7, 8000, time.UTC)

func invite(t *testing.T, h Harness, orgID, by int64, email string, roleIDs ...int64) orgs.Invitation {
	t.Helper()
	inv, err := h.Store.CreateInvitation(context.Background(), orgs.Invitation{
		OrgID: orgID, Email: email, InvitedBy: by, RoleIDs: roleIDs,
		TokenHash: tokenHash(t), ExpiresAt: now.Add(7 * 24 * time.Hour),
	})
	require.NoError(t, err)
	return inv
}

func roleIDs(rs []orgs.Role) []int64 {
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

func testCreateOrganization(t *testing.T, h Harness) {
	ctx := context.Background()
	owner := h.NewUser(ctx)
	org, err := h.Store.CreateOrganization(ctx, orgs.Organization{Name: "Acme", Slug: "acme", IsActive: true}, owner)
	require.NoError(t, err)
	assert.NotZero(t, org.ID)
	assert.Equal(t, "Acme", org.Name)
	assert.Equal(t, "acme", org.Slug)
	assert.True(t, org.IsActive)
	assert.False(t, org.Created.IsZero())
	assert.False(t, org.Modified.IsZero())

	got, err := h.Store.Organization(ctx, org.ID)
	require.NoError(t, err)
	assert.Equal(t, org.ID, got.ID)
	assert.Equal(t, "acme", got.Slug)
	assert.True(t, got.Created.Equal(org.Created))
	bySlug, err := h.Store.OrganizationBySlug(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, org.ID, bySlug.ID)

	m, err := h.Store.Membership(ctx, org.ID, owner)
	require.NoError(t, err)
	assert.NotZero(t, m.ID)
	assert.Equal(t, org.ID, m.OrgID)
	assert.Equal(t, owner, m.UserID)
	assert.True(t, m.IsAdmin, "the owner is an admin")
	assert.True(t, m.IsOwner)

	_, err = h.Store.Organization(ctx, org.ID+1000)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = h.Store.OrganizationBySlug(ctx, "nope")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = h.Store.OrganizationBySlug(ctx, "ACME")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "a slug is matched exactly")
}

func testSlugUnique(t *testing.T, h Harness) {
	ctx := context.Background()
	a, b := h.NewUser(ctx), h.NewUser(ctx)
	_, err := h.Store.CreateOrganization(ctx, orgs.Organization{Name: "One", Slug: "same", IsActive: true}, a)
	require.NoError(t, err)
	_, err = h.Store.CreateOrganization(ctx, orgs.Organization{Name: "Two", Slug: "same", IsActive: true}, b)
	assert.ErrorIs(t, err, orgs.ErrSlugTaken)
	os, ms, err := h.Store.UserOrganizations(ctx, b)
	require.NoError(t, err)
	assert.Empty(t, os, "nothing half-written: no membership of a failed organization")
	assert.Empty(t, ms)
	_, n, err := h.Store.ListOrganizations(ctx, orgs.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	// Concurrent creations of one slug: exactly one wins.
	const N = 8
	errs := make([]error, N)
	users := make([]int64, N)
	for i := range users {
		users[i] = h.NewUser(ctx)
	}
	var wg sync.WaitGroup
	for i := range N {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.Store.CreateOrganization(ctx, orgs.Organization{Name: "Race", Slug: "race", IsActive: true}, users[i])
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			assert.ErrorIs(t, err, orgs.ErrSlugTaken)
		}
	}
	assert.Equal(t, 1, won)
}

func testUpdateOrganization(t *testing.T, h Harness) {
	ctx := context.Background()
	org, _ := newOrg(t, h, "Before")
	other, _ := newOrg(t, h, "Other")
	org.Name, org.Slug, org.IsActive = "After", "after-"+org.Slug, false
	require.NoError(t, h.Store.UpdateOrganization(ctx, org))
	got, err := h.Store.Organization(ctx, org.ID)
	require.NoError(t, err)
	assert.Equal(t, "After", got.Name)
	assert.Equal(t, org.Slug, got.Slug)
	assert.False(t, got.IsActive)
	assert.False(t, got.Modified.Before(got.Created))

	taken := got
	taken.Slug = other.Slug
	assert.ErrorIs(t, h.Store.UpdateOrganization(ctx, taken), orgs.ErrSlugTaken)
	got, err = h.Store.Organization(ctx, org.ID)
	require.NoError(t, err)
	assert.Equal(t, org.Slug, got.Slug, "unchanged")

	missing := got
	missing.ID += 1000
	assert.ErrorIs(t, h.Store.UpdateOrganization(ctx, missing), orgs.ErrNotFound)
}

func testListOrganizations(t *testing.T, h Harness) {
	ctx := context.Background()
	for _, n := range []string{"Charlie", "Alpha", "Bravo", "Delta Force"} {
		newOrg(t, h, n)
	}
	names := func(os []orgs.Organization) []string {
		s := make([]string, len(os))
		for i, o := range os {
			s[i] = o.Name
		}
		return s
	}
	for _, tc := range []struct {
		o     orgs.ListOptions
		names []string
		n     int
	}{
		{orgs.ListOptions{}, []string{"Alpha", "Bravo", "Charlie", "Delta Force"}, 4},
		{orgs.ListOptions{Limit: 2}, []string{"Alpha", "Bravo"}, 4},
		{orgs.ListOptions{Offset: 3, Limit: 2}, []string{"Delta Force"}, 4},
		{orgs.ListOptions{Offset: 10}, []string{}, 4},
		{orgs.ListOptions{Search: "A"}, []string{"Alpha", "Bravo", "Charlie", "Delta Force"}, 4},
		{orgs.ListOptions{Search: "FORCE"}, []string{"Delta Force"}, 1},
		{orgs.ListOptions{Search: "org-"}, []string{"Alpha", "Bravo", "Charlie", "Delta Force"}, 4},
		{orgs.ListOptions{Search: "zz"}, []string{}, 0},
		{orgs.ListOptions{Search: "%"}, []string{}, 0},
		{orgs.ListOptions{Search: "_"}, []string{}, 0},
	} {
		os, n, err := h.Store.ListOrganizations(ctx, tc.o)
		require.NoError(t, err, "%+v", tc.o)
		assert.Equal(t, tc.names, names(os), "%+v", tc.o)
		assert.Equal(t, tc.n, n, "%+v", tc.o)
	}
}

func testDeleteCascades(t *testing.T, h Harness) {
	ctx := context.Background()
	org, owner := newOrg(t, h, "Doomed")
	keep, keepOwner := newOrg(t, h, "Kept")
	u := member(t, h, org.ID, false)
	r := role(t, h, org.ID, "editor", "orgstest.edit")
	require.NoError(t, h.Store.AssignRole(ctx, org.ID, u, r.ID))
	inv := invite(t, h, org.ID, owner, "x@example.com", r.ID)
	kr := role(t, h, keep.ID, "editor", "orgstest.edit")
	require.NoError(t, h.Store.AssignRole(ctx, keep.ID, keepOwner, kr.ID))

	require.NoError(t, h.Store.DeleteOrganization(ctx, org.ID))
	_, err := h.Store.Organization(ctx, org.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = h.Store.OrganizationBySlug(ctx, org.Slug)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	for _, uid := range []int64{owner, u} {
		_, err = h.Store.Membership(ctx, org.ID, uid)
		assert.ErrorIs(t, err, orgs.ErrNotMember)
		os, _, err := h.Store.UserOrganizations(ctx, uid)
		require.NoError(t, err)
		assert.Empty(t, os)
	}
	_, err = h.Store.InvitationByTokenHash(ctx, inv.TokenHash)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = h.Store.RolePermissions(ctx, org.ID, r.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.ErrorIs(t, h.Store.DeleteOrganization(ctx, org.ID), orgs.ErrNotFound)

	// The other organization is untouched.
	perms, err := h.Store.MemberPermissions(ctx, keep.ID, keepOwner)
	require.NoError(t, err)
	assert.Equal(t, []string{"orgstest.edit"}, perms)
	// And the slug is free again.
	_, err = h.Store.CreateOrganization(ctx, orgs.Organization{Name: "Again", Slug: org.Slug, IsActive: true}, owner)
	require.NoError(t, err)
}

func testMembers(t *testing.T, h Harness) {
	ctx := context.Background()
	org, owner := newOrg(t, h, "Acme")
	u := h.NewUser(ctx)
	m, err := h.Store.AddMember(ctx, org.ID, u, false)
	require.NoError(t, err)
	assert.NotZero(t, m.ID)
	assert.Equal(t, org.ID, m.OrgID)
	assert.Equal(t, u, m.UserID)
	assert.False(t, m.IsAdmin)
	assert.False(t, m.IsOwner)
	_, err = h.Store.AddMember(ctx, org.ID, u, true)
	assert.ErrorIs(t, err, orgs.ErrAlreadyMember)
	got, err := h.Store.Membership(ctx, org.ID, u)
	require.NoError(t, err)
	assert.False(t, got.IsAdmin, "the failed AddMember changed nothing")

	_, err = h.Store.AddMember(ctx, org.ID+1000, u, false)
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	require.NoError(t, h.Store.SetAdmin(ctx, org.ID, u, true))
	got, err = h.Store.Membership(ctx, org.ID, u)
	require.NoError(t, err)
	assert.True(t, got.IsAdmin)
	stranger := h.NewUser(ctx)
	assert.ErrorIs(t, h.Store.SetAdmin(ctx, org.ID, stranger, true), orgs.ErrNotMember)

	ms, err := h.Store.Members(ctx, org.ID)
	require.NoError(t, err)
	require.Len(t, ms, 2)
	ids := []int64{ms[0].UserID, ms[1].UserID}
	want := []int64{owner, u}
	if u < owner {
		want = []int64{u, owner}
	}
	assert.Equal(t, want, ids, "ordered by user ID")

	require.NoError(t, h.Store.RemoveMember(ctx, org.ID, u))
	_, err = h.Store.Membership(ctx, org.ID, u)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	assert.ErrorIs(t, h.Store.RemoveMember(ctx, org.ID, u), orgs.ErrNotMember)
	ms, err = h.Store.Members(ctx, org.ID)
	require.NoError(t, err)
	assert.Len(t, ms, 1)
	_, err = h.Store.Members(ctx, org.ID+1000)
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	// Concurrent adds of one user: exactly one wins.
	v := h.NewUser(ctx)
	const N = 8
	errs := make([]error, N)
	var wg sync.WaitGroup
	for i := range N {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = h.Store.AddMember(ctx, org.ID, v, false) }()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			assert.ErrorIs(t, err, orgs.ErrAlreadyMember)
		}
	}
	assert.Equal(t, 1, won)
}

func testOwnerProtected(t *testing.T, h Harness) {
	ctx := context.Background()
	org, owner := newOrg(t, h, "Acme")
	assert.ErrorIs(t, h.Store.RemoveMember(ctx, org.ID, owner), orgs.ErrOwnerRequired)
	assert.ErrorIs(t, h.Store.SetAdmin(ctx, org.ID, owner, false), orgs.ErrOwnerRequired, "the owner stays an admin")
	m, err := h.Store.Membership(ctx, org.ID, owner)
	require.NoError(t, err)
	assert.True(t, m.IsOwner)
	assert.True(t, m.IsAdmin)
}

func testTransferOwnership(t *testing.T, h Harness) {
	ctx := context.Background()
	org, owner := newOrg(t, h, "Acme")
	u := member(t, h, org.ID, false)
	stranger := h.NewUser(ctx)
	assert.ErrorIs(t, h.Store.TransferOwnership(ctx, org.ID, stranger), orgs.ErrNotMember)
	assert.ErrorIs(t, h.Store.TransferOwnership(ctx, org.ID+1000, u), orgs.ErrNotMember)

	require.NoError(t, h.Store.TransferOwnership(ctx, org.ID, u))
	m, err := h.Store.Membership(ctx, org.ID, u)
	require.NoError(t, err)
	assert.True(t, m.IsOwner)
	assert.True(t, m.IsAdmin, "the new owner is an admin")
	old, err := h.Store.Membership(ctx, org.ID, owner)
	require.NoError(t, err)
	assert.False(t, old.IsOwner)
	assert.True(t, old.IsAdmin, "the former owner stays an admin")
	owners := 0
	ms, err := h.Store.Members(ctx, org.ID)
	require.NoError(t, err)
	for _, m := range ms {
		if m.IsOwner {
			owners++
		}
	}
	assert.Equal(t, 1, owners)
	require.NoError(t, h.Store.RemoveMember(ctx, org.ID, owner), "no longer the owner")
	assert.ErrorIs(t, h.Store.RemoveMember(ctx, org.ID, u), orgs.ErrOwnerRequired)
	require.NoError(t, h.Store.TransferOwnership(ctx, org.ID, u), "to the owner: nothing changes")
}

func testUserOrganizations(t *testing.T, h Harness) {
	ctx := context.Background()
	b, _ := newOrg(t, h, "Beta")
	a, _ := newOrg(t, h, "Alpha")
	newOrg(t, h, "Gamma")
	u := h.NewUser(ctx)
	_, err := h.Store.AddMember(ctx, b.ID, u, true)
	require.NoError(t, err)
	_, err = h.Store.AddMember(ctx, a.ID, u, false)
	require.NoError(t, err)
	os, ms, err := h.Store.UserOrganizations(ctx, u)
	require.NoError(t, err)
	require.Len(t, os, 2)
	require.Len(t, ms, 2)
	assert.Equal(t, []string{"Alpha", "Beta"}, []string{os[0].Name, os[1].Name})
	assert.Equal(t, []int64{a.ID, b.ID}, []int64{ms[0].OrgID, ms[1].OrgID}, "memberships in step with organizations")
	assert.Equal(t, []bool{false, true}, []bool{ms[0].IsAdmin, ms[1].IsAdmin})
	os, ms, err = h.Store.UserOrganizations(ctx, h.NewUser(ctx))
	require.NoError(t, err)
	assert.Empty(t, os)
	assert.Empty(t, ms)
}

func testRoles(t *testing.T, h Harness) {
	ctx := context.Background()
	org, _ := newOrg(t, h, "Acme")
	w, err := h.Store.CreateRole(ctx, org.ID, "writer")
	require.NoError(t, err)
	assert.NotZero(t, w.ID)
	assert.Equal(t, org.ID, w.OrgID)
	assert.Equal(t, "writer", w.Name)
	assert.NotEmpty(t, w.GroupName)
	a, err := h.Store.CreateRole(ctx, org.ID, "admin")
	require.NoError(t, err)
	assert.NotEqual(t, w.GroupName, a.GroupName)
	rs, err := h.Store.Roles(ctx, org.ID)
	require.NoError(t, err)
	assert.Equal(t, []orgs.Role{a, w}, rs, "ordered by name")
	_, err = h.Store.CreateRole(ctx, org.ID+1000, "writer")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = h.Store.Roles(ctx, org.ID+1000)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}

func testRoleNameUniquePerOrg(t *testing.T, h Harness) {
	ctx := context.Background()
	a, _ := newOrg(t, h, "A")
	b, _ := newOrg(t, h, "B")
	ra, err := h.Store.CreateRole(ctx, a.ID, "editor")
	require.NoError(t, err)
	_, err = h.Store.CreateRole(ctx, a.ID, "editor")
	assert.ErrorIs(t, err, orgs.ErrRoleNameTaken)
	rb, err := h.Store.CreateRole(ctx, b.ID, "editor")
	require.NoError(t, err, "the same name in another organization")
	assert.NotEqual(t, ra.ID, rb.ID)
	assert.NotEqual(t, ra.GroupName, rb.GroupName, "auth_group.name is unique across the site")
	rs, err := h.Store.Roles(ctx, a.ID)
	require.NoError(t, err)
	assert.Len(t, rs, 1, "nothing half-written")
}

func testRolePermissions(t *testing.T, h Harness) {
	ctx := context.Background()
	org, _ := newOrg(t, h, "Acme")
	r := role(t, h, org.ID, "editor")
	perms, err := h.Store.RolePermissions(ctx, org.ID, r.ID)
	require.NoError(t, err)
	assert.Empty(t, perms)
	for _, p := range []string{"orgstest.b", "orgstest.a", "other.c"} {
		h.NewPermission(ctx, p)
	}
	require.NoError(t, h.Store.SetRolePermissions(ctx, org.ID, r.ID, []string{"orgstest.b", "other.c", "orgstest.a", "orgstest.b"}))
	perms, err = h.Store.RolePermissions(ctx, org.ID, r.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"orgstest.a", "orgstest.b", "other.c"}, perms)
	require.NoError(t, h.Store.SetRolePermissions(ctx, org.ID, r.ID, []string{"orgstest.a"}))
	perms, err = h.Store.RolePermissions(ctx, org.ID, r.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"orgstest.a"}, perms, "replaced, not added")

	err = h.Store.SetRolePermissions(ctx, org.ID, r.ID, []string{"orgstest.b", "orgstest.missing"})
	assert.ErrorIs(t, err, orgs.ErrNotFound, "an unknown permission")
	perms, err = h.Store.RolePermissions(ctx, org.ID, r.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"orgstest.a"}, perms, "unchanged after the failure")

	require.NoError(t, h.Store.SetRolePermissions(ctx, org.ID, r.ID, nil))
	perms, err = h.Store.RolePermissions(ctx, org.ID, r.ID)
	require.NoError(t, err)
	assert.Empty(t, perms)
	_, err = h.Store.RolePermissions(ctx, org.ID, r.ID+1000)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.ErrorIs(t, h.Store.SetRolePermissions(ctx, org.ID, r.ID+1000, nil), orgs.ErrNotFound)
}

func testAssignRoles(t *testing.T, h Harness) {
	ctx := context.Background()
	org, _ := newOrg(t, h, "Acme")
	u := member(t, h, org.ID, false)
	w := role(t, h, org.ID, "writer")
	a := role(t, h, org.ID, "auditor")
	rs, err := h.Store.MemberRoles(ctx, org.ID, u)
	require.NoError(t, err)
	assert.Empty(t, rs)
	require.NoError(t, h.Store.AssignRole(ctx, org.ID, u, w.ID))
	require.NoError(t, h.Store.AssignRole(ctx, org.ID, u, w.ID), "assigning twice is not an error")
	require.NoError(t, h.Store.AssignRole(ctx, org.ID, u, a.ID))
	rs, err = h.Store.MemberRoles(ctx, org.ID, u)
	require.NoError(t, err)
	assert.Equal(t, []orgs.Role{a, w}, rs, "once each, ordered by name")

	require.NoError(t, h.Store.UnassignRole(ctx, org.ID, u, w.ID))
	require.NoError(t, h.Store.UnassignRole(ctx, org.ID, u, w.ID), "unassigning twice is not an error")
	rs, err = h.Store.MemberRoles(ctx, org.ID, u)
	require.NoError(t, err)
	assert.Equal(t, []orgs.Role{a}, rs)

	stranger := h.NewUser(ctx)
	assert.ErrorIs(t, h.Store.AssignRole(ctx, org.ID, stranger, w.ID), orgs.ErrNotMember)
	assert.ErrorIs(t, h.Store.UnassignRole(ctx, org.ID, stranger, w.ID), orgs.ErrNotMember)
	_, err = h.Store.MemberRoles(ctx, org.ID, stranger)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	assert.ErrorIs(t, h.Store.AssignRole(ctx, org.ID, u, w.ID+1000), orgs.ErrNotFound)
}

func testMemberPermissionsUnion(t *testing.T, h Harness) {
	ctx := context.Background()
	org, owner := newOrg(t, h, "Acme")
	u := member(t, h, org.ID, false)
	r1 := role(t, h, org.ID, "r1", "orgstest.view", "orgstest.add")
	r2 := role(t, h, org.ID, "r2", "orgstest.view", "orgstest.delete")
	role(t, h, org.ID, "r3", "orgstest.secret")
	perms, err := h.Store.MemberPermissions(ctx, org.ID, u)
	require.NoError(t, err)
	assert.Empty(t, perms, "no roles, no permissions")
	require.NoError(t, h.Store.AssignRole(ctx, org.ID, u, r1.ID))
	require.NoError(t, h.Store.AssignRole(ctx, org.ID, u, r2.ID))
	perms, err = h.Store.MemberPermissions(ctx, org.ID, u)
	require.NoError(t, err)
	assert.Equal(t, []string{"orgstest.add", "orgstest.delete", "orgstest.view"}, perms, "the union, once each, sorted")
	perms, err = h.Store.MemberPermissions(ctx, org.ID, owner)
	require.NoError(t, err)
	assert.Empty(t, perms, "being the owner grants no role permission by itself")
	_, err = h.Store.MemberPermissions(ctx, org.ID, h.NewUser(ctx))
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	_, err = h.Store.MemberPermissions(ctx, org.ID+1000, u)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
}

func testRemoveMemberEndsRoles(t *testing.T, h Harness) {
	ctx := context.Background()
	org, _ := newOrg(t, h, "Acme")
	u := member(t, h, org.ID, true)
	r := role(t, h, org.ID, "editor", "orgstest.edit")
	require.NoError(t, h.Store.AssignRole(ctx, org.ID, u, r.ID))
	require.NoError(t, h.Store.RemoveMember(ctx, org.ID, u))
	_, err := h.Store.MemberPermissions(ctx, org.ID, u)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	m, err := h.Store.AddMember(ctx, org.ID, u, false)
	require.NoError(t, err)
	assert.False(t, m.IsAdmin)
	rs, err := h.Store.MemberRoles(ctx, org.ID, u)
	require.NoError(t, err)
	assert.Empty(t, rs, "a returning member starts without the old roles")
	perms, err := h.Store.MemberPermissions(ctx, org.ID, u)
	require.NoError(t, err)
	assert.Empty(t, perms)
}

func testDeleteRole(t *testing.T, h Harness) {
	ctx := context.Background()
	org, owner := newOrg(t, h, "Acme")
	u := member(t, h, org.ID, false)
	r := role(t, h, org.ID, "editor", "orgstest.edit")
	keep := role(t, h, org.ID, "viewer", "orgstest.view")
	require.NoError(t, h.Store.AssignRole(ctx, org.ID, u, r.ID))
	require.NoError(t, h.Store.AssignRole(ctx, org.ID, u, keep.ID))
	inv := invite(t, h, org.ID, owner, "new@example.com", r.ID, keep.ID)

	require.NoError(t, h.Store.DeleteRole(ctx, org.ID, r.ID))
	assert.ErrorIs(t, h.Store.DeleteRole(ctx, org.ID, r.ID), orgs.ErrNotFound)
	rs, err := h.Store.Roles(ctx, org.ID)
	require.NoError(t, err)
	assert.Equal(t, []orgs.Role{keep}, rs)
	perms, err := h.Store.MemberPermissions(ctx, org.ID, u)
	require.NoError(t, err)
	assert.Equal(t, []string{"orgstest.view"}, perms, "the deleted role's permissions are gone")
	_, err = h.Store.CreateRole(ctx, org.ID, "editor")
	require.NoError(t, err, "the name is free again")

	// An open invitation naming the deleted role gives the others.
	v := h.NewUser(ctx)
	_, err = h.Store.AcceptInvitation(ctx, org.ID, inv.ID, v, now)
	require.NoError(t, err)
	rs, err = h.Store.MemberRoles(ctx, org.ID, v)
	require.NoError(t, err)
	assert.Equal(t, []int64{keep.ID}, roleIDs(rs))
}

func testInvitations(t *testing.T, h Harness) {
	ctx := context.Background()
	org, owner := newOrg(t, h, "Acme")
	r := role(t, h, org.ID, "editor")
	hash := tokenHash(t)
	inv, err := h.Store.CreateInvitation(ctx, orgs.Invitation{
		OrgID: org.ID, Email: "New@Example.com", InvitedBy: owner, RoleIDs: []int64{r.ID},
		IsAdmin: true, TokenHash: hash, ExpiresAt: now.Add(time.Hour),
	})
	require.NoError(t, err)
	assert.NotZero(t, inv.ID)
	assert.Len(t, inv.GUID, 36, "a UUID in its canonical form")
	assert.False(t, inv.Created.IsZero())

	got, err := h.Store.InvitationByTokenHash(ctx, hash)
	require.NoError(t, err)
	assert.Equal(t, inv.ID, got.ID)
	assert.Equal(t, inv.GUID, got.GUID)
	assert.Equal(t, org.ID, got.OrgID)
	assert.Equal(t, "New@Example.com", got.Email, "kept as given")
	assert.Equal(t, owner, got.InvitedBy)
	assert.Zero(t, got.InviteeID)
	assert.Equal(t, []int64{r.ID}, got.RoleIDs)
	assert.True(t, got.IsAdmin)
	assert.Equal(t, hash, got.TokenHash)
	assert.True(t, got.ExpiresAt.Equal(now.Add(time.Hour)), "%v", got.ExpiresAt)
	assert.True(t, got.AcceptedAt.IsZero())

	_, err = h.Store.InvitationByTokenHash(ctx, tokenHash(t))
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	second := invite(t, h, org.ID, owner, "two@example.com")
	assert.NotEqual(t, inv.GUID, second.GUID)
	list, err := h.Store.Invitations(ctx, org.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []int64{second.ID, inv.ID}, []int64{list[0].ID, list[1].ID}, "newest first")
	_, err = h.Store.Invitations(ctx, org.ID+1000)
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	// Roles of another organization, or of none, cannot be put in one.
	other, _ := newOrg(t, h, "Other")
	foreign := role(t, h, other.ID, "editor")
	_, err = h.Store.CreateInvitation(ctx, orgs.Invitation{
		OrgID: org.ID, Email: "x@example.com", InvitedBy: owner, RoleIDs: []int64{foreign.ID},
		TokenHash: tokenHash(t), ExpiresAt: now.Add(time.Hour),
	})
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = h.Store.CreateInvitation(ctx, orgs.Invitation{
		OrgID: org.ID + 1000, Email: "x@example.com", InvitedBy: owner,
		TokenHash: tokenHash(t), ExpiresAt: now.Add(time.Hour),
	})
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	list, err = h.Store.Invitations(ctx, org.ID)
	require.NoError(t, err)
	assert.Len(t, list, 2, "nothing half-written")
}

func testAcceptInvitation(t *testing.T, h Harness) {
	ctx := context.Background()
	org, owner := newOrg(t, h, "Acme")
	r1 := role(t, h, org.ID, "r1", "orgstest.one")
	r2 := role(t, h, org.ID, "r2", "orgstest.two")
	inv, err := h.Store.CreateInvitation(ctx, orgs.Invitation{
		OrgID: org.ID, Email: "new@example.com", InvitedBy: owner, RoleIDs: []int64{r1.ID, r2.ID},
		IsAdmin: true, TokenHash: tokenHash(t), ExpiresAt: now.Add(time.Hour),
	})
	require.NoError(t, err)
	u := h.NewUser(ctx)
	m, err := h.Store.AcceptInvitation(ctx, org.ID, inv.ID, u, now)
	require.NoError(t, err)
	assert.Equal(t, org.ID, m.OrgID)
	assert.Equal(t, u, m.UserID)
	assert.True(t, m.IsAdmin)
	assert.False(t, m.IsOwner)
	perms, err := h.Store.MemberPermissions(ctx, org.ID, u)
	require.NoError(t, err)
	assert.Equal(t, []string{"orgstest.one", "orgstest.two"}, perms)

	got, err := h.Store.InvitationByTokenHash(ctx, inv.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, u, got.InviteeID)
	assert.True(t, got.AcceptedAt.Equal(now), "%v", got.AcceptedAt)
	list, err := h.Store.Invitations(ctx, org.ID)
	require.NoError(t, err)
	assert.Empty(t, list, "no longer open")

	v := h.NewUser(ctx)
	_, err = h.Store.AcceptInvitation(ctx, org.ID, inv.ID, v, now)
	assert.ErrorIs(t, err, orgs.ErrInvitationUsed)
	_, err = h.Store.Membership(ctx, org.ID, v)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	_, err = h.Store.AcceptInvitation(ctx, org.ID, inv.ID+1000, v, now)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}

func testInvitationExpiry(t *testing.T, h Harness) {
	ctx := context.Background()
	org, owner := newOrg(t, h, "Acme")
	inv := invite(t, h, org.ID, owner, "late@example.com") // expires at now+7d
	u := h.NewUser(ctx)
	_, err := h.Store.AcceptInvitation(ctx, org.ID, inv.ID, u, inv.ExpiresAt.Add(time.Microsecond))
	assert.ErrorIs(t, err, orgs.ErrInvitationExpired)
	_, err = h.Store.Membership(ctx, org.ID, u)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	got, err := h.Store.InvitationByTokenHash(ctx, inv.TokenHash)
	require.NoError(t, err)
	assert.Zero(t, got.InviteeID, "still open")
	_, err = h.Store.AcceptInvitation(ctx, org.ID, inv.ID, u, inv.ExpiresAt)
	require.NoError(t, err, "at ExpiresAt exactly it is still valid")
}

func testInvitationAlreadyMember(t *testing.T, h Harness) {
	ctx := context.Background()
	org, owner := newOrg(t, h, "Acme")
	u := member(t, h, org.ID, false)
	inv := invite(t, h, org.ID, owner, "member@example.com")
	_, err := h.Store.AcceptInvitation(ctx, org.ID, inv.ID, u, now)
	assert.ErrorIs(t, err, orgs.ErrAlreadyMember)
	got, err := h.Store.InvitationByTokenHash(ctx, inv.TokenHash)
	require.NoError(t, err)
	assert.Zero(t, got.InviteeID, "the invitation stays open")
	assert.True(t, got.AcceptedAt.IsZero())
	m, err := h.Store.Membership(ctx, org.ID, u)
	require.NoError(t, err)
	assert.False(t, m.IsAdmin)
}

func testInvitationConcurrent(t *testing.T, h Harness) {
	ctx := context.Background()
	org, owner := newOrg(t, h, "Acme")
	r := role(t, h, org.ID, "editor", "orgstest.edit")
	inv := invite(t, h, org.ID, owner, "race@example.com", r.ID)
	const N = 16
	users := make([]int64, N)
	for i := range users {
		users[i] = h.NewUser(ctx)
	}
	errs := make([]error, N)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range N {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = h.Store.AcceptInvitation(ctx, org.ID, inv.ID, users[i], now)
		}()
	}
	close(start)
	wg.Wait()
	var winner int64
	won := 0
	for i, err := range errs {
		if err == nil {
			won++
			winner = users[i]
		} else {
			assert.ErrorIs(t, err, orgs.ErrInvitationUsed)
		}
	}
	require.Equal(t, 1, won, "exactly one acceptance wins")
	ms, err := h.Store.Members(ctx, org.ID)
	require.NoError(t, err)
	assert.Len(t, ms, 2, "the owner and the winner, nobody else")
	got, err := h.Store.InvitationByTokenHash(ctx, inv.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, winner, got.InviteeID)
	rs, err := h.Store.MemberRoles(ctx, org.ID, winner)
	require.NoError(t, err)
	assert.Equal(t, []int64{r.ID}, roleIDs(rs))
}

func testRevokeInvitation(t *testing.T, h Harness) {
	ctx := context.Background()
	org, owner := newOrg(t, h, "Acme")
	inv := invite(t, h, org.ID, owner, "gone@example.com")
	require.NoError(t, h.Store.RevokeInvitation(ctx, org.ID, inv.ID))
	_, err := h.Store.InvitationByTokenHash(ctx, inv.TokenHash)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.ErrorIs(t, h.Store.RevokeInvitation(ctx, org.ID, inv.ID), orgs.ErrNotFound)
	_, err = h.Store.AcceptInvitation(ctx, org.ID, inv.ID, h.NewUser(ctx), now)
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	used := invite(t, h, org.ID, owner, "used@example.com")
	_, err = h.Store.AcceptInvitation(ctx, org.ID, used.ID, h.NewUser(ctx), now)
	require.NoError(t, err)
	assert.ErrorIs(t, h.Store.RevokeInvitation(ctx, org.ID, used.ID), orgs.ErrInvitationUsed)
}

// testIsolation names rows of organization B through organization A's ID
// in every method that takes both: each is refused and B is unchanged.
func testIsolation(t *testing.T, h Harness) {
	ctx := context.Background()
	a, aOwner := newOrg(t, h, "A")
	b, bOwner := newOrg(t, h, "B")
	aMember := member(t, h, a.ID, false)
	bMember := member(t, h, b.ID, true)
	aRole := role(t, h, a.ID, "editor", "orgstest.a")
	bRole := role(t, h, b.ID, "editor", "orgstest.b")
	require.NoError(t, h.Store.AssignRole(ctx, b.ID, bMember, bRole.ID))
	bInv := invite(t, h, b.ID, bOwner, "b@example.com", bRole.ID)
	h.NewPermission(ctx, "orgstest.c")

	for _, tc := range []struct {
		name string
		err  error
		call func() error
	}{
		{"Membership of B's member in A", orgs.ErrNotMember, func() error { _, err := h.Store.Membership(ctx, a.ID, bMember); return err }},
		{"SetAdmin of B's member via A", orgs.ErrNotMember, func() error { return h.Store.SetAdmin(ctx, a.ID, bMember, false) }},
		{"RemoveMember of B's member via A", orgs.ErrNotMember, func() error { return h.Store.RemoveMember(ctx, a.ID, bMember) }},
		{"RemoveMember of B's owner via A", orgs.ErrNotMember, func() error { return h.Store.RemoveMember(ctx, a.ID, bOwner) }},
		{"TransferOwnership of A to B's member", orgs.ErrNotMember, func() error { return h.Store.TransferOwnership(ctx, a.ID, bMember) }},
		{"MemberRoles of B's member in A", orgs.ErrNotMember, func() error { _, err := h.Store.MemberRoles(ctx, a.ID, bMember); return err }},
		{"MemberPermissions of B's member in A", orgs.ErrNotMember, func() error { _, err := h.Store.MemberPermissions(ctx, a.ID, bMember); return err }},
		{"DeleteRole of B via A", orgs.ErrNotFound, func() error { return h.Store.DeleteRole(ctx, a.ID, bRole.ID) }},
		{"SetRolePermissions of B's role via A", orgs.ErrNotFound, func() error {
			return h.Store.SetRolePermissions(ctx, a.ID, bRole.ID, []string{"orgstest.c"})
		}},
		{"RolePermissions of B's role via A", orgs.ErrNotFound, func() error { _, err := h.Store.RolePermissions(ctx, a.ID, bRole.ID); return err }},
		{"AssignRole of B's role in A", orgs.ErrNotFound, func() error { return h.Store.AssignRole(ctx, a.ID, aMember, bRole.ID) }},
		{"AssignRole of A's role in B to A's member", orgs.ErrNotFound, func() error { return h.Store.AssignRole(ctx, b.ID, aMember, aRole.ID) }},
		{"UnassignRole of B's role via A", orgs.ErrNotFound, func() error { return h.Store.UnassignRole(ctx, a.ID, aMember, bRole.ID) }},
		{"AcceptInvitation of B via A", orgs.ErrNotFound, func() error {
			_, err := h.Store.AcceptInvitation(ctx, a.ID, bInv.ID, aMember, now)
			return err
		}},
		{"RevokeInvitation of B via A", orgs.ErrNotFound, func() error { return h.Store.RevokeInvitation(ctx, a.ID, bInv.ID) }},
		{"CreateInvitation in A with B's role", orgs.ErrNotFound, func() error {
			_, err := h.Store.CreateInvitation(ctx, orgs.Invitation{OrgID: a.ID, Email: "x@example.com", InvitedBy: aOwner,
				RoleIDs: []int64{bRole.ID}, TokenHash: tokenHash(t), ExpiresAt: now.Add(time.Hour)})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, tc.call(), tc.err)
		})
	}

	// B is as it was.
	m, err := h.Store.Membership(ctx, b.ID, bMember)
	require.NoError(t, err)
	assert.True(t, m.IsAdmin)
	m, err = h.Store.Membership(ctx, b.ID, bOwner)
	require.NoError(t, err)
	assert.True(t, m.IsOwner)
	perms, err := h.Store.RolePermissions(ctx, b.ID, bRole.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"orgstest.b"}, perms)
	perms, err = h.Store.MemberPermissions(ctx, b.ID, bMember)
	require.NoError(t, err)
	assert.Equal(t, []string{"orgstest.b"}, perms)
	rs, err := h.Store.Roles(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, []orgs.Role{bRole}, rs)
	got, err := h.Store.InvitationByTokenHash(ctx, bInv.TokenHash)
	require.NoError(t, err)
	assert.Zero(t, got.InviteeID)
	_, err = h.Store.Membership(ctx, a.ID, bMember)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	_, err = h.Store.Membership(ctx, b.ID, aMember)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	rs, err = h.Store.MemberRoles(ctx, a.ID, aMember)
	require.NoError(t, err)
	assert.Empty(t, rs)
	// And A's member holds nothing of B.
	_, err = h.Store.MemberPermissions(ctx, b.ID, aMember)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
}
