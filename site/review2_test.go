package site_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/site"
)

// Config.Models says New "makes them assignable to organization roles",
// but New gives orgs no AssignablePermissions: an organization's admin
// may put every permission of the site (django.contrib.auth's user and
// permission rights, organizations.*) on a role of their organization.
func TestReview2RolePermissionsNotLimitedToModels(t *testing.T) {
	ctx := context.Background()
	s := newSite(t, site.Config[auth.User]{})
	u := auth.NewUser("admin1")
	u.Email = "admin1@example.com"
	require.NoError(t, s.Accounts.CreateUser(ctx, &u, "a-long-enough-password-42"))
	org, err := s.Orgs.CreateOrganization(ctx, &u, "Acme", "acme")
	require.NoError(t, err)
	role, err := s.Orgs.CreateRole(ctx, &u, org.ID, "staff")
	require.NoError(t, err)
	for _, p := range []string{"auth.change_user", "auth.change_permission", "auth.delete_user"} {
		err = s.Orgs.SetRolePermissions(ctx, &u, org.ID, role.ID, []string{p})
		assert.True(t, errors.Is(err, orgs.ErrInvalid), "%s was assignable to an org role (err %v)", p, err)
	}
	err = s.Orgs.SetRolePermissions(ctx, &u, org.ID, role.ID, []string{"reports.view_report"})
	assert.NoError(t, err)
}
