package auth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/store/memory"
)

// TestLoginFormLanguages: the login form's errors follow the request's
// language among Config.I18n's, and stay English by default.
func TestLoginFormLanguages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) {
		c.I18n = i18n.Config{Languages: []string{"en", "fr"}}
	})
	e.createUser("alice", "pw")
	app := e.app()
	c := newClient(t, app)
	login := func(username, password string, hdr ...string) string {
		return readBody(t, c.post("/accounts/login/", url.Values{"username": {username}, "password": {password}}, hdr...))
	}
	fr := login("alice", "bad", "Accept-Language", "fr-CA,fr;q=0.9")
	assert.Contains(t, fr, "Veuillez saisir un nom d’utilisateur et un mot de passe corrects. Les deux champs peuvent distinguer majuscules et minuscules.")
	assert.Contains(t, login("", "", "Accept-Language", "fr"), "Ce champ est obligatoire.")
	assert.Contains(t, login("a\x00", "pw", "Accept-Language", "fr"), "Les caractères nuls ne sont pas autorisés.")
	assert.Contains(t, login("alice", "\xff", "Accept-Language", "fr"), "Cette valeur n’est pas un texte valide (UTF-8).")

	assert.Contains(t, login("alice", "bad"), auth.MsgInvalidLogin)
	assert.Contains(t, login("alice", "bad", "Accept-Language", "de"), auth.MsgInvalidLogin, "not offered: the default")
	assert.Contains(t, login("alice", "bad", "Cookie", "django_language=en", "Accept-Language", "fr"), auth.MsgInvalidLogin, "the cookie wins")

	// The zero Config is English only, whatever the browser asks.
	plain := newEnv(t)
	plain.createUser("alice", "pw")
	pc := newClient(t, plain.app())
	body := readBody(t, pc.post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"bad"}}, "Accept-Language", "fr"))
	assert.Contains(t, body, auth.MsgInvalidLogin)
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Language", "fr")
	assert.Equal(t, "en", plain.a.Translator(r).Language())
	assert.Equal(t, []string{"en"}, plain.a.I18n().Languages())
	assert.Equal(t, "fr", e.a.Translator(r).Language())
}

func TestI18nConfigError(t *testing.T) {
	t.Parallel()
	_, err := auth.New(auth.Config[auth.User]{Store: memory.New[auth.User](), SecretKey: testSecret,
		I18n: i18n.Config{Languages: []string{"en", "xx"}}})
	require.ErrorIs(t, err, auth.ErrConfig)
	assert.ErrorIs(t, err, i18n.ErrConfig)
}

// TestMessagesMatchEnglish: the messages to translate read, in English,
// exactly as the strings the pages showed before.
func TestMessagesMatchEnglish(t *testing.T) {
	t.Parallel()
	assert.Equal(t, auth.MsgInvalidLogin, auth.InvalidLoginMessage().String())
	for _, wait := range []time.Duration{time.Millisecond, time.Second, 1500 * time.Millisecond, time.Minute, 0} {
		assert.Equal(t, auth.ThrottledMessage(wait), auth.ThrottledMsg(wait).String(), wait)
	}
	for _, limit := range []int{2, 5, 150} {
		v := strings.Repeat("é", limit+3)
		assert.Equal(t, auth.MaxLengthMessage(v, limit), auth.MaxLengthMsg(v, limit).String())
		assert.True(t, auth.MaxLengthMsg(v[:limit*2], limit).IsZero(), "fits")
	}
	b, err := i18n.New(i18n.Config{Languages: []string{"en", "fr"}})
	require.NoError(t, err)
	fr := b.Translator("fr")
	assert.Equal(t, "Trop de tentatives échouées. Veuillez réessayer dans 1 seconde.", fr.Translate(auth.ThrottledMsg(time.Second)))
	assert.Equal(t, "Trop de tentatives échouées. Veuillez réessayer dans 30 secondes.", fr.Translate(auth.ThrottledMsg(30*time.Second)))
	assert.Equal(t, "Cette valeur ne doit pas dépasser 1 caractère (elle en a 3).", fr.Translate(auth.MaxLengthMsg("abc", 1)))
	assert.Equal(t, "Ensure this value has at most 1 character (it has 3).", auth.MaxLengthMsg("abc", 1).String(),
		"Django's singular for a limit of 1")
}

// TestSetLanguageHandler: Django's set_language view sets the cookie that
// then chooses the language of every page.
func TestSetLanguageHandler(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) {
		c.I18n = i18n.Config{Languages: []string{"en", "fr"}}
	})
	e.createUser("alice", "pw")
	app := e.app(func(mux *http.ServeMux) { mux.Handle("/i18n/setlang/", e.a.SetLanguageHandler()) })
	c := newClient(t, app)
	langCookie := func() string {
		if ck, ok := c.cookies[i18n.DefaultCookieName]; ok {
			return ck.Value
		}
		return ""
	}

	resp := c.post("/i18n/setlang/", url.Values{"language": {"fr-CA"}, "next": {"/accounts/login/"}})
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/accounts/login/", resp.Header.Get("Location"))
	assert.Equal(t, "fr", langCookie(), "the offered code is stored")
	ck := c.cookies[i18n.DefaultCookieName]
	assert.Equal(t, "/", ck.Path)
	assert.Zero(t, ck.MaxAge, "a browser-session cookie, as Django's default")
	assert.Contains(t, readBody(t, c.login("alice", "bad")), "Veuillez saisir un nom d’utilisateur")

	// An unknown language sets nothing; an unsafe next goes to a safe
	// Referer, else to "/".
	resp = c.post("/i18n/setlang/", url.Values{"language": {"de"}, "next": {"https://evil.example/"}}, "Referer", "http://testserver/back/")
	assert.Equal(t, "/back/", strings.TrimPrefix(resp.Header.Get("Location"), "http://testserver"))
	assert.Equal(t, "fr", langCookie())
	resp = c.post("/i18n/setlang/", url.Values{"language": {"en"}, "next": {"//evil.example/"}}, "Referer", "https://evil.example/")
	assert.Equal(t, "/", resp.Header.Get("Location"))
	assert.Equal(t, "en", langCookie())

	// No next and no HTML wanted: 204. A GET sets nothing.
	resp = c.post("/i18n/setlang/", url.Values{"language": {"fr"}}, "Accept", "application/json")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "fr", langCookie())
	resp = c.get("/i18n/setlang/?language=en&next=/x/")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/x/", resp.Header.Get("Location"))
	assert.Equal(t, "fr", langCookie())

	// A cross-site POST is refused.
	resp = c.post("/i18n/setlang/", url.Values{"language": {"en"}, "next": {"/"}}, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "fr", langCookie())
}
