package dashboard

import (
	"net/http"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
)

// view is what a page knows of its request: the staff member and the
// answers of the permission checks, asked once.
type view[U any] struct {
	actor *auth.User
	user  *U
	ru    *auth.RequestUser[U]
	// tr translates the page's messages into the request's language.
	tr *i18n.Translator
}

// has reports whether the staff member holds perm (superusers hold all).
func (v *view[U]) has(perm string) bool { return v.ru.HasPerm(perm) }

// Django admin's has_view_permission: view or change.
func (v *view[U]) canViewUsers() bool   { return v.has(PermViewUser) || v.has(PermChangeUser) }
func (v *view[U]) canViewGroups() bool  { return v.has(PermViewGroup) || v.has(PermChangeGroup) }
func (v *view[U]) canChangeUsers() bool { return v.has(PermChangeUser) }
func (v *view[U]) canViewOrgs() bool {
	return v.has(PermViewOrganization) || v.has(PermChangeOrganization)
}
func (v *view[U]) canChangeOrgs() bool { return v.has(PermChangeOrganization) }
func (v *view[U]) canDeleteOrgs() bool { return v.has(PermDeleteOrganization) }

// canViewAudit is the audit log's check: PermViewAuditEntry (superusers
// hold it). auth.view_user alone is not enough: the log also shows
// failed logins of unknown usernames, addresses and agents of everyone.
func (v *view[U]) canViewAudit() bool { return v.has(PermViewAuditEntry) }

// canChangeUser reports whether the staff member may change target: the
// change permission, and for a superuser target being a superuser, since
// whoever can set a superuser's password or email owns the account.
func (v *view[U]) canChangeUser(target *auth.User) bool {
	return v.canChangeUsers() && (!target.IsSuperuser || v.actor.IsSuperuser)
}

// staff wraps a page so that only active staff reach it: an anonymous
// request is sent to the login page with "next" (Django's
// login_required), a logged-in user who is not active staff gets the
// Auth's 403 page (Django's admin sends them to its own login page). The
// page then runs with need checked: a missing permission is 403 too.
func (d *Dashboard[U]) staff(need func(*view[U]) bool, page func(http.ResponseWriter, *http.Request, *view[U])) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ru := d.auth.User(r)
		if err := d.auth.CheckLogin(r); err != nil {
			d.auth.Deny(w, r, err)
			return
		}
		au := ru.AuthUser()
		if au == nil || !au.IsActive || !au.IsStaff {
			d.auth.Deny(w, r, auth.ErrPermissionDenied)
			return
		}
		v := &view[U]{actor: au, user: ru.User(), ru: ru, tr: d.auth.Translator(r)}
		if need != nil {
			ok := need(v)
			if err := ru.Err(); err != nil {
				d.auth.Deny(w, r, err)
				return
			}
			if !ok {
				d.auth.Deny(w, r, auth.ErrPermissionDenied)
				return
			}
		}
		page(w, r, v)
	})
}

// routes builds the dashboard's mux inside the Auth's Protect.
func (d *Dashboard[U]) routes() http.Handler {
	mux := http.NewServeMux()
	p := d.prefix
	viewUsers := (*view[U]).canViewUsers
	changeUsers := (*view[U]).canChangeUsers
	viewGroups := (*view[U]).canViewGroups
	// Django's UserAdmin.add_view needs the change permission too: the
	// form goes on to the user's change page.
	addUser := func(v *view[U]) bool { return v.has(PermAddUser) && v.has(PermChangeUser) }
	deleteUser := func(v *view[U]) bool { return v.has(PermDeleteUser) }
	addGroup := func(v *view[U]) bool { return v.has(PermAddGroup) }
	deleteGroup := func(v *view[U]) bool { return v.has(PermDeleteGroup) }

	mux.Handle(p+"{$}", d.staff(nil, d.serveIndex))
	mux.Handle(p+"auth/user/{$}", d.staff(viewUsers, d.serveUsers))
	mux.Handle(p+"auth/user/add/{$}", d.staff(addUser, d.serveUserAdd))
	mux.Handle(p+"auth/user/{id}/change/{$}", d.staff(viewUsers, d.serveUserChange))
	mux.Handle(p+"auth/user/{id}/password/{$}", d.staff(changeUsers, d.serveUserPassword))
	mux.Handle(p+"auth/user/{id}/delete/{$}", d.staff(deleteUser, d.serveUserDelete))
	if d.reset != nil {
		mux.Handle(p+"auth/user/{id}/reset/{$}", d.staff(changeUsers, d.serveUserReset))
	}
	if d.mfa != nil {
		mux.Handle(p+"auth/user/{id}/mfa/{$}", d.staff(viewUsers, d.serveUserMFA))
	}
	if d.identities != nil {
		mux.Handle(p+"auth/user/{id}/identities/{$}", d.staff(viewUsers, d.serveUserIdentities))
	}
	if d.auth.SessionsIndexed() {
		mux.Handle(p+"auth/user/{id}/sessions/{$}", d.staff(viewUsers, d.serveUserSessions))
	}
	if d.lockouts != nil {
		mux.Handle(p+"auth/user/{id}/lockouts/{$}", d.staff(viewUsers, d.serveUserLockouts))
	}
	mux.Handle(p+"auth/group/{$}", d.staff(viewGroups, d.serveGroups))
	mux.Handle(p+"auth/group/add/{$}", d.staff(addGroup, d.serveGroupAdd))
	mux.Handle(p+"auth/group/{id}/change/{$}", d.staff(viewGroups, d.serveGroupChange))
	mux.Handle(p+"auth/group/{id}/delete/{$}", d.staff(deleteGroup, d.serveGroupDelete))
	if d.orgs != nil {
		viewOrgs, changeOrgs, deleteOrgs := (*view[U]).canViewOrgs, (*view[U]).canChangeOrgs, (*view[U]).canDeleteOrgs
		mux.Handle(p+"organizations/organization/{$}", d.staff(viewOrgs, d.serveOrgs))
		mux.Handle(p+"organizations/organization/{id}/change/{$}", d.staff(viewOrgs, d.serveOrgChange))
		mux.Handle(p+"organizations/organization/{id}/members/{uid}/remove/{$}", d.staff(changeOrgs, d.serveOrgRemoveMember))
		mux.Handle(p+"organizations/organization/{id}/invitations/{iid}/revoke/{$}", d.staff(changeOrgs, d.serveOrgRevokeInvitation))
		mux.Handle(p+"organizations/organization/{id}/delete/{$}", d.staff(deleteOrgs, d.serveOrgDelete))
	}
	if d.audit != nil {
		mux.Handle(p+"audit/{$}", d.staff((*view[U]).canViewAudit, d.serveAudit))
	}
	mux.Handle(p, d.staff(nil, func(w http.ResponseWriter, r *http.Request, v *view[U]) { d.notFound(w, r, v) }))
	return d.auth.Protect(mux)
}

// common builds the data every page shares; section is the nav entry
// of the page ("users", "groups", "" for the index).
func (d *Dashboard[U]) common(r *http.Request, v *view[U], title, section string) *Common {
	c := &Common{Title: title, SiteTitle: d.title, Prefix: d.prefix}
	if v != nil {
		c.SiteTitle = v.tr.Pgettext("dashboard", d.title)
		c.Crumbs = []NavItem{{Label: v.tr.Pgettext("dashboard", "Home"), URL: d.prefix}}
		c.StaffUsername = v.actor.Username
		c.Nav = d.nav(v, section)
	}
	if msg := d.auth.Sessions().PopString(r.Context(), flashKey); msg != "" {
		c.Flash = msg
		if msg[0] == '!' {
			c.Flash, c.FlashError = msg[1:], true
		}
	}
	return c
}

// section is one entry of the dashboard's navigation and index: a model
// the staff member may see. Organizations and the audit log add theirs
// when their capabilities are configured (Config.Orgs, Config.Audit).
type section struct {
	key, label, url string
	add             string // the add page, "" without the add permission
}

// sections returns the models the staff member may see, Django admin's
// app list for the auth app.
func (d *Dashboard[U]) sections(v *view[U]) []section {
	var out []section
	if v.canViewGroups() {
		s := section{key: "groups", label: v.tr.Pgettext("dashboard", "Groups"), url: d.prefix + "auth/group/"}
		if v.has(PermAddGroup) {
			s.add = d.prefix + "auth/group/add/"
		}
		out = append(out, s)
	}
	if v.canViewUsers() {
		s := section{key: "users", label: v.tr.Pgettext("dashboard", "Users"), url: d.prefix + "auth/user/"}
		if v.has(PermAddUser) && v.has(PermChangeUser) {
			s.add = d.prefix + "auth/user/add/"
		}
		out = append(out, s)
	}
	if d.orgs != nil && v.canViewOrgs() {
		out = append(out, section{key: "orgs", label: v.tr.Pgettext("dashboard", "Organizations"), url: d.prefix + "organizations/organization/"})
	}
	if d.audit != nil && v.canViewAudit() {
		out = append(out, section{key: "audit", label: v.tr.Pgettext("dashboard", "Audit log"), url: d.prefix + "audit/"})
	}
	return out
}

func (d *Dashboard[U]) nav(v *view[U], current string) []NavItem {
	out := []NavItem{{Label: v.tr.Pgettext("dashboard", "Home"), URL: d.prefix, Current: current == ""}}
	for _, s := range d.sections(v) {
		out = append(out, NavItem{Label: s.label, URL: s.url, Current: s.key == current})
	}
	return out
}
