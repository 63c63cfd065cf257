package orgs

import (
	"bytes"
	"embed"
	"net/http"

	"github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the embedded pages of Routes.
var pageNames = []string{"list.html", "new.html", "org.html", "transfer.html", "roles.html", "accept.html", "message.html"}

// pageSet is the pages of Routes, each localized once per language.
type pageSet map[string]*i18n.Localized

// newPages parses the embedded pages with the Auth's look (its theme and
// blocks) and localizes them with its languages.
func newPages(l *auth.Look, b *i18n.Bundle) (pageSet, error) {
	ps := pageSet{}
	for _, name := range pageNames {
		t, err := l.Page(templateFS, "templates/"+name)
		if err != nil {
			return nil, err
		}
		loc, err := b.Localize(t)
		if err != nil {
			return nil, err
		}
		ps[name] = loc
	}
	return ps, nil
}

// Breadcrumb is a link back, shown above a page's heading.
type Breadcrumb struct {
	URL  string
	Text string
}

// ListPage is the data of list.html, the user's organizations with the
// switcher.
type ListPage struct {
	Orgs         []OrgItem
	HasCurrent   bool
	SwitchAction string
	NewURL       string
	Message      string
}

// OrgItem is one organization of ListPage.
type OrgItem struct {
	ID      int64
	Name    string
	Slug    string
	URL     string
	Current bool
	IsAdmin bool
	IsOwner bool
}

// NewPage is the data of new.html, the creation form.
type NewPage struct {
	Action     string
	ListURL    string
	Name, Slug string
	Errors     []string
	NameErrors []string
	SlugErrors []string
}

// OrgPage is the data of org.html: the organization's members and, for
// its managers, the invitation form, the open invitations and the member
// actions.
type OrgPage struct {
	Org       Organization
	Action    string
	RolesURL  string
	ListURL   string
	CanManage bool
	IsOwner   bool // the viewer owns the organization (or holds the global PermChange)
	Members   []MemberItem
	Roles     []Role
	Invites   []InviteItem
	Message   string
	Errors    []string
	// The invitation form's values and errors.
	Email       string
	EmailErrors []string
}

// MemberItem is one member of OrgPage and RolesPage.
type MemberItem struct {
	UserID   int64
	Username string
	Email    string
	IsAdmin  bool
	IsOwner  bool
	IsYou    bool
	Roles    []RoleCheck
}

// InviteItem is one open invitation of OrgPage.
type InviteItem struct {
	ID          int64
	Email       string
	Admin       bool
	Roles       []string
	ExpiresISO  string
	ExpiresText string
	Expired     bool
}

// TransferPage is the data of transfer.html, the confirmation of an
// ownership transfer.
type TransferPage struct {
	Org      Organization
	Action   string
	OrgURL   string
	UserID   int64
	Username string
}

// RolesPage is the data of roles.html.
type RolesPage struct {
	Org       Organization
	Action    string
	OrgURL    string
	CanManage bool
	Roles     []RoleItem
	Members   []MemberItem
	Message   string
	Errors    []string
	Name      string
	NameErrs  []string
}

// RoleItem is one role of RolesPage with its permissions grouped by app
// and model.
type RoleItem struct {
	Role
	Groups []PermGroup
	Held   []string
}

// PermGroup is the permissions of one model, a fieldset of checkboxes.
type PermGroup struct {
	App, Model string
	Perms      []PermCheck
}

// PermCheck is one permission's checkbox.
type PermCheck struct {
	Key     string
	Name    string
	Checked bool
}

// RoleCheck is one role of a member: held or not.
type RoleCheck struct {
	ID      int64
	Name    string
	Checked bool
}

// AcceptPage is the data of accept.html.
type AcceptPage struct {
	Action  string
	OrgName string
	Inviter string
	Email   string
	Admin   bool
}

// MessagePage is the data of message.html: the end of a flow, an error
// or a refusal, with a link onward.
type MessagePage struct {
	Title    string
	Message  string
	Error    bool
	LinkURL  string
	LinkText string
}

// render executes the page in the request's language.
func (o *Orgs[U]) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := o.pages[name].Execute(&buf, o.a.Translator(r), data); err != nil {
		o.logger.ErrorContext(r.Context(), "orgs: render page", "page", name, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// renderMessage renders message.html with texts translated by the
// caller.
func (o *Orgs[U]) renderMessage(w http.ResponseWriter, r *http.Request, status int, p *MessagePage) {
	o.render(w, r, status, "message.html", p)
}
