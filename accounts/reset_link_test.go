package accounts_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
)

// TestPasswordResetLink: the link an administrator makes opens the reset
// confirmation page and sets a password once; inactive users, hosts that
// are not allowed and a Manager without reset pages get errors.
func TestPasswordResetLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("carol", "password")
	r := httptest.NewRequest(http.MethodPost, "http://testserver/admin/", nil)
	link, err := e.m.PasswordResetLink(r, u)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(link, "https://testserver/accounts/reset/"), link)
	lu, err := url.Parse(link)
	require.NoError(t, err)

	c := e.client()
	resp := c.get(lu.Path)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	set := resp.Header.Get("Location")
	resp = c.post(set, url.Values{"new_password1": {newPassword}, "new_password2": {newPassword}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.True(t, e.checkPassword(u.ID, newPassword))
	resp = e.client().get(lu.Path)
	assert.Contains(t, body(t, resp), "invalid", "the link works once")

	inactive := e.createUser("dave", "password", func(u *auth.User) { u.IsActive = false })
	_, err = e.m.PasswordResetLink(r, inactive)
	assert.ErrorIs(t, err, accounts.ErrResetRefused)
	_, err = e.m.PasswordResetLink(httptest.NewRequest(http.MethodPost, "http://evil.example/admin/", nil), u)
	assert.ErrorIs(t, err, accounts.ErrResetHost)

	noMail := e.createUser("erin", "password", func(u *auth.User) { u.Email = "" })
	assert.ErrorIs(t, e.m.SendPasswordReset(r, noMail), accounts.ErrResetRefused)
	before := e.outbox.Len()
	require.NoError(t, e.m.SendPasswordReset(r, e.reload(u.ID)))
	msgs := waitMails(t, e.outbox, before+1)
	assert.Equal(t, []string{"carol@example.com"}, msgs[len(msgs)-1].To)

	m, err := accounts.New(e.a, accounts.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	_, err = m.PasswordResetLink(r, u)
	assert.ErrorIs(t, err, accounts.ErrNoResetPages)
}
