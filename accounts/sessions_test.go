package accounts_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
)

// sessionIDs returns the session IDs of the page's revoke forms.
func sessionIDs(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`name="session" value="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestSessionsPage: the page lists the user's sessions with the current
// one marked and no token, logs out one, refuses another user's session
// ID (and the current one) doing nothing, and logs out all the others.
func TestSessionsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	e.createUser("bob", "pw")
	me, phone, laptop, bob := e.client(), e.client(), e.client(), e.client()
	me.login("alice", "pw")
	phone.login("alice", "pw")
	laptop.login("alice", "pw")
	bob.login("bob", "pw")
	token := func(c *client) string { return c.cookies[auth.DefaultSessionCookieName] }

	profile := body(t, me.get("/accounts/profile/"))
	assert.Contains(t, profile, `<a href="/accounts/sessions/">Your sessions</a>`)

	resp := me.get("/accounts/sessions/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"), "Protect'ed")
	assert.Contains(t, resp.Header.Get("Cache-Control"), "no-store")
	page := body(t, resp)
	assert.Contains(t, page, "<h1>Your sessions</h1>")
	assert.Contains(t, page, `<caption id="id_table_caption">Active sessions</caption>`)
	assert.Equal(t, 1, strings.Count(page, "<strong>This session</strong>"))
	assert.Equal(t, 1, strings.Count(page, `aria-current="true"`))
	assert.Equal(t, 2, strings.Count(page, "Other session<"))
	assert.Contains(t, page, "192.0.2.1")
	for _, c := range []*client{me, phone, laptop} {
		assert.NotContains(t, page, token(c), "never a token")
	}
	ids := sessionIDs(page)
	require.ElementsMatch(t, []string{auth.SessionID(token(phone)), auth.SessionID(token(laptop))}, ids,
		"a revoke form for each other session, none for the current one")
	assert.Contains(t, page, "Log out all other sessions")

	bobList, err := e.a.UserSessions(context.Background(), e.reload(2).ID)
	require.NoError(t, err)
	require.Len(t, bobList, 1)
	resp = me.post("/accounts/sessions/", url.Values{"action": {"revoke"}, "session": {bobList[0].ID}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, html.UnescapeString(body(t, resp)), accounts.MsgSessionNotFound)
	assert.Equal(t, "bob", bob.whoami(), "another user's session is untouched")

	resp = me.post("/accounts/sessions/", url.Values{"action": {"revoke"}, "session": {auth.SessionID(token(me))}})
	assert.Contains(t, html.UnescapeString(body(t, resp)), accounts.MsgSessionIsCurrent)
	assert.Equal(t, "alice", me.whoami())

	resp = me.post("/accounts/sessions/", url.Values{"action": {"revoke"}, "session": {auth.SessionID(token(phone))}})
	page = html.UnescapeString(body(t, resp))
	assert.Contains(t, page, accounts.MsgSessionRevoked)
	assert.Equal(t, "AnonymousUser", phone.whoami())
	assert.Equal(t, "alice", laptop.whoami())
	assert.Equal(t, []string{auth.SessionID(token(laptop))}, sessionIDs(page))

	resp = me.post("/accounts/sessions/", url.Values{"action": {"revoke_others"}})
	page = html.UnescapeString(body(t, resp))
	assert.Contains(t, page, "Other sessions logged out: 1.")
	assert.Equal(t, "AnonymousUser", laptop.whoami())
	assert.Equal(t, "alice", me.whoami(), "the current session stays")
	assert.Equal(t, "bob", bob.whoami())
	assert.Empty(t, sessionIDs(page))
	assert.NotContains(t, page, "Log out all other sessions", "no others left")

	resp = me.post("/accounts/sessions/", url.Values{"action": {"bogus"}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// TestSessionsPageGuards: anonymous users go to the login page and
// cross-origin POSTs are refused without revoking anything.
func TestSessionsPageGuards(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("alice", "pw")
	resp := e.client().get("/accounts/sessions/")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/accounts/login/"))

	me, other := e.client(), e.client()
	me.login("alice", "pw")
	other.login("alice", "pw")
	resp = me.post("/accounts/sessions/", url.Values{"action": {"revoke_others"}},
		"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "alice", other.whoami(), "a cross-origin POST revokes nothing")
}

// TestSessionsPageNotIndexed: with a store that cannot list by user the
// page is not mounted and the profile page does not link to it.
func TestSessionsPageNotIndexed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *envConfig) { c.Sessions.Store = memstore.NewWithCleanupInterval(0) })
	e.createUser("alice", "pw")
	c := e.client()
	c.login("alice", "pw")
	assert.False(t, e.a.SessionsIndexed())
	assert.Equal(t, http.StatusNotFound, c.get("/accounts/sessions/").StatusCode)
	assert.NotContains(t, body(t, c.get("/accounts/profile/")), "sessions/")
}
