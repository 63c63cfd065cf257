package mfa_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/mfatest"
)

func TestMemoryPolicyStore(t *testing.T) {
	mfatest.RunPolicyStore(t, func(t *testing.T) mfa.PolicyStore { return mfa.NewMemoryPolicyStore() })
}

func TestPolicyCovers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	ops := auth.Group{Name: "ops"}
	require.NoError(t, e.store.CreateGroup(ctx, &ops))
	users := map[string]*auth.User{
		"super": e.createUser("super", "pw", func(u *auth.User) { u.IsSuperuser = true }),
		"staff": e.createUser("staff", "pw", func(u *auth.User) { u.IsStaff = true }),
		"ops":   e.createUser("opsuser", "pw"),
		"plain": e.createUser("plain", "pw"),
	}
	require.NoError(t, e.store.AddUserGroups(ctx, users["ops"].ID, ops.ID))
	for _, tc := range []struct {
		name   string
		policy mfa.Policy
		want   map[string]bool
	}{
		{"nobody", mfa.Policy{}, map[string]bool{}},
		{"superusers", mfa.Policy{Superusers: true}, map[string]bool{"super": true}},
		{"staff", mfa.Policy{Staff: true}, map[string]bool{"staff": true}},
		{"group", mfa.Policy{Groups: []string{"ops"}}, map[string]bool{"ops": true}},
		{"other group", mfa.Policy{Groups: []string{"finance"}}, map[string]bool{}},
		{"everyone", mfa.Policy{Everyone: true}, map[string]bool{"super": true, "staff": true, "ops": true, "plain": true}},
		{"staff and group", mfa.Policy{Staff: true, Groups: []string{"ops"}}, map[string]bool{"staff": true, "ops": true}},
	} {
		require.NoError(t, e.policy.SetPolicy(ctx, tc.policy), tc.name)
		for name, u := range users {
			d, err := e.flow.Decide(ctx, u)
			require.NoError(t, err)
			require.Equal(t, tc.want[name], d.Covered, "%s: %s", tc.name, name)
		}
	}
}

// guard GETs /guarded/ and returns the status and Location.
func (c *client) guard() (int, string) {
	c.t.Helper()
	resp := c.get("/guarded/")
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

const (
	toVerify   = mfa.DefaultVerifyURL + "?next=/guarded/"
	toReminder = mfa.DefaultReminderURL + "?next=/guarded/"
	toEnrol    = mfa.DefaultEnrolURL + "?next=/guarded/"
)

func TestMFARequiredGracePeriod(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	require.NoError(t, e.policy.SetPolicy(ctx, mfa.Policy{Staff: true, Grace: 48 * time.Hour}))
	e.createUser("plain", "pw")
	staff := e.createUser("staff", "pw", func(u *auth.User) { u.IsStaff = true })

	anon := e.client()
	code, loc := anon.guard()
	require.Equal(t, http.StatusFound, code)
	require.Equal(t, "/accounts/login/?next=/guarded/", loc)

	plain := e.client()
	plain.password("plain", "pw")
	code, _ = plain.guard()
	require.Equal(t, http.StatusOK, code, "a user the policy does not cover")

	c := e.client()
	c.password("staff", "pw")
	code, loc = c.guard()
	require.Equal(t, http.StatusFound, code)
	require.Equal(t, toReminder, loc, "during the grace period, the reminder")
	resp := c.post("/guarded/", nil, "Accept", "application/json")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	var body map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, mfa.ErrEnrolmentRequired.Error(), body["error"])
	require.Equal(t, toReminder, body["url"])

	require.Equal(t, "ok", c.text("/later/", url.Values{}))
	code, _ = c.guard()
	require.Equal(t, http.StatusOK, code, "postponed for the session")
	other := e.client()
	other.password("staff", "pw")
	code, loc = other.guard()
	require.Equal(t, toReminder, loc, "a new session is reminded again")

	e.clock.Add(48 * time.Hour)
	code, loc = c.guard()
	require.Equal(t, http.StatusFound, code)
	require.Equal(t, toEnrol, loc, "after the grace period, enrolment; postponing is over")
	require.Equal(t, mfa.ErrEnrolmentRequired.Error(), c.text("/later/", url.Values{}))

	// Enrolling a device (and recovery codes) then verifying it opens
	// the route.
	e.totp.add(staff.ID, "123456")
	e.recovery.add(staff.ID, "rec")
	code, loc = c.guard()
	require.Equal(t, toVerify, loc, "an unverified session with a device")
	require.Equal(t, "ok", c.text("/session-code/", url.Values{"factor": {"totp"}, "code": {"123456"}}))
	code, _ = c.guard()
	require.Equal(t, http.StatusOK, code)

	// A removed device no longer counts as the session's verification.
	e.totp.removeAll(staff.ID)
	code, loc = c.guard()
	require.Equal(t, toVerify, loc, "verify with the remaining recovery codes")
}

func TestMFARequiredAfterTwoStepLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	require.NoError(t, e.policy.SetPolicy(context.Background(), mfa.Policy{Everyone: true}))
	u := e.createUser("alice", "pw")
	e.totp.add(u.ID, "123456")
	e.recovery.add(u.ID, "rec")
	c := e.client()
	c.password("alice", "pw")
	code, loc := c.guard()
	require.Equal(t, http.StatusFound, code)
	require.Equal(t, "/accounts/login/?next=/guarded/", loc, "a pending login is anonymous")
	c.text("/code/", url.Values{"factor": {"totp"}, "code": {"123456"}})
	code, _ = c.guard()
	require.Equal(t, http.StatusOK, code)
}

// The last administrator is never shut out: with no device, a policy for
// superusers without a grace period still lets the password login
// through and sends them to enrolment (never a 403 page); with a device
// but no recovery codes, enrolment is not complete, and the guard sends
// them on to make recovery codes before it counts them as enrolled.
func TestLastAdministrator(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	require.NoError(t, e.policy.SetPolicy(context.Background(), mfa.Policy{Superusers: true}))
	admin := e.createUser("admin", "pw", superuser)
	c := e.client()
	resp := c.password("admin", "pw")
	require.Equal(t, auth.DefaultLoginRedirectURL, resp.Header.Get("Location"))
	require.Contains(t, c.whoami(), "admin perm=true")
	code, loc := c.guard()
	require.Equal(t, http.StatusFound, code)
	require.Equal(t, toEnrol, loc)

	e.totp.add(admin.ID, "123456")
	code, loc = c.guard()
	require.Equal(t, toVerify, loc)
	c.text("/session-code/", url.Values{"factor": {"totp"}, "code": {"123456"}})
	code, loc = c.guard()
	require.Equal(t, toEnrol, loc, "no recovery codes yet")
	e.recovery.add(admin.ID, "rec")
	code, _ = c.guard()
	require.Equal(t, http.StatusOK, code)

	d, err := e.flow.Decide(context.Background(), admin)
	require.NoError(t, err)
	require.True(t, d.Enrolled)

	// Without a recovery factor configured, a device alone is complete
	// enrolment.
	e2 := newEnv(t, func(c *mfa.FlowConfig) { c.Factors = c.Factors[:1] })
	require.NoError(t, e2.policy.SetPolicy(context.Background(), mfa.Policy{Superusers: true}))
	admin2 := e2.createUser("admin", "pw", superuser)
	e2.totp.add(admin2.ID, "1")
	d, err = e2.flow.Decide(context.Background(), admin2)
	require.NoError(t, err)
	require.True(t, d.Enrolled)
}

// sensitive GETs /sensitive/ and returns the status and Location.
func (c *client) sensitive(hdr ...string) (int, string) {
	c.t.Helper()
	resp := c.get("/sensitive/", hdr...)
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func TestStepUp(t *testing.T) {
	t.Parallel()
	const toStepUp = mfa.DefaultVerifyURL + "?next=/sensitive/"
	t.Run("password", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.createUser("bob", "pw")
		c := e.client()
		code, loc := c.sensitive()
		require.Equal(t, "/accounts/login/?next=/sensitive/", loc)
		c.password("bob", "pw")
		code, _ = c.sensitive()
		require.Equal(t, http.StatusOK, code, "the login itself is recent")
		e.clock.Add(10*time.Minute + time.Second)
		code, loc = c.sensitive()
		require.Equal(t, http.StatusFound, code)
		require.Equal(t, toStepUp, loc)
		code, _ = c.sensitive("Accept", "application/json")
		require.Equal(t, http.StatusForbidden, code)
		require.Equal(t, mfa.ErrInvalidPassword.Error(), c.text("/session-password/", url.Values{"password": {"nope"}}))
		session := c.session()
		require.Equal(t, "ok", c.text("/session-password/", url.Values{"password": {"pw"}}))
		require.NotEqual(t, session, c.session(), "a verification renews the token")
		code, _ = c.sensitive()
		require.Equal(t, http.StatusOK, code)
	})
	t.Run("factor", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		u := e.createUser("alice", "pw")
		c := e.client()
		c.password("alice", "pw")
		// Enrolled after logging in: the login's password is not
		// enough any more.
		e.totp.add(u.ID, "123456")
		code, loc := c.sensitive()
		require.Equal(t, http.StatusFound, code)
		require.Equal(t, toStepUp, loc)
		require.Equal(t, mfa.ErrFactorRequired.Error(), c.text("/session-password/", url.Values{"password": {"pw"}}))
		require.Equal(t, mfa.ErrInvalidCode.Error(), c.text("/session-code/", url.Values{"factor": {"totp"}, "code": {"1"}}))
		require.Equal(t, "ok", c.text("/session-code/", url.Values{"factor": {"totp"}, "code": {"123456"}}))
		code, _ = c.sensitive()
		require.Equal(t, http.StatusOK, code)
		e.clock.Add(11 * time.Minute)
		_, loc = c.sensitive()
		require.Equal(t, toStepUp, loc)
	})
	t.Run("two-step login is recent", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		u := e.createUser("alice", "pw")
		e.totp.add(u.ID, "123456")
		c := e.client()
		c.password("alice", "pw")
		e.clock.Add(time.Minute)
		c.text("/code/", url.Values{"factor": {"totp"}, "code": {"123456"}})
		e.clock.Add(9 * time.Minute)
		code, _ := c.sensitive()
		require.Equal(t, http.StatusOK, code)
	})
}

func TestStepUpRequiredPanicsOnZero(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	require.Panics(t, func() { e.flow.StepUpRequired(0) })
}

// A user whom no policy covers but who enrolled a device must still
// verify it on a session: one logged in before the device was added does
// not pass MFARequired (django-otp's otp_required(if_configured=True)).
func TestMFARequiredVoluntaryDevice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		policy *mfa.Policy
	}{
		{"no policy set", nil},
		{"policy covers staff only", &mfa.Policy{Staff: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			if tc.policy != nil {
				require.NoError(t, e.policy.SetPolicy(context.Background(), *tc.policy))
			}
			u := e.createUser("alice", "pw")
			c := e.client()
			c.password("alice", "pw")
			code, _ := c.guard()
			require.Equal(t, http.StatusOK, code, "no device: nothing to verify")

			e.totp.add(u.ID, "123456")
			code, loc := c.guard()
			require.Equal(t, http.StatusFound, code, "a session from before the device does not pass")
			require.Equal(t, toVerify, loc)

			c.text("/session-code/", url.Values{"factor": {"totp"}, "code": {"123456"}})
			code, _ = c.guard()
			require.Equal(t, http.StatusOK, code, "verified on this session")
		})
	}
}
