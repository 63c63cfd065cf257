package accounts_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/i18n"
)

// nbsp is the no-break space French puts before ":", "?", "!" and ";".
const nbsp = "\u00a0"

// TestPagesAndResetMailFrench: the pages are in the request's language,
// and so is the reset mail that a request causes; another request of the
// same Auth gets English.
func TestPagesAndResetMailFrench(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *envConfig) { c.I18n = i18n.Config{Languages: []string{"en", "fr"}} })
	e.createUser("testclient", "password")
	c := e.client()

	b := body(t, c.get("/accounts/password_reset/", "Accept-Language", "fr"))
	for _, want := range []string{
		`<html lang="fr">`, "<h1>Réinitialisation du mot de passe</h1>",
		`<label for="id_email">Adresse e-mail</label>`, `<button type="submit">Réinitialiser mon mot de passe</button>`,
		"Mot de passe oublié" + nbsp + "? Saisissez votre adresse e-mail ci-dessous",
	} {
		assert.Contains(t, b, want)
	}
	resp := c.post("/accounts/password_reset/", url.Values{"email": {"testclient@example.com"}}, "Accept-Language", "fr")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Contains(t, body(t, c.get(resp.Header.Get("Location"), "Cookie", "django_language=fr")),
		"<h1>Message de réinitialisation envoyé</h1>")
	msgs := waitMails(t, e.outbox, 1)
	assert.Equal(t, "Réinitialisation du mot de passe sur testserver", msgs[0].Subject)
	assert.Contains(t, msgs[0].Text, "Vous recevez ce message parce que vous avez demandé la réinitialisation du mot de passe de votre compte sur testserver.")
	assert.Contains(t, msgs[0].Text, "Votre nom d’utilisateur, au cas où vous l’auriez oublié"+nbsp+": testclient\n")
	assert.Contains(t, msgs[0].Text, "L’équipe testserver")

	require.Equal(t, http.StatusFound, c.post("/accounts/password_reset/", url.Values{"email": {"testclient@example.com"}},
		"Accept-Language", "de, en;q=0.5").StatusCode)
	msgs = waitMails(t, e.outbox, 2)
	assert.Equal(t, "Password reset on testserver", msgs[1].Subject, "German is not offered: English")
	assert.Contains(t, msgs[1].Text, "Your username, in case you’ve forgotten: testclient\n")

	c.login("testclient", "password")
	b = body(t, c.get("/accounts/sessions/", "Accept-Language", "fr"))
	assert.Contains(t, b, "<h1>Vos sessions</h1>")
	assert.Contains(t, b, `data-label="Dernière activité"`)
	b = body(t, c.post("/accounts/password_change/", url.Values{"old_password": {"wrong"},
		"new_password1": {"a-long-new-password"}, "new_password2": {"another-new-password"}}, "Accept-Language", "fr"))
	assert.Contains(t, b, "Votre ancien mot de passe est incorrect. Veuillez le saisir à nouveau.")
	assert.Contains(t, b, "Les deux mots de passe ne correspondent pas.")
	assert.Contains(t, b, `<label for="id_new_password2">Confirmation du nouveau mot de passe</label>`)
}

// TestSignupAndEmailsFrench: sign-up, its verification mail and the
// email page's messages (with their %(email)s) in French.
func TestSignupAndEmailsFrench(t *testing.T) {
	t.Parallel()
	se := newSignupEnv(t, signupOpts{french: true})
	c := se.client()
	b := body(t, c.get("/accounts/signup/", "Accept-Language", "fr"))
	assert.Contains(t, b, "<h1>Inscription</h1>")
	assert.Contains(t, b, `<label for="id_password2">Mot de passe (à nouveau)</label>`)

	resp := c.post("/accounts/signup/", signupForm("ann", "ann@example.com", "correct horse battery"), "Accept-Language", "fr")
	require.Equal(t, http.StatusFound, resp.StatusCode)
	msgs := waitMails(t, se.outbox, 1)
	assert.Equal(t, "Veuillez confirmer votre adresse e-mail sur testserver", msgs[0].Subject)
	assert.Contains(t, msgs[0].Text, "Bonjour de la part de testserver"+nbsp+"!")
	assert.Contains(t, msgs[0].Text, "Vous recevez ce message parce que le compte ann a indiqué ann@example.com comme adresse e-mail.")
	link, code := confirmation(t, msgs[0])
	assert.NotEmpty(t, link)
	assert.NotEmpty(t, code)

	resp = c.post("/accounts/email/", url.Values{"action": {"add"}, "email": {"ann2@example.com"}}, "Accept-Language", "fr")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	b = body(t, c.get("/accounts/email/", "Accept-Language", "fr"))
	assert.Contains(t, b, "Nous avons envoyé un message à ann2@example.com pour la vérifier.")
	assert.Contains(t, b, "<td data-label=\"État\">non vérifiée</td>")
	assert.Contains(t, b, `aria-label="Retirer ann2@example.com">Retirer</button>`)
	assert.NotContains(t, b, "not verified")
}
