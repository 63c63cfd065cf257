package dashboard_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/audit"
	"github.com/djauth/auth/dashboard"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/store/postgres"
)

// sectionsEnv is an env whose dashboard has organizations, the audit
// log (recorded by an audit.Recorder over the Auth's and the
// dashboard's signals) and the "Log in as" button, in English and
// French.
type sectionsEnv struct {
	*env
	orgs  orgs.Store
	audit audit.Store
}

func newSectionsEnv(t *testing.T) *sectionsEnv {
	t.Helper()
	return newSectionsEnvOn(t, memory.New[auth.User](), orgs.NewMemoryStore(), &audit.MemoryStore{})
}

// newPostgresSectionsEnv is newSectionsEnv on PostgreSQL: the user
// store, postgres.OrgStore (django-organizations' tables) and
// postgres.AuditStore.
func newPostgresSectionsEnv(t *testing.T) *sectionsEnv {
	t.Helper()
	pool := pgtest.NewPool(t)
	_, err := postgres.Migrate(context.Background(), pool, postgres.DjangoOrganizations)
	require.NoError(t, err)
	s, err := postgres.New[auth.User](pool, postgres.Options{})
	require.NoError(t, err)
	os, err := postgres.NewOrgStore(pool, postgres.OrgOptions{})
	require.NoError(t, err)
	as, err := postgres.NewAuditStore(pool)
	require.NoError(t, err)
	return newSectionsEnvOn(t, s, os, as)
}

func newSectionsEnvOn(t *testing.T, s auth.Store[auth.User], os orgs.Store, as audit.Store) *sectionsEnv {
	t.Helper()
	ctx := context.Background()
	_, err := auth.Register(ctx, s, append(auth.AuthModels(), dashboard.Models()...)...)
	require.NoError(t, err)
	a, err := auth.New(auth.Config[auth.User]{
		Store: s, Hashers: hashers.New(hashers.MD5{}), SecretKey: testSecret,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AllowedHosts: []string{"testserver"},
		I18n: i18n.Config{Languages: []string{"en", "fr"}},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	d, err := dashboard.New(dashboard.Config[auth.User]{Auth: a, Orgs: os, Audit: as, ImpersonateURL: auth.DefaultImpersonateURL})
	require.NoError(t, err)
	rec, err := audit.NewRecorder(a, as, audit.RecorderConfig{})
	require.NoError(t, err)
	t.Cleanup(rec.Subscribe())
	t.Cleanup(d.SubscribeAudit(rec))
	mux := http.NewServeMux()
	a.Routes(mux, "")
	a.ImpersonationRoutes(mux, "")
	d.Mount(mux)
	return &sectionsEnv{env: &env{t: t, store: s, a: a, d: d, h: a.Middleware(mux)}, orgs: os, audit: as}
}

// acme creates an organization owned by owner with member as a plain
// member, a role and an open invitation.
func (e *sectionsEnv) acme(owner, member *auth.User) (orgs.Organization, orgs.Invitation) {
	e.t.Helper()
	ctx := context.Background()
	o, err := e.orgs.CreateOrganization(ctx, orgs.Organization{Name: "Acme", Slug: "acme", IsActive: true}, owner.ID)
	require.NoError(e.t, err)
	_, err = e.orgs.AddMember(ctx, o.ID, member.ID, false)
	require.NoError(e.t, err)
	role, err := e.orgs.CreateRole(ctx, o.ID, "Editors")
	require.NoError(e.t, err)
	require.NoError(e.t, e.orgs.AssignRole(ctx, o.ID, member.ID, role.ID))
	inv, err := e.orgs.CreateInvitation(ctx, orgs.Invitation{OrgID: o.ID, Email: "new@example.com", InvitedBy: owner.ID,
		TokenHash: []byte("0123456789abcdef0123456789abcdef"), ExpiresAt: time.Now().Add(time.Hour), RoleIDs: []int64{role.ID}})
	require.NoError(e.t, err)
	return o, inv
}

func orgURL(id int64, part string) string {
	return "/admin/organizations/organization/" + strconv.FormatInt(id, 10) + "/" + part + "/"
}

func TestOrganizationPagesPermissions(t *testing.T) {
	t.Run("memory", func(t *testing.T) { checkOrganizationPages(t, newSectionsEnv(t)) })
	t.Run("postgres", func(t *testing.T) { checkOrganizationPages(t, newPostgresSectionsEnv(t)) })
}

func checkOrganizationPages(t *testing.T, e *sectionsEnv) {
	owner, member := e.user("owner"), e.user("member")
	o, inv := e.acme(owner, member)
	viewer := e.user("viewer", staff)
	e.grant(viewer, dashboard.PermViewOrganization)
	changer := e.user("changer", staff)
	e.grant(changer, dashboard.PermChangeOrganization)
	nobody := e.user("nobody", staff)
	root := e.user("root", superuser)

	// Without a permission: no nav entry, 403 everywhere.
	idx := e.as(nobody).page("/admin/")
	assert.NotContains(t, idx, "/admin/organizations/organization/")
	assert.Equal(t, http.StatusForbidden, e.as(nobody).get("/admin/organizations/organization/").StatusCode)
	assert.Equal(t, http.StatusForbidden, e.as(nobody).get(orgURL(o.ID, "change")).StatusCode)

	// view_organization: list, search, detail with members, roles and
	// invitations, but no buttons and no changes.
	vc := e.as(viewer)
	list := vc.page("/admin/organizations/organization/")
	assert.Contains(t, list, `href="`+orgURL(o.ID, "change")+`">Acme</a>`)
	assert.Contains(t, vc.page("/admin/"), `href="/admin/organizations/organization/"`)
	assert.NotContains(t, vc.page("/admin/organizations/organization/?q=zzz"), "Acme</a>")
	assert.Contains(t, vc.page("/admin/organizations/organization/?q=ACM"), "Acme</a>")
	detail := vc.page(orgURL(o.ID, "change"))
	for _, want := range []string{"View organization", ">owner</a>", ">member</a>", "Owner", "Editors", "new@example.com"} {
		assert.Contains(t, detail, want)
	}
	assert.NotContains(t, detail, "Deactivate")
	assert.NotContains(t, detail, "/remove/")
	assert.Equal(t, http.StatusForbidden, vc.post(orgURL(o.ID, "change"), url.Values{"action": {"deactivate"}}).StatusCode)
	assert.Equal(t, http.StatusForbidden, vc.post(orgURL(o.ID, "members/"+strconv.FormatInt(member.ID, 10)+"/remove"), nil).StatusCode)
	assert.Equal(t, http.StatusForbidden, vc.get(orgURL(o.ID, "delete")).StatusCode)

	// change_organization: deactivate, remove a member (not the owner),
	// revoke the invitation; each change is in the audit log.
	cc := e.as(changer)
	assert.Contains(t, cc.page(orgURL(o.ID, "change")), "Deactivate")
	resp := cc.post(orgURL(o.ID, "change"), url.Values{"action": {"deactivate"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	got, err := e.orgs.Organization(context.Background(), o.ID)
	require.NoError(t, err)
	assert.False(t, got.IsActive)
	assert.Contains(t, cc.page(orgURL(o.ID, "change")), "was deactivated")
	assert.Equal(t, http.StatusBadRequest, cc.post(orgURL(o.ID, "change"), url.Values{"action": {"explode"}}).StatusCode)

	resp = cc.post(orgURL(o.ID, "members/"+strconv.FormatInt(owner.ID, 10)+"/remove"), nil)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Contains(t, cc.page(orgURL(o.ID, "change")), "The owner cannot be removed; transfer ownership first.")
	require.Equal(t, http.StatusFound, cc.post(orgURL(o.ID, "members/"+strconv.FormatInt(member.ID, 10)+"/remove"), nil).StatusCode)
	_, err = e.orgs.Membership(context.Background(), o.ID, member.ID)
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	assert.Equal(t, http.StatusNotFound, cc.post(orgURL(o.ID, "members/"+strconv.FormatInt(member.ID, 10)+"/remove"), nil).StatusCode)
	assert.Equal(t, http.StatusMethodNotAllowed, cc.get(orgURL(o.ID, "members/"+strconv.FormatInt(owner.ID, 10)+"/remove")).StatusCode)

	require.Equal(t, http.StatusFound, cc.post(orgURL(o.ID, "invitations/"+strconv.FormatInt(inv.ID, 10)+"/revoke"), nil).StatusCode)
	invs, err := e.orgs.Invitations(context.Background(), o.ID)
	require.NoError(t, err)
	assert.Empty(t, invs)
	assert.Equal(t, http.StatusForbidden, cc.get(orgURL(o.ID, "delete")).StatusCode)

	// Unknown and malformed IDs are 404.
	for _, u := range []string{orgURL(999, "change"), "/admin/organizations/organization/x/change/", "/admin/organizations/organization/?p=9"} {
		assert.Equal(t, http.StatusNotFound, cc.get(u).StatusCode, u)
	}

	entries, _, err := e.audit.List(context.Background(), audit.Query{ActorID: changer.ID, Action: dashboard.AuditOrgChanged})
	require.NoError(t, err)
	var actions []string
	for _, en := range entries {
		actions = append(actions, string(en.Action)+":"+en.Meta["dashboard_action"])
	}
	assert.ElementsMatch(t, []string{"org_changed:changed", "org_changed:member_removed", "org_changed:invitation_revoked"}, actions)

	// A superuser deletes, after the confirmation page.
	rc := e.as(root)
	assert.Contains(t, rc.page(orgURL(o.ID, "delete")), "Are you sure you want to delete the organization “Acme”?")
	require.Equal(t, http.StatusFound, rc.post(orgURL(o.ID, "delete"), nil).StatusCode)
	_, err = e.orgs.Organization(context.Background(), o.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}

func TestOrganizationsNotConfigured(t *testing.T) {
	e := newMemoryEnv(t)
	root := e.user("root", superuser)
	c := e.as(root)
	assert.NotContains(t, c.page("/admin/"), "organizations/organization/")
	assert.NotContains(t, c.page("/admin/"), "/admin/audit/")
	assert.Equal(t, http.StatusNotFound, c.get("/admin/organizations/organization/").StatusCode)
	assert.Equal(t, http.StatusNotFound, c.get("/admin/audit/").StatusCode)
	assert.NotContains(t, c.page(userURL(e.user("bob").ID, "change")), "Log in as")
}

func TestAuditLogPage(t *testing.T) {
	t.Run("memory", func(t *testing.T) { checkAuditLogPage(t, newSectionsEnv(t)) })
	t.Run("postgres", func(t *testing.T) { checkAuditLogPage(t, newPostgresSectionsEnv(t)) })
}

func checkAuditLogPage(t *testing.T, e *sectionsEnv) {
	root := e.user("root", superuser)
	bob := e.user("bob")
	auditor := e.user("auditor", staff)
	e.grant(auditor, dashboard.PermViewAuditEntry, dashboard.PermViewUser)
	viewer := e.user("viewer", staff)
	e.grant(viewer, dashboard.PermViewUser)

	// A change through the dashboard is recorded with actor and target.
	bob.FirstName = "Robert"
	rc := e.as(root)
	require.Equal(t, http.StatusFound, rc.post(userURL(bob.ID, "change"), changeForm(bob, nil)).StatusCode)

	// auth.view_user alone does not show the log, nor the user page's
	// recent entries.
	vc := e.as(viewer)
	assert.Equal(t, http.StatusForbidden, vc.get("/admin/audit/").StatusCode)
	assert.NotContains(t, vc.page("/admin/"), "/admin/audit/")
	assert.NotContains(t, vc.page(userURL(bob.ID, "change")), "Recent activity")

	ac := e.as(auditor)
	page := ac.page("/admin/audit/")
	assert.Contains(t, page, "user_changed")
	assert.Contains(t, page, "changed: first_name")
	assert.Contains(t, page, `href="`+userURL(bob.ID, "change")+`">bob</a>`)
	userPage := ac.page(userURL(bob.ID, "change"))
	assert.Contains(t, userPage, "Recent activity")
	assert.Contains(t, userPage, "changed: first_name")
	assert.Contains(t, userPage, "/admin/audit/?target="+strconv.FormatInt(bob.ID, 10))

	// Filters.
	for _, tc := range []struct {
		query string
		want  bool
	}{
		{"actor=root", true}, {"actor=%23" + strconv.FormatInt(root.ID, 10), true}, {"actor=bob", false},
		{"target=bob", true}, {"target=root", false},
		{"action=user_changed", true}, {"action=login_failed", false},
		{"since=" + time.Now().UTC().Format("2006-01-02"), true}, {"until=2000-01-01", false},
		{"until=" + time.Now().UTC().Format("2006-01-02"), true}, {"since=2999-01-01", false},
	} {
		p := ac.page("/admin/audit/?" + tc.query)
		assert.Equal(t, tc.want, strings.Contains(p, "changed: first_name"), tc.query)
	}
	for _, bad := range []string{"since=yesterday", "until=2024-13-01", "actor=ghost", "target=%230", "action=DROP%20TABLE"} {
		resp := ac.get("/admin/audit/?" + bad)
		b := body(t, resp)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, bad)
		assert.Contains(t, b, `role="alert"`, bad)
		assert.NotContains(t, b, "changed: first_name", bad)
	}
	assert.Equal(t, http.StatusNotFound, ac.get("/admin/audit/?p=0").StatusCode)
	assert.Equal(t, http.StatusNotFound, ac.get("/admin/audit/?p=5").StatusCode)
}

func TestAuditLogPaging(t *testing.T) {
	e := newSectionsEnv(t)
	root := e.user("root", superuser)
	ctx := context.Background()
	for i := range dashboard.AuditPerPage + 5 {
		_, err := e.audit.Record(ctx, audit.Entry{Action: audit.ActionLoginFailed, ActorName: "try" + strconv.Itoa(i)})
		require.NoError(t, err)
	}
	c := e.as(root)
	p1 := c.page("/admin/audit/?action=login_failed")
	assert.Contains(t, p1, strconv.Itoa(dashboard.AuditPerPage+5)+" entries")
	assert.Contains(t, p1, `href="/admin/audit/?action=login_failed&amp;p=2"`)
	assert.Equal(t, dashboard.AuditPerPage, strings.Count(p1, "<time "))
	p2 := c.page("/admin/audit/?action=login_failed&p=2")
	assert.Equal(t, 5, strings.Count(p2, "<time "))
}

func TestLogInAsButton(t *testing.T) {
	e := newSectionsEnv(t)
	root := e.user("root", superuser)
	other := e.user("other", superuser)
	bob := e.user("bob")
	off := e.user("off", func(u *auth.User) { u.IsActive = false })
	boss := e.user("boss", staff)
	e.grant(boss, dashboard.PermChangeUser)

	rc := e.as(root)
	page := rc.page(userURL(bob.ID, "change"))
	assert.Contains(t, page, `action="`+auth.DefaultImpersonateURL+`"`)
	assert.Contains(t, page, "Log in as bob")
	for _, u := range []*auth.User{root, other, off} {
		assert.NotContains(t, rc.page(userURL(u.ID, "change")), "Log in as", u.Username)
	}
	// Staff with change_user are not superusers: no button.
	assert.NotContains(t, e.as(boss).page(userURL(bob.ID, "change")), "Log in as")

	// The button's form works, and the audit log has the start.
	resp := rc.post(auth.DefaultImpersonateURL, url.Values{auth.ImpersonateUserIDField: {strconv.FormatInt(bob.ID, 10)},
		auth.ImpersonateReturnField: {userURL(bob.ID, "change")}, "next": {"/"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body(t, resp))
	entries, _, err := e.audit.List(context.Background(), audit.Query{Action: audit.ActionImpersonationStarted})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, root.ID, entries[0].ActorID)
	assert.Equal(t, bob.ID, entries[0].TargetUserID)
}

func TestDashboardInFrench(t *testing.T) {
	e := newSectionsEnv(t)
	root := e.user("root", superuser)
	bob := e.user("bob")
	c := e.as(root)
	fr := func(u string) string {
		resp := c.get(u, "Accept-Language", "fr")
		b := body(t, resp)
		require.Equal(t, http.StatusOK, resp.StatusCode, u)
		return b
	}
	assert.Contains(t, fr("/admin/"), "Administration du site")
	assert.Contains(t, fr("/admin/auth/user/"), "Rechercher des utilisateurs")
	p := fr(userURL(bob.ID, "change"))
	assert.Contains(t, p, "Se connecter en tant que bob")
	assert.Contains(t, p, "Informations personnelles")
	assert.Contains(t, fr("/admin/audit/"), "Journal d’audit")
	assert.Contains(t, fr("/admin/organizations/organization/"), "0 organisation")
	assert.Contains(t, c.page("/admin/audit/"), "Audit log")
}

func TestNewRejectsBadImpersonateURL(t *testing.T) {
	a, err := auth.New(auth.Config[auth.User]{Store: memory.New[auth.User](), SecretKey: testSecret})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	for _, u := range []string{"relative/", "//evil.example/", "/x?y", "/a b"} {
		_, err := dashboard.New(dashboard.Config[auth.User]{Auth: a, ImpersonateURL: u})
		assert.ErrorIs(t, err, auth.ErrConfig, u)
	}
}
