// Package orgs is organizations (multi-tenancy) with roles for djauth,
// in the tables of django-organizations.
//
// An organization has members (organizations_organizationuser), one of
// them its owner (organizations_organizationowner), some of them admins.
// A role is a Django group that belongs to one organization; the
// permissions of a member's roles hold in that organization only, never
// globally and never in another organization.
//
// # Setting up
//
//	a, _ := auth.New(auth.Config[auth.User]{Store: users, SecretKey: key})
//	o, err := orgs.New(orgs.Config[auth.User]{
//		Auth:    a,
//		Store:   orgStore,                  // orgs.NewMemoryStore() or postgres.OrgStore
//		Mailer:  &mail.Console{W: os.Stderr}, // sends invitations
//		BaseURL: "https://example.com",      // start of invitation links
//	})
//	mux := http.NewServeMux()
//	mux.Handle("GET /o/{org}/", o.MemberRequired(dashboard))
//	mux.Handle("POST /o/{org}/members/", o.AdminRequired(members))
//	mux.Handle("GET /o/{org}/reports/", o.PermissionRequired("reports.view_report")(reports))
//	srv := &http.Server{Handler: a.Protect(mux)}
//
// In a handler, orgs.Current(r.Context()) is the organization and the
// user's membership of it.
//
// # Who may do what
//
// Every management method (members, roles, invitations, the organization
// itself) takes the acting user and asks one rule: the organization's
// owner and admins may, as may any active user holding the global Django
// permission organizations.change_organization (an active superuser holds
// every permission); deleting an organization and transferring its
// ownership are for the owner (or organizations.delete_organization and
// change_organization respectively). A user who is not a member of the
// organization gets ErrNotFound, as for an organization that does not
// exist. Members of an inactive organization manage nothing, and their
// roles grant nothing, until a holder of the global permission
// reactivates it.
//
// # Permissions in an organization
//
// Orgs.HasPerm(ctx, user, orgID, perm) is true when Auth.HasPerm grants
// perm globally, or when the user is active, the organization active, the
// user a member and perm among the permissions of their roles there.
// Auth.HasPerm itself is unchanged: a role's group is never in
// auth_user_groups.
//
// # The current organization
//
// Orgs.Middleware (which the guards include) takes the organization the
// URL names (Config.FromRequest, by default the {org} path wildcard) and
// answers 404 when the user is not an active member of it, whether it
// exists or not. A URL that names none falls back to the organization
// chosen with Switch, kept in the session under SessionKeyOrg and checked
// again on every request: a membership that ended or an organization
// deactivated clears it. Anonymous users are sent to log in by the guards
// (Auth.Deny).
//
// # Invitations
//
// Invite stores the SHA-256 of a random 32-byte token and mails a link
// carrying the token (base64url). Accept lets a signed-in, active user in
// only when their email is the invited address (compared as Django's
// iexact; Config.EmailVerified can also demand that it is verified), once:
// of concurrent acceptances one wins. Wrong tokens are throttled per user
// through the Auth's Limiter (or one in memory).
//
// # Pages
//
// Orgs.Routes mounts server-rendered pages with the Auth's look (its
// theme and blocks) and languages: the user's organizations with a
// switcher, a creation form, each organization's members with the
// managers' invitation form, open invitations and member actions
// (admin, removal, ownership transfer after a confirmation page), its
// roles with their permissions as checkboxes grouped by app and model
// and who holds them, and the acceptance page of invitation links at
// Config.AcceptPath. Every change is a POST inside Auth.Protect and goes
// through the methods above, so the pages follow the same rule; an
// organization or ID of a form that the user may not see is 404.
//
//	mux := http.NewServeMux()
//	if err := o.Routes(mux, "/orgs/"); err != nil {
//		return err
//	}
//
// # Stores
//
// Store is the persistence contract; orgstest.Run is its conformance
// suite and orgstest.RunIsolation the attacks of one organization's admin
// on another, both run by MemoryStore and by the PostgreSQL store.
package orgs
