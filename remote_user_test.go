package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/backends"
)

// remoteCase is one of Django's RemoteUserTest subclasses.
type remoteCase struct {
	name       string
	header     string // empty: REMOTE_USER
	persistent bool
	configure  func(b *backends.RemoteUser[auth.User], s auth.Store[auth.User])
	allowAll   bool
	// knownUser is what the header carries for the user "knownuser".
	knownUser, knownUser2 string
}

var remoteCases = []remoteCase{
	{name: "RemoteUserTest", knownUser: "knownuser", knownUser2: "knownuser2"},
	{name: "RemoteUserNoCreateTest", knownUser: "knownuser", knownUser2: "knownuser2",
		configure: func(b *backends.RemoteUser[auth.User], _ auth.Store[auth.User]) { b.CreateUnknownUser = false }},
	{name: "AllowAllUsersRemoteUserBackendTest", allowAll: true, knownUser: "knownuser", knownUser2: "knownuser2"},
	{name: "RemoteUserCustomTest", knownUser: "knownuser@example.com", knownUser2: "knownuser2@example.com",
		configure: func(b *backends.RemoteUser[auth.User], s auth.Store[auth.User]) {
			b.CleanUsername = func(u string) string { name, _, _ := strings.Cut(u, "@"); return name }
			b.ConfigureUser = func(ctx context.Context, r *http.Request, u *auth.User, created bool) (*auth.User, error) {
				u.Email = r.Header.Get("REMOTE_EMAIL")
				if !created {
					u.LastName = u.Username
				}
				return u, s.UpdateUser(ctx, u)
			}
		}},
	{name: "CustomHeaderRemoteUserTest", header: "AUTHUSER", knownUser: "knownuser", knownUser2: "knownuser2"},
	{name: "PersistentRemoteUserTest", persistent: true, knownUser: "knownuser", knownUser2: "knownuser2"},
}

type remoteEnv struct {
	*env[auth.User]
	rc     remoteCase
	header string
	app    http.Handler
}

func newRemoteEnv(t *testing.T, rc remoteCase) *remoteEnv {
	re := &remoteEnv{rc: rc, header: rc.header}
	if re.header == "" {
		re.header = backends.DefaultRemoteUserHeader
	}
	re.env = newEnv(t, func(c *auth.Config[auth.User], e *env[auth.User]) {
		var b *backends.RemoteUser[auth.User]
		if rc.allowAll {
			b = backends.NewAllowAllUsersRemoteUser[auth.User]()
		} else {
			b = backends.NewRemoteUser[auth.User]()
		}
		if rc.configure != nil {
			rc.configure(b, e.store)
		}
		c.Backends = append(c.Backends, b)
	})
	mux := http.NewServeMux()
	re.a.Routes(mux, "")
	mux.HandleFunc("/remote_user/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(re.a.User(r).String()))
	})
	mw := &backends.RemoteUserMiddleware[auth.User]{Auth: re.a, Header: rc.header, Persistent: rc.persistent}
	re.app = re.a.Middleware(mw.Handler(mux))
	return re
}

func (re *remoteEnv) get(c *client, user string, extra ...string) string {
	return readBody(c.t, c.get("/remote_user/", append([]string{re.header, user}, extra...)...))
}

func (re *remoteEnv) userCount(t *testing.T) int {
	n, err := re.store.CountUsers(context.Background(), auth.UserQuery{})
	require.NoError(t, err)
	return n
}

func TestRemoteUser(t *testing.T) {
	t.Parallel()
	for _, rc := range remoteCases {
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel()
			t.Run("no remote user", func(t *testing.T) {
				re := newRemoteEnv(t, rc)
				n := re.userCount(t)
				c := newClient(t, re.app)
				assert.Equal(t, "AnonymousUser", readBody(t, c.get("/remote_user/")))
				assert.Equal(t, "AnonymousUser", re.get(c, ""))
				assert.Equal(t, n, re.userCount(t))
			})
			t.Run("unknown user", func(t *testing.T) {
				re := newRemoteEnv(t, rc)
				n := re.userCount(t)
				c := newClient(t, re.app)
				got := re.get(c, "newuser", "REMOTE_EMAIL", "user@example.com")
				if rc.configure != nil && strings.Contains(rc.name, "NoCreate") {
					assert.Equal(t, "AnonymousUser", got)
					assert.Equal(t, n, re.userCount(t))
					return
				}
				assert.Equal(t, "newuser", got)
				assert.Equal(t, n+1, re.userCount(t))
				// Another request does not create another user.
				re.get(c, "newuser")
				assert.Equal(t, n+1, re.userCount(t))
				u := mustUser(t, re.env, "newuser")
				assert.Equal(t, "", u.Password, "get_or_create leaves the password empty")
				if rc.name == "RemoteUserCustomTest" {
					assert.Equal(t, "user@example.com", u.Email)
					assert.Equal(t, "", u.LastName)
				}
			})
			t.Run("known user", func(t *testing.T) {
				re := newRemoteEnv(t, rc)
				re.createUser("knownuser", "x")
				re.createUser("knownuser2", "x")
				n := re.userCount(t)
				c := newClient(t, re.app)
				assert.Equal(t, "knownuser", re.get(c, rc.knownUser))
				assert.Equal(t, n, re.userCount(t))
				// A different user in the header logs the new one in.
				assert.Equal(t, "knownuser2", re.get(c, rc.knownUser2))
				assert.Equal(t, n, re.userCount(t))
				if rc.name == "RemoteUserCustomTest" {
					for _, name := range []string{"knownuser", "knownuser2"} {
						u := mustUser(t, re.env, name)
						assert.Equal(t, "", u.Email)
						assert.Equal(t, name, u.LastName)
					}
				}
			})
			t.Run("last login", func(t *testing.T) {
				re := newRemoteEnv(t, rc)
				u := re.createUser("knownuser", "x")
				old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
				u.LastLogin = &old
				require.NoError(t, re.store.UpdateUser(context.Background(), u))
				c := newClient(t, re.app)
				re.get(c, rc.knownUser)
				assert.NotEqual(t, old, *mustUser(t, re.env, "knownuser").LastLogin)
				// Later requests of the same session do not log in again.
				u = mustUser(t, re.env, "knownuser")
				u.LastLogin = &old
				require.NoError(t, re.store.UpdateUser(context.Background(), u))
				re.get(c, rc.knownUser)
				assert.Equal(t, old, *mustUser(t, re.env, "knownuser").LastLogin)
			})
			t.Run("header disappears", func(t *testing.T) {
				re := newRemoteEnv(t, rc)
				re.createUser("knownuser", "x")
				c := newClient(t, re.app)
				assert.Equal(t, "knownuser", re.get(c, rc.knownUser))
				got := readBody(t, c.get("/remote_user/"))
				if rc.persistent {
					assert.Equal(t, "knownuser", got, "persistent: kept logged in")
				} else {
					assert.Equal(t, "AnonymousUser", got)
				}
				// A user logged in by another backend stays logged in.
				re.createUser("modeluser", "foo")
				c2 := newClient(t, re.app)
				c2.login("modeluser", "foo")
				assert.Equal(t, "modeluser", readBody(t, c2.get("/remote_user/")))
			})
			t.Run("user switch forces new login", func(t *testing.T) {
				re := newRemoteEnv(t, rc)
				re.createUser("knownuser", "x")
				c := newClient(t, re.app)
				assert.Equal(t, "knownuser", re.get(c, rc.knownUser))
				got := re.get(c, "newnewuser")
				assert.NotEqual(t, "knownuser", got)
			})
			t.Run("inactive user", func(t *testing.T) {
				re := newRemoteEnv(t, rc)
				re.createUser("knownuser", "x", func(u *auth.User) { u.IsActive = false })
				c := newClient(t, re.app)
				got := re.get(c, rc.knownUser)
				if rc.allowAll {
					assert.Equal(t, "knownuser", got)
				} else {
					assert.Equal(t, "AnonymousUser", got)
				}
			})
			t.Run("csrf after login", func(t *testing.T) {
				// The remote login happens before the handler; a
				// cross-origin POST to a protected handler is still refused.
				re := newRemoteEnv(t, rc)
				c := newClient(t, re.app)
				resp := c.post("/accounts/logout/", url.Values{}, re.header, "fakeuser", "Sec-Fetch-Site", "cross-site")
				assert.Equal(t, http.StatusForbidden, resp.StatusCode)
			})
		})
	}
}
