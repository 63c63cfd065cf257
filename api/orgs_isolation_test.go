package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/testkit"
)

// TestOrgIsolation: a member (owner and admin) of organization A can
// neither read nor act on organization B by any id or slug, in the path,
// the body or the request's organization: every attempt is refused as if
// B did not exist, and B is unchanged. On both stores.
func TestOrgIsolation(t *testing.T) { eachStore(t, testOrgIsolation) }

func testOrgIsolation(t *testing.T, pg bool) {
	s := newApp(t, appOptions{pg: pg, orgFromRequest: func(r *http.Request) (string, bool) {
		slug := r.Header.Get("X-Org")
		return slug, slug != ""
	}})
	ctx := context.Background()
	alice := signedIn(t, s, "alice")
	bob := signedIn(t, s, "bob")
	create := func(c *client, name, slug string) int64 {
		r := c.do(http.MethodPost, "orgs", map[string]any{"name": name, "slug": slug})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
		return int64(r.body["organization"].(map[string]any)["id"].(float64))
	}
	a := create(alice, "A", "org-a")
	b := create(bob, "B", "org-b")
	as, bs := strconv.FormatInt(a, 10), strconv.FormatInt(b, 10)
	r := alice.do(http.MethodPost, "orgs/switch", map[string]any{"org_id": a})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	roleB, err := s.orgs.Store().CreateRole(ctx, b, "billing")
	require.NoError(t, err)

	// Bob invites carol to B: alice gets hold of the token.
	r = bob.do(http.MethodPost, "orgs/"+bs+"/invitations", map[string]any{"email": "carol@example.com"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	m, err := s.outbox.Wait(wctx, testkit.To("carol@example.com"))
	require.NoError(t, err)
	link := testkit.Link(m, "http://127.0.0.1/orgs/invitations/accept/")
	require.NotEmpty(t, link)
	tokenB := strings.TrimSuffix(strings.TrimPrefix(link, "http://127.0.0.1/orgs/invitations/accept/"), "/")

	membersB, err := s.orgs.Store().Members(ctx, b)
	require.NoError(t, err)

	for _, tc := range []struct {
		name         string
		method, path string
		body         any
		header       string // X-Org
		status       int
		code         string
	}{
		{"members by id", "GET", "orgs/" + bs + "/members", nil, "", 404, "not_found"},
		{"members by zero-padded id", "GET", "orgs/0" + bs + "/members", nil, "", 404, "not_found"},
		{"members by signed id", "GET", "orgs/+" + bs + "/members", nil, "", 404, "not_found"},
		{"members by slug", "GET", "orgs/org-b/members", nil, "", 404, "not_found"},
		{"members by negative id", "GET", "orgs/-" + bs + "/members", nil, "", 404, "not_found"},
		{"members by huge id", "GET", "orgs/99999999999999999999/members", nil, "", 404, "not_found"},
		{"invite by id", "POST", "orgs/" + bs + "/invitations", map[string]any{"email": "eve@example.com", "is_admin": true}, "", 404, "not_found"},
		{"invite by slug", "POST", "orgs/org-b/invitations", map[string]any{"email": "eve@example.com"}, "", 404, "not_found"},
		{"switch by body id", "POST", "orgs/switch", map[string]any{"org_id": b}, "", 404, "not_found"},
		{"accept another's invitation", "POST", "orgs/invitations/accept", map[string]any{"token": tokenB}, "", 403, "forbidden"},
		{"A's invitation with B's role", "POST", "orgs/" + as + "/invitations", map[string]any{"email": "eve@example.com", "role_ids": []int64{roleB.ID}}, "", 422, "validation_failed"},
		{"B named by the request on me", "GET", "me", nil, "org-b", 404, "not_found"},
		{"B named by the request on orgs", "GET", "orgs", nil, "org-b", 404, "not_found"},
		{"B named on A's members", "GET", "orgs/" + as + "/members", nil, "org-b", 404, "not_found"},
		{"B named on A's invitations", "POST", "orgs/" + as + "/invitations", map[string]any{"email": "eve@example.com"}, "org-b", 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.header != "" {
				alice.header.Set("X-Org", tc.header)
				defer alice.header.Del("X-Org")
			}
			r := alice.do(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, r.status, "%s", r.raw)
			assert.Equal(t, tc.code, r.code())
			assert.NotContains(t, string(r.raw), `"B"`, "nothing of B is told")
			assert.NotContains(t, string(r.raw), "org-b")
		})
	}

	// Alice's own view shows A only; B is as it was.
	r = alice.do(http.MethodGet, "orgs", nil)
	require.Equal(t, http.StatusOK, r.status)
	list := r.body["organizations"].([]any)
	require.Len(t, list, 1)
	assert.Equal(t, "org-a", list[0].(map[string]any)["slug"])
	assert.Equal(t, float64(a), r.body["current"], "the refused switch left A current")
	after, err := s.orgs.Store().Members(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, membersB, after)
	invs, err := s.orgs.Store().Invitations(ctx, b)
	require.NoError(t, err)
	require.Len(t, invs, 1, "no invitation was added to B")
	assert.Zero(t, invs[0].InviteeID, "carol's invitation is still open")

	// The controls: alice acts on A, bob on B.
	r = alice.do(http.MethodGet, "orgs/"+as+"/members", nil)
	assert.Equal(t, http.StatusOK, r.status)
	r = bob.do(http.MethodGet, "orgs/"+bs+"/members", nil)
	assert.Equal(t, http.StatusOK, r.status)
	bob.header.Set("X-Org", "org-b")
	r = bob.do(http.MethodGet, "me", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "org-b", r.body["organization"].(map[string]any)["slug"])
}
