package postgres_test

// Interop of OrgStore with Debian's django-organizations 2.1 on Django 3.2,
// on one database.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/store/postgres"
)

// orgsProject is the Django project with django-organizations installed.
func orgsProject(db djangoDB) djangotest.Project {
	p := db.project()
	p.Env = append(p.Env, "DJAUTH_DJANGO_ORGS=1")
	return p
}

var orgTables = []string{"organizations_organization", "organizations_organizationuser",
	"organizations_organizationowner", "organizations_organizationinvitation"}

var orgMigrations = []string{
	"organizations.0001_initial", "organizations.0002_model_update", "organizations.0003_field_fix_and_editable",
	"organizations.0004_organizationinvitation", "organizations.0005_alter_organization_users_and_more",
	"organizations.0006_alter_organization_slug",
}

// TestDjangoOrganizationsSchema: Migrate makes the four tables exactly as
// Django's migrate does (columns, types, nullability, defaults,
// constraints with their deferral, indexes, sequences), records the six
// migrations so that Django applies none of them, and leaves Django's
// own tables alone on a database Django migrated.
func TestDjangoOrganizationsSchema(t *testing.T) {
	djangotest.Python(t, "psycopg2", "organizations", "django_extensions")
	t.Parallel()
	ctx := context.Background()

	ours, ourPool := newDjangoDB(t)
	rep, err := postgres.Migrate(ctx, ourPool, postgres.DjangoOrganizations)
	require.NoError(t, err)
	assert.Subset(t, rep.Recorded, orgMigrations)
	assert.Contains(t, rep.Applied, "0009_orgs")
	before := dumpTable(t, ourPool, orgTables...)
	require.Len(t, before, 58, "25 columns, 15 constraints, 14 indexes and 4 sequences")
	out := orgsProject(ours).Manage(t, "migrate", "--no-input")
	assert.Contains(t, out, "No migrations to apply.", "Django finds the organizations migrations applied")
	assert.Equal(t, before, dumpTable(t, ourPool, orgTables...))
	show := orgsProject(ours).Manage(t, "showmigrations", "organizations")
	assert.NotContains(t, show, "[ ]", show)

	theirs, theirPool := newDjangoDB(t)
	orgsProject(theirs).Manage(t, "migrate", "--no-input", "-v", "0")
	djangoSchema := dumpTable(t, theirPool, orgTables...)
	for _, d := range diffLines(djangoSchema, before) {
		t.Log("difference:", d)
	}
	assert.Equal(t, djangoSchema, before, "the tables are the ones Django makes")

	// Migrate on Django's tables checks them, records nothing and changes
	// nothing of Django's.
	rep, err = postgres.Migrate(ctx, theirPool, postgres.DjangoOrganizations)
	require.NoError(t, err)
	assert.Empty(t, rep.Recorded)
	assert.Contains(t, rep.Applied, "0009_orgs")
	assert.Equal(t, djangoSchema, dumpTable(t, theirPool, orgTables...))
	again, err := postgres.Migrate(ctx, theirPool, postgres.DjangoOrganizations)
	require.NoError(t, err)
	assert.Empty(t, again.Recorded)
	assert.Empty(t, again.Applied)
	assert.Contains(t, orgsProject(theirs).Manage(t, "migrate", "--no-input"), "No migrations to apply.")
}

// TestDjangoOrganizationsMadeByDjango: an organization that
// django-organizations makes is read by OrgStore with its members, owner
// and admins, and the store's changes are Django's.
func TestDjangoOrganizationsMadeByDjango(t *testing.T) {
	djangotest.Python(t, "psycopg2", "organizations", "django_extensions")
	t.Parallel()
	ctx := context.Background()
	db, pool := newDjangoDB(t)
	dj := orgsProject(db)
	dj.Manage(t, "migrate", "--no-input", "-v", "0")
	var made struct{ Org, Alice, Bob, Carol int64 }
	dj.Shell(t, `import json
from django.contrib.auth.models import User
from organizations.models import Organization
alice = User.objects.create_user('dj_alice', '', 'pw')
bob = User.objects.create_user('dj_bob', '', 'pw')
carol = User.objects.create_user('dj_carol', '', 'pw')
org = Organization.objects.create(name='Acme Corp')
org.add_user(alice, is_admin=True)
org.add_user(bob)
print(json.dumps({'org': org.pk, 'alice': alice.pk, 'bob': bob.pk, 'carol': carol.pk}))`, &made)

	_, err := postgres.Migrate(ctx, pool, postgres.DjangoOrganizations)
	require.NoError(t, err, "Migrate accepts the tables Django made")
	s, err := postgres.NewOrgStore(pool, postgres.OrgOptions{})
	require.NoError(t, err)
	org, err := s.OrganizationBySlug(ctx, "acme-corp")
	require.NoError(t, err, "django-extensions' AutoSlugField made the slug")
	assert.Equal(t, made.Org, org.ID)
	assert.Equal(t, "Acme Corp", org.Name)
	assert.True(t, org.IsActive)
	assert.WithinDuration(t, time.Now(), org.Created, time.Minute)
	members, err := s.Members(ctx, org.ID)
	require.NoError(t, err)
	require.Len(t, members, 2)
	assert.Equal(t, made.Alice, members[0].UserID)
	assert.True(t, members[0].IsAdmin && members[0].IsOwner, "the first user is admin and owner")
	assert.Equal(t, made.Bob, members[1].UserID)
	assert.False(t, members[1].IsAdmin || members[1].IsOwner)

	// The store's changes, seen by Django.
	require.NoError(t, s.TransferOwnership(ctx, org.ID, made.Bob))
	_, err = s.AddMember(ctx, org.ID, made.Carol, false)
	require.NoError(t, err)
	require.NoError(t, s.RemoveMember(ctx, org.ID, made.Alice))
	var seen struct {
		Owner   string
		Users   []string
		BobAdm  bool `json:"bob_admin"`
		CarolIn bool `json:"carol_member"`
		AliceIn bool `json:"alice_member"`
	}
	dj.Shell(t, fmt.Sprintf(`import json
from django.contrib.auth.models import User
from organizations.models import Organization
org = Organization.objects.get(pk=%d)
u = lambda n: User.objects.get(username=n)
print(json.dumps({'owner': org.owner.organization_user.user.username,
                  'users': sorted(x.username for x in org.users.all()),
                  'bob_admin': org.is_admin(u('dj_bob')), 'carol_member': org.is_member(u('dj_carol')),
                  'alice_member': org.is_member(u('dj_alice'))}))`, org.ID), &seen)
	assert.Equal(t, "dj_bob", seen.Owner)
	assert.Equal(t, []string{"dj_bob", "dj_carol"}, seen.Users)
	assert.True(t, seen.BobAdm, "the new owner is an admin")
	assert.True(t, seen.CarolIn)
	assert.False(t, seen.AliceIn)
	assert.Contains(t, dj.Manage(t, "migrate", "--no-input"), "No migrations to apply.")
}

// TestDjangoOrganizationsMadeByStore: an organization, members, owner,
// role and invitation that OrgStore makes are django-organizations' and
// Django's own rows; a role is a plain group whose permission Django does
// not grant its holders.
func TestDjangoOrganizationsMadeByStore(t *testing.T) {
	djangotest.Python(t, "psycopg2", "organizations", "django_extensions")
	t.Parallel()
	ctx := context.Background()
	db, pool := newDjangoDB(t)
	dj := orgsProject(db)
	_, err := postgres.Migrate(ctx, pool, postgres.DjangoOrganizations)
	require.NoError(t, err)
	// Django's post_migrate makes the permissions.
	assert.Contains(t, dj.Manage(t, "migrate", "--no-input"), "No migrations to apply.")
	s, err := postgres.NewOrgStore(pool, postgres.OrgOptions{})
	require.NoError(t, err)
	alice, bob, carol := newAuthUser(t, pool), newAuthUser(t, pool), newAuthUser(t, pool)

	org, err := s.CreateOrganization(ctx, orgs.Organization{Name: "Go Org", Slug: "go-org", IsActive: true}, alice)
	require.NoError(t, err)
	_, err = s.AddMember(ctx, org.ID, bob, false)
	require.NoError(t, err)
	role, err := s.CreateRole(ctx, org.ID, "editor")
	require.NoError(t, err)
	require.NoError(t, s.SetRolePermissions(ctx, org.ID, role.ID, []string{"auth.view_user", "organizations.change_organization"}))
	require.NoError(t, s.AssignRole(ctx, org.ID, bob, role.ID))
	inv, err := s.CreateInvitation(ctx, orgs.Invitation{OrgID: org.ID, Email: "carol@example.com", InvitedBy: alice,
		RoleIDs: []int64{role.ID}, TokenHash: hashOf("carol"), ExpiresAt: time.Now().Add(time.Hour)})
	require.NoError(t, err)

	var seen struct {
		Owner, Slug  string
		Users        []string
		AliceAdmin   bool     `json:"alice_admin"`
		BobAdmin     bool     `json:"bob_admin"`
		BobMember    bool     `json:"bob_member"`
		CarolMember  bool     `json:"carol_member"`
		Invitations  []string `json:"invitations"`
		GroupPerms   []string `json:"group_perms"`
		BobHasPerm   bool     `json:"bob_has_perm"`
		BobGroups    int      `json:"bob_groups"`
		CreatedFresh bool     `json:"created_fresh"`
	}
	dj.Shell(t, fmt.Sprintf(`import json
from django.contrib.auth.models import User, Group
from django.utils import timezone
from organizations.models import Organization, OrganizationInvitation
org = Organization.objects.get(pk=%d)
u = lambda pk: User.objects.get(pk=pk)
alice, bob, carol = u(%d), u(%d), u(%d)
g = Group.objects.get(name=%q)
print(json.dumps({'owner': str(org.owner.organization_user.user.pk), 'slug': org.slug,
  'users': sorted(str(x.pk) for x in org.users.all()),
  'alice_admin': org.is_admin(alice), 'bob_admin': org.is_admin(bob),
  'bob_member': org.is_member(bob), 'carol_member': org.is_member(carol),
  'invitations': ['%%s %%s %%s %%s' %% (i.invitee_identifier, i.invited_by.pk, i.guid, i.invitee_id)
                  for i in OrganizationInvitation.objects.filter(organization=org)],
  'group_perms': sorted(p.content_type.app_label + '.' + p.codename for p in g.permissions.all()),
  'bob_has_perm': bob.has_perm('auth.view_user'), 'bob_groups': bob.groups.count(),
  'created_fresh': abs((timezone.now() - org.created).total_seconds()) < 60}))`,
		org.ID, alice, bob, carol, role.GroupName), &seen)
	assert.Equal(t, fmt.Sprint(alice), seen.Owner)
	assert.Equal(t, "go-org", seen.Slug)
	assert.ElementsMatch(t, []string{fmt.Sprint(alice), fmt.Sprint(bob)}, seen.Users)
	assert.True(t, seen.AliceAdmin)
	assert.False(t, seen.BobAdmin)
	assert.True(t, seen.BobMember)
	assert.False(t, seen.CarolMember)
	assert.Equal(t, []string{fmt.Sprintf("carol@example.com %d %s None", alice, inv.GUID)}, seen.Invitations)
	assert.Equal(t, []string{"auth.view_user", "organizations.change_organization"}, seen.GroupPerms)
	assert.False(t, seen.BobHasPerm, "a role grants nothing outside its organization")
	assert.Zero(t, seen.BobGroups)
	assert.True(t, seen.CreatedFresh)

	// Accepted here, seen there: the invitee is set.
	_, err = s.AcceptInvitation(ctx, org.ID, inv.ID, carol, time.Now())
	require.NoError(t, err)
	var after struct {
		Invitee  int64 `json:"invitee"`
		Member   bool  `json:"member"`
		HasPerm  bool  `json:"has_perm"`
		Orphaned bool  `json:"orphaned"`
	}
	dj.Shell(t, fmt.Sprintf(`import json
from django.contrib.auth.models import User
from organizations.models import Organization, OrganizationInvitation
org = Organization.objects.get(pk=%d)
carol = User.objects.get(pk=%d)
i = OrganizationInvitation.objects.get(pk=%d)
print(json.dumps({'invitee': i.invitee.pk, 'member': org.is_member(carol), 'has_perm': carol.has_perm('auth.view_user')}))`,
		org.ID, carol, inv.ID), &after)
	assert.Equal(t, carol, after.Invitee)
	assert.True(t, after.Member)
	assert.False(t, after.HasPerm)
	perms, err := s.MemberPermissions(ctx, org.ID, carol)
	require.NoError(t, err)
	assert.Equal(t, []string{"auth.view_user", "organizations.change_organization"}, perms, "inside the organization it does")

	// Django deletes the organization: djauth's rows go with it (its
	// foreign keys cascade in the database), the group stays a plain one.
	dj.Shell(t, fmt.Sprintf(`from organizations.models import Organization
Organization.objects.get(pk=%d).delete()`, org.ID), nil)
	for _, table := range []string{"djauth_org_role", "djauth_org_member_role", "djauth_org_invitation", "djauth_org_invitation_role"} {
		assert.Zero(t, rowCount(t, pool, table), table)
	}
	_, err = s.Organization(ctx, org.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}
