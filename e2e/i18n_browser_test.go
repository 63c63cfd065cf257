package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/social"
)

// TestBrowserPagesAccessibleInFrench switches the site to French with
// the footer's language switcher (a POST to Auth.SetLanguageHandler),
// then walks the pages again in French: each must say lang="fr" on
// <html> and pass axe-core's WCAG 2.2 A and AA rules in every view, as
// TestBrowserEveryPageAccessible checks them in English. With
// DJAUTH_SCREENSHOTS=dir it saves a PNG of each page in each view there,
// named <page>-fr-<view>.png.
func TestBrowserPagesAccessibleInFrench(t *testing.T) {
	requireBrowser(t)
	axeSrc := loadAxe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	s := newPagesSiteWith(t, pagesOptions{
		mfa: true, passwordless: true,
		providers: func(origin string) []social.Provider {
			gh, err := social.NewGitHub(social.GitHubConfig{ClientID: "e2e-client", ClientSecret: "e2e-secret"})
			require.NoError(t, err)
			return []social.Provider{gh}
		},
		ui:        auth.UI{SiteName: "Exemple"},
		languages: []string{"en", "fr"},
	})
	d := startBrowser(ctx, t, t.TempDir())

	w := newPageWalk(ctx, t, d, s.origin, axeSrc, "-fr")
	// check also requires the page to be in French.
	check := func(name, want string) {
		t.Helper()
		require.NoError(t, d.waitSource(ctx, want), name)
		src, err := d.source(ctx)
		require.NoError(t, err)
		require.Contains(t, src, `<html lang="fr">`, name)
		w.check(name, want)
	}
	open := func(path, name, want string) {
		t.Helper()
		w.visit(path)
		check(name, want)
	}
	fill, press := w.fill, w.press
	const password = "correct horse battery staple"

	// The switcher: English until French is chosen, then French on the
	// page it came from (the Referer) and on every page after.
	w.visit("/accounts/login/")
	require.NoError(t, d.waitSource(ctx, "<h1>Log in</h1>"))
	var ok bool
	require.NoError(t, d.execute(ctx, `const s = document.getElementById("id_djauth_language"); s.value = "fr"; return s.value === "fr";`, nil, &ok))
	require.True(t, ok, "the switcher offers French")
	press("Go")
	check("login", "<h1>Connexion</h1>")
	fill("Nom d’utilisateur", "nobody")
	fill("Mot de passe", "wrong")
	press("Connexion")
	check("login-errors", `id="id_errors"`)

	open("/accounts/signup/", "signup", "<h1>Inscription</h1>")
	fill("Nom d’utilisateur", "ann")
	fill("Adresse e-mail", "ann@example.com")
	fill("Mot de passe", "short")
	fill("Mot de passe (à nouveau)", "different")
	press("Inscription")
	check("signup-errors", `id="id_errors"`)
	fill("Mot de passe", password)
	fill("Mot de passe (à nouveau)", password)
	press("Inscription")
	check("verify-email", "<h1>Vérifiez votre adresse e-mail</h1>")
	link, _ := s.verificationMail(t, "ann@example.com")
	require.NoError(t, d.navigate(ctx, link))
	check("confirm-email", "<h1>Confirmer l’adresse e-mail</h1>")
	press("Confirmer")
	check("email-confirmed", "<h1>Adresse e-mail vérifiée</h1>")
	open("/accounts/password_reset/", "password-reset", "<h1>Réinitialisation du mot de passe</h1>")
	open("/accounts/passwordless/", "passwordless-start", "<h1>M’envoyer un lien de connexion</h1>")

	open("/accounts/login/", "login-again", "<h1>Connexion</h1>")
	fill("Nom d’utilisateur", "ann")
	fill("Mot de passe", password)
	press("Connexion")
	_, err := d.waitURL(ctx, func(u string) bool { return !strings.HasSuffix(u, "/accounts/login/") })
	require.NoError(t, err)
	open(s.flow.ReminderURL(), "mfa-reminder", "<h1>Configurer l’authentification à deux facteurs</h1>")
	open("/accounts/profile/", "profile", "<h1>Votre compte</h1>")
	open("/accounts/email/", "emails", "<h1>Adresses e-mail</h1>")
	open("/accounts/password_change/", "password-change", "<h1>Modification du mot de passe</h1>")
	fill("Ancien mot de passe", "wrong")
	fill("Nouveau mot de passe", password)
	fill("Confirmation du nouveau mot de passe", "not the same")
	press("Modifier mon mot de passe")
	check("password-change-errors", `id="id_errors"`)
	open("/accounts/sessions/", "sessions", "<h1>Vos sessions</h1>")
	open(s.flow.VerifyURL(), "mfa-verify", "<h1>Confirmez votre identité</h1>")
	open(s.social.IdentitiesURL(), "identities", "<h1>Identités liées</h1>")
	open("/accounts/social/github/login/", "social-start", "<h1>Se connecter avec GitHub</h1>")
	open("/accounts/social/github/callback/?state=forged&code=x", "social-failed", "<h1>Échec de la connexion</h1>")
	open("/forbidden/", "forbidden", "Accès refusé")
	open(s.flow.EnrolURL(), "mfa-overview", "<h1>Authentification à deux facteurs</h1>")
	open(s.flow.EnrolURL()+"totp/add/", "mfa-totp-add", "<h1>Ajouter une application d’authentification</h1>")
	fill("Nom", "Téléphone")
	press("Continuer")
	check("mfa-totp-setup", `id="id_secret"`)
	open(s.flow.EnrolURL()+"recovery/", "mfa-recovery", "<h1>Codes de secours</h1>")
	open(s.manager.PasskeysURL(""), "passkeys", "<h1>Clés d’accès</h1>")
	open("/accounts/logout/", "logout", "<h1>Déconnexion</h1>")
	press("Déconnexion")
	check("logged-out", "<h1>Déconnecté</h1>")

	w.done("French pages")
}
