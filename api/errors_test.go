package api_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/orgs"
)

// TestMethodNotAllowed: a path of the API asked with a method it does
// not answer is 405 method_not_allowed with Allow, in the error shape,
// before any origin or media type check; an unknown path stays 404.
func TestMethodNotAllowed(t *testing.T) {
	s := newApp(t, appOptions{})
	for _, tc := range []struct {
		method, path, allow string
	}{
		{http.MethodGet, "signin", "POST"},
		{http.MethodPut, "me", "GET, HEAD"},
		{http.MethodPatch, "signin/mfa", "POST, DELETE"},
		{http.MethodDelete, "orgs/7/members", "GET, HEAD"},
		{http.MethodGet, "sessions/abc", "DELETE"},
		{http.MethodPost, "openapi.json", "GET, HEAD"},
		{http.MethodPut, "orgs", "GET, HEAD, POST"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := s.client().do(tc.method, tc.path, nil)
			require.Equal(t, http.StatusMethodNotAllowed, r.status, "%s", r.raw)
			assert.Equal(t, "method_not_allowed", r.code())
			assert.Equal(t, tc.allow, r.header.Get("Allow"))
			assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
		})
	}
	r := s.client().do(http.MethodGet, "no/such/thing", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "not_found", r.code())
	assert.Empty(t, r.header.Get("Allow"))
	r = s.client().do(http.MethodPost, "no/such/thing", "{}")
	assert.Equal(t, http.StatusNotFound, r.status)
}

// failingOrgs is an organization store whose reads of an organization
// fail while fail is set.
type failingOrgs struct {
	orgs.Store
	fail atomic.Bool
}

var errStoreDown = errors.New("store down")

func (f *failingOrgs) Organization(ctx context.Context, id int64) (orgs.Organization, error) {
	if f.fail.Load() {
		return orgs.Organization{}, errStoreDown
	}
	return f.Store.Organization(ctx, id)
}

func (f *failingOrgs) OrganizationBySlug(ctx context.Context, slug string) (orgs.Organization, error) {
	if f.fail.Load() {
		return orgs.Organization{}, errStoreDown
	}
	return f.Store.OrganizationBySlug(ctx, slug)
}

// TestOrgMiddlewareErrors: the refusals of orgs.Middleware, which runs
// in front of every endpoint, come in the API's error shape: a store
// failure is 500 server_error, an organization the request names but
// the user is not a member of 404 not_found, whether it exists or not.
func TestOrgMiddlewareErrors(t *testing.T) {
	var fo *failingOrgs
	s := newApp(t, appOptions{pg: usePG(),
		wrapOrgs: func(st orgs.Store) orgs.Store { fo = &failingOrgs{Store: st}; return fo },
		orgFromRequest: func(r *http.Request) (string, bool) {
			slug := r.Header.Get("X-Org")
			return slug, slug != ""
		}})
	owner := signedIn(t, s, "omar")
	r := owner.do(http.MethodPost, "orgs", map[string]any{"name": "Acme", "slug": "acme"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	id := int64(r.body["organization"].(map[string]any)["id"].(float64))
	r = owner.do(http.MethodPost, "orgs/switch", map[string]any{"org_id": id})
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)

	owner.header.Set("X-Org", "acme")
	r = owner.do(http.MethodGet, "me", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, "acme", r.body["organization"].(map[string]any)["slug"])
	owner.header.Del("X-Org")

	peer := signedIn(t, s, "pia")
	for _, slug := range []string{"acme", "no-such-org"} {
		peer.header.Set("X-Org", slug)
		for _, ep := range []struct{ method, path string }{{"GET", "me"}, {"GET", "orgs"}, {"POST", "signout"}} {
			var body any
			if ep.method == "POST" {
				body = map[string]any{}
			}
			r := peer.do(ep.method, ep.path, body)
			assert.Equal(t, http.StatusNotFound, r.status, "%s %s as %s: %s", ep.method, ep.path, slug, r.raw)
			assert.Equal(t, "not_found", r.code())
			assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
		}
	}
	peer.header.Del("X-Org")
	r = peer.do(http.MethodGet, "me", nil)
	require.Equal(t, http.StatusOK, r.status, "the peer is still signed in: the refusals ended nothing")

	fo.fail.Store(true)
	r = owner.do(http.MethodGet, "me", nil)
	assert.Equal(t, http.StatusInternalServerError, r.status, "%s", r.raw)
	assert.Equal(t, "server_error", r.code())
	assert.NotContains(t, string(r.raw), errStoreDown.Error(), "nothing of the failure is told")
	owner.header.Set("X-Org", "acme")
	r = owner.do(http.MethodGet, "orgs/"+strconv.FormatInt(id, 10)+"/members", nil)
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.Equal(t, "server_error", r.code())
	fo.fail.Store(false)
	r = owner.do(http.MethodGet, "me", nil)
	assert.Equal(t, http.StatusOK, r.status, "%s", r.raw)
}
