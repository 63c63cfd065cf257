package e2e

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/testkit"
)

// orgsSite is an Auth with its login pages under /accounts/ and package
// orgs' pages under /orgs/, invitations mailed to an Outbox.
type orgsSite struct {
	origin string
	users  *memory.Store[auth.User]
	outbox *mail.Outbox
}

func newOrgsSite(t *testing.T, password string, names ...string) *orgsSite {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &orgsSite{origin: "http://" + l.Addr().String(), users: memory.New[auth.User](), outbox: new(mail.Outbox)}
	ctx := context.Background()
	_, err = auth.Register(ctx, s.users, auth.AuthModels()...)
	require.NoError(t, err)
	h := hashers.New(hashers.MD5{})
	for _, name := range names {
		u := auth.NewUser(name)
		u.Email = name + "@example.com"
		u.Password, err = h.Make(ctx, password)
		require.NoError(t, err)
		require.NoError(t, s.users.CreateUser(ctx, &u))
	}
	a, err := auth.New(auth.Config[auth.User]{Store: s.users, Hashers: h, SecretKey: pagesSecret,
		Logger: slog.New(slog.DiscardHandler), Sessions: auth.SessionConfig{InsecureCookie: true},
		UI: auth.UI{SiteName: "Example"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	o, err := orgs.New(orgs.Config[auth.User]{Auth: a, Store: orgs.NewMemoryStore(), Mailer: s.outbox, BaseURL: s.origin})
	require.NoError(t, err)
	mux := http.NewServeMux()
	a.Routes(mux, "/accounts/")
	require.NoError(t, o.Routes(mux, "/orgs/"))
	srv := httptest.NewUnstartedServer(a.Middleware(mux))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return s
}

// TestBrowserOrganizations walks the organization pages in Chromium: alice
// creates an organization, invites bob and makes a role; bob accepts
// through the mailed link, creates his own organization and switches
// between the two; alice opens the ownership transfer. axe-core's WCAG
// 2.2 A and AA rules run on every page in the light and dark schemes at a
// desktop's and a phone's width and must find nothing. With
// DJAUTH_SCREENSHOTS=dir it saves NAME-VIEW.png of every page there (the
// org page and the switcher of docs/screenshots come from it).
func TestBrowserOrganizations(t *testing.T) {
	requireBrowser(t)
	axeSrc := loadAxe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const password = "correct horse battery staple"
	s := newOrgsSite(t, password, "alice", "bob")
	d := startBrowser(ctx, t, t.TempDir())

	w := newPageWalk(ctx, t, d, s.origin, axeSrc, "")
	check, fill, press, open := w.check, w.fill, w.press, w.visit
	login := func(name string) {
		t.Helper()
		open("/accounts/login/?next=/orgs/")
		w.logIn(name, password)
		require.NoError(t, d.waitPath(ctx, s.origin, "/orgs/"), name)
	}
	logout := func() {
		t.Helper()
		open("/accounts/profile/")
		press("Log out")
		require.NoError(t, d.waitSource(ctx, "<h1>Logged out</h1>"))
	}

	// Alice: an organization, an invitation, a role.
	login("alice")
	check("orgs-empty", "You are not a member of any organization yet.")
	press("Create an organization")
	check("orgs-new", "<h1>Create an organization</h1>")
	fill("Name", "Acme Corp")
	fill("Slug (optional)", "new")
	press("Create")
	check("orgs-new-errors", `id="id_errors"`)
	fill("Slug (optional)", "")
	press("Create")
	require.NoError(t, d.waitPath(ctx, s.origin, "/orgs/acme-corp/"))
	check("orgs-org-created", "The organization was created.")
	fill("Email address", "bob@example.com")
	press("Send the invitation")
	check("orgs-org-invited", "The invitation was sent.")
	press("Roles and permissions")
	check("orgs-roles-empty", "This organization has no role yet.")
	fill("Name", "Editors")
	press("Create role")
	check("orgs-roles", "<legend>auth | user</legend>")
	logout()

	// Bob: the mailed link, his own organization, the switcher.
	msgs := s.outbox.Messages()
	require.Len(t, msgs, 1)
	link := testkit.Link(msgs[0], s.origin+orgs.DefaultAcceptPath)
	require.NotEmpty(t, link, msgs[0].Text)
	require.NoError(t, d.navigate(ctx, link))
	check("orgs-accept-login", "<h1>Log in</h1>")
	w.logIn("bob", password)
	check("orgs-accept", "<h1>Invitation to join Acme Corp</h1>")
	press("Accept the invitation")
	check("orgs-org-joined", "You joined the organization.")
	require.NoError(t, d.navigate(ctx, link))
	check("orgs-invitation-used", "This invitation has already been used.")
	open("/orgs/new/")
	fill("Name", "Bob's team")
	press("Create")
	require.NoError(t, d.waitPath(ctx, s.origin, "/orgs/bobs-team/"))
	open("/orgs/")
	check("orgs-switcher", "<strong>Current organization</strong>")
	press("Switch")
	check("orgs-switched", "The current organization was changed.")
	src, err := d.source(ctx)
	require.NoError(t, err)
	require.Regexp(t, `<tr aria-current="true">\s*<th scope="row"><a href="/orgs/bobs-team/">`, src)
	open("/orgs/acme-corp/roles/")
	check("orgs-roles-member", "<h1>Roles of Acme Corp</h1>")
	logout()

	// Alice: the members, and the transfer's confirmation.
	login("alice")
	open("/orgs/acme-corp/")
	check("orgs-org", "<th scope=\"row\">bob</th>")
	press("Make owner")
	check("orgs-transfer", "<h1>Transfer ownership</h1>")
	press("No, go back")
	require.NoError(t, d.waitPath(ctx, s.origin, "/orgs/acme-corp/"))

	w.done("organization pages")
}
