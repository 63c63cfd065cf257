package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/djauth/auth"
)

func init() {
	register("group", "create, delete and list groups; grant and revoke their permissions", runGroup("group",
		"Manages groups (auth_group) and the permissions granted to them. Names are\ncompared exactly; permissions are named app_label.codename.\n",
		[]subcommand{
			{"create", "NAME", "create a group", 1, 1, groupCreate},
			{"delete", "NAME", "delete a group and its memberships and grants", 1, 1, groupDelete},
			{"list", "", "print every group name, one a line, sorted", 0, 0, groupList},
			{"grant", "NAME PERM...", "grant permissions to a group", 2, -1, groupGrant},
			{"revoke", "NAME PERM...", "revoke permissions from a group", 2, -1, groupRevoke},
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

func groupGrant(ctx context.Context, e *env, d *db, args []string) error {
	g, err := lookupGroup(ctx, d, args[0])
	if err != nil {
		return err
	}
	perms, err := checkPermissions(ctx, d, args[1:])
	if err != nil {
		return err
	}
	if err := d.store.AddGroupPermissions(ctx, g.ID, perms...); err != nil {
		return failf("grant: %v", err)
	}
	for _, p := range perms {
		fmt.Fprintf(e.stdout, "Granted %s to group '%s'.\n", p, g.Name)
	}
	return nil
}

func groupRevoke(ctx context.Context, e *env, d *db, args []string) error {
	g, err := lookupGroup(ctx, d, args[0])
	if err != nil {
		return err
	}
	perms, err := checkPermissions(ctx, d, args[1:])
	if err != nil {
		return err
	}
	if err := d.store.RemoveGroupPermissions(ctx, g.ID, perms...); err != nil {
		return failf("revoke: %v", err)
	}
	for _, p := range perms {
		fmt.Fprintf(e.stdout, "Revoked %s from group '%s'.\n", p, g.Name)
	}
	return nil
}
