package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/audit"
	"github.com/djauth/auth/dashboard"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/store/memory"
)

// dashSite is a site with the account pages, the staff dashboard at
// /admin/ with organizations and the audit log, "Log in as" and its
// banner, as examples/webapp wires them.
type dashSite struct {
	origin string
	users  *memory.Store[auth.User]
	audit  *audit.MemoryStore
	root   *auth.User
	bob    *auth.User
	org    orgs.Organization
}

const dashPassword = "correct horse battery staple"

func newDashSite(t *testing.T) *dashSite {
	t.Helper()
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &dashSite{origin: "http://" + l.Addr().String(), users: memory.New[auth.User](), audit: &audit.MemoryStore{}}
	_, err = auth.Register(ctx, s.users, append(auth.AuthModels(), dashboard.Models()...)...)
	require.NoError(t, err)
	a, err := auth.New(auth.Config[auth.User]{
		Store: s.users, Hashers: hashers.New(hashers.MD5{}), SecretKey: pagesSecret,
		Logger:   slog.New(slog.DiscardHandler),
		Sessions: auth.SessionConfig{InsecureCookie: true},
		UI:       auth.UI{SiteName: "Example", Blocks: `{{define "styles"}}` + auth.ImpersonationBannerCSS + `{{end}}`},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	mk := func(name string, edit func(*auth.User)) *auth.User {
		u := auth.NewUser(name)
		u.Email = name + "@example.com"
		u.FirstName = strings.ToUpper(name[:1]) + name[1:]
		enc, err := a.Hashers().Make(ctx, dashPassword)
		require.NoError(t, err)
		u.Password = enc
		if edit != nil {
			edit(&u)
		}
		require.NoError(t, s.users.CreateUser(ctx, &u))
		return &u
	}
	s.root = mk("root", func(u *auth.User) { u.IsStaff, u.IsSuperuser = true, true })
	s.bob = mk("bob", nil)
	carol := mk("carol", nil)
	for i := range 5 {
		mk(fmt.Sprintf("user%02d", i), nil)
	}
	g := auth.Group{Name: "Editors"}
	require.NoError(t, s.users.CreateGroup(ctx, &g))
	require.NoError(t, s.users.AddUserGroups(ctx, s.bob.ID, g.ID))

	os := orgs.NewMemoryStore()
	s.org, err = os.CreateOrganization(ctx, orgs.Organization{Name: "Acme", Slug: "acme", IsActive: true}, carol.ID)
	require.NoError(t, err)
	_, err = os.AddMember(ctx, s.org.ID, s.bob.ID, true)
	require.NoError(t, err)
	role, err := os.CreateRole(ctx, s.org.ID, "Billing")
	require.NoError(t, err)
	require.NoError(t, os.AssignRole(ctx, s.org.ID, s.bob.ID, role.ID))
	_, err = os.CreateInvitation(ctx, orgs.Invitation{OrgID: s.org.ID, Email: "dave@example.com", InvitedBy: carol.ID,
		TokenHash: []byte("0123456789abcdef0123456789abcdef"), ExpiresAt: time.Now().Add(48 * time.Hour)})
	require.NoError(t, err)

	m, err := accounts.New(a, accounts.Config{Mailer: new(mail.Outbox), SiteURL: s.origin, SiteName: "e2e"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	d, err := dashboard.New(dashboard.Config[auth.User]{Auth: a, Orgs: os, Audit: s.audit, ImpersonateURL: auth.DefaultImpersonateURL,
		PasswordReset: m})
	require.NoError(t, err)
	rec, err := audit.NewRecorder(a, s.audit, audit.RecorderConfig{})
	require.NoError(t, err)
	t.Cleanup(rec.Subscribe())
	t.Cleanup(rec.SubscribeAccounts(m))
	t.Cleanup(d.SubscribeAudit(rec))

	mux := http.NewServeMux()
	m.Routes(mux, "")
	d.Mount(mux)
	stop := a.ImpersonationRoutes(mux, "")
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/accounts/profile/", http.StatusFound)
	})
	srv := httptest.NewUnstartedServer(a.ImpersonationBanner(stop)(mux))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return s
}

// TestBrowserDashboard walks the dashboard's main paths in Chromium as a
// superuser: the users list, a search, a user's page, a changed flag,
// the groups, an organization, the audit log that shows the change, then
// "Log in as" that user, the banner on the page, and its stop. axe-core
// checks each page in light and dark, at 1280px and 390px, and finds
// nothing. With DJAUTH_SCREENSHOTS=dir it saves every view of every page
// there (docs/screenshots/ holds the users list, bob's page and the audit
// log at desktop and phone widths).
func TestBrowserDashboard(t *testing.T) {
	requireBrowser(t)
	axeSrc := loadAxe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := newDashSite(t)
	d := startBrowser(ctx, t, t.TempDir())

	w := newPageWalk(ctx, t, d, s.origin, axeSrc, "")
	check, open, press := w.check, w.open, w.press
	bobPage := "/admin/auth/user/" + strconv.FormatInt(s.bob.ID, 10) + "/change/"

	// Log in as the superuser and land on the dashboard.
	w.visit("/accounts/login/?next=/admin/")
	w.logIn("root", dashPassword)
	require.NoError(t, d.waitPath(ctx, s.origin, "/admin/"))
	check("dashboard-index", "<h1>Site administration</h1>")

	// Users, a search, bob's page.
	open("/admin/auth/user/", "dashboard-users", "8 users")
	require.NoError(t, d.fillLabel(ctx, "Search users", "bob"))
	press("Search")
	check("dashboard-users-search", "1 user (8 total)")
	press("bob")
	require.NoError(t, d.waitPath(ctx, s.origin, bobPage))
	check("dashboard-user", "<h1>Change user: bob</h1>")

	// Make bob staff.
	require.NoError(t, d.click(ctx, "#id_is_staff"))
	press("Save")
	check("dashboard-user-saved", "was changed successfully")
	src, err := d.source(ctx)
	require.NoError(t, err)
	require.Contains(t, src, `id="id_is_staff" name="is_staff" checked`)

	// Groups, an organization.
	open("/admin/auth/group/", "dashboard-groups", ">Editors</a>")
	press("Editors")
	check("dashboard-group", "Editors")
	open("/admin/organizations/organization/", "dashboard-orgs", "1 organization")
	press("Acme")
	check("dashboard-org", "dave@example.com")

	// The audit log shows the change; its filter finds it.
	open("/admin/audit/", "dashboard-audit", "changed: is_staff")
	require.NoError(t, d.fillLabel(ctx, "Target user", "bob"))
	press("Filter")
	check("dashboard-audit-filtered", "changed: is_staff")
	open("/admin/audit/?since=yesterday", "dashboard-audit-errors", `role="alert"`)

	// Log in as bob from his page: the banner is on the next page.
	require.NoError(t, d.navigate(ctx, s.origin+bobPage))
	require.NoError(t, d.waitSource(ctx, "Log in as bob"))
	press("Log in as bob")
	require.NoError(t, d.waitPath(ctx, s.origin, "/accounts/profile/"))
	check("impersonating", "You are logged in as <strong>bob</strong> on behalf of <strong>root</strong>.")

	// One click ends it and returns to bob's page.
	press("Stop impersonating")
	require.NoError(t, d.waitPath(ctx, s.origin, bobPage))
	check("dashboard-user-after-impersonation", "<h1>Change user: bob</h1>")
	src, err = d.source(ctx)
	require.NoError(t, err)
	require.NotContains(t, src, `class="djauth-impersonation"`)
	entries, _, err := s.audit.List(ctx, audit.Query{TargetUserID: s.bob.ID})
	require.NoError(t, err)
	var actions []string
	for _, e := range entries {
		actions = append(actions, string(e.Action))
	}
	require.Subset(t, actions, []string{"user_changed", "impersonation_started", "impersonation_ended"})

	w.done("dashboard pages")
}
