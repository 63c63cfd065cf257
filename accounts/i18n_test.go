package accounts_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/i18n"
)

// TestPasswordChangeFrench: the validators' errors and help texts of the
// password change page follow the request's language (auth.Config.I18n).
func TestPasswordChangeFrench(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *envConfig) { c.I18n = i18n.Config{Languages: []string{"en", "fr"}} })
	e.createUser("testclient", "password")
	c := e.client()
	c.login("testclient", "password")

	b := body(t, c.get("/accounts/password_change/", "Accept-Language", "fr"))
	assert.Contains(t, b, "Votre mot de passe doit comporter au moins 8 caractères.")
	assert.Contains(t, b, "Votre mot de passe ne doit pas contenir que des chiffres.")

	form := url.Values{"old_password": {"password"}, "new_password1": {"1234567"}, "new_password2": {"1234567"}}
	resp := c.post("/accounts/password_change/", form, "Accept-Language", "fr-FR,fr;q=0.9")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b = body(t, resp)
	for _, want := range []string{
		"Ce mot de passe est trop court. Il doit comporter au moins 8 caractères.",
		"Ce mot de passe est trop répandu.",
		"Ce mot de passe ne contient que des chiffres.",
	} {
		assert.Contains(t, b, want)
	}
	form = url.Values{"old_password": {"password"}, "new_password1": {"testclient"}, "new_password2": {"testclient"}}
	assert.Contains(t, body(t, c.post("/accounts/password_change/", form, "Cookie", "django_language=fr")),
		"Le mot de passe ressemble trop au champ « nom d’utilisateur ».")

	// Without the header, the same Auth answers in English.
	b = body(t, c.post("/accounts/password_change/", url.Values{"old_password": {"password"},
		"new_password1": {"1234567"}, "new_password2": {"1234567"}}))
	assert.Contains(t, b, "This password is too short. It must contain at least 8 characters.")
	assert.Contains(t, b, "Your password must contain at least 8 characters.")
}
