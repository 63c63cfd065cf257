package orgstest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/testkit"
)

// IsolationHarness is the users and organizations of RunIsolation.
type IsolationHarness struct {
	// Users is a fresh user store (the site's auth_user, auth_permission).
	Users auth.Store[auth.User]
	// Store is a fresh organization store over the same users.
	Store orgs.Store
	// NewPermission, when set, makes a permission that Users already has
	// known to Store too (MemoryStore.AddPermissions); nil when Store reads
	// Users' auth_permission table, as the PostgreSQL stores do.
	NewPermission func(ctx context.Context, perm string)
}

// isoSite is the world of an attack: organizations A and B, their people,
// and a site whose handlers use the orgs package as an app would.
type isoSite struct {
	t     *testing.T
	h     IsolationHarness
	a     *auth.Auth[auth.User]
	o     *orgs.Orgs[auth.User]
	mux   *http.ServeMux
	now   time.Time
	A, B  orgs.Organization
	ARole orgs.Role // "editor" of A with site.edit
	BRole orgs.Role // "editor" of B with site.edit
	BInv  orgs.Invitation
	BLink string
	// alice is A's admin with A's editor role: the attacker.
	// bob owns B; carol is a member of B with B's editor role; dave is a
	// member of A and B; eve holds site.edit globally and belongs to
	// nothing; root is a superuser; mallory holds the global
	// organizations.change_organization.
	alice, bob, carol, dave, eve, root, mallory *auth.User
	cookies                                     map[int64]*http.Cookie
}

func newIsoSite(t *testing.T, h IsolationHarness) *isoSite {
	t.Helper()
	ctx := context.Background()
	s := &isoSite{t: t, h: h, now: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC), cookies: map[int64]*http.Cookie{}}
	var err error
	s.a, err = auth.New(auth.Config[auth.User]{Store: h.Users, Hashers: hashers.New(hashers.MD5{}), SecretKey: "orgstest-isolation-secret-key-0123456789",
		Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}}, Sessions: auth.SessionConfig{InsecureCookie: true}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.a.Close() })
	s.o, err = orgs.New(orgs.Config[auth.User]{Auth: s.a, Store: h.Store, Now: func() time.Time { return s.now }})
	require.NoError(t, err)

	for _, p := range []string{"site.edit", "site.view", orgs.PermChange, orgs.PermDelete} {
		app, code, _ := strings.Cut(p, ".")
		_, err := h.Users.EnsurePermissions(ctx, app, "orgstest", []auth.Permission{{Codename: code, Name: "Can " + code}})
		require.NoError(t, err)
		if h.NewPermission != nil {
			h.NewPermission(ctx, p)
		}
	}
	mk := func(name string, edit func(*auth.User)) *auth.User {
		u := auth.NewUser(name + "-" + strconv.FormatInt(seq.Add(1), 10))
		u.Email = name + "@example.com"
		if edit != nil {
			edit(&u)
		}
		require.NoError(t, h.Users.CreateUser(ctx, &u))
		return &u
	}
	s.alice, s.bob, s.carol, s.dave, s.eve = mk("alice", nil), mk("bob", nil), mk("carol", nil), mk("dave", nil), mk("eve", nil)
	s.root = mk("root", func(u *auth.User) { u.IsSuperuser = true })
	s.mallory = mk("mallory", nil)
	require.NoError(t, h.Users.AddUserPermissions(ctx, s.eve.ID, "site.edit"))
	require.NoError(t, h.Users.AddUserPermissions(ctx, s.mallory.ID, orgs.PermChange))

	s.A, err = s.o.CreateOrganization(ctx, s.alice, "Org A", "")
	require.NoError(t, err)
	s.B, err = s.o.CreateOrganization(ctx, s.bob, "Org B", "")
	require.NoError(t, err)
	s.ARole = s.roleWith(s.alice, s.A.ID)
	s.BRole = s.roleWith(s.bob, s.B.ID)
	for _, add := range []struct {
		org  int64
		by   *auth.User
		user *auth.User
	}{{s.B.ID, s.bob, s.carol}, {s.A.ID, s.alice, s.dave}, {s.B.ID, s.bob, s.dave}} {
		_, err := s.o.AddMember(ctx, add.by, add.org, add.user.ID, false)
		require.NoError(t, err)
	}
	require.NoError(t, s.o.AssignRole(ctx, s.alice, s.A.ID, s.alice.ID, s.ARole.ID))
	require.NoError(t, s.o.AssignRole(ctx, s.bob, s.B.ID, s.carol.ID, s.BRole.ID))
	s.BInv, s.BLink, err = s.o.Invite(ctx, s.bob, s.B.ID, "newbie@example.com", []int64{s.BRole.ID}, true)
	require.NoError(t, err)

	s.mux = http.NewServeMux()
	show := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		org, _, ok := orgs.Current(r.Context())
		if !ok {
			http.Error(w, "no organization", http.StatusTeapot)
			return
		}
		_, _ = w.Write([]byte(org.Slug))
	})
	s.mux.Handle("GET /o/{org}/", s.o.MemberRequired(show))
	s.mux.Handle("GET /o/{org}/admin/", s.o.AdminRequired(show))
	s.mux.Handle("GET /o/{org}/edit/", s.o.PermissionRequired("site.edit")(show))
	s.mux.Handle("GET /current/", s.o.MemberRequired(show))
	s.mux.Handle("GET /session/", s.o.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(s.a.Sessions().GetString(r.Context(), orgs.SessionKeyOrg)))
	})))
	s.mux.HandleFunc("POST /switch/", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.FormValue("org"), 10, 64)
		writeErr(w, s.o.Switch(r, id))
	})
	// plant writes an organization ID into the session as a stale or
	// forged value would be found there.
	s.mux.HandleFunc("POST /plant/", func(w http.ResponseWriter, r *http.Request) {
		s.a.Sessions().Put(r.Context(), orgs.SessionKeyOrg, r.FormValue("org"))
		w.WriteHeader(http.StatusNoContent)
	})
	// A JSON endpoint that takes the organization from its body, as a
	// careless API would: the orgs methods must refuse it by themselves.
	s.mux.HandleFunc("POST /api/remove-member/", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			OrgID  int64 `json:"org_id"`
			UserID int64 `json:"user_id"`
		}
		if json.NewDecoder(r.Body).Decode(&body) != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		writeErr(w, s.o.RemoveMember(r.Context(), s.a.User(r).User(), body.OrgID, body.UserID))
	})
	s.mux.HandleFunc("POST /form/role-perms/", func(w http.ResponseWriter, r *http.Request) {
		org, _ := strconv.ParseInt(r.FormValue("org_id"), 10, 64)
		role, _ := strconv.ParseInt(r.FormValue("role_id"), 10, 64)
		writeErr(w, s.o.SetRolePermissions(r.Context(), s.a.User(r).User(), org, role, r.Form["perm"]))
	})
	return s
}

func writeErr(w http.ResponseWriter, err error) {
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, orgs.ErrNotFound), errors.Is(err, orgs.ErrNotMember):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.Is(err, auth.ErrPermissionDenied):
		http.Error(w, "forbidden", http.StatusForbidden)
	case errors.Is(err, auth.ErrLoginRequired):
		http.Error(w, "login", http.StatusUnauthorized)
	default:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func (s *isoSite) roleWith(owner *auth.User, orgID int64) orgs.Role {
	ctx := context.Background()
	r, err := s.o.CreateRole(ctx, owner, orgID, "editor")
	require.NoError(s.t, err)
	require.NoError(s.t, s.o.SetRolePermissions(ctx, owner, orgID, r.ID, []string{"site.edit"}))
	return r
}

// do sends a request as user (nil: anonymous) through the Auth's
// middleware and returns the status and body; the session cookie is
// kept per user.
func (s *isoSite) do(user *auth.User, method, target, contentType, body string) (int, string) {
	s.t.Helper()
	req := httptest.NewRequest(method, "http://localhost"+target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if user != nil {
		c, ok := s.cookies[user.ID]
		if !ok {
			var err error
			c, err = testkit.LoginUser(context.Background(), s.a, user, testkit.LoginOptions{})
			require.NoError(s.t, err)
			s.cookies[user.ID] = c
		}
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	s.a.Middleware(s.mux).ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if user != nil && c.Name == s.cookies[user.ID].Name && c.Value != "" {
			s.cookies[user.ID] = c
		}
	}
	return rec.Code, rec.Body.String()
}

func (s *isoSite) get(user *auth.User, target string) (int, string) {
	return s.do(user, http.MethodGet, target, "", "")
}

func (s *isoSite) post(user *auth.User, target string, form url.Values) (int, string) {
	return s.do(user, http.MethodPost, target, "application/x-www-form-urlencoded", form.Encode())
}

func (s *isoSite) hasPerm(user *auth.User, orgID int64, perm string) bool {
	s.t.Helper()
	ok, err := s.o.HasPerm(context.Background(), user, orgID, perm)
	require.NoError(s.t, err)
	return ok
}

func (s *isoSite) isMember(orgID, userID int64) bool {
	s.t.Helper()
	_, err := s.h.Store.Membership(context.Background(), orgID, userID)
	if errors.Is(err, orgs.ErrNotMember) {
		return false
	}
	require.NoError(s.t, err)
	return true
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// RunIsolation runs the attacks of a member of organization A (alice, its
// admin) on organization B, through the URL, forms, JSON bodies, the
// session and the Go API, and the cases that must end access (B
// deactivated, a membership ended while the session holds B, a user
// deactivated), and checks what global and scoped permissions grant.
// newHarness is called once per attack.
func RunIsolation(t *testing.T, newHarness func(t *testing.T) IsolationHarness) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		attack func(t *testing.T, s *isoSite)
	}{
		{"B's slug in the URL is 404, as an unknown slug is", func(t *testing.T, s *isoSite) {
			code, body := s.get(s.alice, "/o/"+s.B.Slug+"/")
			assert.Equal(t, http.StatusNotFound, code)
			code2, body2 := s.get(s.alice, "/o/no-such-org/")
			assert.Equal(t, http.StatusNotFound, code2)
			assert.Equal(t, body2, body, "the answer does not tell that B exists")
			for _, p := range []string{"admin/", "edit/"} {
				code, _ = s.get(s.alice, "/o/"+s.B.Slug+"/"+p)
				assert.Equal(t, http.StatusNotFound, code, p)
			}
			code, body = s.get(s.alice, "/o/"+s.A.Slug+"/edit/")
			assert.Equal(t, http.StatusOK, code, "A's own pages work")
			assert.Equal(t, s.A.Slug, body)
		}},
		{"anonymous users are sent to log in", func(t *testing.T, s *isoSite) {
			for _, p := range []string{"/o/" + s.B.Slug + "/", "/o/no-such-org/", "/current/"} {
				code, _ := s.get(nil, p)
				assert.Equal(t, http.StatusFound, code, p)
			}
		}},
		{"B's id in a JSON body", func(t *testing.T, s *isoSite) {
			code, _ := s.do(s.alice, http.MethodPost, "/api/remove-member/", "application/json",
				`{"org_id":`+id(s.B.ID)+`,"user_id":`+id(s.carol.ID)+`}`)
			assert.Equal(t, http.StatusNotFound, code)
			assert.True(t, s.isMember(s.B.ID, s.carol.ID))
			code, _ = s.do(s.alice, http.MethodPost, "/api/remove-member/", "application/json",
				`{"org_id":`+id(s.A.ID)+`,"user_id":`+id(s.carol.ID)+`}`)
			assert.Equal(t, http.StatusNotFound, code, "B's member named through A")
			assert.True(t, s.isMember(s.B.ID, s.carol.ID))
		}},
		{"B's id in a form field", func(t *testing.T, s *isoSite) {
			code, _ := s.post(s.alice, "/form/role-perms/", url.Values{"org_id": {id(s.B.ID)}, "role_id": {id(s.BRole.ID)}, "perm": {"site.view"}})
			assert.Equal(t, http.StatusNotFound, code)
			code, _ = s.post(s.alice, "/form/role-perms/", url.Values{"org_id": {id(s.A.ID)}, "role_id": {id(s.BRole.ID)}, "perm": {"site.view"}})
			assert.Equal(t, http.StatusNotFound, code, "B's role through A")
			perms, err := s.h.Store.RolePermissions(ctx, s.B.ID, s.BRole.ID)
			require.NoError(t, err)
			assert.Equal(t, []string{"site.edit"}, perms)
		}},
		{"every management method refuses B to A's admin", func(t *testing.T, s *isoSite) {
			b := s.B.ID
			for name, err := range map[string]error{
				"AddMember":          second(s.o.AddMember(ctx, s.alice, b, s.alice.ID, true)),
				"SetAdmin":           s.o.SetAdmin(ctx, s.alice, b, s.carol.ID, true),
				"RemoveMember":       s.o.RemoveMember(ctx, s.alice, b, s.carol.ID),
				"TransferOwnership":  s.o.TransferOwnership(ctx, s.alice, b, s.dave.ID),
				"CreateRole":         second(s.o.CreateRole(ctx, s.alice, b, "spy")),
				"DeleteRole":         s.o.DeleteRole(ctx, s.alice, b, s.BRole.ID),
				"SetRolePermissions": s.o.SetRolePermissions(ctx, s.alice, b, s.BRole.ID, []string{"site.view"}),
				"AssignRole":         s.o.AssignRole(ctx, s.alice, b, s.dave.ID, s.BRole.ID),
				"UnassignRole":       s.o.UnassignRole(ctx, s.alice, b, s.carol.ID, s.BRole.ID),
				"Invite":             third(s.o.Invite(ctx, s.alice, b, "spy@example.com", nil, true)),
				"Invitations":        second(s.o.Invitations(ctx, s.alice, b)),
				"Revoke":             s.o.Revoke(ctx, s.alice, b, s.BInv.ID),
				"UpdateOrganization": s.o.UpdateOrganization(ctx, s.alice, orgs.Organization{ID: b, Name: "Mine", Slug: "mine"}),
				"DeleteOrganization": s.o.DeleteOrganization(ctx, s.alice, b),
			} {
				assert.ErrorIs(t, err, orgs.ErrNotFound, name)
			}
			ok, err := s.o.CanManage(ctx, s.alice, b)
			require.NoError(t, err)
			assert.False(t, ok)
			ms, err := s.h.Store.Members(ctx, b)
			require.NoError(t, err)
			assert.Len(t, ms, 3, "bob, carol, dave: nothing changed")
		}},
		{"a plain member of B cannot manage B", func(t *testing.T, s *isoSite) {
			assert.ErrorIs(t, s.o.RemoveMember(ctx, s.carol, s.B.ID, s.dave.ID), auth.ErrPermissionDenied)
			assert.ErrorIs(t, s.o.AssignRole(ctx, s.carol, s.B.ID, s.carol.ID, s.BRole.ID), auth.ErrPermissionDenied)
			code, _ := s.get(s.carol, "/o/"+s.B.Slug+"/admin/")
			assert.Equal(t, http.StatusForbidden, code)
			require.NoError(t, s.o.TransferOwnership(ctx, s.alice, s.A.ID, s.dave.ID), "A's owner may")
			require.NoError(t, s.o.DeleteOrganization(ctx, s.bob, s.B.ID), "B's owner may")
		}},
		{"an admin of B who is not its owner cannot transfer or delete it", func(t *testing.T, s *isoSite) {
			require.NoError(t, s.o.SetAdmin(ctx, s.bob, s.B.ID, s.carol.ID, true))
			assert.ErrorIs(t, s.o.TransferOwnership(ctx, s.carol, s.B.ID, s.carol.ID), auth.ErrPermissionDenied)
			assert.ErrorIs(t, s.o.DeleteOrganization(ctx, s.carol, s.B.ID), auth.ErrPermissionDenied)
			assert.ErrorIs(t, s.o.RemoveMember(ctx, s.carol, s.B.ID, s.bob.ID), orgs.ErrOwnerRequired)
			assert.ErrorIs(t, s.o.SetAdmin(ctx, s.carol, s.B.ID, s.bob.ID, false), orgs.ErrOwnerRequired)
		}},
		{"B's id planted in the session is not trusted and is cleared", func(t *testing.T, s *isoSite) {
			code, _ := s.post(s.alice, "/plant/", url.Values{"org": {id(s.B.ID)}})
			require.Equal(t, http.StatusNoContent, code)
			code, _ = s.get(s.alice, "/current/")
			assert.Equal(t, http.StatusForbidden, code)
			_, got := s.get(s.alice, "/session/")
			assert.Empty(t, got, "the session's choice was removed")
			for _, v := range []string{"x", "-1", "0", "99999999999999999999"} {
				s.post(s.alice, "/plant/", url.Values{"org": {v}})
				code, _ = s.get(s.alice, "/current/")
				assert.Equal(t, http.StatusForbidden, code, v)
			}
		}},
		{"Switch to B is refused", func(t *testing.T, s *isoSite) {
			code, _ := s.post(s.alice, "/switch/", url.Values{"org": {id(s.B.ID)}})
			assert.Equal(t, http.StatusNotFound, code)
			code, _ = s.post(s.alice, "/switch/", url.Values{"org": {id(s.B.ID + 1000)}})
			assert.Equal(t, http.StatusNotFound, code, "as an unknown ID is")
			_, got := s.get(s.alice, "/session/")
			assert.Empty(t, got)
			code, _ = s.post(s.alice, "/switch/", url.Values{"org": {id(s.A.ID)}})
			assert.Equal(t, http.StatusNoContent, code)
			code, body := s.get(s.alice, "/current/")
			assert.Equal(t, http.StatusOK, code)
			assert.Equal(t, s.A.Slug, body)
		}},
		{"a role of B assigned in A", func(t *testing.T, s *isoSite) {
			assert.ErrorIs(t, s.o.AssignRole(ctx, s.alice, s.A.ID, s.alice.ID, s.BRole.ID), orgs.ErrNotFound)
			assert.ErrorIs(t, s.o.AssignRole(ctx, s.alice, s.A.ID, s.dave.ID, s.BRole.ID), orgs.ErrNotFound)
			assert.ErrorIs(t, s.o.DeleteRole(ctx, s.alice, s.A.ID, s.BRole.ID), orgs.ErrNotFound)
			_, _, err := s.o.Invite(ctx, s.alice, s.A.ID, "x@example.com", []int64{s.BRole.ID}, false)
			assert.ErrorIs(t, err, orgs.ErrNotFound, "an invitation to A carrying B's role")
			assert.False(t, s.hasPerm(s.dave, s.B.ID, "site.edit"))
		}},
		{"B's invitation revoked or listed via A", func(t *testing.T, s *isoSite) {
			assert.ErrorIs(t, s.o.Revoke(ctx, s.alice, s.A.ID, s.BInv.ID), orgs.ErrNotFound)
			list, err := s.o.Invitations(ctx, s.alice, s.A.ID)
			require.NoError(t, err)
			assert.Empty(t, list)
			list, err = s.o.Invitations(ctx, s.bob, s.B.ID)
			require.NoError(t, err)
			assert.Len(t, list, 1, "still open")
		}},
		{"B's leaked invitation link accepted by someone else", func(t *testing.T, s *isoSite) {
			token := tokenOf(s.BLink)
			_, err := s.o.Accept(ctx, nil, s.alice, token)
			assert.ErrorIs(t, err, orgs.ErrWrongInvitee)
			assert.False(t, s.isMember(s.B.ID, s.alice.ID))
			newbie := &auth.User{}
			*newbie = auth.NewUser("newbie-" + id(seq.Add(1)))
			newbie.Email = "NewBie@Example.COM"
			require.NoError(t, s.h.Users.CreateUser(ctx, newbie))
			m, err := s.o.Accept(ctx, nil, newbie, token)
			require.NoError(t, err, "the invitee, iexact")
			assert.Equal(t, s.B.ID, m.OrgID)
			assert.True(t, m.IsAdmin)
			assert.True(t, s.hasPerm(newbie, s.B.ID, "site.edit"))
			assert.False(t, s.hasPerm(newbie, s.A.ID, "site.edit"))
			_, err = s.o.Accept(ctx, nil, newbie, token)
			assert.ErrorIs(t, err, orgs.ErrInvitationUsed)
		}},
		{"guessed invitation tokens are throttled", func(t *testing.T, s *isoSite) {
			var err error
			for range 5 {
				_, err = s.o.Accept(ctx, nil, s.alice, "bm90LWEtdG9rZW4tYXQtYWxsLW5vdC1hLXRva2VuLWF0LWFsbA")
				assert.ErrorIs(t, err, orgs.ErrInvalidInvitation)
			}
			assert.ErrorIs(t, err, orgs.ErrThrottled, "the fifth failure throttles")
			_, err = s.o.Accept(ctx, nil, s.alice, tokenOf(s.BLink))
			assert.ErrorIs(t, err, orgs.ErrThrottled, "even a real token is not looked at")
			s.now = s.now.Add(16 * time.Minute)
			_, err = s.o.Accept(ctx, nil, s.alice, tokenOf(s.BLink))
			assert.ErrorIs(t, err, orgs.ErrWrongInvitee, "the window has passed")
		}},
		{"B's member or owner removed via A", func(t *testing.T, s *isoSite) {
			assert.ErrorIs(t, s.o.RemoveMember(ctx, s.alice, s.A.ID, s.carol.ID), orgs.ErrNotMember)
			assert.ErrorIs(t, s.o.RemoveMember(ctx, s.alice, s.A.ID, s.bob.ID), orgs.ErrNotMember)
			assert.ErrorIs(t, s.o.SetAdmin(ctx, s.alice, s.A.ID, s.carol.ID, true), orgs.ErrNotMember)
			assert.ErrorIs(t, s.o.TransferOwnership(ctx, s.alice, s.A.ID, s.carol.ID), orgs.ErrNotMember)
			assert.True(t, s.isMember(s.B.ID, s.carol.ID))
			assert.True(t, s.isMember(s.B.ID, s.bob.ID))
		}},
		{"B deactivated", func(t *testing.T, s *isoSite) {
			code, _ := s.post(s.carol, "/switch/", url.Values{"org": {id(s.B.ID)}})
			require.Equal(t, http.StatusNoContent, code)
			require.True(t, s.hasPerm(s.carol, s.B.ID, "site.edit"))
			b := s.B
			b.IsActive = false
			require.NoError(t, s.o.UpdateOrganization(ctx, s.bob, b))
			code, _ = s.get(s.carol, "/o/"+s.B.Slug+"/")
			assert.Equal(t, http.StatusNotFound, code)
			code, _ = s.get(s.carol, "/current/")
			assert.Equal(t, http.StatusForbidden, code)
			_, got := s.get(s.carol, "/session/")
			assert.Empty(t, got)
			assert.False(t, s.hasPerm(s.carol, s.B.ID, "site.edit"))
			assert.ErrorIs(t, second(s.o.AddMember(ctx, s.bob, s.B.ID, s.alice.ID, false)), orgs.ErrNotFound, "its admins manage nothing")
			assert.True(t, s.hasPerm(s.eve, s.B.ID, "site.edit"), "a global grant still holds")
			_, err := s.o.Accept(ctx, nil, s.alice, tokenOf(s.BLink))
			assert.ErrorIs(t, err, orgs.ErrInvalidInvitation, "its invitations do not work")
		}},
		{"membership removed while the session holds B", func(t *testing.T, s *isoSite) {
			code, _ := s.post(s.dave, "/switch/", url.Values{"org": {id(s.B.ID)}})
			require.Equal(t, http.StatusNoContent, code)
			code, body := s.get(s.dave, "/current/")
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, s.B.Slug, body)
			require.NoError(t, s.o.RemoveMember(ctx, s.bob, s.B.ID, s.dave.ID))
			code, _ = s.get(s.dave, "/current/")
			assert.Equal(t, http.StatusForbidden, code)
			_, got := s.get(s.dave, "/session/")
			assert.Empty(t, got, "cleared")
			code, _ = s.get(s.dave, "/o/"+s.B.Slug+"/")
			assert.Equal(t, http.StatusNotFound, code)
			code, _ = s.get(s.dave, "/o/"+s.A.Slug+"/")
			assert.Equal(t, http.StatusOK, code, "A is unaffected")
		}},
		{"a deactivated user", func(t *testing.T, s *isoSite) {
			code, _ := s.get(s.carol, "/o/"+s.B.Slug+"/edit/")
			require.Equal(t, http.StatusOK, code)
			c := *s.carol
			c.IsActive = false
			require.NoError(t, s.h.Users.UpdateUser(ctx, &c))
			code, _ = s.get(s.carol, "/o/"+s.B.Slug+"/")
			assert.Equal(t, http.StatusFound, code, "logged out: sent to log in")
			assert.False(t, s.hasPerm(&c, s.B.ID, "site.edit"))
			_, err := s.o.CreateRole(ctx, &c, s.B.ID, "x")
			assert.ErrorIs(t, err, auth.ErrLoginRequired)
			b := *s.bob
			b.IsActive = false
			assert.ErrorIs(t, second(s.o.AddMember(ctx, &b, s.B.ID, s.alice.ID, false)), auth.ErrLoginRequired, "nor its inactive owner")
		}},
		{"A's role permission does not grant in B; a global grant does in both", func(t *testing.T, s *isoSite) {
			assert.True(t, s.hasPerm(s.alice, s.A.ID, "site.edit"))
			assert.False(t, s.hasPerm(s.alice, s.B.ID, "site.edit"))
			global, err := s.a.HasPerm(ctx, s.alice, "site.edit", nil)
			require.NoError(t, err)
			assert.False(t, global, "a role never grants globally")
			assert.False(t, s.hasPerm(s.alice, s.A.ID, "site.view"))
			assert.True(t, s.hasPerm(s.eve, s.A.ID, "site.edit"))
			assert.True(t, s.hasPerm(s.eve, s.B.ID, "site.edit"))
			assert.False(t, s.hasPerm(s.eve, s.B.ID, "site.view"))
			assert.False(t, s.hasPerm(s.dave, s.A.ID, "site.edit"), "a member without the role")
			code, _ := s.get(s.dave, "/o/"+s.A.Slug+"/edit/")
			assert.Equal(t, http.StatusForbidden, code)
			code, _ = s.get(s.eve, "/o/"+s.A.Slug+"/edit/")
			assert.Equal(t, http.StatusNotFound, code, "a global grant does not make a member")
		}},
		{"superuser and global managers", func(t *testing.T, s *isoSite) {
			assert.True(t, s.hasPerm(s.root, s.B.ID, "site.anything"))
			assert.True(t, s.hasPerm(s.root, s.B.ID+1000, "site.edit"), "globally, wherever")
			for _, u := range []*auth.User{s.root, s.mallory} {
				ok, err := s.o.CanManage(ctx, u, s.B.ID)
				require.NoError(t, err)
				assert.True(t, ok, u.Username)
			}
			_, err := s.o.AddMember(ctx, s.mallory, s.B.ID, s.alice.ID, false)
			require.NoError(t, err)
			assert.ErrorIs(t, s.o.DeleteOrganization(ctx, s.mallory, s.B.ID), orgs.ErrNotFound, "change is not delete")
			r := *s.root
			r.IsActive = false
			assert.False(t, s.hasPerm(&r, s.B.ID, "site.edit"), "an inactive superuser holds nothing")
			ok, err := s.o.CanManage(ctx, &r, s.B.ID)
			require.NoError(t, err)
			assert.False(t, ok)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.attack(t, newIsoSite(t, newHarness(t)))
		})
	}
}

func second[T any](_ T, err error) error        { return err }
func third[T, V any](_ T, _ V, err error) error { return err }

// tokenOf is the token of an invitation link (its last path segment).
func tokenOf(link string) string {
	return link[strings.LastIndex(strings.TrimSuffix(link, "/"), "/")+1 : len(link)-1]
}
