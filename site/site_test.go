package site_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/audit"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/site"
	"github.com/djauth/auth/testkit"
)

const secret = "site-test-secret-key-0123456789-abcdefghijkl"

var reports = auth.ModelSpec{AppLabel: "reports", Model: "report"}

func newSite(t *testing.T, cfg site.Config[auth.User]) *site.Site[auth.User] {
	t.Helper()
	if cfg.SecretKey == "" {
		cfg.SecretKey = secret
	}
	if cfg.Hashers == nil {
		cfg.Hashers = hashers.New(hashers.MD5{}) // fast: the tests hash many passwords
	}
	cfg.Models = append(cfg.Models, reports)
	s, err := site.New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestNewRefusesBadConfig(t *testing.T) {
	ctx := context.Background()
	for name, cfg := range map[string]site.Config[auth.User]{
		"no secret key":           {},
		"origin with a path":      {SecretKey: secret, Origin: "https://example.com/app"},
		"origin without a scheme": {SecretKey: secret, Origin: "example.com"},
		"ftp origin":              {SecretKey: secret, Origin: "ftp://example.com"},
		"console mail in public":  {SecretKey: secret, Origin: "https://example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := site.New(ctx, cfg)
			assert.ErrorIs(t, err, auth.ErrConfig)
			assert.Nil(t, s)
		})
	}
	// With a Mailer, a public origin is fine.
	s, err := site.New(ctx, site.Config[auth.User]{SecretKey: secret, Origin: "https://example.com", Mailer: &mail.Outbox{}})
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

// TestOrganizationRoles: Config.Models' permissions can be given to a
// role, and hold in its organization only.
func TestOrganizationRoles(t *testing.T) {
	ctx := context.Background()
	s := newSite(t, site.Config[auth.User]{Mailer: &mail.Outbox{}})
	admin, err := s.CreateSuperuser(ctx, "admin", "admin@example.com", "a-long-passphrase")
	require.NoError(t, err)
	assert.True(t, admin.IsSuperuser && admin.IsStaff && admin.ID > 0)
	ok, err := s.Emails.Verified(ctx, admin.ID)
	require.NoError(t, err)
	assert.True(t, ok, "the superuser's address is verified, so the gate lets it in")
	_, err = s.CreateSuperuser(ctx, "nomail", "", "a-long-passphrase")
	assert.Error(t, err)
	_, err = s.CreateSuperuser(ctx, "weak", "weak@example.com", "weak")
	assert.Error(t, err, "the site's password validators apply")

	bob, err := s.Accounts.SignUp(ctx, nil, signupForm("bob"))
	require.NoError(t, err)
	acme, err := s.Orgs.CreateOrganization(ctx, admin, "Acme", "acme")
	require.NoError(t, err)
	viewer, err := s.Orgs.CreateRole(ctx, admin, acme.ID, "viewer")
	require.NoError(t, err)
	require.NoError(t, s.Orgs.SetRolePermissions(ctx, admin, acme.ID, viewer.ID, []string{"reports.view_report"}))
	_, err = s.Orgs.AddMember(ctx, admin, acme.ID, bob.User.ID, false)
	require.NoError(t, err)
	require.NoError(t, s.Orgs.AssignRole(ctx, admin, acme.ID, bob.User.ID, viewer.ID))
	in, err := s.Orgs.HasPerm(ctx, bob.User, acme.ID, "reports.view_report")
	require.NoError(t, err)
	global, err := s.Auth.HasPerm(ctx, bob.User, "reports.view_report", nil)
	require.NoError(t, err)
	assert.True(t, in)
	assert.False(t, global)
	assert.Error(t, s.Orgs.SetRolePermissions(ctx, admin, acme.ID, viewer.ID, []string{"reports.fly_report"}),
		"a permission no model registered")
}

func signupForm(name string) accounts.SignupForm {
	return accounts.SignupForm{Username: name, Email: name + "@example.com",
		Password1: "another-long-passphrase", Password2: "another-long-passphrase"}
}

// TestPages: the routes are mounted, guarded, and the sign-up's
// verification, the login and the audit log work through them.
func TestPages(t *testing.T) {
	ctx := context.Background()
	outbox := &testkit.Outbox{}
	s := newSite(t, site.Config[auth.User]{Mailer: outbox, UI: auth.UI{SiteName: "Acme Portal"},
		I18n: i18n.Config{Languages: []string{"en", "fr"}}})
	admin, err := s.CreateSuperuser(ctx, "admin", "admin@example.com", "a-long-passphrase")
	require.NoError(t, err)
	_, err = s.Orgs.CreateOrganization(ctx, admin, "Acme", "acme")
	require.NoError(t, err)
	mux := http.NewServeMux()
	s.Routes(mux)
	mux.Handle("GET /o/{org}/reports/", s.Orgs.PermissionRequired("reports.view_report")(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			org, _, _ := s.Orgs.Current(r)
			fmt.Fprintf(w, "reports of %s", org.Name)
		})))
	srv := httptest.NewServer(s.Handler(mux))
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, c *http.Cookie) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		if c != nil {
			req.AddCookie(c)
		}
		res, err := client.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/accounts/login/", nil)
	req.Header.Set("Accept-Language", "fr")
	res, err := client.Do(req)
	require.NoError(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, "Ce champ est obligatoire.", s.Auth.Translator(req).Gettext("This field is required."),
		"Config.I18n reaches the Auth")
	assert.Contains(t, string(page), "Acme Portal", "Config.UI reaches the pages")
	for path, want := range map[string]int{
		"/accounts/login/": 200, "/accounts/signup/": 200, "/api/auth/openapi.json": 200,
		"/admin/": 302, "/o/acme/reports/": 302, "/accounts/confirm-email/": 200, "/orgs/": 302,
	} {
		code, _ := get(path, nil)
		assert.Equal(t, want, code, path)
	}
	cookie, err := testkit.LoginUser(ctx, s.Auth, admin, testkit.LoginOptions{})
	require.NoError(t, err)
	code, body := get("/o/acme/reports/", cookie)
	assert.Equal(t, 200, code)
	assert.Equal(t, "reports of Acme", body)
	code, _ = get("/o/nope/reports/", cookie)
	assert.Equal(t, 404, code)
	code, _ = get("/admin/", cookie)
	assert.Equal(t, 200, code)
	code, body = get("/orgs/", cookie)
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "Acme", "the organization pages list the admin's organization")

	// Sign-up through the API: refused until the mailed code is typed.
	post := func(path string, v any) (int, map[string]any) {
		b, _ := json.Marshal(v)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	f := signupForm("carol")
	code, _ = post("/api/auth/signup", map[string]string{"username": f.Username, "email": f.Email,
		"password1": f.Password1, "password2": f.Password2})
	assert.Less(t, code, 300)
	signin := map[string]string{"username": "carol", "password": f.Password1, "transport": "token"}
	code, out := post("/api/auth/signin", signin)
	assert.Equal(t, 403, code, "%v", out)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	msg, err := outbox.WaitTo(wctx, "carol@example.com")
	require.NoError(t, err)
	verifyCode := regexp.MustCompile(`(?m)^([A-Z0-9]{8})$`).FindStringSubmatch(msg.Text)
	require.NotNil(t, verifyCode, msg.Text)
	code, out = post("/api/auth/email/verify", map[string]string{"email": "carol@example.com", "code": verifyCode[1]})
	require.Equal(t, 200, code, "%v", out)
	code, out = post("/api/auth/signin", signin)
	require.Equal(t, 200, code, "%v", out)
	assert.NotEmpty(t, out["session_token"])
	assert.Contains(t, msg.Text, "http://localhost:8000/accounts/confirm-email/", "links start at the default Origin")

	entries, _, err := s.AuditLog.List(ctx, audit.Query{Action: audit.ActionLogin})
	require.NoError(t, err)
	assert.NotEmpty(t, entries, "logins are in the audit log")
}

// TestPostgres: every store over one migrated database (twice: the
// second migration changes nothing), with roles checked against
// auth_permission.
func TestPostgres(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	first, err := site.Postgres[auth.User](ctx, pool)
	require.NoError(t, err)
	first.Close()
	stores, err := site.Postgres[auth.User](ctx, pool)
	require.NoError(t, err)
	s := newSite(t, site.Config[auth.User]{Stores: stores, Mailer: &mail.Outbox{}})
	admin, err := s.CreateSuperuser(ctx, "admin", "admin@example.com", "a-long-passphrase")
	require.NoError(t, err)
	ok, err := s.Emails.Verified(ctx, admin.ID)
	require.NoError(t, err)
	assert.True(t, ok)
	acme, err := s.Orgs.CreateOrganization(ctx, admin, "Acme", "acme")
	require.NoError(t, err)
	role, err := s.Orgs.CreateRole(ctx, admin, acme.ID, "viewer")
	require.NoError(t, err)
	require.NoError(t, s.Orgs.SetRolePermissions(ctx, admin, acme.ID, role.ID, []string{"reports.view_report"}))
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM organizations_organization`).Scan(&n))
	assert.Equal(t, 1, n, "in django-organizations' table")
	cookie, err := testkit.LoginUser(ctx, s.Auth, admin, testkit.LoginOptions{})
	require.NoError(t, err)
	assert.NotEmpty(t, cookie.Value)
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM djauth_session`).Scan(&n))
	assert.Equal(t, 1, n, "sessions live with the users")
}

// TestDashboardBehindMFAPolicy: a staff member the policy covers reaches
// /admin/ only after enrolling a second factor.
func TestDashboardBehindMFAPolicy(t *testing.T) {
	ctx := context.Background()
	policy := mfa.NewMemoryPolicyStore()
	require.NoError(t, policy.SetPolicy(ctx, mfa.Policy{Staff: true, Superusers: true}))
	s := newSite(t, site.Config[auth.User]{Mailer: &mail.Outbox{}, Stores: site.Stores[auth.User]{MFAPolicy: policy}})
	admin, err := s.CreateSuperuser(ctx, "admin", "admin@example.com", "a-long-passphrase")
	require.NoError(t, err)
	mux := http.NewServeMux()
	s.Routes(mux)
	cookie, err := testkit.LoginUser(ctx, s.Auth, admin, testkit.LoginOptions{})
	require.NoError(t, err)
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "http://localhost:8000/admin/", nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	s.Handler(mux).ServeHTTP(rec, req)
	assert.Equal(t, http.StatusFound, rec.Code)
	assert.True(t, strings.HasPrefix(rec.Header().Get("Location"), mfa.DefaultEnrolURL), rec.Header().Get("Location"))
}
