package accounts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/internal/djangotest"
)

// TestDjangoIssuedResetLink: a reset link that Django issues for a user
// works in our pages when both share the secret key: the token leaves the
// URL, the new password is set, and the link is then used up.
func TestDjangoIssuedResetLink(t *testing.T) {
	t.Parallel()
	python := djangotest.Python(t)
	e := newEnv(t)
	lastLogin := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	u := e.createUser("djangouser", "password", func(u *auth.User) {
		u.Email = "djangouser@example.com"
		u.LastLogin = &lastLogin
	})
	stored := e.reload(u.ID)
	req, err := json.Marshal(map[string]any{
		"secret":     testSecret,
		"id":         stored.ID,
		"password":   stored.Password,
		"email":      stored.Email,
		"last_login": stored.LastLogin.Format("2006-01-02T15:04:05.000000+00:00"),
	})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "testdata/django_reset_link.py")
	cmd.Env = append(os.Environ(), "TZ=UTC")
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var ans struct{ Django, UIDB64, Token string }
	require.NoError(t, json.Unmarshal(out, &ans))
	t.Logf("Django %s issued /accounts/reset/%s/%s/", ans.Django, ans.UIDB64, ans.Token)

	c := e.client()
	link := "/accounts/reset/" + ans.UIDB64 + "/" + ans.Token + "/"
	resp := c.get(link)
	require.Equal(t, http.StatusFound, resp.StatusCode, "Django's link is accepted")
	setPath := "/accounts/reset/" + ans.UIDB64 + "/" + accounts.ResetURLToken + "/"
	assert.Equal(t, setPath, resp.Header.Get("Location"))
	resp = c.post(setPath, url.Values{"new_password1": {newPassword}, "new_password2": {newPassword}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/accounts/reset/done/", resp.Header.Get("Location"))
	assert.True(t, e.checkPassword(u.ID, newPassword))
	assert.Equal(t, http.StatusOK, e.client().get(link).StatusCode, "the link is used up")
	e.client().login("djangouser", newPassword)
}
