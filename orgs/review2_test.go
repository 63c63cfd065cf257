package orgs_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/store/memory"
)

func memSite(t *testing.T) *site {
	users := memory.New[auth.User]()
	perms, err := auth.Register(t.Context(), users, auth.AuthModels()...)
	require.NoError(t, err)
	os := orgs.NewMemoryStore()
	for _, p := range perms {
		os.AddPermissions(p.Key())
	}
	return newSite(t, users, os)
}

// The invitation page has the link's secret token in its URL; the
// accounts pages with such tokens (email verification, passwordless)
// send Referrer-Policy: no-referrer, this one does not.
func TestReview2AcceptPageReferrerPolicy(t *testing.T) {
	s := memSite(t)
	_, alice := s.login(t, "alice")
	_, bob := s.login(t, "bob")
	require.Equal(t, http.StatusSeeOther, alice.post(t, "/orgs/new/", "name", "Acme").code)
	link := inviteLink(t, s, alice, "/orgs/acme/", "bob@example.com")

	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "http://example.com"+link, nil)
	req.AddCookie(bob.cookie)
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "no-referrer", rec.Header().Get("Referrer-Policy"), "token page must not leak its URL by Referer")
}

// GET of the invitation page counts wrong tokens against the signed-in
// user. GETs are not covered by the CSRF check, so any site the victim
// visits (five <img src=".../orgs/invitations/accept/x/">) locks the
// victim out of accepting a real invitation for 15 minutes.
func TestReview2CrossSiteGETLocksOutInvitee(t *testing.T) {
	s := memSite(t)
	_, alice := s.login(t, "alice")
	_, bob := s.login(t, "bob")
	require.Equal(t, http.StatusSeeOther, alice.post(t, "/orgs/new/", "name", "Acme").code)
	link := inviteLink(t, s, alice, "/orgs/acme/", "bob@example.com")

	for range 5 { // what a cross-site page can make bob's browser do
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet,
			"http://example.com/orgs/invitations/accept/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.AddCookie(bob.cookie)
		s.h.ServeHTTP(httptest.NewRecorder(), req)
	}
	got := bob.post(t, link)
	assert.Equal(t, http.StatusSeeOther, got.code, "bob's real invitation is refused after cross-site GETs: %d", got.code)
}

// resolve caches the current organization of the first resolution in
// the context and re-evaluates only "named": when orgs.Middleware runs
// around the mux (where the {org} wildcard is not yet matched, so the
// session's organization is taken), a guard under /o/{org}/ then lets a
// member of organization A (the session's) through for organization B's
// URL, of which they are not a member.
func TestReview2GuardTrustsOuterResolution(t *testing.T) {
	s := memSite(t)
	ctx := t.Context()
	aliceU, alice := s.login(t, "alice")
	_, _ = aliceU, alice
	malU, mal := s.login(t, "mallory")
	_, err := s.o.CreateOrganization(ctx, aliceU, "Victim", "victim")
	require.NoError(t, err)
	own, err := s.o.CreateOrganization(ctx, malU, "Own", "own")
	require.NoError(t, err)

	var seenURL, seenCurrent string
	mux := http.NewServeMux()
	mux.Handle("/o/{org}/", s.a.Protect(s.o.MemberRequired(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		org, _, _ := s.o.Current(r)
		seenURL, seenCurrent = r.PathValue("org"), org.Slug
		w.WriteHeader(http.StatusOK)
	}))))
	mux.Handle("/switch/", s.a.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, s.o.Switch(r, own.ID))
		w.WriteHeader(http.StatusOK)
	})))
	h := s.a.Middleware(s.o.Middleware(mux)) // app-wide current organization

	do := func(path string) int {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "http://example.com"+path, nil)
		req.AddCookie(mal.cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == s.a.Sessions().Cookie.Name && ck.Value != "" {
				mal.cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
			}
		}
		return rec.Code
	}
	require.Equal(t, http.StatusOK, do("/switch/"))
	code := do("/o/victim/")
	assert.Equal(t, http.StatusNotFound, code, "mallory is no member of victim; handler saw URL %q current %q", seenURL, seenCurrent)
}

// Invite has no throttle: any signed-in user creates an organization
// whose name is free text (200 characters, put in the subject and body)
// and has the site mail it to any number of addresses.
func TestReview2InviteUnthrottled(t *testing.T) {
	s := memSite(t)
	_, mal := s.login(t, "mallory")
	require.Equal(t, http.StatusSeeOther, mal.post(t, "/orgs/new/", "name", "Cheap pills at https://spam.example", "slug", "x").code)
	sent := 0
	for i := range 50 {
		got := mal.post(t, "/orgs/x/", "action", "invite", "email", "victim"+id(int64(i))+"@example.org")
		if got.code == http.StatusSeeOther {
			sent++
		}
	}
	assert.Less(t, sent, 50, "all %d invitation mails were sent without any limit (outbox %d)", sent, s.outbox.Len())
}
