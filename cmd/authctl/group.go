package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/postgres"
)

func init() {
	register("group", "create, delete and list groups; grant and revoke their permissions", runGroup("group",
		"Manages groups (auth_group) and the permissions granted to them. Names are\ncompared exactly; permissions are named app_label.codename.\n",
		[]subcommand{
			{"create", "NAME", "create a group", 1, 1, groupCreate},
			{"delete", "NAME", "delete a group and its memberships and grants", 1, 1, groupDelete},
			{"list", "", "print every group name, one a line, sorted", 0, 0, groupList},
			{"grant", "NAME PERM...", "grant permissions to a group", 2, -1,
				changePerms(groupOwner, "grant", "Granted %s to group '%s'.\n", (*postgres.Store[auth.User]).AddGroupPermissions)},
			{"revoke", "NAME PERM...", "revoke permissions from a group", 2, -1,
				changePerms(groupOwner, "revoke", "Revoked %s from group '%s'.\n", (*postgres.Store[auth.User]).RemoveGroupPermissions)},
		}))
}

func groupCreate(ctx context.Context, e *env, d *db, args []string) error {
	g := auth.Group{Name: args[0]}
	err := d.store.CreateGroup(ctx, &g)
	var ve *auth.ValidationError
	switch {
	case errors.Is(err, auth.ErrDuplicateGroupName):
		return failf("group '%s' already exists", g.Name)
	case errors.As(err, &ve):
		return failf("invalid group name: %s", ve.Message)
	case err != nil:
		return failf("create group: %v", err)
	}
	fmt.Fprintf(e.stdout, "Group '%s' created.\n", g.Name)
	return nil
}

func groupDelete(ctx context.Context, e *env, d *db, args []string) error {
	g, err := lookupGroup(ctx, d, args[0])
	if err != nil {
		return err
	}
	if err := d.store.DeleteGroup(ctx, g.ID); err != nil {
		return failf("delete group: %v", err)
	}
	fmt.Fprintf(e.stdout, "Group '%s' deleted.\n", g.Name)
	return nil
}

func groupList(ctx context.Context, e *env, d *db, _ []string) error {
	groups, err := d.store.ListGroups(ctx)
	if err != nil {
		return failf("list groups: %v", err)
	}
	for _, g := range groups {
		fmt.Fprintln(e.stdout, g.Name)
	}
	return nil
}

// groupOwner names the group whose permissions a command changes.
func groupOwner(ctx context.Context, d *db, name string) (int64, string, error) {
	g, err := lookupGroup(ctx, d, name)
	if err != nil {
		return 0, "", err
	}
	return g.ID, g.Name, nil
}

// changePerms returns the command that applies write to the owner (a user
// or a group, found by owner from args[0]) and the permissions named by the
// rest, and prints format with each permission and the owner's name.
func changePerms(owner func(context.Context, *db, string) (int64, string, error), op, format string,
	write func(*postgres.Store[auth.User], context.Context, int64, ...string) error) func(context.Context, *env, *db, []string) error {
	return func(ctx context.Context, e *env, d *db, args []string) error {
		id, name, err := owner(ctx, d, args[0])
		if err != nil {
			return err
		}
		perms, err := checkPermissions(ctx, d, args[1:])
		if err != nil {
			return err
		}
		if err := write(d.store, ctx, id, perms...); err != nil {
			return failf("%s: %v", op, err)
		}
		for _, p := range perms {
			fmt.Fprintf(e.stdout, format, p, name)
		}
		return nil
	}
}
