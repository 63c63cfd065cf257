// Package dashboard is a staff-only, server-rendered user management
// dashboard in the spirit of Django's admin for django.contrib.auth:
// users and groups, with their permissions, passwords, sessions, second
// factors, linked social accounts and lockouts.
//
//	d, err := dashboard.New(dashboard.Config[auth.User]{
//		Auth:          a,
//		MFA:           dashboard.FlowDevices(flow), // optional capabilities
//		Identities:    socialStore,
//		Lockouts:      limiter,
//		PasswordReset: accountsManager,
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	d.Mount(mux) // at /admin/
//	d.Signals().UserChanged.Connect(func(ctx context.Context, e dashboard.UserChanged) {
//		slog.InfoContext(ctx, "admin change", "actor", e.Actor.ID, "target", e.Target.ID, "action", e.Action, "fields", e.Fields)
//	})
//
// # Pages
//
// Under the prefix ("/admin/" by default), with Django admin's URLs:
//
//	{$}                           index: the models you may see, counts, add links
//	auth/user/                    users: search (q), filters, ordering (o), pages (p) of 100
//	auth/user/add/                add a user: username and password twice
//	auth/user/{id}/change/        the user: names, email, flags, groups, permissions, dates
//	auth/user/{id}/password/      set the password
//	auth/user/{id}/delete/        delete, after a confirmation page
//	auth/user/{id}/reset/         a one-time password reset link, or the reset mail (PasswordReset)
//	auth/user/{id}/sessions/      sessions: list, log out one or all (an indexing session store)
//	auth/user/{id}/mfa/           second factors: list, remove (MFA)
//	auth/user/{id}/identities/    linked social accounts: list, unlink (Identities)
//	auth/user/{id}/lockouts/      throttle counters of the user: show, reset (Lockouts)
//	auth/group/                   groups; add/, {id}/change/, {id}/delete/
//	organizations/organization/   organizations: search (q), pages (p) of 50 (Orgs)
//	organizations/organization/{id}/change/   members (admin, owner, roles), open invitations; POST deactivates/activates
//	organizations/organization/{id}/members/{uid}/remove/      POST: remove a member (not the owner)
//	organizations/organization/{id}/invitations/{iid}/revoke/  POST: revoke an open invitation
//	organizations/organization/{id}/delete/   delete, after a confirmation page
//	audit/                        the audit log: actor, target, action, from/to dates, pages of 50 (Audit)
//
// A page whose capability is not configured is not mounted and not
// linked; the navigation and the index list only what the staff member
// may see.
//
// # Who may do what
//
// Only active staff (is_staff) reach the dashboard: an anonymous request
// is redirected to the login page with "next", any other user gets the
// Auth's 403 page. Each page then needs Django admin's permission:
// auth.view_user or auth.change_user to see users, auth.change_user to
// change one (its password, reset link, sessions, factors, identities and
// lockouts too), auth.add_user and auth.change_user to add one (Django's
// UserAdmin asks both), auth.delete_user to delete; the same with
// auth.*_group for groups. Active superusers hold every permission.
//
// Organizations need Django's default permissions of
// django-organizations' model: organizations.view_organization (or
// change_organization) to see them, change_organization to deactivate
// one, remove a member or revoke an invitation, delete_organization to
// delete one. The audit log, and the recent entries on a user's page,
// need PermViewAuditEntry (djauth.view_auditentry, created by
// auth.Register with Models()): auth.view_user is not enough, because
// the log also holds failed logins of unknown usernames and everyone's
// addresses and agents.
//
// # Log in as
//
// With Config.ImpersonateURL (auth.DefaultImpersonateURL, where
// auth.Auth.ImpersonationRoutes mounts auth.ImpersonateHandler), a user's
// page has a "Log in as" button for an active superuser, on the page of
// another active user who is not a superuser, while not impersonating
// already: the core's rules, which ImpersonateHandler checks again. The
// stop returns to the user's page. Wrap the site in
// auth.Auth.ImpersonationBanner so that every page says so.
//
// Two rules go beyond Django's admin, which leaves both to trust:
//
//   - Only a superuser changes the superuser status, and only a
//     superuser changes, sets the password of, makes a reset link for,
//     deletes or otherwise acts on a superuser: with auth.change_user
//     alone one could otherwise take over the most powerful accounts.
//     auth.change_user is still powerful, as in Django: it grants any
//     permission and group to any other user, the staff member too.
//   - No one locks themselves out: your own page refuses to clear your
//     active, staff or superuser status, and you cannot delete your own
//     account. "Log out every session" on your own page keeps the current
//     one, and the current session has no "Log out" button.
//
// # Forms
//
// Every change is a POST inside auth.Auth.Protect: cross-origin requests
// (Sec-Fetch-Site, Origin) are refused by http.CrossOriginProtection,
// answers are not cached and cannot be framed. A successful POST
// redirects (Post/Redirect/Get) with a message; a bad value shows the
// form again with an error summary (role="alert") and the field's error
// tied to it with aria-describedby. Unknown IDs answer 404. The reset
// link is shown once, in the answer to its POST, and is never stored or
// logged.
//
// # Audit
//
// Each change sends a UserChanged, GroupChanged or OrgChanged on
// Dashboard.Signals after it is written: who (Actor), to whom (Target,
// Group, Org), what (Action, Fields, Object) and the Request, for its
// address and agent. SubscribeAudit writes them to an audit.Recorder:
// user_created, user_changed and user_deleted (the dashboard's Action in
// Meta["dashboard_action"]), group_* and org_* entries.
//
// # Look
//
// The pages are html/template files in templates/, parsed with the
// Auth's look (auth.Auth.Look: Config.UI's theme, brand and blocks),
// with a little CSS of their own that widens the layout's main column
// for tables. They are localized with the Auth's i18n bundle: every
// message has msgctxt "dashboard" in the catalogs.
package dashboard
