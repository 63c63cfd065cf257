package auth_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
)

// TestPagesInRequestLanguage: the core pages (layout, labels, buttons,
// errors) are in the request's language: the language cookie first,
// then Accept-Language, else the default (English) for a language that
// is not offered.
func TestPagesInRequestLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) {
		c.I18n = i18n.Config{Languages: []string{"en", "fr"}}
	})
	e.createUser("alice", "pw")
	c := newClient(t, e.app())

	fr := readBody(t, c.get("/accounts/login/", "Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5"))
	for _, want := range []string{
		`<html lang="fr">`, `<title>Connexion</title>`, `<h1>Connexion</h1>`,
		`<label for="id_username">Nom d’utilisateur</label>`, `<label for="id_password">Mot de passe</label>`,
		`<button type="submit">Connexion</button>`, `>Aller au contenu</a>`,
		`<form class="language-switch" method="post" action="/accounts/i18n/setlang/">`,
		`<label for="id_djauth_language">Langue</label>`,
		`<option value="fr" lang="fr" selected>Français</option>`, `<option value="en" lang="en">English</option>`,
	} {
		assert.Contains(t, fr, want)
	}
	assert.NotContains(t, fr, ">Log in<")

	bad := readBody(t, c.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"wrong"}}, "Accept-Language", "fr"))
	assert.Contains(t, bad, `<p class="errors-title">Il y a un problème.</p>`)
	assert.Contains(t, bad, "Veuillez saisir un nom d’utilisateur et un mot de passe corrects.")
	empty := readBody(t, c.post("/accounts/login/", url.Values{}, "Accept-Language", "fr"))
	assert.Contains(t, empty, `<p class="errors-title">Veuillez corriger les erreurs ci-dessous.</p>`)
	assert.Contains(t, empty, "<a href=\"#id_username\">Nom d’utilisateur\u00a0: Ce champ est obligatoire.</a>")

	en := readBody(t, c.get("/accounts/login/", "Accept-Language", "de-DE,de;q=0.9"))
	assert.Contains(t, en, `<html lang="en">`, "German is not offered: the default")
	assert.Contains(t, en, `<button type="submit">Log in</button>`)
	assert.Contains(t, en, `<option value="en" lang="en" selected>English</option>`)

	cookie := readBody(t, c.get("/accounts/login/", "Cookie", "django_language=fr", "Accept-Language", "en"))
	assert.Contains(t, cookie, `<html lang="fr">`, "the cookie wins over Accept-Language")
	unknown := readBody(t, c.get("/accounts/login/", "Cookie", "django_language=xx"))
	assert.Contains(t, unknown, `<html lang="en">`, "an unknown cookie value falls back to the default")

	require.Equal(t, http.StatusFound, c.login("alice", "pw").StatusCode)
	profile := readBody(t, c.get("/accounts/profile/", "Accept-Language", "fr"))
	assert.Contains(t, profile, "<p>Vous êtes connecté en tant que alice.</p>")
	assert.Contains(t, profile, `<button type="submit" class="secondary">Déconnexion</button>`)
	logout := readBody(t, c.get("/accounts/logout/", "Accept-Language", "fr"))
	assert.Contains(t, logout, "<h1>Déconnexion</h1>")
}

// TestSetLanguageRoute: Routes mounts SetLanguageHandler where the
// footer's switcher posts; it sets the cookie that the next pages
// follow, and sends to next only when next is safe.
func TestSetLanguageRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) {
		c.I18n = i18n.Config{Languages: []string{"en", "fr"}}
	})
	c := newClient(t, e.app())
	resp := c.post("/accounts/i18n/setlang/", url.Values{"language": {"fr"}, "next": {"/accounts/login/?x=1"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/accounts/login/?x=1", resp.Header.Get("Location"))
	assert.Equal(t, "fr", c.cookies["django_language"].Value)
	assert.Contains(t, readBody(t, c.get("/accounts/login/")), `<html lang="fr">`, "the cookie chooses the language")

	resp = c.post("/accounts/i18n/setlang/", url.Values{"language": {"en"}, "next": {"https://evil.example/"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/", resp.Header.Get("Location"), "an unsafe next is ignored")
	assert.Equal(t, "en", c.cookies["django_language"].Value)

	resp = c.post("/accounts/i18n/setlang/", url.Values{"language": {"de"}, "next": {"/"}})
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "en", c.cookies["django_language"].Value, "a language that is not offered sets nothing")

	resp = c.post("/accounts/i18n/setlang/", url.Values{"language": {"fr"}}, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "a cross-origin POST is refused")
	assert.Equal(t, "en", c.cookies["django_language"].Value)

	// One language: no switcher.
	plain := newEnv(t)
	body := readBody(t, newClient(t, plain.app()).get("/accounts/login/"))
	assert.NotContains(t, body, "language-switch\"")
	assert.Contains(t, body, `<footer class="site-footer"></footer>`)
}
