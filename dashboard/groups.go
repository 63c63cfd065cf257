package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
)

// GroupsPage is the data of the group list.
type GroupsPage struct {
	*Common
	Groups []GroupRow
	AddURL string
}

// GroupRow is one group of the list.
type GroupRow struct {
	Name, URL string
}

func (d *Dashboard[U]) groupURL(id int64, part string) string {
	return fmt.Sprintf("%sauth/group/%d/%s/", d.prefix, id, part)
}

func (d *Dashboard[U]) serveGroups(w http.ResponseWriter, r *http.Request, v *view[U]) {
	if _, ok := parseForm(w, r, false); !ok {
		return
	}
	gs, err := d.store.ListGroups(r.Context())
	if err != nil {
		d.serverError(w, r, "list groups", err)
		return
	}
	page := &GroupsPage{Common: d.common(r, v, v.tr.Pgettext("dashboard", "Select group to change"), "groups")}
	if !v.has(PermChangeGroup) {
		page.Title = v.tr.Pgettext("dashboard", "Select group to view")
	}
	page.Crumbs = append(page.Crumbs, NavItem{Label: v.tr.Pgettext("dashboard", "Groups")})
	if v.has(PermAddGroup) {
		page.AddURL = d.prefix + "auth/group/add/"
	}
	for _, g := range gs {
		page.Groups = append(page.Groups, GroupRow{Name: g.Name, URL: d.groupURL(g.ID, "change")})
	}
	d.render(w, r, http.StatusOK, "groups", page)
}

// GroupPage is the data of the group form (add and change) and of its
// delete confirmation.
type GroupPage struct {
	*Common
	ID       int64
	Name     string
	Perms    []PermGroup
	Errors   FieldErrors
	ReadOnly bool
	// DeleteURL is the delete page, "" without the permission.
	DeleteURL string
	// Members is how many users the group has (delete confirmation).
	Members int
}

func (d *Dashboard[U]) serveGroupAdd(w http.ResponseWriter, r *http.Request, v *view[U]) {
	d.serveGroupForm(w, r, v, nil)
}

func (d *Dashboard[U]) serveGroupChange(w http.ResponseWriter, r *http.Request, v *view[U]) {
	g, ok := d.loadGroup(w, r, v)
	if !ok {
		return
	}
	d.serveGroupForm(w, r, v, &g)
}

func (d *Dashboard[U]) loadGroup(w http.ResponseWriter, r *http.Request, v *view[U]) (auth.Group, bool) {
	id, ok := parseID(r, "id")
	if !ok {
		d.notFound(w, r, v)
		return auth.Group{}, false
	}
	g, err := d.store.GetGroup(r.Context(), id)
	if errors.Is(err, auth.ErrGroupNotFound) {
		d.notFound(w, r, v)
		return auth.Group{}, false
	}
	if err != nil {
		d.serverError(w, r, "get group", err)
		return auth.Group{}, false
	}
	return g, true
}

// serveGroupForm serves the add page (g nil) or the change page of g.
func (d *Dashboard[U]) serveGroupForm(w http.ResponseWriter, r *http.Request, v *view[U], g *auth.Group) {
	post, ok := parseForm(w, r, true)
	if !ok {
		return
	}
	ctx := r.Context()
	canChange := g == nil || v.has(PermChangeGroup)
	if post && !canChange {
		d.auth.Deny(w, r, auth.ErrPermissionDenied)
		return
	}
	perms, err := d.store.ListPermissions(ctx, "")
	if err != nil {
		d.serverError(w, r, "list permissions", err)
		return
	}
	var old []string
	title := v.tr.Pgettext("dashboard", "Add group")
	if g != nil {
		gp, err := d.store.ListGroupPermissions(ctx, g.ID)
		if err != nil {
			d.serverError(w, r, "list group permissions", err)
			return
		}
		for _, p := range gp {
			old = append(old, p.Key())
		}
		slices.Sort(old)
		title = v.tr.Pgettext("dashboard", "Change group")
		if !canChange {
			title = v.tr.Pgettext("dashboard", "View group")
		}
	}
	page := &GroupPage{Common: d.common(r, v, title, "groups"), Errors: FieldErrors{}, ReadOnly: !canChange}
	page.Crumbs = append(page.Crumbs, NavItem{Label: v.tr.Pgettext("dashboard", "Groups"), URL: d.prefix + "auth/group/"})
	if g != nil {
		page.ID, page.Name = g.ID, g.Name
		page.Crumbs = append(page.Crumbs, NavItem{Label: g.Name})
		if v.has(PermDeleteGroup) {
			page.DeleteURL = d.groupURL(g.ID, "delete")
		}
	} else {
		page.Crumbs = append(page.Crumbs, NavItem{Label: v.tr.Pgettext("dashboard", "Add group")})
	}
	fill := func(keys []string) {
		checked := map[string]bool{}
		for _, k := range keys {
			checked[k] = true
		}
		page.Perms = permGroups(perms, checked)
	}
	if !post {
		fill(old)
		d.render(w, r, http.StatusOK, "group_change", page)
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	page.Name = name
	chosen := chosenPerms(v.tr, r.PostForm["permissions"], perms, "permissions", page.Errors)
	ng := auth.Group{Name: name}
	if g != nil {
		ng.ID = g.ID
	}
	if name == "" {
		page.Errors.Add("name", v.tr.Pgettext("dashboard", "This field is required."))
	} else if err := ng.Validate(); err != nil {
		var verr *auth.ValidationError
		msg := v.tr.Pgettext("dashboard", "Enter a valid name.")
		if errors.As(err, &verr) {
			msg = v.tr.Translate(i18n.Message{Context: "dashboard", ID: "Enter a valid name: %(reason)s.", Args: map[string]any{"reason": verr.Message}})
		}
		page.Errors.Add("name", msg)
	} else if other, err := d.store.GetGroupByName(ctx, name); err == nil && (g == nil || other.ID != g.ID) {
		page.Errors.Add("name", v.tr.Pgettext("dashboard", "Group with this Name already exists."))
	} else if err != nil && !errors.Is(err, auth.ErrGroupNotFound) {
		d.serverError(w, r, "get group by name", err)
		return
	}
	if page.Errors.Any() {
		fill(chosen)
		d.render(w, r, http.StatusOK, "group_change", page)
		return
	}
	duplicate := func() {
		page.Errors.Add("name", v.tr.Pgettext("dashboard", "Group with this Name already exists."))
		fill(chosen)
		d.render(w, r, http.StatusOK, "group_change", page)
	}
	var fields []string
	action := ActionChanged
	switch {
	case g == nil:
		if err := d.store.CreateGroup(ctx, &ng); err != nil {
			if errors.Is(err, auth.ErrDuplicateGroupName) {
				duplicate()
				return
			}
			d.serverError(w, r, "create group", err)
			return
		}
		action = ActionAdded
	case ng.Name != g.Name:
		if err := d.store.UpdateGroup(ctx, &ng); err != nil {
			if errors.Is(err, auth.ErrDuplicateGroupName) {
				duplicate()
				return
			}
			if errors.Is(err, auth.ErrGroupNotFound) {
				d.notFound(w, r, v)
				return
			}
			d.serverError(w, r, "update group", err)
			return
		}
		fields = append(fields, "name")
	}
	if !slices.Equal(chosen, old) && !(len(chosen) == 0 && len(old) == 0) {
		if err := d.store.SetGroupPermissions(ctx, ng.ID, chosen); err != nil {
			d.serverError(w, r, "set group permissions", err)
			return
		}
		if action == ActionChanged {
			fields = append(fields, "permissions")
		}
	}
	msg := v.tr.Pgettext("dashboard", "No fields changed.")
	if action == ActionAdded {
		d.signals.GroupChanged.Send(ctx, GroupChanged{Request: r, Actor: d.actorCopy(v), Group: ng, Action: ActionAdded})
		msg = v.tr.Translate(i18n.Message{Context: "dashboard", ID: "The group “%(name)s” was added successfully.", Args: map[string]any{"name": ng.Name}})
	} else if len(fields) > 0 {
		d.signals.GroupChanged.Send(ctx, GroupChanged{Request: r, Actor: d.actorCopy(v), Group: ng, Action: ActionChanged, Fields: fields})
		msg = v.tr.Translate(i18n.Message{Context: "dashboard", ID: "The group “%(name)s” was changed successfully.", Args: map[string]any{"name": ng.Name}})
	}
	d.redirect(w, r, d.prefix+"auth/group/", msg)
}

func (d *Dashboard[U]) actorCopy(v *view[U]) auth.User {
	a := *v.actor
	a.Password = ""
	return a
}

func (d *Dashboard[U]) serveGroupDelete(w http.ResponseWriter, r *http.Request, v *view[U]) {
	post, ok := parseForm(w, r, true)
	if !ok {
		return
	}
	g, ok := d.loadGroup(w, r, v)
	if !ok {
		return
	}
	ctx := r.Context()
	if !post {
		members, err := d.store.CountUsers(ctx, auth.UserQuery{GroupID: g.ID})
		if err != nil {
			d.serverError(w, r, "count members", err)
			return
		}
		page := &GroupPage{Common: d.common(r, v, v.tr.Pgettext("dashboard", "Delete group"), "groups"), ID: g.ID, Name: g.Name, Members: members}
		page.Crumbs = append(page.Crumbs, NavItem{Label: v.tr.Pgettext("dashboard", "Groups"), URL: d.prefix + "auth/group/"},
			NavItem{Label: g.Name, URL: d.groupURL(g.ID, "change")}, NavItem{Label: v.tr.Pgettext("dashboard", "Delete")})
		d.render(w, r, http.StatusOK, "group_delete", page)
		return
	}
	if err := d.store.DeleteGroup(ctx, g.ID); err != nil {
		if errors.Is(err, auth.ErrGroupNotFound) {
			d.notFound(w, r, v)
			return
		}
		d.serverError(w, r, "delete group", err)
		return
	}
	d.signals.GroupChanged.Send(ctx, GroupChanged{Request: r, Actor: d.actorCopy(v), Group: g, Action: ActionDeleted})
	d.redirect(w, r, d.prefix+"auth/group/", v.tr.Translate(i18n.Message{Context: "dashboard", ID: "The group “%(name)s” was deleted successfully.", Args: map[string]any{"name": g.Name}}))
}
