package dashboard

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/validation"
)

// DefaultPrefix is where Mount puts the dashboard when Config.Prefix is
// empty, Django's "admin/".
const DefaultPrefix = "/admin/"

// PerPage is how many users a page of the user list shows (Django's
// ModelAdmin.list_per_page).
const PerPage = 100

// The permissions the pages check, Django admin's for the auth app.
const (
	PermViewUser    = "auth.view_user"
	PermAddUser     = "auth.add_user"
	PermChangeUser  = "auth.change_user"
	PermDeleteUser  = "auth.delete_user"
	PermViewGroup   = "auth.view_group"
	PermAddGroup    = "auth.add_group"
	PermChangeGroup = "auth.change_group"
	PermDeleteGroup = "auth.delete_group"
	// Django's default permissions of django-organizations'
	// Organization model: view (or change) to see organizations, change
	// to deactivate one, remove a member or revoke an invitation, delete
	// to delete one.
	PermViewOrganization   = "organizations.view_organization"
	PermChangeOrganization = "organizations.change_organization"
	PermDeleteOrganization = "organizations.delete_organization"
	// PermViewAuditEntry is needed to read the audit log (the audit page
	// and the recent entries on a user's page). No Django model has it:
	// register auth.Permission{ContentType: djauth.auditentry} to grant
	// it to staff who are not superusers; superusers hold it as they
	// hold every permission.
	PermViewAuditEntry = "djauth.view_auditentry"
)

// dashMessages marks for translation the messages that reach the pages
// through variables (the default title).
var dashMessages = []i18n.Message{{Context: "dashboard", ID: "Site administration"}}

// Config configures New. Only Auth is required; each optional capability
// that is set adds its page to every user, and its link to the user's
// page.
type Config[U any] struct {
	// Auth is the site's Auth. Its store must implement the whole
	// auth.Store (both stores of package store do).
	Auth *auth.Auth[U]
	// Prefix is the URL path the dashboard is mounted under; "" means
	// DefaultPrefix. A missing trailing slash is added.
	Prefix string
	// Title heads every page; "" means "Site administration".
	Title string
	// PasswordValidators check the passwords of the add user and set
	// password forms. Nil means validation.Default(), Django's four;
	// pass accounts.Manager.Validators() to use the site's.
	PasswordValidators []validation.Validator
	// MFA lists and removes users' second factors (FlowDevices).
	MFA MFADevices
	// Identities lists and unlinks users' social accounts (a
	// social.Store).
	Identities Identities
	// Lockouts shows and resets users' throttle counters (a
	// *throttle.Limiter).
	Lockouts Lockouts
	// PasswordReset makes one-time reset links (an *accounts.Manager).
	PasswordReset PasswordResetter
	// Orgs lists and changes organizations, their members and
	// invitations (an orgs.Store: orgs.MemoryStore, postgres.OrgStore).
	// Nil leaves the organizations section out.
	Orgs Organizations
	// Audit lists the audit log (an audit.Store). Nil leaves the audit
	// log page and the user page's recent entries out.
	Audit AuditLog
	// ImpersonateURL is where the user page's "Log in as" button posts
	// (auth.ImpersonateHandler, mounted by auth.Auth.ImpersonationRoutes
	// at auth.DefaultImpersonateURL). "" shows no button.
	ImpersonateURL string
	// Logger logs server errors; nil means the Auth's logger.
	Logger *slog.Logger
	// Now is the clock that tells expired invitations; nil means
	// time.Now.
	Now func() time.Time
}

// Dashboard serves the staff pages. Create it with New; it is safe for
// concurrent use.
type Dashboard[U any] struct {
	auth       *auth.Auth[U]
	store      auth.Store[U]
	prefix     string
	title      string
	validators []validation.Validator
	mfa        MFADevices
	identities Identities
	lockouts   Lockouts
	reset      PasswordResetter
	orgs       Organizations
	audit      AuditLog
	imperURL   string
	clock      func() time.Time
	log        *slog.Logger
	signals    Signals
	pages      map[string]*i18n.Localized
	handler    http.Handler
}

// New returns the dashboard of cfg. It returns an error wrapping
// auth.ErrConfig when Auth is nil, its store is not a whole auth.Store,
// or Prefix is not a path.
func New[U any](cfg Config[U]) (*Dashboard[U], error) {
	bad := func(format string, args ...any) (*Dashboard[U], error) {
		return nil, fmt.Errorf("%w: dashboard: "+format, append([]any{auth.ErrConfig}, args...)...)
	}
	if cfg.Auth == nil {
		return bad("Config.Auth is nil")
	}
	st, ok := cfg.Auth.Store().(auth.Store[U])
	if !ok {
		return bad("the store %T does not implement auth.Store", cfg.Auth.Store())
	}
	prefix := cfg.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if !strings.HasPrefix(prefix, "/") || strings.ContainsAny(prefix, "{}?# \t\r\n") {
		return bad("Prefix %q is not a URL path", prefix)
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	if cfg.ImpersonateURL != "" && (!strings.HasPrefix(cfg.ImpersonateURL, "/") || strings.HasPrefix(cfg.ImpersonateURL, "//") ||
		strings.ContainsAny(cfg.ImpersonateURL, "{}?#\\ \t\r\n")) {
		return bad("ImpersonateURL %q is not a URL path", cfg.ImpersonateURL)
	}
	d := &Dashboard[U]{
		auth: cfg.Auth, store: st, prefix: prefix,
		title:      cfg.Title,
		validators: cfg.PasswordValidators,
		mfa:        cfg.MFA, identities: cfg.Identities, lockouts: cfg.Lockouts, reset: cfg.PasswordReset,
		orgs: cfg.Orgs, audit: cfg.Audit, imperURL: cfg.ImpersonateURL, clock: cfg.Now,
		log: cfg.Logger,
	}
	if d.title == "" {
		d.title = "Site administration"
	}
	if d.validators == nil {
		d.validators = validation.Default()
	}
	if d.log == nil {
		d.log = cfg.Auth.Logger()
	}
	pages, err := parsePages(cfg.Auth.Look(), cfg.Auth.I18n())
	if err != nil {
		return bad("templates: %v", err)
	}
	d.pages = pages
	d.handler = d.routes()
	return d, nil
}

func (d *Dashboard[U]) now() time.Time {
	if d.clock != nil {
		return d.clock()
	}
	return time.Now()
}

// formatTime is the dashboard's date and time, in UTC; "—" for zero.
func formatTime(t time.Time) string { return funcs["datetime"].(func(any) string)(t) }

// Signals returns the hubs of the dashboard's changes, for an audit log.
func (d *Dashboard[U]) Signals() *Signals { return &d.signals }

// Prefix returns the path the dashboard is served under.
func (d *Dashboard[U]) Prefix() string { return d.prefix }

// Handler returns the dashboard's handler for requests whose path starts
// with Prefix; it runs inside the Auth's Protect (Middleware,
// cross-origin protection of every POST, no caching, no framing).
func (d *Dashboard[U]) Handler() http.Handler { return d.handler }

// Mount registers the dashboard on mux at its Prefix.
func (d *Dashboard[U]) Mount(mux *http.ServeMux) { mux.Handle(d.prefix, d.handler) }

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the templates of the pages, each parsed with the
// Auth's look (auth.Auth.Look: its theme, brand and blocks) and
// templates/partials.html, then localized for each language of the
// Auth's bundle.
var pageNames = []string{"index", "users", "user_add", "user_change", "user_password", "user_delete",
	"user_reset", "user_mfa", "user_identities", "user_sessions", "user_lockouts",
	"groups", "group_change", "group_delete", "not_found",
	"orgs", "org_change", "org_delete", "audit"}

func parsePages(look *auth.Look, bundle *i18n.Bundle) (map[string]*i18n.Localized, error) {
	if look == nil {
		look = auth.DefaultLook()
	}
	out := make(map[string]*i18n.Localized, len(pageNames))
	for _, n := range pageNames {
		t, err := look.Layout().Funcs(i18n.Funcs()).Funcs(funcs).ParseFS(templateFS, "templates/partials.html", "templates/"+n+".html")
		if err != nil {
			return nil, err
		}
		l, err := bundle.Localize(t)
		if err != nil {
			return nil, err
		}
		out[n] = l
	}
	return out, nil
}

var funcs = template.FuncMap{
	"datetime": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return "—"
			}
			return v.UTC().Format("2006-01-02 15:04 UTC")
		case *time.Time:
			if v == nil || v.IsZero() {
				return "—"
			}
			return v.UTC().Format("2006-01-02 15:04 UTC")
		}
		return "—"
	},
	"iso":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"join": strings.Join,
	"fieldID": func(name string) string {
		return "id_" + strings.NewReplacer(".", "_", " ", "_").Replace(name)
	},
}

// Common is the data every page has.
type Common struct {
	// Title is the page's title; SiteTitle heads the dashboard.
	Title, SiteTitle string
	// Prefix is the dashboard's path, Nav its sections.
	Prefix string
	Nav    []NavItem
	// StaffUsername is the staff member's username.
	StaffUsername string
	// Flash is a message left by the previous request; FlashError marks
	// it as a failure.
	Flash      string
	FlashError bool
	// Crumbs are the breadcrumbs above the title.
	Crumbs []NavItem
}

// NavItem is a link of the dashboard's navigation.
type NavItem struct {
	Label, URL string
	// Current marks the section of the page.
	Current bool
}

// render executes the page into a buffer first, so that a template error
// gives a clean 500 instead of half a page.
func (d *Dashboard[U]) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	var buf bytes.Buffer
	if err := d.pages[name].Execute(&buf, d.auth.Translator(r), data); err != nil {
		d.serverError(w, r, "render "+name, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// serverError logs err and answers 500.
func (d *Dashboard[U]) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	d.log.ErrorContext(r.Context(), "dashboard: "+what, "error", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// notFound answers 404 with the dashboard's page.
func (d *Dashboard[U]) notFound(w http.ResponseWriter, r *http.Request, v *view[U]) {
	title := "Not found"
	if v != nil {
		title = v.tr.Pgettext("dashboard", "Not found")
	}
	d.render(w, r, http.StatusNotFound, "not_found", &struct{ *Common }{d.common(r, v, title, "")})
}

// maxFormBytes bounds the body of every form.
const maxFormBytes = 256 << 10

// parseForm answers 405 for methods other than GET, HEAD and POST and
// 400 for an unreadable POST body, and reports whether to go on and
// whether it is a POST.
func parseForm(w http.ResponseWriter, r *http.Request, allowPost bool) (post, ok bool) {
	allow := "GET, HEAD"
	if allowPost {
		allow += ", POST"
	}
	switch {
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		return false, true
	case r.Method == http.MethodPost && allowPost:
	default:
		w.Header().Set("Allow", allow)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return false, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
		return false, false
	}
	return true, true
}

// parseID reads a positive int64 path value.
func parseID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// flashKey is the session key of the message shown after a redirect.
const flashKey = "_dashboard_flash"

// flash leaves msg for the next page; errors start with "!".
func (d *Dashboard[U]) flash(r *http.Request, msg string, isErr bool) {
	if isErr {
		msg = "!" + msg
	}
	d.auth.Sessions().Put(r.Context(), flashKey, msg)
}

// redirect answers a successful POST (Post/Redirect/Get).
func (d *Dashboard[U]) redirect(w http.ResponseWriter, r *http.Request, target, msg string) {
	if msg != "" {
		d.flash(r, msg, false)
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// errNotFound is the answer of a lookup of an unknown ID.
var errNotFound = errors.New("dashboard: not found")

// Models are the models whose permissions the optional sections check,
// for auth.Register: django-organizations' organizations.organization
// (Django's four default permissions, which a database migrated by
// Django has already) and djauth.auditentry with its one permission,
// PermViewAuditEntry ("Can view audit entry").
//
//	auth.Register(ctx, store, append(auth.AuthModels(), dashboard.Models()...)...)
func Models() []auth.ModelSpec {
	return []auth.ModelSpec{
		{AppLabel: "organizations", Model: "organization"},
		{AppLabel: "djauth", Model: "auditentry", VerboseName: "audit entry", DefaultPermissions: []string{"view"}},
	}
}
