package main

import (
	"context"
	"fmt"
)

func init() {
	register("perms", "list the permissions in the database", runGroup("perms",
		"Lists permissions (auth_permission) by their app_label.codename names.\n",
		[]subcommand{
			{"list", "[APP]", "print every permission (of one app) as NAME<TAB>DESCRIPTION, one a line,\n" +
				"                                         ordered by app label, model and codename", 0, 1, permsList},
		}))
}

func permsList(ctx context.Context, e *env, d *db, args []string) error {
	app := ""
	if len(args) == 1 {
		app = args[0]
		if app == "" {
			return usagef("the app label is empty")
		}
	}
	perms, err := d.store.ListPermissions(ctx, app)
	if err != nil {
		return failf("list permissions: %v", err)
	}
	if app != "" && len(perms) == 0 {
		return failf("app '%s' has no permissions", app)
	}
	for _, p := range perms {
		fmt.Fprintf(e.stdout, "%s\t%s\n", p.Key(), p.Name)
	}
	return nil
}
