package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/orgs"
)

// OrgsPerPage is how many organizations a page of their list shows.
const OrgsPerPage = 50

// OrgsPage is the data of the organization list.
type OrgsPage struct {
	*Common
	// Orgs are the rows of this page; Query is the search box's text.
	Orgs  []OrgRow
	Query string
	// Count is how many organizations match the search.
	Count int
	// Pages are the page links (Number 0 is an ellipsis).
	Pages []PageLink
}

// OrgRow is one organization of the list.
type OrgRow struct {
	URL, Name, Slug, Created string
	IsActive                 bool
}

// OrgPage is the data of an organization's page and of its delete
// confirmation.
type OrgPage struct {
	*Common
	Org     orgs.Organization
	Created string
	// Members are the memberships with their users and roles;
	// Invitations the open invitations.
	Members     []MemberRow
	Invitations []InvitationRow
	// CanChange and CanDelete are the staff member's permissions on
	// organizations; URL is the page's own path.
	CanChange, CanDelete bool
	URL                  string
}

// MemberRow is one member of an organization.
type MemberRow struct {
	UserID            int64
	Username, UserURL string
	IsAdmin, IsOwner  bool
	Roles             []string
	// RemoveURL is where the remove button posts.
	RemoveURL string
}

// InvitationRow is one open invitation.
type InvitationRow struct {
	ID               int64
	Email, InvitedBy string
	Expires, Created string
	Expired          bool
	RevokeURL, Roles string
}

func (d *Dashboard[U]) orgURL(id int64, part string) string {
	return fmt.Sprintf("%sorganizations/organization/%d/%s/", d.prefix, id, part)
}

func (d *Dashboard[U]) serveOrgs(w http.ResponseWriter, r *http.Request, v *view[U]) {
	if _, ok := parseForm(w, r, false); !ok {
		return
	}
	in := r.URL.Query()
	q := strings.TrimSpace(in.Get("q"))
	num := 1
	if p := in.Get("p"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			d.notFound(w, r, v)
			return
		}
		num = n
	}
	list, total, err := d.orgs.ListOrganizations(r.Context(), orgs.ListOptions{Search: q, Offset: (num - 1) * OrgsPerPage, Limit: OrgsPerPage})
	if err != nil {
		d.serverError(w, r, "list organizations", err)
		return
	}
	pages := (total + OrgsPerPage - 1) / OrgsPerPage
	if num > 1 && num > pages {
		d.notFound(w, r, v)
		return
	}
	page := &OrgsPage{Common: d.common(r, v, v.tr.Pgettext("dashboard", "Select organization to change"), "orgs"), Query: q, Count: total}
	page.Crumbs = append(page.Crumbs, NavItem{Label: v.tr.Pgettext("dashboard", "Organizations")})
	for _, o := range list {
		page.Orgs = append(page.Orgs, OrgRow{URL: d.orgURL(o.ID, "change"), Name: o.Name, Slug: o.Slug,
			IsActive: o.IsActive, Created: formatTime(o.Created)})
	}
	for _, n := range pageNumbers(num, pages) {
		pl := PageLink{Number: n, Current: n == num}
		if n > 0 {
			vals := url.Values{}
			if q != "" {
				vals.Set("q", q)
			}
			vals.Set("p", strconv.Itoa(n))
			pl.URL = d.prefix + "organizations/organization/?" + vals.Encode()
		}
		page.Pages = append(page.Pages, pl)
	}
	d.render(w, r, http.StatusOK, "orgs", page)
}

// loadOrg reads the organization of the {id} path value, answering 404
// for an unknown or malformed one.
func (d *Dashboard[U]) loadOrg(w http.ResponseWriter, r *http.Request, v *view[U]) (orgs.Organization, bool) {
	id, ok := parseID(r, "id")
	if !ok {
		d.notFound(w, r, v)
		return orgs.Organization{}, false
	}
	o, err := d.orgs.Organization(r.Context(), id)
	if errors.Is(err, orgs.ErrNotFound) {
		d.notFound(w, r, v)
		return o, false
	}
	if err != nil {
		d.serverError(w, r, "get organization", err)
		return o, false
	}
	return o, true
}

// orgPage builds the organization's page: its members (with usernames
// and roles) and open invitations.
func (d *Dashboard[U]) orgPage(w http.ResponseWriter, r *http.Request, v *view[U], o orgs.Organization, title string) (*OrgPage, bool) {
	ctx := r.Context()
	page := &OrgPage{Common: d.common(r, v, title, "orgs"), Org: o, Created: formatTime(o.Created),
		CanChange: v.canChangeOrgs(), CanDelete: v.canDeleteOrgs(), URL: d.orgURL(o.ID, "change")}
	page.Crumbs = append(page.Crumbs, NavItem{Label: v.tr.Pgettext("dashboard", "Organizations"), URL: d.prefix + "organizations/organization/"})
	members, err := d.orgs.Members(ctx, o.ID)
	if err != nil {
		d.serverError(w, r, "list members", err)
		return nil, false
	}
	names := map[int64]string{}
	username := func(id int64) (string, error) {
		if n, ok := names[id]; ok || id == 0 {
			return n, nil
		}
		u, err := d.store.GetUser(ctx, id)
		if errors.Is(err, auth.ErrUserNotFound) {
			names[id] = "#" + strconv.FormatInt(id, 10)
			return names[id], nil
		}
		if err != nil {
			return "", err
		}
		names[id] = auth.UserOf(u).Username
		return names[id], nil
	}
	for _, m := range members {
		name, err := username(m.UserID)
		if err != nil {
			d.serverError(w, r, "get member", err)
			return nil, false
		}
		roles, err := d.orgs.MemberRoles(ctx, o.ID, m.UserID)
		if err != nil && !errors.Is(err, orgs.ErrNotMember) {
			d.serverError(w, r, "list member roles", err)
			return nil, false
		}
		row := MemberRow{UserID: m.UserID, Username: name, UserURL: d.userURL(m.UserID, "change"), IsAdmin: m.IsAdmin, IsOwner: m.IsOwner,
			RemoveURL: fmt.Sprintf("%sorganizations/organization/%d/members/%d/remove/", d.prefix, o.ID, m.UserID)}
		for _, ro := range roles {
			row.Roles = append(row.Roles, ro.Name)
		}
		page.Members = append(page.Members, row)
	}
	invs, err := d.orgs.Invitations(ctx, o.ID)
	if err != nil {
		d.serverError(w, r, "list invitations", err)
		return nil, false
	}
	roles, err := d.orgs.Roles(ctx, o.ID)
	if err != nil {
		d.serverError(w, r, "list roles", err)
		return nil, false
	}
	roleName := map[int64]string{}
	for _, ro := range roles {
		roleName[ro.ID] = ro.Name
	}
	now := d.now()
	for _, inv := range invs {
		by, err := username(inv.InvitedBy)
		if err != nil {
			d.serverError(w, r, "get inviter", err)
			return nil, false
		}
		var rs []string
		for _, id := range inv.RoleIDs {
			rs = append(rs, roleName[id])
		}
		page.Invitations = append(page.Invitations, InvitationRow{ID: inv.ID, Email: inv.Email, InvitedBy: by,
			Expires: formatTime(inv.ExpiresAt), Created: formatTime(inv.Created), Expired: now.After(inv.ExpiresAt),
			Roles:     strings.Join(rs, ", "),
			RevokeURL: fmt.Sprintf("%sorganizations/organization/%d/invitations/%d/revoke/", d.prefix, o.ID, inv.ID)})
	}
	return page, true
}

// serveOrgChange shows an organization; its POST (change permission)
// deactivates or activates it ("action" is "deactivate" or "activate").
func (d *Dashboard[U]) serveOrgChange(w http.ResponseWriter, r *http.Request, v *view[U]) {
	post, ok := parseForm(w, r, true)
	if !ok {
		return
	}
	if post && !v.canChangeOrgs() {
		d.auth.Deny(w, r, auth.ErrPermissionDenied)
		return
	}
	o, ok := d.loadOrg(w, r, v)
	if !ok {
		return
	}
	if post {
		var active bool
		switch r.PostForm.Get("action") {
		case "deactivate":
		case "activate":
			active = true
		default:
			http.Error(w, "action must be deactivate or activate", http.StatusBadRequest)
			return
		}
		msg := v.tr.Translate(i18n.Message{Context: "dashboard", ID: "The organization “%(name)s” was activated.", Args: map[string]any{"name": o.Name}})
		if !active {
			msg = v.tr.Translate(i18n.Message{Context: "dashboard", ID: "The organization “%(name)s” was deactivated.", Args: map[string]any{"name": o.Name}})
		}
		if o.IsActive != active {
			o.IsActive = active
			if err := d.orgs.UpdateOrganization(r.Context(), o); err != nil {
				d.serverError(w, r, "update organization", err)
				return
			}
			d.sendOrg(r, v, o, ActionChanged, []string{"is_active"}, 0, "")
		}
		d.redirect(w, r, d.orgURL(o.ID, "change"), msg)
		return
	}
	title := v.tr.Pgettext("dashboard", "View organization")
	if v.canChangeOrgs() {
		title = v.tr.Pgettext("dashboard", "Change organization")
	}
	page, ok := d.orgPage(w, r, v, o, title)
	if !ok {
		return
	}
	page.Crumbs = append(page.Crumbs, NavItem{Label: o.Name})
	d.render(w, r, http.StatusOK, "org_change", page)
}

// serveOrgRemoveMember ends a membership (POST only); the owner cannot
// be removed (orgs.ErrOwnerRequired), which the page reports.
func (d *Dashboard[U]) serveOrgRemoveMember(w http.ResponseWriter, r *http.Request, v *view[U]) {
	if !postOnly(w, r) {
		return
	}
	o, ok := d.loadOrg(w, r, v)
	if !ok {
		return
	}
	uid, ok := parseID(r, "uid")
	if !ok {
		d.notFound(w, r, v)
		return
	}
	err := d.orgs.RemoveMember(r.Context(), o.ID, uid)
	switch {
	case errors.Is(err, orgs.ErrOwnerRequired):
		d.flash(r, v.tr.Pgettext("dashboard", "The owner cannot be removed; transfer ownership first."), true)
		http.Redirect(w, r, d.orgURL(o.ID, "change"), http.StatusFound)
		return
	case errors.Is(err, orgs.ErrNotMember), errors.Is(err, orgs.ErrNotFound):
		d.notFound(w, r, v)
		return
	case err != nil:
		d.serverError(w, r, "remove member", err)
		return
	}
	d.sendOrg(r, v, o, ActionMemberRemoved, nil, uid, strconv.FormatInt(uid, 10))
	d.redirect(w, r, d.orgURL(o.ID, "change"), v.tr.Pgettext("dashboard", "The member was removed."))
}

// serveOrgRevokeInvitation deletes an open invitation (POST only).
func (d *Dashboard[U]) serveOrgRevokeInvitation(w http.ResponseWriter, r *http.Request, v *view[U]) {
	if !postOnly(w, r) {
		return
	}
	o, ok := d.loadOrg(w, r, v)
	if !ok {
		return
	}
	iid, ok := parseID(r, "iid")
	if !ok {
		d.notFound(w, r, v)
		return
	}
	err := d.orgs.RevokeInvitation(r.Context(), o.ID, iid)
	switch {
	case errors.Is(err, orgs.ErrInvitationUsed):
		d.flash(r, v.tr.Pgettext("dashboard", "That invitation was already accepted."), true)
		http.Redirect(w, r, d.orgURL(o.ID, "change"), http.StatusFound)
		return
	case errors.Is(err, orgs.ErrNotFound):
		d.notFound(w, r, v)
		return
	case err != nil:
		d.serverError(w, r, "revoke invitation", err)
		return
	}
	d.sendOrg(r, v, o, ActionInvitationRevoked, nil, 0, strconv.FormatInt(iid, 10))
	d.redirect(w, r, d.orgURL(o.ID, "change"), v.tr.Pgettext("dashboard", "The invitation was revoked."))
}

// serveOrgDelete asks for confirmation, then deletes the organization
// with its members, roles and invitations.
func (d *Dashboard[U]) serveOrgDelete(w http.ResponseWriter, r *http.Request, v *view[U]) {
	post, ok := parseForm(w, r, true)
	if !ok {
		return
	}
	o, ok := d.loadOrg(w, r, v)
	if !ok {
		return
	}
	if !post {
		page, ok := d.orgPage(w, r, v, o, v.tr.Pgettext("dashboard", "Delete organization"))
		if !ok {
			return
		}
		page.Crumbs = append(page.Crumbs, NavItem{Label: o.Name, URL: d.orgURL(o.ID, "change")}, NavItem{Label: v.tr.Pgettext("dashboard", "Delete")})
		d.render(w, r, http.StatusOK, "org_delete", page)
		return
	}
	if err := d.orgs.DeleteOrganization(r.Context(), o.ID); err != nil {
		if errors.Is(err, orgs.ErrNotFound) {
			d.notFound(w, r, v)
			return
		}
		d.serverError(w, r, "delete organization", err)
		return
	}
	d.sendOrg(r, v, o, ActionDeleted, nil, 0, "")
	d.redirect(w, r, d.prefix+"organizations/organization/", v.tr.Translate(i18n.Message{Context: "dashboard", ID: "The organization “%(name)s” was deleted.", Args: map[string]any{"name": o.Name}}))
}

// postOnly answers 405 to anything but a POST and 400 to an unreadable
// body.
func postOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
		return false
	}
	return true
}

// sendOrg emits OrgChanged.
func (d *Dashboard[U]) sendOrg(r *http.Request, v *view[U], o orgs.Organization, action Action, fields []string, userID int64, object string) {
	actor := *v.actor
	actor.Password = ""
	d.signals.OrgChanged.Send(r.Context(), OrgChanged{Request: r, Actor: actor, Org: o, Action: action, Fields: fields,
		UserID: userID, Object: object})
}
