package main

import (
	"context"
	"fmt"

	"github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/store/postgres"
)

func init() {
	register("user", "grant and revoke a user's permissions and groups; list its permissions", runGroup("user",
		"Manages the permissions granted to a user directly and the groups it belongs\nto. Usernames and group names are compared exactly; permissions are named\napp_label.codename.\n",
		[]subcommand{
			{"grant", "USERNAME PERM...", "grant permissions to a user directly", 2, -1,
				changePerms(userOwner, "grant", "Granted %s to user '%s'.\n", (*postgres.Store[auth.User]).AddUserPermissions)},
			{"revoke", "USERNAME PERM...", "revoke permissions granted to a user directly", 2, -1,
				changePerms(userOwner, "revoke", "Revoked %s from user '%s'.\n", (*postgres.Store[auth.User]).RemoveUserPermissions)},
			{"add-group", "USERNAME GROUP...", "put a user in groups", 2, -1,
				changeGroups("add to groups", "Added user '%s' to group '%s'.\n", (*postgres.Store[auth.User]).AddUserGroups)},
			{"remove-group", "USERNAME GROUP...", "take a user out of groups", 2, -1,
				changeGroups("remove from groups", "Removed user '%s' from group '%s'.\n", (*postgres.Store[auth.User]).RemoveUserGroups)},
			{"perms", "USERNAME", "print the user's effective permissions, one a line, sorted", 1, 1, userPerms},
		}))
}

// userPerms prints Django's user.get_all_permissions() with ModelBackend:
// the direct and group permissions of an active user, every permission
// for an active superuser, none for an inactive user.
func userPerms(ctx context.Context, e *env, d *db, args []string) error {
	u, err := lookupUser(ctx, d, args[0])
	if err != nil {
		return err
	}
	// An Auth with the model backend answers as Django's ModelBackend; its
	// key signs nothing here.
	a, err := auth.New(auth.Config[auth.User]{Store: d.store, Hashers: e.hasherRegistry(), SecretKey: hashers.RandomString(50)})
	if err != nil {
		return failf("%v", err)
	}
	defer a.Close()
	all, err := a.AllPermissions(ctx, u, nil)
	if err != nil {
		return failf("permissions: %v", err)
	}
	for _, p := range all.Sorted() {
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

// userOwner names the user whose permissions a command changes.
func userOwner(ctx context.Context, d *db, username string) (int64, string, error) {
	u, err := lookupUser(ctx, d, username)
	if err != nil {
		return 0, "", err
	}
	return u.ID, u.Username, nil
}

// changeGroups returns the command that applies write to the user named
// by args[0] and the groups named by the rest, and prints a line a group.
func changeGroups(op, format string,
	write func(*postgres.Store[auth.User], context.Context, int64, ...int64) error) func(context.Context, *env, *db, []string) error {
	return func(ctx context.Context, e *env, d *db, args []string) error {
		u, err := lookupUser(ctx, d, args[0])
		if err != nil {
			return err
		}
		groups, err := lookupGroups(ctx, d, args[1:])
		if err != nil {
			return err
		}
		if err := write(d.store, ctx, u.ID, groupIDs(groups)...); err != nil {
			return failf("%s: %v", op, err)
		}
		for _, g := range groups {
			fmt.Fprintf(e.stdout, format, u.Username, g.Name)
		}
		return nil
	}
}
