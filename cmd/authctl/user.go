package main

import (
	"context"
	"fmt"

	"github.com/djauth/auth"
	"github.com/djauth/auth/backends"
)

func init() {
	register("user", "grant and revoke a user's permissions and groups; list its permissions", runGroup("user",
		"Manages the permissions granted to a user directly and the groups it belongs\nto. Usernames and group names are compared exactly; permissions are named\napp_label.codename.\n",
		[]subcommand{
			{"grant", "USERNAME PERM...", "grant permissions to a user directly", 2, -1, userGrant},
			{"revoke", "USERNAME PERM...", "revoke permissions granted to a user directly", 2, -1, userRevoke},
			{"add-group", "USERNAME GROUP...", "put a user in groups", 2, -1, userAddGroup},
			{"remove-group", "USERNAME GROUP...", "take a user out of groups", 2, -1, userRemoveGroup},
			{"perms", "USERNAME", "print the user's effective permissions, one a line, sorted", 1, 1, userPerms},
		}))
}

func userGrant(ctx context.Context, e *env, d *db, args []string) error {
	u, err := lookupUser(ctx, d, args[0])
	if err != nil {
		return err
	}
	perms, err := checkPermissions(ctx, d, args[1:])
	if err != nil {
		return err
	}
	if err := d.store.AddUserPermissions(ctx, u.ID, perms...); err != nil {
		return failf("grant: %v", err)
	}
	for _, p := range perms {
		fmt.Fprintf(e.stdout, "Granted %s to user '%s'.\n", p, u.Username)
	}
	return nil
}

func userRevoke(ctx context.Context, e *env, d *db, args []string) error {
	u, err := lookupUser(ctx, d, args[0])
	if err != nil {
		return err
	}
	perms, err := checkPermissions(ctx, d, args[1:])
	if err != nil {
		return err
	}
	if err := d.store.RemoveUserPermissions(ctx, u.ID, perms...); err != nil {
		return failf("revoke: %v", err)
	}
	for _, p := range perms {
		fmt.Fprintf(e.stdout, "Revoked %s from user '%s'.\n", p, u.Username)
	}
	return nil
}

func userAddGroup(ctx context.Context, e *env, d *db, args []string) error {
	u, err := lookupUser(ctx, d, args[0])
	if err != nil {
		return err
	}
	groups, err := lookupGroups(ctx, d, args[1:])
	if err != nil {
		return err
	}
	if err := d.store.AddUserGroups(ctx, u.ID, groupIDs(groups)...); err != nil {
		return failf("add to groups: %v", err)
	}
	for _, g := range groups {
		fmt.Fprintf(e.stdout, "Added user '%s' to group '%s'.\n", u.Username, g.Name)
	}
	return nil
}

func userRemoveGroup(ctx context.Context, e *env, d *db, args []string) error {
	u, err := lookupUser(ctx, d, args[0])
	if err != nil {
		return err
	}
	groups, err := lookupGroups(ctx, d, args[1:])
	if err != nil {
		return err
	}
	if err := d.store.RemoveUserGroups(ctx, u.ID, groupIDs(groups)...); err != nil {
		return failf("remove from groups: %v", err)
	}
	for _, g := range groups {
		fmt.Fprintf(e.stdout, "Removed user '%s' from group '%s'.\n", u.Username, g.Name)
	}
	return nil
}

// userPerms prints Django's user.get_all_permissions() with ModelBackend:
// the direct and group permissions of an active user, every permission
// for an active superuser, none for an inactive user.
func userPerms(ctx context.Context, e *env, d *db, args []string) error {
	u, err := lookupUser(ctx, d, args[0])
	if err != nil {
		return err
	}
	m := backends.NewModel[auth.User](d.store, e.hasherRegistry())
	own, err := m.UserPermissions(ctx, u, nil)
	if err != nil {
		return failf("user permissions: %v", err)
	}
	viaGroups, err := m.GroupPermissions(ctx, u, nil)
	if err != nil {
		return failf("group permissions: %v", err)
	}
	for _, p := range own.Union(viaGroups).Sorted() {
		fmt.Fprintln(e.stdout, p)
	}
	return nil
}

func groupIDs(groups []auth.Group) []int64 {
	ids := make([]int64, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	return ids
}
