package orgs_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/store/postgres"
	"github.com/djauth/auth/testkit"
)

// userStore is what the page tests need of the site's user store.
type userStore interface {
	auth.RequestStore[auth.User]
	CreateUser(ctx context.Context, u *auth.User) error
}

// site is an Auth with the organization pages mounted at /orgs/.
type site struct {
	users  userStore
	store  orgs.Store
	a      *auth.Auth[auth.User]
	o      *orgs.Orgs[auth.User]
	h      http.Handler
	outbox *mail.Outbox
	mu     sync.Mutex
	now    time.Time
}

func (s *site) clock() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }

func (s *site) advance(d time.Duration) { s.mu.Lock(); s.now = s.now.Add(d); s.mu.Unlock() }

// stores runs f with a memory site and, unless -short, a PostgreSQL one.
func stores(t *testing.T, f func(t *testing.T, s *site)) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		users := memory.New[auth.User]()
		perms, err := auth.Register(t.Context(), users, auth.AuthModels()...)
		require.NoError(t, err)
		os := orgs.NewMemoryStore()
		for _, p := range perms {
			os.AddPermissions(p.Key())
		}
		f(t, newSite(t, users, os))
	})
	t.Run("postgres", func(t *testing.T) {
		if testing.Short() {
			t.Skip("PostgreSQL under -short")
		}
		t.Parallel()
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(t.Context(), pool, postgres.DjangoOrganizations)
		require.NoError(t, err)
		users, err := postgres.New[auth.User](pool, postgres.Options{})
		require.NoError(t, err)
		_, err = auth.Register(t.Context(), users, auth.AuthModels()...)
		require.NoError(t, err)
		os, err := postgres.NewOrgStore(pool, postgres.OrgOptions{})
		require.NoError(t, err)
		f(t, newSite(t, users, os))
	})
}

func newSite(t *testing.T, users userStore, store orgs.Store) *site {
	t.Helper()
	s := &site{users: users, store: store, outbox: &mail.Outbox{}, now: time.Now().UTC()}
	var err error
	s.a, err = auth.New(auth.Config[auth.User]{Store: users, SecretKey: "orgs-pages-test-secret-key-0123456789",
		I18n: i18n.Config{Languages: []string{"en", "fr"}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.a.Close() })
	s.o, err = orgs.New(orgs.Config[auth.User]{Auth: s.a, Store: store, Mailer: s.outbox,
		BaseURL: "http://example.com", Now: s.clock})
	require.NoError(t, err)
	mux := http.NewServeMux()
	s.a.Routes(mux, "/accounts/")
	require.NoError(t, s.o.Routes(mux, "/orgs/"))
	s.h = mux
	return s
}

// client is one browser: a user's session cookie (none for anonymous).
type client struct {
	s      *site
	cookie *http.Cookie
	lang   string
}

func (s *site) login(t *testing.T, name string) (*auth.User, *client) {
	t.Helper()
	u := auth.NewUser(name)
	u.Email = name + "@example.com"
	require.NoError(t, s.users.CreateUser(t.Context(), &u))
	c, err := testkit.LoginUser(t.Context(), s.a, &u, testkit.LoginOptions{})
	require.NoError(t, err)
	return &u, &client{s: s, cookie: c}
}

type answer struct {
	code     int
	body     string
	location string
}

func (c *client) do(t *testing.T, method, path string, form url.Values) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequestWithContext(t.Context(), method, "http://example.com"+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	rec := httptest.NewRecorder()
	c.s.h.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == c.s.a.Sessions().Cookie.Name && ck.Value != "" {
			c.cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	return answer{code: rec.Code, body: rec.Body.String(), location: rec.Header().Get("Location")}
}

func (c *client) get(t *testing.T, path string) answer {
	t.Helper()
	return c.do(t, http.MethodGet, path, nil)
}

func (c *client) post(t *testing.T, path string, kv ...string) answer {
	t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	return c.do(t, http.MethodPost, path, form)
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// inviteLink invites email to the organization page at path and returns
// the mailed link's path.
func inviteLink(t *testing.T, s *site, c *client, path, email string, kv ...string) string {
	t.Helper()
	n := s.outbox.Len()
	got := c.post(t, path, append([]string{"action", "invite", "email", email}, kv...)...)
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	msgs := s.outbox.Messages()
	require.Len(t, msgs, n+1)
	link := testkit.Link(msgs[n], "http://example.com/orgs/invitations/accept/")
	require.NotEmpty(t, link, msgs[n].Text)
	return strings.TrimPrefix(link, "http://example.com")
}

func TestPagesFlow(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, s *site) {
		ctx := t.Context()
		_, alice := s.login(t, "alice")
		bobU, bob := s.login(t, "bob")
		_, carol := s.login(t, "carol")

		got := alice.get(t, "/orgs/")
		require.Equal(t, http.StatusOK, got.code)
		assert.Contains(t, got.body, "You are not a member of any organization yet.")

		// Creation: the slug comes from the name; errors are shown.
		got = alice.post(t, "/orgs/new/", "name", "")
		assert.Equal(t, http.StatusOK, got.code)
		assert.Contains(t, got.body, `aria-invalid="true" aria-describedby="id_name_error"`)
		got = alice.post(t, "/orgs/new/", "name", "X", "slug", "new")
		assert.Contains(t, got.body, "This slug is reserved.")
		got = alice.post(t, "/orgs/new/", "name", "X", "slug", "bad slug")
		assert.Contains(t, got.body, "Enter a valid “slug”")
		got = alice.post(t, "/orgs/new/", "name", "Acme Corp")
		require.Equal(t, http.StatusSeeOther, got.code, got.body)
		assert.Equal(t, "/orgs/acme-corp/?done=created", got.location)
		got = alice.post(t, "/orgs/new/", "name", "Acme Corp")
		assert.Contains(t, got.body, "An organization with this slug already exists.")
		org, err := s.store.OrganizationBySlug(ctx, "acme-corp")
		require.NoError(t, err)

		got = alice.get(t, "/orgs/acme-corp/?done=created")
		require.Equal(t, http.StatusOK, got.code)
		assert.Contains(t, got.body, "The organization was created.")
		assert.Contains(t, got.body, "<strong>Owner</strong>")
		assert.Contains(t, got.body, "Invite a member")

		// Invitation, then acceptance by its addressee only.
		link := inviteLink(t, s, alice, "/orgs/acme-corp/", "bob@example.com", "admin", "on")
		got = alice.get(t, "/orgs/acme-corp/")
		assert.Contains(t, got.body, "bob@example.com")
		anon := &client{s: s}
		got = anon.get(t, link)
		assert.Equal(t, http.StatusFound, got.code)
		assert.Equal(t, "/accounts/login/?next="+link, got.location)
		got = carol.get(t, link)
		assert.Equal(t, http.StatusForbidden, got.code)
		assert.Contains(t, got.body, "sent to another email address")
		assert.NotContains(t, got.body, "Acme")
		assert.NotContains(t, got.body, "alice")
		got = bob.get(t, link)
		require.Equal(t, http.StatusOK, got.code)
		assert.Contains(t, got.body, "Invitation to join Acme Corp")
		assert.Contains(t, got.body, "alice invited bob@example.com")
		assert.Contains(t, got.body, "You will be an admin")
		got = bob.post(t, link)
		require.Equal(t, http.StatusSeeOther, got.code, got.body)
		assert.Equal(t, "/orgs/acme-corp/?done=joined", got.location)
		m, err := s.store.Membership(ctx, org.ID, bobU.ID)
		require.NoError(t, err)
		assert.True(t, m.IsAdmin)
		got = bob.get(t, link)
		assert.Equal(t, http.StatusGone, got.code)
		assert.Contains(t, got.body, "already been used")
		got = bob.get(t, "/orgs/invitations/accept/bm90LWEtdG9rZW4/")
		assert.Equal(t, http.StatusNotFound, got.code)
		assert.Contains(t, got.body, "invalid")

		// The joined organization is bob's current one; the switcher
		// changes it.
		got = bob.get(t, "/orgs/")
		assert.Contains(t, got.body, "Current organization")
		_, err = s.o.CreateOrganization(ctx, bobU, "Bob's", "bobs")
		require.NoError(t, err)
		bobs, err := s.store.OrganizationBySlug(ctx, "bobs")
		require.NoError(t, err)
		got = bob.post(t, "/orgs/switch/", "org", id(bobs.ID))
		require.Equal(t, http.StatusSeeOther, got.code)
		got = bob.get(t, got.location)
		assert.Regexp(t, `(?s)<tr aria-current="true">\s*<th scope="row"><a href="/orgs/bobs/">Bob&#39;s</a>`, got.body)
		assert.Contains(t, got.body, "The current organization was changed.")

		// Admin status, ownership with confirmation, removal. An admin
		// who is not the owner may not transfer ownership.
		aliceID, err := s.users.GetUserByUsername(ctx, "alice")
		require.NoError(t, err)
		got = bob.post(t, "/orgs/acme-corp/", "action", "transfer", "user", id(aliceID.ID))
		assert.Equal(t, http.StatusForbidden, got.code)
		got = bob.get(t, "/orgs/acme-corp/")
		assert.NotContains(t, got.body, "Make owner")
		assert.Contains(t, got.body, "Remove admin")
		got = alice.post(t, "/orgs/acme-corp/", "action", "unadmin", "user", id(bobU.ID))
		require.Equal(t, http.StatusSeeOther, got.code)
		m, _ = s.store.Membership(ctx, org.ID, bobU.ID)
		assert.False(t, m.IsAdmin)
		got = bob.post(t, "/orgs/acme-corp/", "action", "admin", "user", id(bobU.ID))
		assert.Equal(t, http.StatusForbidden, got.code, "a plain member cannot make themself an admin")
		got = alice.post(t, "/orgs/acme-corp/", "action", "transfer", "user", id(bobU.ID))
		require.Equal(t, http.StatusOK, got.code)
		assert.Contains(t, got.body, "Make bob the owner of Acme Corp?")
		m, _ = s.store.Membership(ctx, org.ID, bobU.ID)
		assert.False(t, m.IsOwner, "not before the confirmation")
		got = alice.post(t, "/orgs/acme-corp/", "action", "transfer", "user", id(bobU.ID), "confirm", "yes")
		require.Equal(t, http.StatusSeeOther, got.code)
		m, _ = s.store.Membership(ctx, org.ID, bobU.ID)
		assert.True(t, m.IsOwner)
		got = alice.post(t, "/orgs/acme-corp/", "action", "remove", "user", id(bobU.ID))
		assert.Equal(t, http.StatusOK, got.code)
		assert.Contains(t, got.body, "The owner cannot be removed")

		// Roles: create, permissions, assignment, deletion.
		got = bob.post(t, "/orgs/acme-corp/roles/", "action", "create", "name", "Editors")
		require.Equal(t, http.StatusSeeOther, got.code, got.body)
		got = bob.post(t, "/orgs/acme-corp/roles/", "action", "create", "name", "Editors")
		assert.Contains(t, got.body, "A role with this name already exists")
		roles, err := s.store.Roles(ctx, org.ID)
		require.NoError(t, err)
		require.Len(t, roles, 1)
		role := id(roles[0].ID)
		got = bob.get(t, "/orgs/acme-corp/roles/")
		assert.Contains(t, got.body, "<legend>auth | user</legend>")
		got = bob.post(t, "/orgs/acme-corp/roles/", "action", "perms", "role", role, "perm", "auth.change_user", "perm", "auth.view_user")
		require.Equal(t, http.StatusSeeOther, got.code, got.body)
		got = bob.post(t, "/orgs/acme-corp/roles/", "action", "perms", "role", role, "perm", "not a permission")
		assert.Equal(t, http.StatusBadRequest, got.code)
		got = bob.get(t, "/orgs/acme-corp/roles/")
		assert.Contains(t, got.body, `value="auth.change_user" id="id_perm_`+role+`_auth.change_user" checked>`)
		aliceU, err := s.users.GetUserByUsername(ctx, "alice")
		require.NoError(t, err)
		got = bob.post(t, "/orgs/acme-corp/roles/", "action", "assign", "role", role, "user", id(aliceU.ID))
		require.Equal(t, http.StatusSeeOther, got.code)
		ok, err := s.o.HasPerm(ctx, aliceU, org.ID, "auth.change_user")
		require.NoError(t, err)
		assert.True(t, ok)
		got = alice.get(t, "/orgs/acme-corp/roles/")
		assert.Contains(t, got.body, "Unassign Editors from alice")
		got = bob.post(t, "/orgs/acme-corp/roles/", "action", "unassign", "role", role, "user", id(aliceU.ID))
		require.Equal(t, http.StatusSeeOther, got.code)
		ok, _ = s.o.HasPerm(ctx, aliceU, org.ID, "auth.change_user")
		assert.False(t, ok)
		got = bob.post(t, "/orgs/acme-corp/roles/", "action", "delete", "role", role)
		require.Equal(t, http.StatusSeeOther, got.code)
		roles, _ = s.store.Roles(ctx, org.ID)
		assert.Empty(t, roles)

		// Revoking an invitation, and leaving.
		inviteLink(t, s, bob, "/orgs/acme-corp/", "dave@example.com")
		invs, err := s.store.Invitations(ctx, org.ID)
		require.NoError(t, err)
		require.Len(t, invs, 1)
		got = bob.post(t, "/orgs/acme-corp/", "action", "revoke", "invitation", id(invs[0].ID))
		require.Equal(t, http.StatusSeeOther, got.code)
		invs, _ = s.store.Invitations(ctx, org.ID)
		assert.Empty(t, invs)
		got = alice.post(t, "/orgs/acme-corp/", "action", "remove", "user", id(aliceU.ID))
		require.Equal(t, http.StatusSeeOther, got.code)
		assert.Equal(t, "/orgs/?done=left", got.location)
		got = alice.get(t, "/orgs/acme-corp/")
		assert.Equal(t, http.StatusNotFound, got.code)
	})
}

func TestPagesInvitationExpired(t *testing.T) {
	t.Parallel()
	s := newSite(t, memory.New[auth.User](), orgs.NewMemoryStore())
	_, alice := s.login(t, "alice")
	_, bob := s.login(t, "bob")
	require.Equal(t, http.StatusSeeOther, alice.post(t, "/orgs/new/", "name", "Acme").code)
	link := inviteLink(t, s, alice, "/orgs/acme/", "bob@example.com")
	s.advance(orgs.DefaultInvitationTTL + time.Second)
	got := bob.get(t, link)
	assert.Equal(t, http.StatusGone, got.code)
	assert.Contains(t, got.body, "This invitation has expired.")
	got = bob.post(t, link)
	assert.Equal(t, http.StatusGone, got.code)
}

// TestPagesIsolation: a member of A reaches nothing of B through any page
// URL or form field.
func TestPagesIsolation(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, s *site) {
		ctx := t.Context()
		aliceU, alice := s.login(t, "alice") // owner of A
		bobU, bob := s.login(t, "bob")       // owner of B
		daveU, dave := s.login(t, "dave")    // plain member of A
		a, err := s.o.CreateOrganization(ctx, aliceU, "Alpha", "alpha")
		require.NoError(t, err)
		b, err := s.o.CreateOrganization(ctx, bobU, "Beta", "beta")
		require.NoError(t, err)
		_, err = s.o.AddMember(ctx, aliceU, a.ID, daveU.ID, false)
		require.NoError(t, err)
		roleA, err := s.o.CreateRole(ctx, aliceU, a.ID, "Staff")
		require.NoError(t, err)
		roleB, err := s.o.CreateRole(ctx, bobU, b.ID, "Staff")
		require.NoError(t, err)
		invB, _, err := s.o.Invite(ctx, bobU, b.ID, "eve@example.com", nil, false)
		require.NoError(t, err)

		for _, path := range []string{"/orgs/beta/", "/orgs/beta/roles/", "/orgs/nothing/", "/orgs/nothing/roles/"} {
			assert.Equal(t, http.StatusNotFound, alice.get(t, path).code, path)
			assert.Equal(t, http.StatusNotFound, alice.post(t, path, "action", "invite", "email", "x@example.com").code, path)
			assert.Equal(t, http.StatusNotFound, alice.post(t, path, "action", "create", "name", "Evil").code, path)
		}
		list := alice.get(t, "/orgs/")
		assert.NotContains(t, list.body, "Beta")
		assert.Equal(t, http.StatusNotFound, alice.post(t, "/orgs/switch/", "org", id(b.ID)).code)

		// IDs of B in A's forms.
		for name, kv := range map[string][]string{
			"remove B's owner":      {"action", "remove", "user", id(bobU.ID)},
			"make B's owner admin":  {"action", "admin", "user", id(bobU.ID)},
			"transfer to B's owner": {"action", "transfer", "user", id(bobU.ID)},
			"transfer, confirmed":   {"action", "transfer", "user", id(bobU.ID), "confirm", "yes"},
			"revoke B's invitation": {"action", "revoke", "invitation", id(invB.ID)},
			"invite with B's role":  {"action", "invite", "email", "x@example.com", "role", id(roleB.ID)},
		} {
			got := alice.post(t, "/orgs/alpha/", kv...)
			assert.Equal(t, http.StatusNotFound, got.code, name)
		}
		for name, kv := range map[string][]string{
			"delete B's role":         {"action", "delete", "role", id(roleB.ID)},
			"permissions of B's role": {"action", "perms", "role", id(roleB.ID), "perm", "auth.view_user"},
			"assign B's role":         {"action", "assign", "role", id(roleB.ID), "user", id(daveU.ID)},
			"unassign B's role":       {"action", "unassign", "role", id(roleB.ID), "user", id(daveU.ID)},
			"assign A's role to B's":  {"action", "assign", "role", id(roleA.ID), "user", id(bobU.ID)},
			"unknown role and member": {"action", "assign", "role", "999999", "user", "999999"},
		} {
			got := alice.post(t, "/orgs/alpha/roles/", kv...)
			assert.Equal(t, http.StatusNotFound, got.code, name)
		}
		// B is untouched.
		_, err = s.store.Membership(ctx, b.ID, bobU.ID)
		assert.NoError(t, err)
		m, _ := s.store.Membership(ctx, b.ID, bobU.ID)
		assert.True(t, m.IsOwner)
		invs, err := s.store.Invitations(ctx, b.ID)
		require.NoError(t, err)
		assert.Len(t, invs, 1)
		rs, err := s.store.Roles(ctx, b.ID)
		require.NoError(t, err)
		assert.Len(t, rs, 1)
		perms, err := s.store.RolePermissions(ctx, b.ID, roleB.ID)
		require.NoError(t, err)
		assert.Empty(t, perms)
		_, err = s.store.Membership(ctx, a.ID, bobU.ID)
		assert.ErrorIs(t, err, orgs.ErrNotMember)
		assert.Empty(t, s.outbox.Messages()[1:], "no invitation of A was sent")

		// A plain member of A sees A but manages nothing.
		got := dave.get(t, "/orgs/alpha/")
		require.Equal(t, http.StatusOK, got.code)
		assert.NotContains(t, got.body, "Invite a member")
		assert.NotContains(t, got.body, `value="remove"`+"\n")
		for _, kv := range [][]string{
			{"action", "invite", "email", "x@example.com"},
			{"action", "remove", "user", id(aliceU.ID)},
			{"action", "admin", "user", id(daveU.ID)},
		} {
			assert.Equal(t, http.StatusForbidden, dave.post(t, "/orgs/alpha/", kv...).code, kv)
		}
		assert.Equal(t, http.StatusForbidden, dave.post(t, "/orgs/alpha/roles/", "action", "create", "name", "Mine").code)
		got = dave.get(t, "/orgs/alpha/roles/")
		require.Equal(t, http.StatusOK, got.code)
		assert.NotContains(t, got.body, "Create a role")
		// Bob, owner of B, gets nothing of A either.
		assert.Equal(t, http.StatusNotFound, bob.get(t, "/orgs/alpha/").code)
		assert.Equal(t, http.StatusNotFound, bob.post(t, "/orgs/alpha/roles/", "action", "delete", "role", id(roleA.ID)).code)
		// Anonymous users are sent to log in.
		anon := &client{s: s}
		got = anon.get(t, "/orgs/alpha/")
		assert.Equal(t, http.StatusFound, got.code)
		assert.True(t, strings.HasPrefix(got.location, "/accounts/login/?next="), got.location)
	})
}

func TestPagesBadRequests(t *testing.T) {
	t.Parallel()
	s := newSite(t, memory.New[auth.User](), orgs.NewMemoryStore())
	_, alice := s.login(t, "alice")
	require.Equal(t, http.StatusSeeOther, alice.post(t, "/orgs/new/", "name", "Acme").code)
	for _, c := range []struct {
		method, path string
		kv           []string
		want         int
	}{
		{http.MethodPost, "/orgs/acme/", []string{"action", "remove", "user", "x"}, http.StatusBadRequest},
		{http.MethodPost, "/orgs/acme/", []string{"action", "remove", "user", "-1"}, http.StatusBadRequest},
		{http.MethodPost, "/orgs/acme/", []string{"action", "nope"}, http.StatusBadRequest},
		{http.MethodPost, "/orgs/acme/", []string{"action", "revoke", "invitation", ""}, http.StatusBadRequest},
		{http.MethodPost, "/orgs/acme/", []string{"action", "invite", "email", "x@example.com", "role", "r"}, http.StatusBadRequest},
		{http.MethodPost, "/orgs/acme/roles/", []string{"action", "delete"}, http.StatusBadRequest},
		{http.MethodPost, "/orgs/switch/", []string{"org", "abc"}, http.StatusBadRequest},
		{http.MethodGet, "/orgs/switch/", nil, http.StatusMethodNotAllowed},
		{http.MethodPut, "/orgs/acme/", nil, http.StatusMethodNotAllowed},
		{http.MethodPost, "/orgs/", nil, http.StatusMethodNotAllowed},
	} {
		form := url.Values{}
		for i := 0; i+1 < len(c.kv); i += 2 {
			form.Add(c.kv[i], c.kv[i+1])
		}
		got := alice.do(t, c.method, c.path, form)
		assert.Equal(t, c.want, got.code, "%s %s %v", c.method, c.path, c.kv)
	}
	got := alice.post(t, "/orgs/acme/", "action", "invite", "email", "not an address")
	assert.Equal(t, http.StatusOK, got.code)
	assert.Contains(t, got.body, "Enter a valid email address.")
	// A cross-origin POST is refused.
	req := httptest.NewRequest(http.MethodPost, "http://example.com/orgs/acme/", strings.NewReader("action=remove&user=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(alice.cookie)
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusForbidden, rec.Code)
}

func TestPagesFrench(t *testing.T) {
	t.Parallel()
	s := newSite(t, memory.New[auth.User](), orgs.NewMemoryStore())
	_, alice := s.login(t, "alice")
	alice.lang = "fr"
	got := alice.get(t, "/orgs/")
	require.Equal(t, http.StatusOK, got.code)
	assert.Contains(t, got.body, "Vos organisations")
	got = alice.post(t, "/orgs/new/", "name", "")
	assert.Contains(t, got.body, "Ce champ est obligatoire.")
}
