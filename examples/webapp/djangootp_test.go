package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/recovery"
	"github.com/djauth/auth/mfa/totp/totptest"
	"github.com/djauth/auth/store/postgres"
)

// otpStatus is what the Django project's otp/ view reports.
type otpStatus struct {
	User     string `json:"user"`
	Verified bool   `json:"verified"`
	Device   string `json:"device"`
}

// TestDjangoOTPVerified: with -django-sessions, Django 3.2 with
// django-otp 1.1.3's OTPMiddleware on the same database, and a TOTP
// device in otp_totp_totpdevice:
//
//   - a session that completed the two-step login in the app is verified
//     in Django (is_verified(), the device the app recorded);
//   - a password-only Django login is not, and in the app it is a
//     logged-in session that the policy sends to verification;
//   - a Django login verified with django_otp.login is verified in the
//     app too: its otp_device_id names a confirmed device of the user,
//     which is what the app's MFARequired asks for.
func TestDjangoOTPVerified(t *testing.T) {
	djangotest.Python(t, "psycopg2", "django_otp")
	t.Parallel()
	db := pgtest.NewDatabase(t)
	django := djangotest.Project{DB: db, Env: []string{"DJAUTH_DJANGO_SESSIONS=1", "DJAUTH_DJANGO_OTP=1",
		"DJAUTH_DJANGO_SECRET_KEY=" + testSecret}}
	django.Manage(t, "migrate", "--no-input", "-v", "0")
	django.Shell(t, `from django.contrib.auth.models import User
User.objects.create_user("alice", password="alice-pw")
print("null")`, nil)
	hs, err := hashers.ForDjango("3.2")
	require.NoError(t, err)
	// The app's clock is behind the real one, which Django's token check
	// below uses: the step the app spends is long past for Django.
	clock := totptest.NewClock(time.Now().Add(-time.Hour).Truncate(30 * time.Second))
	s := startSite(t, config{DatabaseURL: db.URL, SecretKey: testSecret, Hashers: hs, DjangoSessions: true,
		MFARequired: "everyone", Now: clock.Now})

	pool, err := pgxpool.New(context.Background(), db.URL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	var aliceID int64
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT "id" FROM "auth_user" WHERE "username" = 'alice'`).Scan(&aliceID))
	ts, err := postgres.NewTOTPStore(pool)
	require.NoError(t, err)
	dev := enrolTOTP(t, ts, clock, aliceID)
	// Enrolment is complete with recovery codes (otp_static, with
	// -django-sessions).
	ss, err := postgres.NewDjangoStaticStore(pool)
	require.NoError(t, err)
	rf, err := recovery.New(recovery.Config{Store: ss})
	require.NoError(t, err)
	_, _, err = rf.Generate(t.Context(), aliceID)
	require.NoError(t, err)
	clock.Add(30 * time.Second)

	c := &client{t: t}
	twoStepLogin(t, s, c, "alice", "alice-pw", dev, clock)
	resp := c.get(s.srv.URL + "/accounts/profile/")
	require.Equal(t, http.StatusOK, resp.StatusCode, "verified in the app")

	var st otpStatus
	django.Shell(t, `import json
from django.test import Client
c = Client()
c.cookies["sessionid"] = "`+c.session+`"
print(json.dumps(c.get("/otp/").json()))`, &st)
	assert.Equal(t, otpStatus{User: "alice", Verified: true, Device: dev.PersistentID()}, st,
		"the app's two-step login is verified for django-otp")

	var keys struct{ Password, OTP string }
	var plain otpStatus
	django.Shell(t, `import json, time
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
p = Client()
assert p.post("/login/", {"username": "alice", "password": "alice-pw"}).status_code == 200
status = p.get("/otp/").json()
d = TOTPDevice.objects.get(user__username="alice")
t = TOTP(d.bin_key, d.step, d.t0, d.digits, d.drift)
t.time = time.time()
o = Client()
r = o.post("/otp-login/", {"username": "alice", "password": "alice-pw", "token": str(t.token()).zfill(d.digits)})
assert r.status_code == 200, r.content
assert o.get("/otp/").json()["verified"]
print(json.dumps({"status": status, "Password": p.cookies["sessionid"].value, "OTP": o.cookies["sessionid"].value}))`, &struct {
		Status   *otpStatus `json:"status"`
		Password *string
		OTP      *string
	}{&plain, &keys.Password, &keys.OTP})
	assert.Equal(t, otpStatus{User: "alice"}, plain, "a password-only Django login is not verified")

	pw := &client{t: t, session: keys.Password}
	assert.Equal(t, "alice", pw.me(s)["username"], "Django's password login is a login in the app")
	resp = pw.get(s.srv.URL + "/accounts/profile/")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), mfa.DefaultVerifyURL), "but not verified: %s", resp.Header.Get("Location"))

	ov := &client{t: t, session: keys.OTP}
	assert.Equal(t, "alice", ov.me(s)["username"])
	resp = ov.get(s.srv.URL + "/accounts/profile/")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "django_otp.login's otp_device_id verifies the session in the app")

	// A removed device no longer verifies the sessions that named it, in
	// the app as in django-otp's middleware: the recovery codes left ask
	// for a verification.
	_, err = pool.Exec(context.Background(), `DELETE FROM "otp_totp_totpdevice"`)
	require.NoError(t, err)
	for _, cl := range []*client{c, ov} {
		resp = cl.get(s.srv.URL + "/accounts/profile/")
		require.Equal(t, http.StatusFound, resp.StatusCode)
		loc, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		assert.Equal(t, mfa.DefaultVerifyURL, loc.Path)
	}
	django.Shell(t, `import json
from django.test import Client
c = Client()
c.cookies["sessionid"] = "`+c.session+`"
print(json.dumps(c.get("/otp/").json()))`, &st)
	assert.Equal(t, otpStatus{User: "alice"}, st, "nor in Django")
}
