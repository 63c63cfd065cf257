package dashboard

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/audit"
	"github.com/djauth/auth/i18n"
)

// UserAddPage is the data of the add user form (Django's
// UserCreationForm in the admin).
type UserAddPage struct {
	*Common
	Username string
	Errors   FieldErrors
	// HelpTexts are the password validators' help texts.
	HelpTexts []string
}

func (d *Dashboard[U]) serveUserAdd(w http.ResponseWriter, r *http.Request, v *view[U]) {
	post, ok := parseForm(w, r, true)
	if !ok {
		return
	}
	page := &UserAddPage{Common: d.common(r, v, v.tr.Pgettext("dashboard", "Add user"), "users"), Errors: FieldErrors{},
		HelpTexts: helpTexts(d)}
	page.Crumbs = append(page.Crumbs, NavItem{Label: v.tr.Pgettext("dashboard", "Users"), URL: d.prefix + "auth/user/"}, NavItem{Label: v.tr.Pgettext("dashboard", "Add user")})
	if !post {
		d.render(w, r, http.StatusOK, "user_add", page)
		return
	}
	ctx := r.Context()
	username := auth.NormalizeUsername(strings.TrimSpace(r.PostForm.Get("username")))
	page.Username = username
	d.checkUsername(r, v.tr, username, 0, page.Errors)
	u := auth.NewUser(username)
	passwordErrors(v.tr, r.PostForm.Get("password1"), r.PostForm.Get("password2"), &u, d.validators, page.Errors)
	if page.Errors.Any() {
		d.render(w, r, http.StatusOK, "user_add", page)
		return
	}
	encoded, err := d.auth.Hashers().Make(ctx, r.PostForm.Get("password1"))
	if err != nil {
		d.serverError(w, r, "hash password", err)
		return
	}
	u.Password = encoded
	nu := new(U)
	*auth.UserOf(nu) = u
	if err := d.store.CreateUser(ctx, nu); err != nil {
		if errors.Is(err, auth.ErrDuplicateUsername) || errors.Is(err, auth.ErrInvalid) {
			page.Errors.Add("username", usernameMessage(v.tr, err))
			d.render(w, r, http.StatusOK, "user_add", page)
			return
		}
		d.serverError(w, r, "create user", err)
		return
	}
	au := auth.UserOf(nu)
	d.send(r, v, au, ActionAdded, nil, "")
	d.redirect(w, r, d.userURL(au.ID, "change"),
		v.tr.Translate(i18n.Message{Context: "dashboard", ID: "The user “%(name)s” was added successfully. You may edit it again below.", Args: map[string]any{"name": au.Username}}))
}

func helpTexts[U any](d *Dashboard[U]) []string {
	var out []string
	for _, v := range d.validators {
		if h, ok := v.(interface{ HelpText() string }); ok {
			out = append(out, h.HelpText())
		}
	}
	return out
}

// checkUsername checks a username as Django's forms do: required,
// auth.UsernameValidator, and unused by any other user, compared without
// case (Django 4.2's UserCreationForm), so that "Alice" cannot be added
// beside "alice".
func (d *Dashboard[U]) checkUsername(r *http.Request, tr *i18n.Translator, username string, self int64, errs FieldErrors) {
	if username == "" {
		errs.Add("username", tr.Pgettext("dashboard", "This field is required."))
		return
	}
	if err := (auth.UsernameValidator{}).Validate(username); err != nil {
		errs.Add("username", usernameMessage(tr, err))
		return
	}
	other, err := d.store.GetUserByUsernameFold(r.Context(), username)
	switch {
	case errors.Is(err, auth.ErrMultipleUsers):
		errs.Add("username", tr.Pgettext("dashboard", "A user with that username already exists."))
	case err == nil && auth.UserOf(other).ID != self:
		errs.Add("username", tr.Pgettext("dashboard", "A user with that username already exists."))
	case err == nil, errors.Is(err, auth.ErrUserNotFound):
	default:
		errs.Add("username", tr.Pgettext("dashboard", "The username could not be checked; try again."))
	}
}

// usernameMessage is the form error of a username that err refused;
// a validator's own message is translated when the catalog has it.
func usernameMessage(tr *i18n.Translator, err error) string {
	var verr *auth.ValidationError
	switch {
	case errors.Is(err, auth.ErrDuplicateUsername):
		return tr.Pgettext("dashboard", "A user with that username already exists.")
	case errors.As(err, &verr) && verr.Message != "":
		return tr.Gettext(verr.Message)
	}
	return tr.Pgettext("dashboard", "Enter a valid username.")
}

// UserChangePage is the data of the user's page (Django's UserChangeForm
// in the admin). ReadOnly is true without the permission to change the
// user: the page then shows the values without a form.
type UserChangePage struct {
	*Common
	ID                                   int64
	Username, FirstName, LastName, Email string
	IsActive, IsStaff, IsSuperuser       bool
	LastLogin, DateJoined                string
	HasUsablePassword                    bool
	Groups                               []GroupChoice
	Perms                                []PermGroup
	Errors                               FieldErrors
	ReadOnly                             bool
	// CanSetSuperuser is false for a staff member who is not a superuser:
	// the superuser box is then shown but not editable.
	CanSetSuperuser bool
	// Self is true on the staff member's own page, whose active, staff
	// and superuser boxes cannot be cleared.
	Self bool
	// Links are the user's other pages: password, reset, sessions, MFA,
	// identities, lockouts, delete.
	Links []NavItem
	// ImpersonateURL is where the "Log in as" button posts; "" hides
	// it: only an active superuser, not impersonating already, sees it,
	// on the page of another active user who is not a superuser (the
	// core's rules, auth.Auth.Impersonate, which checks them again).
	// ReturnURL is where the stop goes back to.
	ImpersonateURL, ReturnURL string
	// Audit are the newest entries about the user, AuditURL the audit
	// log filtered on them; both empty without Config.Audit or the
	// PermViewAuditEntry permission.
	Audit    []AuditRow
	AuditURL string
	// Orgs are the user's organizations with links to them.
	Orgs []NavItem
}

// GroupChoice is one group checkbox.
type GroupChoice struct {
	ID      int64
	Name    string
	Checked bool
}

func (d *Dashboard[U]) serveUserChange(w http.ResponseWriter, r *http.Request, v *view[U]) {
	post, ok := parseForm(w, r, true)
	if !ok {
		return
	}
	u, au, ok := d.loadUser(w, r, v)
	if !ok {
		return
	}
	ctx := r.Context()
	if post && !v.canChangeUser(au) {
		d.auth.Deny(w, r, auth.ErrPermissionDenied)
		return
	}
	groups, err := d.store.ListGroups(ctx)
	if err != nil {
		d.serverError(w, r, "list groups", err)
		return
	}
	perms, err := d.store.ListPermissions(ctx, "")
	if err != nil {
		d.serverError(w, r, "list permissions", err)
		return
	}
	userGroups, err := d.store.ListUserGroups(ctx, au.ID)
	if err != nil {
		d.serverError(w, r, "list user groups", err)
		return
	}
	userPerms, err := d.store.ListUserPermissions(ctx, au.ID)
	if err != nil {
		d.serverError(w, r, "list user permissions", err)
		return
	}
	oldGroups := make([]int64, 0, len(userGroups))
	for _, g := range userGroups {
		oldGroups = append(oldGroups, g.ID)
	}
	slices.Sort(oldGroups)
	oldPerms := make([]string, 0, len(userPerms))
	for _, p := range userPerms {
		oldPerms = append(oldPerms, p.Key())
	}
	slices.Sort(oldPerms)

	title := v.tr.Pgettext("dashboard", "Change user")
	if !v.canChangeUser(au) {
		title = v.tr.Pgettext("dashboard", "View user")
	}
	page := &UserChangePage{Common: d.common(r, v, title, "users"), ID: au.ID, Errors: FieldErrors{},
		ReadOnly: !v.canChangeUser(au), CanSetSuperuser: v.actor.IsSuperuser, Self: au.ID == v.actor.ID,
		LastLogin: funcs["datetime"].(func(any) string)(au.LastLogin), DateJoined: funcs["datetime"].(func(any) string)(au.DateJoined),
		HasUsablePassword: au.HasUsablePassword()}
	page.Crumbs = append(page.Crumbs, NavItem{Label: v.tr.Pgettext("dashboard", "Users"), URL: d.prefix + "auth/user/"}, NavItem{Label: au.Username})
	page.Links = d.userLinks(v, au)
	if d.imperURL != "" && v.actor.IsSuperuser && v.actor.IsActive && au.IsActive && !au.IsSuperuser &&
		au.ID != v.actor.ID && !d.auth.Impersonating(r) {
		page.ImpersonateURL, page.ReturnURL = d.imperURL, d.userURL(au.ID, "change")
	}
	if !post {
		if d.audit != nil && v.canViewAudit() {
			entries, _, err := d.audit.List(ctx, audit.Query{TargetUserID: au.ID, Limit: AuditRecent})
			if err != nil {
				d.serverError(w, r, "list audit entries", err)
				return
			}
			page.Audit = d.auditRows(ctx, entries)
			page.AuditURL = d.prefix + "audit/?target=" + strconv.FormatInt(au.ID, 10)
		}
		if d.orgs != nil && v.canViewOrgs() {
			os, _, err := d.orgs.UserOrganizations(ctx, au.ID)
			if err != nil {
				d.serverError(w, r, "list user organizations", err)
				return
			}
			for _, o := range os {
				page.Orgs = append(page.Orgs, NavItem{Label: o.Name, URL: d.orgURL(o.ID, "change")})
			}
		}
	}
	fill := func(x *auth.User, gids []int64, pkeys []string) {
		page.Username, page.FirstName, page.LastName, page.Email = x.Username, x.FirstName, x.LastName, x.Email
		page.IsActive, page.IsStaff, page.IsSuperuser = x.IsActive, x.IsStaff, x.IsSuperuser
		page.Groups = page.Groups[:0]
		for _, g := range groups {
			page.Groups = append(page.Groups, GroupChoice{ID: g.ID, Name: g.Name, Checked: slices.Contains(gids, g.ID)})
		}
		checked := map[string]bool{}
		for _, k := range pkeys {
			checked[k] = true
		}
		page.Perms = permGroups(perms, checked)
	}
	if !post {
		fill(au, oldGroups, oldPerms)
		d.render(w, r, http.StatusOK, "user_change", page)
		return
	}

	f := r.PostForm
	next := *au
	next.Username = auth.NormalizeUsername(strings.TrimSpace(f.Get("username")))
	next.FirstName = strings.TrimSpace(f.Get("first_name"))
	next.LastName = strings.TrimSpace(f.Get("last_name"))
	next.Email = auth.NormalizeEmail(strings.TrimSpace(f.Get("email")))
	next.IsActive = f.Get("is_active") == "on"
	next.IsStaff = f.Get("is_staff") == "on"
	next.IsSuperuser = f.Get("is_superuser") == "on"
	errs := page.Errors
	if next.Username != au.Username {
		d.checkUsername(r, v.tr, next.Username, au.ID, errs)
	}
	if next.Email != "" && !accounts.ValidEmail(next.Email) {
		errs.Add("email", v.tr.Pgettext("dashboard", "Enter a valid email address."))
	}
	if err := next.Validate(); err != nil {
		var verr *auth.ValidationError
		field := map[string]string{"Username": "username", "FirstName": "first_name", "LastName": "last_name", "Email": "email"}
		if errors.As(err, &verr) && field[verr.Field] != "" {
			if len(errs[field[verr.Field]]) == 0 {
				errs.Add(field[verr.Field], v.tr.Translate(i18n.Message{Context: "dashboard", ID: "Enter a valid value: %(reason)s.", Args: map[string]any{"reason": verr.Message}}))
			}
		} else {
			errs.Add("", "The user is not valid: "+err.Error())
		}
	}
	// Only a superuser makes or unmakes superusers: a staff member with
	// auth.change_user could otherwise raise anyone, themselves too, to
	// every permission. (Django's admin does not check this.)
	if next.IsSuperuser != au.IsSuperuser && !v.actor.IsSuperuser {
		errs.Add("is_superuser", v.tr.Pgettext("dashboard", "Only superusers can change the superuser status."))
	}
	// No one locks themselves out of the dashboard by mistake.
	if page.Self {
		if !next.IsActive {
			errs.Add("is_active", v.tr.Pgettext("dashboard", "You cannot deactivate your own account here."))
		}
		if !next.IsStaff {
			errs.Add("is_staff", v.tr.Pgettext("dashboard", "You cannot remove your own staff status here."))
		}
		if au.IsSuperuser && !next.IsSuperuser {
			errs.Add("is_superuser", v.tr.Pgettext("dashboard", "You cannot remove your own superuser status here."))
		}
	}
	newGroups := []int64{}
	for _, s := range f["groups"] {
		id, err := strconv.ParseInt(s, 10, 64)
		known := false
		for _, g := range groups {
			known = known || (err == nil && g.ID == id)
		}
		if !known {
			errs.Add("groups", v.tr.Translate(i18n.Message{Context: "dashboard", ID: "Select a valid choice. %(value)s is not one of the available choices.", Args: map[string]any{"value": s}}))
			continue
		}
		if !slices.Contains(newGroups, id) {
			newGroups = append(newGroups, id)
		}
	}
	slices.Sort(newGroups)
	newPerms := chosenPerms(v.tr, f["user_permissions"], perms, "user_permissions", errs)
	if errs.Any() {
		fill(&next, newGroups, newPerms)
		d.render(w, r, http.StatusOK, "user_change", page)
		return
	}
	var fields []string
	for _, c := range []struct {
		name    string
		changed bool
	}{
		{"username", next.Username != au.Username}, {"first_name", next.FirstName != au.FirstName},
		{"last_name", next.LastName != au.LastName}, {"email", next.Email != au.Email},
		{"is_active", next.IsActive != au.IsActive}, {"is_staff", next.IsStaff != au.IsStaff},
		{"is_superuser", next.IsSuperuser != au.IsSuperuser},
	} {
		if c.changed {
			fields = append(fields, c.name)
		}
	}
	if len(fields) > 0 {
		// Read the user again right before the write, so that a login or
		// password change since the form was loaded is not undone.
		fresh, err := d.store.GetUser(ctx, au.ID)
		if errors.Is(err, auth.ErrUserNotFound) {
			d.notFound(w, r, v)
			return
		}
		if err != nil {
			d.serverError(w, r, "get user", err)
			return
		}
		fa := auth.UserOf(fresh)
		fa.Username, fa.FirstName, fa.LastName, fa.Email = next.Username, next.FirstName, next.LastName, next.Email
		fa.IsActive, fa.IsStaff, fa.IsSuperuser = next.IsActive, next.IsStaff, next.IsSuperuser
		if err := d.store.UpdateUser(ctx, fresh); err != nil {
			if errors.Is(err, auth.ErrDuplicateUsername) || errors.Is(err, auth.ErrInvalid) {
				errs.Add("username", usernameMessage(v.tr, err))
				fill(&next, newGroups, newPerms)
				d.render(w, r, http.StatusOK, "user_change", page)
				return
			}
			d.serverError(w, r, "update user", err)
			return
		}
		u, au = fresh, fa
	}
	if !slices.Equal(newGroups, oldGroups) {
		if err := d.store.SetUserGroups(ctx, au.ID, newGroups); err != nil {
			d.serverError(w, r, "set user groups", err)
			return
		}
		fields = append(fields, "groups")
	}
	if !slices.Equal(newPerms, oldPerms) {
		if err := d.store.SetUserPermissions(ctx, au.ID, newPerms); err != nil {
			d.serverError(w, r, "set user permissions", err)
			return
		}
		fields = append(fields, "user_permissions")
	}
	_ = u
	msg := v.tr.Pgettext("dashboard", "No fields changed.")
	if len(fields) > 0 {
		d.send(r, v, au, ActionChanged, fields, "")
		msg = v.tr.Translate(i18n.Message{Context: "dashboard", ID: "The user “%(name)s” was changed successfully.", Args: map[string]any{"name": au.Username}})
	}
	d.redirect(w, r, d.userURL(au.ID, "change"), msg)
}

// userLinks are the links of a user's page to its other pages, those
// the staff member may use and whose capability is configured.
func (d *Dashboard[U]) userLinks(v *view[U], au *auth.User) []NavItem {
	var out []NavItem
	if v.canChangeUser(au) {
		out = append(out, NavItem{Label: v.tr.Pgettext("dashboard", "Set password"), URL: d.userURL(au.ID, "password")})
		if d.reset != nil {
			out = append(out, NavItem{Label: v.tr.Pgettext("dashboard", "Password reset link"), URL: d.userURL(au.ID, "reset")})
		}
	}
	if d.auth.SessionsIndexed() {
		out = append(out, NavItem{Label: v.tr.Pgettext("dashboard", "Sessions"), URL: d.userURL(au.ID, "sessions")})
	}
	if d.mfa != nil {
		out = append(out, NavItem{Label: v.tr.Pgettext("dashboard", "Second factors"), URL: d.userURL(au.ID, "mfa")})
	}
	if d.identities != nil {
		out = append(out, NavItem{Label: v.tr.Pgettext("dashboard", "Linked accounts"), URL: d.userURL(au.ID, "identities")})
	}
	if d.lockouts != nil {
		out = append(out, NavItem{Label: v.tr.Pgettext("dashboard", "Lockouts"), URL: d.userURL(au.ID, "lockouts")})
	}
	if v.has(PermDeleteUser) && au.ID != v.actor.ID && (!au.IsSuperuser || v.actor.IsSuperuser) {
		out = append(out, NavItem{Label: v.tr.Pgettext("dashboard", "Delete"), URL: d.userURL(au.ID, "delete")})
	}
	return out
}
