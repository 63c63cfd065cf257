package orgs

import (
	"context"
	"errors"
	"slices"
)

// HasPerm reports whether user holds perm in the organization: globally
// (Auth.HasPerm without an object, so an active superuser holds every
// permission everywhere), or as an active member of the active
// organization through the permissions of their roles in it
// (Store.MemberPermissions). A role of one organization never grants
// anything in another, and the global HasPerm is unchanged by roles: a
// role's group is never one of the user's auth_user_groups.
func (o *Orgs[U]) HasPerm(ctx context.Context, user *U, orgID int64, perm string) (bool, error) {
	return o.HasPerms(ctx, user, orgID, perm)
}

// HasPerms reports whether user holds every one of perms in the
// organization, each as HasPerm does. With no perms it reports whether
// user is an active member of the active organization.
func (o *Orgs[U]) HasPerms(ctx context.Context, user *U, orgID int64, perms ...string) (bool, error) {
	u := activeUser(user)
	if u == nil {
		return false, nil
	}
	missing := make([]string, 0, len(perms))
	for _, p := range perms {
		ok, err := o.a.HasPerm(ctx, user, p, nil)
		if err != nil {
			return false, err
		}
		if !ok {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 && len(perms) > 0 {
		return true, nil
	}
	org, err := o.store.Organization(ctx, orgID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil || !org.IsActive {
		return false, err
	}
	held, err := o.store.MemberPermissions(ctx, orgID, u.ID)
	if errors.Is(err, ErrNotMember) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, p := range missing {
		if !slices.Contains(held, p) {
			return false, nil
		}
	}
	return true, nil
}
