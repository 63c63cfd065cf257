package social_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/store/memory"
)

// TestPagesFrench: social's pages and its refusals (Messages with the
// provider's name) follow the request's language.
func TestPagesFrench(t *testing.T) {
	s := newSiteOn(t, memory.New[auth.User](), social.NewMemoryStore(), func(base string, cfg *social.Config[auth.User]) {
		p, err := social.NewGitHub(social.GitHubConfig{ClientID: "gh-client", ClientSecret: "gh-secret"})
		require.NoError(t, err)
		cfg.Providers = []social.Provider{p}
	}, func(c *auth.Config[auth.User]) { c.I18n = i18n.Config{Languages: []string{"en", "fr"}} })
	get := func(path, lang string) (int, string) {
		req, err := http.NewRequest("GET", s.srv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Accept-Language", lang)
		resp, err := s.srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	code, body := get("/accounts/social/github/login/", "fr")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "<h1>Se connecter avec GitHub</h1>")
	assert.Contains(t, body, "Vous serez redirigé vers GitHub pour vous connecter, puis ramené ici.")
	assert.Contains(t, body, `<button type="submit">Continuer vers GitHub</button>`)

	code, body = get("/accounts/social/github/callback/?state=x&code=y", "fr")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body, "<h1>Échec de la connexion</h1>")
	assert.Contains(t, body, "Cette connexion n’a pas été commencée ici, a expiré ou a déjà été utilisée. Recommencez.")
	assert.Contains(t, body, ">Retour à la page de connexion</a>")
	_, body = get("/accounts/social/github/callback/?state=x&code=y", "en")
	assert.Contains(t, body, "This login was not started here, has expired or was already used. Start again.")
}
