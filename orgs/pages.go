package orgs

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
)

// maxFormBytes bounds the body of the pages' forms.
const maxFormBytes = 64 << 10

// reservedSlugs are the path segments of Routes' own pages, which an
// organization's slug would be hidden behind; the creation page refuses
// them.
var reservedSlugs = []string{"new", "switch", "invitations"}

// The notices shown after a change (?done=...): codes to msgids, so that
// the query cannot put arbitrary text on a page.
var doneMessages = map[string]i18n.Message{
	"created":     {ID: "The organization was created."},
	"switched":    {ID: "The current organization was changed."},
	"invited":     {ID: "The invitation was sent."},
	"revoked":     {ID: "The invitation was revoked."},
	"removed":     {ID: "The member was removed."},
	"admin":       {ID: "The member is now an admin."},
	"unadmin":     {ID: "The member is no longer an admin."},
	"transferred": {ID: "Ownership was transferred."},
	"joined":      {ID: "You joined the organization."},
	"left":        {ID: "You left the organization."},
	"role":        {ID: "The role was created."},
	"roledeleted": {ID: "The role was deleted."},
	"perms":       {ID: "The role's permissions were saved."},
	"assigned":    {ID: "The role was assigned."},
	"unassigned":  {ID: "The role was unassigned."},
}

// Routes mounts the organization pages on mux under prefix ("" means
// "/orgs/"), every one inside Auth.Protect (the Auth's middleware, CSRF
// refusal of cross-origin POSTs, no caching):
//
//	prefix                      your organizations, with the switcher (login required)
//	prefix+"switch/"            POST: make one the current organization (Switch)
//	prefix+"new/"               create an organization
//	prefix+"{org}/"             an organization: members; invitations and member actions for managers
//	prefix+"{org}/roles/"       its roles, their permissions and who holds them
//	AcceptPath+"{token}/"       an invitation link: GET shows it, POST accepts it
//
// The organization of an {org} page is resolved by MemberRequired: a
// user who is not an active member of it gets 404, whether it exists or
// not, and an anonymous one the login page. Every change goes through the
// Go API (Invite, RemoveMember, SetRolePermissions...), so the pages
// follow the same rule of who may manage, and every ID of a form is
// looked up within the URL's organization: an ID of another organization
// is 404. Slugs equal to a fixed segment ("new", "switch",
// "invitations") are refused by the creation page. Routes returns an
// error when the pages cannot be built with the Auth's look.
func (o *Orgs[U]) Routes(mux *http.ServeMux, prefix string) error {
	if prefix == "" {
		prefix = "/orgs/"
	}
	if !strings.HasPrefix(prefix, "/") {
		prefix = "/" + prefix
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	ps, err := newPages(o.a.Look(), o.a.I18n())
	if err != nil {
		return fmt.Errorf("orgs: pages: %w", err)
	}
	o.pages, o.prefix = ps, prefix
	a := o.a
	h := func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }
	mux.Handle(prefix+"{$}", a.Protect(a.LoginRequired(h(o.serveList))))
	mux.Handle(prefix+"switch/{$}", a.Protect(a.LoginRequired(h(o.serveSwitch))))
	mux.Handle(prefix+"new/{$}", a.Protect(a.LoginRequired(h(o.serveNew))))
	mux.Handle(prefix+"{org}/{$}", a.Protect(o.MemberRequired(h(o.serveOrg))))
	mux.Handle(prefix+"{org}/roles/{$}", a.Protect(o.MemberRequired(h(o.serveRoles))))
	mux.Handle(o.acceptPath+"{token}/{$}", a.Protect(h(o.serveAccept)))
	return nil
}

func (o *Orgs[U]) orgURL(slug string) string { return o.prefix + url.PathEscape(slug) + "/" }

// user returns the request's active user, or nil.
func (o *Orgs[U]) user(r *http.Request) *U {
	ru := o.a.User(r)
	if ru == nil || activeUser(ru.User()) == nil {
		return nil
	}
	return ru.User()
}

// methods answers 405 for a method other than GET, HEAD and POST and
// parses a POST's form (400 when it cannot be); it reports whether the
// handler goes on.
func methods(w http.ResponseWriter, r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
			return false
		}
		return true
	}
	w.Header().Set("Allow", "GET, HEAD, POST")
	http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	return false
}

func formValue(r *http.Request, name string) string {
	if vs := r.PostForm[name]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

// formID parses a positive ID field.
func formID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(formValue(r, name), 10, 64)
	return id, err == nil && id > 0
}

func badRequest(w http.ResponseWriter) {
	http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
}

// done redirects after a change to target with the notice code.
func done(w http.ResponseWriter, r *http.Request, target, code string) {
	http.Redirect(w, r, target+"?done="+code, http.StatusSeeOther)
}

// notice returns the translated notice of the ?done= code, if any.
func notice(r *http.Request, tr *i18n.Translator) string {
	if m, ok := doneMessages[r.URL.Query().Get("done")]; ok {
		return tr.Translate(m)
	}
	return ""
}

// fail answers an error of the Go API that is not a form error: 404 for
// an ID of no row of the organization, the Auth's Deny otherwise.
func (o *Orgs[U]) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrNotMember) || errors.Is(err, auth.ErrUserNotFound) {
		notFound(w, r)
		return
	}
	o.a.Deny(w, r, err) // login, 403, or 500 for a store failure
}

// canTransfer reports whether actor may transfer the organization's
// ownership: its owner, or a holder of the global PermChange.
func (o *Orgs[U]) canTransfer(ctx context.Context, actor *U, me Member) (bool, error) {
	if me.IsOwner {
		return true, nil
	}
	return o.a.HasPerm(ctx, actor, PermChange, nil)
}

func (o *Orgs[U]) serveList(w http.ResponseWriter, r *http.Request) {
	if !methods(w, r) {
		return
	}
	if r.Method == http.MethodPost {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	user := o.user(r)
	os, ms, err := o.Organizations(r.Context(), user)
	if err != nil {
		o.a.Deny(w, r, err)
		return
	}
	r, c := o.resolve(r)
	if c.err != nil {
		o.a.Deny(w, r, c.err)
		return
	}
	cur, hasCur := c.org, c.ok
	page := &ListPage{SwitchAction: o.prefix + "switch/", NewURL: o.prefix + "new/", Message: notice(r, o.a.Translator(r))}
	for i, org := range os {
		it := OrgItem{ID: org.ID, Name: org.Name, Slug: org.Slug, URL: o.orgURL(org.Slug),
			Current: hasCur && cur.ID == org.ID, IsAdmin: ms[i].IsAdmin, IsOwner: ms[i].IsOwner}
		page.HasCurrent = page.HasCurrent || it.Current
		page.Orgs = append(page.Orgs, it)
	}
	o.render(w, r, http.StatusOK, "list.html", page)
}

func (o *Orgs[U]) serveSwitch(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	if !methods(w, r) {
		return
	}
	id, ok := formID(r, "org")
	if !ok {
		badRequest(w)
		return
	}
	switch err := o.Switch(r, id); {
	case errors.Is(err, ErrNotMember):
		notFound(w, r)
		return
	case err != nil:
		o.a.Deny(w, r, err)
		return
	}
	done(w, r, o.prefix, "switched")
}

func (o *Orgs[U]) serveNew(w http.ResponseWriter, r *http.Request) {
	if !methods(w, r) {
		return
	}
	tr := o.a.Translator(r)
	page := &NewPage{Action: o.prefix + "new/", ListURL: o.prefix}
	if r.Method != http.MethodPost {
		o.render(w, r, http.StatusOK, "new.html", page)
		return
	}
	page.Name = strings.TrimSpace(formValue(r, "name"))
	page.Slug = strings.TrimSpace(formValue(r, "slug"))
	slug := page.Slug
	if slug == "" {
		slug = Slugify(page.Name)
	}
	switch {
	case page.Name == "":
		page.NameErrors = append(page.NameErrors, tr.Gettext("This field is required."))
	case len([]rune(page.Name)) > 200:
		page.NameErrors = append(page.NameErrors, tr.Translate(auth.MaxLengthMsg(page.Name, 200)))
	}
	switch {
	case page.Name == "" && page.Slug == "":
	case len(slug) > 200:
		page.SlugErrors = append(page.SlugErrors, tr.Translate(auth.MaxLengthMsg(slug, 200)))
	case !slugRe.MatchString(slug):
		page.SlugErrors = append(page.SlugErrors, tr.Gettext("Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."))
	case slices.Contains(reservedSlugs, strings.ToLower(slug)):
		page.SlugErrors = append(page.SlugErrors, tr.Gettext("This slug is reserved. Choose another one."))
	}
	if len(page.NameErrors) > 0 || len(page.SlugErrors) > 0 {
		o.render(w, r, http.StatusOK, "new.html", page)
		return
	}
	org, err := o.CreateOrganization(r.Context(), o.user(r), page.Name, slug)
	switch {
	case errors.Is(err, ErrSlugTaken):
		page.SlugErrors = append(page.SlugErrors, tr.Gettext("An organization with this slug already exists."))
		o.render(w, r, http.StatusOK, "new.html", page)
		return
	case errors.Is(err, ErrInvalid):
		page.Errors = append(page.Errors, tr.Gettext("Enter a valid value."))
		o.render(w, r, http.StatusOK, "new.html", page)
		return
	case err != nil:
		o.a.Deny(w, r, err)
		return
	}
	done(w, r, o.orgURL(org.Slug), "created")
}

// memberItems returns the members with their users' names, and with
// roles their roles as checkboxes.
func (o *Orgs[U]) memberItems(ctx context.Context, orgID int64, viewer int64, roles []Role) ([]MemberItem, error) {
	ms, err := o.store.Members(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]MemberItem, 0, len(ms))
	for _, m := range ms {
		it := MemberItem{UserID: m.UserID, IsAdmin: m.IsAdmin, IsOwner: m.IsOwner, IsYou: m.UserID == viewer,
			Username: "#" + strconv.FormatInt(m.UserID, 10)}
		if u, err := o.a.Store().GetUser(ctx, m.UserID); err == nil {
			if du := auth.UserOf(u); du != nil {
				it.Username, it.Email = du.Username, du.Email
			}
		} else if !errors.Is(err, auth.ErrUserNotFound) {
			return nil, err
		}
		if roles != nil {
			held, err := o.store.MemberRoles(ctx, orgID, m.UserID)
			if err != nil {
				return nil, err
			}
			for _, rl := range roles {
				it.Roles = append(it.Roles, RoleCheck{ID: rl.ID, Name: rl.Name,
					Checked: slices.ContainsFunc(held, func(h Role) bool { return h.ID == rl.ID })})
			}
		}
		out = append(out, it)
	}
	return out, nil
}

func (o *Orgs[U]) serveOrg(w http.ResponseWriter, r *http.Request) {
	if !methods(w, r) {
		return
	}
	ctx := r.Context()
	org, me, _ := o.Current(r)
	user := o.user(r)
	tr := o.a.Translator(r)
	self := o.orgURL(org.Slug)
	page := &OrgPage{Org: org, Action: self, RolesURL: self + "roles/", ListURL: o.prefix}
	if r.Method == http.MethodPost {
		if !o.orgAction(w, r, org, me, user, page) {
			return
		}
	} else {
		page.Message = notice(r, tr)
	}
	canManage, err := o.CanManage(ctx, user, org.ID)
	if err != nil {
		o.a.Deny(w, r, err)
		return
	}
	page.CanManage = canManage
	if page.IsOwner, err = o.canTransfer(ctx, user, me); err != nil {
		o.a.Deny(w, r, err)
		return
	}
	if page.Members, err = o.memberItems(ctx, org.ID, me.UserID, nil); err != nil {
		o.a.Deny(w, r, err)
		return
	}
	if canManage {
		if page.Roles, err = o.store.Roles(ctx, org.ID); err != nil {
			o.a.Deny(w, r, err)
			return
		}
		invs, err := o.Invitations(ctx, user, org.ID)
		if err != nil {
			o.fail(w, r, err)
			return
		}
		now := o.now()
		for _, inv := range invs {
			it := InviteItem{ID: inv.ID, Email: inv.Email, Admin: inv.IsAdmin, Expired: now.After(inv.ExpiresAt),
				ExpiresISO: inv.ExpiresAt.UTC().Format(time.RFC3339), ExpiresText: inv.ExpiresAt.UTC().Format("2 Jan 2006 15:04 MST")}
			for _, rl := range page.Roles {
				if slices.Contains(inv.RoleIDs, rl.ID) {
					it.Roles = append(it.Roles, rl.Name)
				}
			}
			page.Invites = append(page.Invites, it)
		}
	}
	o.render(w, r, http.StatusOK, "org.html", page)
}

// orgAction performs a POST of the organization page; it reports
// whether the page is to be rendered again with page's errors (false
// when it has answered).
func (o *Orgs[U]) orgAction(w http.ResponseWriter, r *http.Request, org Organization, me Member, user *U, page *OrgPage) bool {
	ctx := r.Context()
	tr := o.a.Translator(r)
	self := page.Action
	action := formValue(r, "action")
	var userID int64
	switch action {
	case "remove", "admin", "unadmin", "transfer":
		id, ok := formID(r, "user")
		if !ok {
			badRequest(w)
			return false
		}
		userID = id
	}
	var err error
	code := action
	switch action {
	case "invite":
		page.Email = strings.TrimSpace(formValue(r, "email"))
		var roleIDs []int64
		for _, v := range r.PostForm["role"] {
			id, perr := strconv.ParseInt(v, 10, 64)
			if perr != nil || id <= 0 {
				badRequest(w)
				return false
			}
			roleIDs = append(roleIDs, id)
		}
		if page.Email == "" {
			page.EmailErrors = []string{tr.Gettext("This field is required.")}
			return true
		}
		_, _, err = o.Invite(ctx, user, org.ID, page.Email, roleIDs, formValue(r, "admin") == "on")
		code = "invited"
		if te := (*ThrottledError)(nil); errors.As(err, &te) {
			auth.SetRetryAfter(w, te.RetryAfter)
			page.Errors = []string{tr.Translate(auth.ThrottledMsg(te.RetryAfter))}
			return true
		}
		if errors.Is(err, ErrInvalid) {
			page.EmailErrors = []string{tr.Gettext("Enter a valid email address.")}
			return true
		}
		if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, auth.ErrPermissionDenied) && !errors.Is(err, auth.ErrLoginRequired) {
			o.logger.ErrorContext(ctx, "orgs: invite", "org", org.ID, "error", err)
			page.Errors = []string{tr.Gettext("The invitation could not be sent. Please try again later.")}
			return true
		}
	case "revoke":
		id, ok := formID(r, "invitation")
		if !ok {
			badRequest(w)
			return false
		}
		err = o.Revoke(ctx, user, org.ID, id)
		code = "revoked"
		if errors.Is(err, ErrInvitationUsed) {
			page.Errors = []string{tr.Gettext("This invitation was already accepted.")}
			return true
		}
	case "remove":
		err = o.RemoveMember(ctx, user, org.ID, userID)
		code = "removed"
		if userID == me.UserID {
			code = "left"
		}
	case "admin", "unadmin":
		err = o.SetAdmin(ctx, user, org.ID, userID, action == "admin")
	case "transfer":
		if formValue(r, "confirm") != "yes" {
			if _, merr := o.store.Membership(ctx, org.ID, userID); merr != nil {
				o.fail(w, r, merr)
				return false
			}
			if ok, cerr := o.canTransfer(ctx, user, me); cerr != nil || !ok {
				o.a.Deny(w, r, cmpOr(cerr, auth.ErrPermissionDenied))
				return false
			}
			tp := &TransferPage{Org: org, Action: self, OrgURL: self, UserID: userID, Username: "#" + strconv.FormatInt(userID, 10)}
			if u, gerr := o.a.Store().GetUser(ctx, userID); gerr == nil {
				tp.Username = auth.UserOf(u).Username
			}
			o.render(w, r, http.StatusOK, "transfer.html", tp)
			return false
		}
		err = o.TransferOwnership(ctx, user, org.ID, userID)
		code = "transferred"
	default:
		badRequest(w)
		return false
	}
	switch {
	case errors.Is(err, ErrOwnerRequired):
		page.Errors = []string{tr.Gettext("The owner cannot be removed or lose admin rights. Transfer ownership first.")}
		return true
	case err != nil:
		o.fail(w, r, err)
		return false
	}
	if code == "left" {
		done(w, r, o.prefix, code)
		return false
	}
	done(w, r, self, code)
	return false
}

// rolePermissions are the permissions roles may be given: every
// permission of the Auth's store, or Config.AssignablePermissions.
func (o *Orgs[U]) rolePermissions(ctx context.Context) ([]auth.Permission, error) {
	all, err := o.a.Store().ListPermissions(ctx, "")
	if err != nil {
		return nil, err
	}
	if o.assignable == nil {
		return all, nil
	}
	var out []auth.Permission
	for _, p := range all {
		if o.assignable[p.Key()] {
			out = append(out, p)
		}
	}
	return out, nil
}

func (o *Orgs[U]) serveRoles(w http.ResponseWriter, r *http.Request) {
	if !methods(w, r) {
		return
	}
	ctx := r.Context()
	org, me, _ := o.Current(r)
	user := o.user(r)
	tr := o.a.Translator(r)
	self := o.orgURL(org.Slug) + "roles/"
	page := &RolesPage{Org: org, Action: self, OrgURL: o.orgURL(org.Slug)}
	if r.Method == http.MethodPost {
		if !o.rolesAction(w, r, org, user, page) {
			return
		}
	} else {
		page.Message = notice(r, tr)
	}
	canManage, err := o.CanManage(ctx, user, org.ID)
	if err != nil {
		o.a.Deny(w, r, err)
		return
	}
	page.CanManage = canManage
	roles, err := o.Roles(ctx, user, org.ID)
	if err != nil {
		o.fail(w, r, err)
		return
	}
	perms, err := o.rolePermissions(ctx)
	if err != nil {
		o.a.Deny(w, r, err)
		return
	}
	for _, rl := range roles {
		held, err := o.store.RolePermissions(ctx, org.ID, rl.ID)
		if err != nil {
			o.a.Deny(w, r, err)
			return
		}
		it := RoleItem{Role: rl, Held: held}
		for _, p := range perms {
			if n := len(it.Groups); n == 0 || it.Groups[n-1].App != p.AppLabel || it.Groups[n-1].Model != p.Model {
				it.Groups = append(it.Groups, PermGroup{App: p.AppLabel, Model: p.Model})
			}
			g := &it.Groups[len(it.Groups)-1]
			g.Perms = append(g.Perms, PermCheck{Key: p.Key(), Name: p.Name, Checked: slices.Contains(held, p.Key())})
		}
		page.Roles = append(page.Roles, it)
	}
	if page.Members, err = o.memberItems(ctx, org.ID, me.UserID, roles); err != nil {
		o.a.Deny(w, r, err)
		return
	}
	o.render(w, r, http.StatusOK, "roles.html", page)
}

// rolesAction performs a POST of the roles page, as orgAction does.
func (o *Orgs[U]) rolesAction(w http.ResponseWriter, r *http.Request, org Organization, user *U, page *RolesPage) bool {
	ctx := r.Context()
	tr := o.a.Translator(r)
	action := formValue(r, "action")
	var roleID, userID int64
	switch action {
	case "delete", "perms", "assign", "unassign":
		id, ok := formID(r, "role")
		if !ok {
			badRequest(w)
			return false
		}
		roleID = id
	}
	switch action {
	case "assign", "unassign":
		id, ok := formID(r, "user")
		if !ok {
			badRequest(w)
			return false
		}
		userID = id
	}
	var err error
	code := action
	switch action {
	case "create":
		page.Name = strings.TrimSpace(formValue(r, "name"))
		if page.Name == "" {
			page.NameErrs = []string{tr.Gettext("This field is required.")}
			return true
		}
		if len([]rune(page.Name)) > 80 {
			page.NameErrs = []string{tr.Translate(auth.MaxLengthMsg(page.Name, 80))}
			return true
		}
		_, err = o.CreateRole(ctx, user, org.ID, page.Name)
		code = "role"
		if errors.Is(err, ErrRoleNameTaken) {
			page.NameErrs = []string{tr.Gettext("A role with this name already exists in the organization.")}
			return true
		}
	case "delete":
		err = o.DeleteRole(ctx, user, org.ID, roleID)
		code = "roledeleted"
	case "perms":
		err = o.SetRolePermissions(ctx, user, org.ID, roleID, r.PostForm["perm"])
		if errors.Is(err, ErrInvalid) {
			badRequest(w)
			return false
		}
	case "assign":
		err = o.AssignRole(ctx, user, org.ID, userID, roleID)
		code = "assigned"
	case "unassign":
		err = o.UnassignRole(ctx, user, org.ID, userID, roleID)
		code = "unassigned"
	default:
		badRequest(w)
		return false
	}
	if err != nil {
		o.fail(w, r, err)
		return false
	}
	done(w, r, page.Action, code)
	return false
}

// peek looks at the invitation of token for user as Accept would,
// without accepting it: the same throttle, the same failures counted (on
// a POST only),
// and the same errors in the same order (ErrInvalidInvitation,
// ErrWrongInvitee before anything about the invitation is told, then
// ErrInvitationUsed, ErrInvitationExpired, ErrAlreadyMember).
func (o *Orgs[U]) peek(ctx context.Context, r *http.Request, u *auth.User, token string) (Invitation, Organization, error) {
	key := strconv.FormatInt(u.ID, 10)
	if wait, _, err := o.limiter.Check(ctx, r, LimitScopeInvitation, key); err != nil {
		return Invitation{}, Organization{}, err
	} else if wait > 0 {
		return Invitation{}, Organization{}, &ThrottledError{RetryAfter: wait}
	}
	fail := func(err error) (Invitation, Organization, error) {
		// Only a POST counts: a GET is what any other site can make the
		// user's browser send (an <img>), and counting it would let that
		// site lock the user out of their real invitation. A token is 256
		// random bits, so uncounted looks find nothing.
		if r.Method != http.MethodPost {
			return Invitation{}, Organization{}, err
		}
		if wait, _, lerr := o.limiter.Fail(ctx, r, LimitScopeInvitation, key); lerr != nil {
			return Invitation{}, Organization{}, errors.Join(err, lerr)
		} else if wait > 0 {
			return Invitation{}, Organization{}, errors.Join(err, &ThrottledError{RetryAfter: wait})
		}
		return Invitation{}, Organization{}, err
	}
	inv, err := o.invitationOfToken(ctx, token)
	if errors.Is(err, ErrNotFound) {
		return fail(ErrInvalidInvitation)
	}
	if err != nil {
		return Invitation{}, Organization{}, err
	}
	org, err := o.store.Organization(ctx, inv.OrgID)
	if errors.Is(err, ErrNotFound) || (err == nil && !org.IsActive) {
		return fail(ErrInvalidInvitation)
	}
	if err != nil {
		return Invitation{}, Organization{}, err
	}
	if u.Email == "" || !strings.EqualFold(strings.TrimSpace(u.Email), inv.Email) {
		return fail(ErrWrongInvitee)
	}
	if o.verified != nil {
		ok, err := o.verified(ctx, u.ID, inv.Email)
		if err != nil {
			return Invitation{}, Organization{}, err
		}
		if !ok {
			return fail(ErrWrongInvitee)
		}
	}
	switch {
	case inv.InviteeID != 0 || !inv.AcceptedAt.IsZero():
		return inv, org, ErrInvitationUsed
	case o.now().After(inv.ExpiresAt):
		return inv, org, ErrInvitationExpired
	}
	if _, err := o.store.Membership(ctx, org.ID, u.ID); err == nil {
		return inv, org, ErrAlreadyMember
	} else if !errors.Is(err, ErrNotMember) {
		return Invitation{}, Organization{}, err
	}
	return inv, org, nil
}

func (o *Orgs[U]) serveAccept(w http.ResponseWriter, r *http.Request) {
	// The secret token is in the URL: no Referer may carry it to another
	// origin (as the email verification and passwordless pages do).
	w.Header().Set("Referrer-Policy", "no-referrer")
	if !methods(w, r) {
		return
	}
	user := o.user(r)
	if user == nil {
		o.a.Deny(w, r, auth.ErrLoginRequired)
		return
	}
	ctx := r.Context()
	tr := o.a.Translator(r)
	token := r.PathValue("token")
	u := auth.UserOf(user)
	inv, org, err := o.peek(ctx, r, u, token)
	if err == nil && r.Method == http.MethodPost {
		_, err = o.Accept(ctx, r, user, token)
		if err == nil {
			if serr := o.Switch(r, org.ID); serr != nil {
				o.logger.WarnContext(ctx, "orgs: switch to the joined organization", "error", serr)
			}
			done(w, r, o.orgURL(org.Slug), "joined")
			return
		}
	}
	msg := &MessagePage{Title: tr.Gettext("Invitation"), Error: true, LinkURL: o.prefix, LinkText: tr.Gettext("Your organizations")}
	var te *ThrottledError
	switch {
	case err == nil:
		page := &AcceptPage{Action: r.URL.EscapedPath(), OrgName: org.Name, Email: inv.Email, Admin: inv.IsAdmin,
			Inviter: tr.Gettext("A member of the organization")}
		if iu, gerr := o.a.Store().GetUser(ctx, inv.InvitedBy); gerr == nil {
			page.Inviter = inviterName(auth.UserOf(iu))
		}
		o.render(w, r, http.StatusOK, "accept.html", page)
		return
	case errors.As(err, &te):
		auth.SetRetryAfter(w, te.RetryAfter)
		msg.Message = tr.Translate(auth.ThrottledMsg(te.RetryAfter))
		o.renderMessage(w, r, http.StatusTooManyRequests, msg)
	case errors.Is(err, ErrWrongInvitee):
		msg.Message = tr.Gettext("This invitation was sent to another email address. Log out, then sign in with the account it was sent to.")
		o.renderMessage(w, r, http.StatusForbidden, msg)
	case errors.Is(err, ErrInvalidInvitation):
		msg.Message = tr.Gettext("This invitation link is invalid. It may have been revoked, or mistyped.")
		o.renderMessage(w, r, http.StatusNotFound, msg)
	case errors.Is(err, ErrInvitationUsed):
		msg.Message = tr.Gettext("This invitation has already been used.")
		o.renderMessage(w, r, http.StatusGone, msg)
	case errors.Is(err, ErrInvitationExpired):
		msg.Message = tr.Gettext("This invitation has expired. Ask the organization for a new one.")
		o.renderMessage(w, r, http.StatusGone, msg)
	case errors.Is(err, ErrAlreadyMember):
		msg.Error = false
		msg.Message = tr.Gettext("You are already a member of this organization.")
		msg.LinkURL, msg.LinkText = o.orgURL(org.Slug), org.Name
		o.renderMessage(w, r, http.StatusOK, msg)
	default:
		o.a.Deny(w, r, err)
	}
}

// invitationOfToken returns the invitation of an invitation link's token,
// or ErrNotFound (also for a malformed token).
func (o *Orgs[U]) invitationOfToken(ctx context.Context, token string) (Invitation, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(token, "="))
	if err != nil || len(raw) != tokenLen {
		return Invitation{}, ErrNotFound
	}
	sum := sha256.Sum256(raw)
	return o.store.InvitationByTokenHash(ctx, sum[:])
}
