package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// sessionsApp is e.app with a page that prints, for the request's user,
// how many sessions it has and the ID of the one marked current, and a
// page that revokes the others.
func sessionsApp(e *env[auth.User]) http.Handler {
	return e.app(func(mux *http.ServeMux) {
		mux.HandleFunc("/mine/", func(w http.ResponseWriter, r *http.Request) {
			u := e.a.UserFromContext(r.Context()).User()
			if u == nil {
				http.Error(w, "anonymous", http.StatusForbidden)
				return
			}
			list, err := e.a.UserSessions(r.Context(), u.ID)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			cur := ""
			for _, s := range list {
				if s.Current {
					cur = s.ID
				}
			}
			fmt.Fprintf(w, "%d %s", len(list), cur)
		})
		mux.HandleFunc("/others/", func(w http.ResponseWriter, r *http.Request) {
			n, err := e.a.RevokeOtherSessions(r)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			fmt.Fprint(w, n)
		})
	})
}

// TestUserSessions: the sessions of a user are listed with their
// metadata and no token, one is revoked by ID, another user's ID revokes
// nothing, and "log out everywhere else" keeps only the current one, on
// every session store; scs's memstore cannot index and says so.
func TestUserSessions(t *testing.T) {
	t.Parallel()
	for _, v := range sessionVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			e := newSessionEnv(t, v.opt(t), 0, &syncBuffer{})
			alice := e.createUser("alice", "pw")
			bob := e.createUser("bob", "pw")
			h := sessionsApp(e)
			ctx := context.Background()
			if v.name == "scs memstore" {
				_, err := e.a.UserSessions(ctx, alice.ID)
				require.ErrorIs(t, err, auth.ErrSessionsNotIndexed)
				require.ErrorIs(t, e.a.RevokeSession(ctx, alice.ID, "x"), auth.ErrSessionsNotIndexed)
				_, err = e.a.RevokeUserSessions(ctx, alice.ID)
				require.ErrorIs(t, err, auth.ErrSessionsNotIndexed)
				return
			}
			before := time.Now().UTC().Truncate(time.Second)
			clients := make([]*client, 3)
			for i := range clients {
				c := newClient(t, h)
				c.headers.Set("User-Agent", "browser-"+strconv.Itoa(i))
				require.Equal(t, http.StatusFound, c.login("alice", "pw").StatusCode)
				clients[i] = c
			}
			bc := newClient(t, h)
			require.Equal(t, http.StatusFound, bc.login("bob", "pw").StatusCode)

			list, err := e.a.UserSessions(ctx, alice.ID)
			require.NoError(t, err)
			require.Len(t, list, 3)
			ids := map[string]bool{}
			for _, s := range list {
				ids[s.ID] = true
				assert.False(t, s.Current, "a background context has no current session")
				assert.Equal(t, "192.0.2.1", s.IP, "httptest's RemoteAddr")
				assert.Regexp(t, `^browser-[0-2]$`, s.UserAgent)
				assert.False(t, s.Created.Before(before))
				assert.Equal(t, s.Created, s.LastSeen)
				assert.True(t, s.Expires.After(time.Now().Add(13*24*time.Hour)))
				assert.Len(t, s.ID, 22)
			}
			for _, c := range clients {
				require.True(t, ids[auth.SessionID(c.session())], "listed by the public ID of its token")
				for _, s := range list {
					assert.NotEqual(t, c.session(), s.ID, "never the token")
				}
			}
			require.Equal(t, "3 "+auth.SessionID(clients[0].session()), readBody(t, clients[0].get("/mine/")))

			bobList, err := e.a.UserSessions(ctx, bob.ID)
			require.NoError(t, err)
			require.Len(t, bobList, 1)
			require.ErrorIs(t, e.a.RevokeSession(ctx, alice.ID, bobList[0].ID), auth.ErrSessionNotFound,
				"another user's session ID revokes nothing")
			require.Equal(t, "bob", whoami(h, bc.session()))
			require.ErrorIs(t, e.a.RevokeSession(ctx, alice.ID, "nonexistent"), auth.ErrSessionNotFound)

			require.NoError(t, e.a.RevokeSession(ctx, alice.ID, auth.SessionID(clients[1].session())))
			require.Equal(t, "AnonymousUser", whoami(h, clients[1].session()), "the revoked session is over")
			require.Equal(t, "alice", whoami(h, clients[0].session()))
			require.Equal(t, "2 "+auth.SessionID(clients[0].session()), readBody(t, clients[0].get("/mine/")))

			require.Equal(t, "1", readBody(t, clients[0].post("/others/", nil)))
			require.Equal(t, "AnonymousUser", whoami(h, clients[2].session()))
			require.Equal(t, "alice", whoami(h, clients[0].session()), "the current session stays")
			require.Equal(t, "1 "+auth.SessionID(clients[0].session()), readBody(t, clients[0].get("/mine/")))
			require.Equal(t, "bob", whoami(h, bc.session()), "other users are untouched")

			require.Equal(t, http.StatusOK, clients[0].post("/accounts/logout/", nil).StatusCode)
			list, err = e.a.UserSessions(ctx, alice.ID)
			require.NoError(t, err)
			require.Empty(t, list, "logout takes the session out of the list")

			n, err := e.a.RevokeUserSessions(ctx, bob.ID)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			require.Equal(t, "AnonymousUser", whoami(h, bc.session()))
		})
	}
}

// TestUserSessionsConcurrentExact: many logins, logouts and revocations
// at once leave the list exactly the sessions still logged in.
func TestUserSessionsConcurrentExact(t *testing.T) {
	t.Parallel()
	for _, v := range sessionVariants {
		if v.name == "scs memstore" {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			e := newSessionEnv(t, v.opt(t), 0, &syncBuffer{})
			alice := e.createUser("alice", "pw")
			h := sessionsApp(e)
			const workers, rounds = 6, 8
			live := make([][]string, workers)
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for r := range rounds {
						c := newClient(t, h)
						if c.login("alice", "pw").StatusCode != http.StatusFound {
							t.Error("login failed")
							return
						}
						switch r % 3 {
						case 0:
							c.post("/accounts/logout/", nil)
						case 1:
							if err := e.a.RevokeSession(context.Background(), alice.ID, auth.SessionID(c.session())); err != nil {
								t.Error(err)
							}
						default:
							live[w] = append(live[w], auth.SessionID(c.session()))
						}
					}
				}()
			}
			wg.Wait()
			var want []string
			for _, l := range live {
				want = append(want, l...)
			}
			list, err := e.a.UserSessions(context.Background(), alice.ID)
			require.NoError(t, err)
			var got []string
			for _, s := range list {
				got = append(got, s.ID)
			}
			assert.ElementsMatch(t, want, got)
		})
	}
}

// TestSessionLastSeen: a read-only request writes nothing while the last
// seen time is fresh, and refreshes it once it is LastSeenInterval old.
func TestSessionLastSeen(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.createUser("alice", "pw")
	h := sessionsApp(e)
	c := newClient(t, h)
	require.Equal(t, http.StatusFound, c.login("alice", "pw").StatusCode)
	resp := c.get("/whoami/")
	require.Empty(t, sessionCookies(resp), "a fresh last-seen time is not rewritten")
	first, err := e.a.UserSessions(context.Background(), alice.ID)
	require.NoError(t, err)
	require.Len(t, first, 1)

	// Age the session's last-seen time by saving it directly.
	ctx, err := e.a.Sessions().Load(context.Background(), c.session())
	require.NoError(t, err)
	old := time.Now().UTC().Add(-auth.LastSeenInterval).Truncate(time.Second)
	e.a.Sessions().Put(ctx, auth.SessionKeyLastSeen, old)
	_, _, err = e.a.Sessions().Commit(ctx)
	require.NoError(t, err)

	resp = c.get("/whoami/")
	require.Equal(t, "alice", readBody(t, resp))
	require.Len(t, sessionCookies(resp), 1, "a stale last-seen time is refreshed")
	list, err := e.a.UserSessions(context.Background(), alice.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.True(t, list[0].LastSeen.After(old))
	assert.Equal(t, first[0].Created, list[0].Created, "the login time stays")
	assert.Equal(t, first[0].ID, list[0].ID, "the token stays")
	require.Empty(t, sessionCookies(c.get("/whoami/")), "and then not again")
}
