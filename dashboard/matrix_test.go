package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/dashboard"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/throttle"
)

// fakeMFA holds devices in memory.
type fakeMFA struct {
	mu   sync.Mutex
	devs map[int64][]mfa.Device
}

func (f *fakeMFA) Devices(_ context.Context, userID int64) ([]mfa.Device, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mfa.Device(nil), f.devs[userID]...), nil
}

func (f *fakeMFA) RemoveDevice(_ context.Context, userID int64, kind string, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, d := range f.devs[userID] {
		if d.Factor == kind && d.ID == id {
			f.devs[userID] = append(f.devs[userID][:i:i], f.devs[userID][i+1:]...)
			return nil
		}
	}
	return mfa.ErrNoDevice
}

func (f *fakeMFA) add(d mfa.Device) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.devs == nil {
		f.devs = map[int64][]mfa.Device{}
	}
	f.devs[d.UserID] = append(f.devs[d.UserID], d)
}

// fakeReset makes links without tokens.
type fakeReset struct{}

func (fakeReset) PasswordResetLink(_ *http.Request, u *auth.User) (string, error) {
	return fmt.Sprintf("https://testserver/accounts/reset/%d/secret-token/", u.ID), nil
}

// capEnv is an env with every capability: fake MFA devices, a social
// memory store, a throttle limiter and a fake resetter.
type capEnv struct {
	*env
	mfa        *fakeMFA
	identities *social.MemoryStore
	limiter    *throttle.Limiter
}

func newCapEnv(t testing.TB) *capEnv {
	t.Helper()
	c := &capEnv{mfa: &fakeMFA{}, identities: social.NewMemoryStore()}
	l, err := throttle.New(throttle.Config{Store: throttle.NewMemoryStore()})
	require.NoError(t, err)
	c.limiter = l
	c.env = newMemoryEnv(t, func(cfg *dashboard.Config[auth.User]) {
		cfg.MFA, cfg.Identities, cfg.Lockouts, cfg.PasswordReset = c.mfa, c.identities, l, fakeReset{}
	})
	return c
}

// role is a kind of visitor of the matrix.
type role struct {
	name  string
	edit  func(*auth.User)
	perms []string
}

var roles = []role{
	{name: "anonymous"},
	{name: "nonstaff", perms: allPerms},
	{name: "staff", edit: staff},
	{name: "viewer", edit: staff, perms: []string{dashboard.PermViewUser, dashboard.PermViewGroup}},
	{name: "changer", edit: staff, perms: []string{dashboard.PermChangeUser, dashboard.PermChangeGroup}},
	{name: "adder", edit: staff, perms: []string{dashboard.PermAddUser, dashboard.PermChangeUser, dashboard.PermAddGroup}},
	{name: "deleter", edit: staff, perms: []string{dashboard.PermDeleteUser, dashboard.PermDeleteGroup}},
	{name: "superuser", edit: superuser},
}

var allPerms = []string{dashboard.PermViewUser, dashboard.PermAddUser, dashboard.PermChangeUser, dashboard.PermDeleteUser,
	dashboard.PermViewGroup, dashboard.PermAddGroup, dashboard.PermChangeGroup, dashboard.PermDeleteGroup}

// fixture is what every case of the matrix acts on.
type fixture struct {
	target *auth.User
	group  auth.Group
	acc    social.Account
}

// matrixCase is one page and method; allow says which permission sets
// get through (superusers always do, non-staff never).
type matrixCase struct {
	name   string
	method string
	path   func(f fixture) string
	form   func(f fixture) url.Values
	allow  func(p auth.PermSet) bool
	// ok is the status of an allowed request.
	ok int
}

func any_(perms ...string) func(auth.PermSet) bool {
	return func(p auth.PermSet) bool {
		for _, x := range perms {
			if p.Has(x) {
				return true
			}
		}
		return false
	}
}

func all_(perms ...string) func(auth.PermSet) bool {
	return func(p auth.PermSet) bool {
		for _, x := range perms {
			if !p.Has(x) {
				return false
			}
		}
		return true
	}
}

func fixed(s string) func(fixture) string { return func(fixture) string { return s } }

func matrixCases() []matrixCase {
	viewUser := any_(dashboard.PermViewUser, dashboard.PermChangeUser)
	changeUser := all_(dashboard.PermChangeUser)
	viewGroup := any_(dashboard.PermViewGroup, dashboard.PermChangeGroup)
	staffOnly := func(auth.PermSet) bool { return true }
	u := func(part string) func(fixture) string {
		return func(f fixture) string { return userURL(f.target.ID, part) }
	}
	g := func(part string) func(fixture) string {
		return func(f fixture) string { return fmt.Sprintf("/admin/auth/group/%d/%s/", f.group.ID, part) }
	}
	get := func(name string, path func(fixture) string, allow func(auth.PermSet) bool) matrixCase {
		return matrixCase{name: "GET " + name, method: http.MethodGet, path: path, allow: allow, ok: http.StatusOK}
	}
	post := func(name string, path func(fixture) string, form func(fixture) url.Values, allow func(auth.PermSet) bool) matrixCase {
		return matrixCase{name: "POST " + name, method: http.MethodPost, path: path, form: form, allow: allow, ok: http.StatusFound}
	}
	values := func(kv ...string) func(fixture) url.Values {
		return func(fixture) url.Values {
			v := url.Values{}
			for i := 0; i < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
	}
	return []matrixCase{
		get("index", fixed("/admin/"), staffOnly),
		get("users", fixed("/admin/auth/user/"), viewUser),
		get("user add", fixed("/admin/auth/user/add/"), all_(dashboard.PermAddUser, dashboard.PermChangeUser)),
		post("user add", fixed("/admin/auth/user/add/"), values("username", "newbie", "password1", strongPassword, "password2", strongPassword),
			all_(dashboard.PermAddUser, dashboard.PermChangeUser)),
		get("user change", u("change"), viewUser),
		post("user change", u("change"), func(f fixture) url.Values { return changeForm(f.target, nil) }, changeUser),
		get("user password", u("password"), changeUser),
		post("user password", u("password"), values("password1", strongPassword, "password2", strongPassword), changeUser),
		get("user delete", u("delete"), all_(dashboard.PermDeleteUser)),
		post("user delete", u("delete"), nil, all_(dashboard.PermDeleteUser)),
		get("user reset", u("reset"), changeUser),
		{name: "POST user reset", method: http.MethodPost, path: u("reset"), form: values("action", "link"), allow: changeUser, ok: http.StatusOK},
		get("user sessions", u("sessions"), viewUser),
		post("user sessions", u("sessions"), values("all", "1"), changeUser),
		get("user mfa", u("mfa"), viewUser),
		post("user mfa", u("mfa"), values("device", "totp:1"), changeUser),
		get("user identities", u("identities"), viewUser),
		post("user identities", u("identities"), func(f fixture) url.Values { return url.Values{"account": {fmt.Sprint(f.acc.ID)}} }, changeUser),
		get("user lockouts", u("lockouts"), viewUser),
		post("user lockouts", u("lockouts"), nil, changeUser),
		get("groups", fixed("/admin/auth/group/"), viewGroup),
		get("group add", fixed("/admin/auth/group/add/"), all_(dashboard.PermAddGroup)),
		post("group add", fixed("/admin/auth/group/add/"), values("name", "newgroup", "permissions", dashboard.PermViewUser), all_(dashboard.PermAddGroup)),
		get("group change", g("change"), viewGroup),
		post("group change", g("change"), values("name", "renamed"), all_(dashboard.PermChangeGroup)),
		get("group delete", g("delete"), all_(dashboard.PermDeleteGroup)),
		post("group delete", g("delete"), nil, all_(dashboard.PermDeleteGroup)),
	}
}

// TestPermissionMatrix: every page and method against every kind of
// visitor, each in a fresh dashboard: anonymous visitors go to the login
// page with "next", non-staff (even with every permission) and staff
// without the page's permission get 403, the others the page.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	for _, rl := range roles {
		t.Run(rl.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range matrixCases() {
				t.Run(tc.name, func(t *testing.T) {
					e := newCapEnv(t)
					f := fixture{target: e.user("target")}
					e.mfa.add(mfa.Device{Factor: "totp", ID: 1, UserID: f.target.ID, Name: "phone", PersistentID: "otp_totp.totpdevice/1"})
					acc, err := e.identities.CreateAccount(context.Background(), social.Account{UserID: f.target.ID, Provider: "github", UID: "77"})
					require.NoError(t, err)
					f.acc = acc
					f.group = auth.Group{Name: "editors"}
					require.NoError(t, e.store.CreateGroup(context.Background(), &f.group))
					_, _, err = e.limiter.Fail(context.Background(), httptest.NewRequest(http.MethodPost, "/", nil), throttle.ScopeLogin, "target")
					require.NoError(t, err)

					var actor *auth.User
					if rl.name != "anonymous" {
						actor = e.user("actor", func(u *auth.User) {
							if rl.edit != nil {
								rl.edit(u)
							}
						})
						e.grant(actor, rl.perms...)
					}
					c := e.as(actor)
					path := tc.path(f)
					var resp *http.Response
					if tc.method == http.MethodGet {
						resp = c.get(path)
					} else {
						var form url.Values
						if tc.form != nil {
							form = tc.form(f)
						}
						resp = c.post(path, form)
					}
					b := body(t, resp)
					perms := auth.NewPermSet(rl.perms...)
					switch {
					case rl.name == "anonymous":
						require.Equal(t, http.StatusFound, resp.StatusCode)
						assert.Equal(t, "/accounts/login/?next="+path, resp.Header.Get("Location"))
					case rl.name == "nonstaff":
						require.Equal(t, http.StatusForbidden, resp.StatusCode, b)
					case rl.name == "superuser" || tc.allow(perms):
						require.Equal(t, tc.ok, resp.StatusCode, b)
						assert.NotContains(t, resp.Header.Get("Location"), "/accounts/login/")
					default:
						require.Equal(t, http.StatusForbidden, resp.StatusCode, b)
						require.Empty(t, e.userChanges(), "a refused request changes nothing")
						require.Empty(t, e.groupChanges())
					}
					if tc.method == http.MethodPost && resp.StatusCode < 400 && resp.StatusCode != http.StatusFound {
						assert.True(t, strings.Contains(b, "secret-token"), "the reset link is shown")
					}
				})
			}
		})
	}
}
