package main

// A password reset link shared between Django and the example app: both
// sign reset tokens with one SECRET_KEY over one PostgreSQL database.
// Like postgres_test.go it needs AUTH_TEST_DATABASE_URL and Django, skips
// without them and fails instead when CI=true.

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/internal/djangotest"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/tokens"
)

// djangoResetLink creates a user in Django and prints the two variable
// parts of the reset link that Django's PasswordResetForm would mail.
const djangoResetLink = `
import json
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
u = User.objects.create_user('dj_reset', 'reset@example.com', %q)
print(json.dumps({'id': u.pk, 'uidb64': urlsafe_base64_encode(force_bytes(u.pk)),
                  'token': default_token_generator.make_token(u)}))
`

// djangoAfterReset is what Django says about the user after the reset in
// the app. It uses the module's check_password, which never re-hashes: the
// model method would replace the app's 1,200,000-iteration hash with
// Django 3.2's 260,000 one and so change the user under the tokens.
const djangoAfterReset = `
import json
from django.contrib.auth.models import User
from django.contrib.auth.hashers import check_password
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
u = User.objects.get(username='dj_reset')
print(json.dumps({
    'algorithm': u.password.split('$')[0] + '$' + u.password.split('$')[1],
    'new_verifies': check_password(%q, u.password),
    'old_verifies': check_password(%q, u.password),
    'last_login_set': u.last_login is not None,
    'uidb64': urlsafe_base64_encode(force_bytes(u.pk)),
    'django_token_valid': default_token_generator.check_token(u, %q),
    'app_token_valid': default_token_generator.check_token(u, %q),
}))
`

// TestDjangoResetLinkInApp: with one secret key, a reset link that Django
// 3.2 issues works in the example app on Django's database, the password
// the app sets is one Django accepts, the link is then used up in both,
// the user logs in with the new password, and the token in the app's own
// reset mail is accepted by Django.
func TestDjangoResetLinkInApp(t *testing.T) {
	djangotest.Python(t, "psycopg2")
	t.Parallel()
	const (
		oldPassword = "old-django-pw-4821"
		newPassword = "Quartz-lantern-7-ferry"
	)
	db := pgtest.NewDatabase(t)
	django := djangotest.Project{DB: db, Env: []string{"DJAUTH_DJANGO_SECRET_KEY=" + testSecret}}
	django.Manage(t, "migrate", "--no-input", "-v", "0")
	var issued struct {
		ID            int64
		UIDB64, Token string
	}
	django.Shell(t, fmt.Sprintf(djangoResetLink, oldPassword), &issued)
	require.Equal(t, tokens.EncodeUID(issued.ID), issued.UIDB64, "Django's uidb64")

	// The app as main runs it on PostgreSQL, with Django 6.0's hashers.
	outbox := &mail.Outbox{}
	s := startSite(t, config{DatabaseURL: db.URL, SecretKey: testSecret, Hashers: hashers.Default(), InsecureCookies: true, Mailer: outbox})
	link := s.srv.URL + "/accounts/reset/" + issued.UIDB64 + "/" + issued.Token + "/"
	setPath := "/accounts/reset/" + issued.UIDB64 + "/" + accounts.ResetURLToken + "/"
	const invalidLink = "Password reset unsuccessful"

	// The token leaves the URL for the session, the form is shown, and
	// the new password is saved.
	c := &client{t: t}
	resp := c.get(link)
	require.Equal(t, http.StatusFound, resp.StatusCode, "the app accepts Django's link: %s", resp.body)
	require.Equal(t, setPath, resp.Header.Get("Location"))
	require.NotEmpty(t, c.session, "the token is kept in a session")
	resp = c.get(s.srv.URL + setPath)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.body, "Enter new password")
	require.Contains(t, resp.body, `value="dj_reset"`)
	// Plain form posts, as a browser's same-origin ones reach
	// CrossOriginProtection: no Origin or Sec-Fetch-Site header.
	resp = c.post(s.srv.URL+setPath, url.Values{"new_password1": {newPassword}, "new_password2": {newPassword}})
	require.Equal(t, http.StatusFound, resp.StatusCode, resp.body)
	assert.Equal(t, "/accounts/reset/done/", resp.Header.Get("Location"))

	// The link is used up: in a new browser, and in the one that used it.
	for name, cl := range map[string]*client{"new browser": {t: t}, "same browser": c} {
		resp = cl.get(link)
		assert.Equal(t, http.StatusOK, resp.StatusCode, name)
		assert.Contains(t, resp.body, invalidLink, name)
	}
	resp = c.get(s.srv.URL + setPath)
	assert.Contains(t, resp.body, invalidLink, "the session no longer holds the token")

	// The old password is refused by the app's login form, the new one
	// is accepted (which also sets last_login).
	old := &client{t: t}
	resp = old.post(s.srv.URL+"/accounts/login/", url.Values{"username": {"dj_reset"}, "password": {oldPassword}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, map[string]any{"authenticated": false}, old.me(s))
	user := &client{t: t}
	user.login(s, "dj_reset", newPassword)
	me := user.me(s)
	assert.Equal(t, "dj_reset", me["username"])
	assert.Equal(t, "reset@example.com", me["email"])

	// The reverse direction: the app's own reset mail, for the user as
	// the app stored it (its hash, and the last_login its login wrote),
	// carries a token that Django accepts.
	resp = (&client{t: t}).post(s.srv.URL+"/accounts/password_reset/", url.Values{"email": {"reset@example.com"}})
	require.Equal(t, http.StatusFound, resp.StatusCode, resp.body)
	// The mail is sent off the request path.
	require.Eventually(t, func() bool { return outbox.Len() == 1 }, 30*time.Second, 10*time.Millisecond)
	msgs := outbox.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, []string{"reset@example.com"}, msgs[0].To)
	m := regexp.MustCompile(`/accounts/reset/([A-Za-z0-9_-]+)/([0-9a-z]+-[0-9a-f]+)/`).FindStringSubmatch(msgs[0].Text)
	require.NotNil(t, m, "reset link in the mail:\n%s", msgs[0].Text)
	assert.Equal(t, issued.UIDB64, m[1])
	appToken := m[2]

	var after struct {
		Algorithm        string
		NewVerifies      bool `json:"new_verifies"`
		OldVerifies      bool `json:"old_verifies"`
		LastLoginSet     bool `json:"last_login_set"`
		UIDB64           string
		DjangoTokenValid bool `json:"django_token_valid"`
		AppTokenValid    bool `json:"app_token_valid"`
	}
	django.Shell(t, fmt.Sprintf(djangoAfterReset, newPassword, oldPassword, issued.Token, appToken), &after)
	assert.Equal(t, "pbkdf2_sha256$1200000", after.Algorithm, "the app wrote the hash")
	assert.True(t, after.NewVerifies, "Django accepts the password the app set")
	assert.False(t, after.OldVerifies, "the old password no longer works in Django")
	assert.True(t, after.LastLoginSet)
	assert.Equal(t, issued.UIDB64, after.UIDB64)
	assert.False(t, after.DjangoTokenValid, "Django's own link is used up for Django too")
	assert.True(t, after.AppTokenValid, "Django accepts the token in the app's reset mail")
}
