package social

import (
	"context"
	"fmt"
)

// AppProviders builds a Provider from an allauth SocialApp row, by
// provider id.
type AppProviders map[string]func(App) (Provider, error)

// DefaultAppProviders builds the GitHub, Google, Microsoft (tenant from
// the app's Key, "" is common) and GitLab providers from their apps, as
// allauth reads client_id and secret from socialaccount_socialapp.
func DefaultAppProviders() AppProviders {
	oidcFrom := func(c OIDCConfig) (Provider, error) { return NewOIDC(c) }
	return AppProviders{
		"github": func(a App) (Provider, error) {
			return NewGitHub(GitHubConfig{ClientID: a.ClientID, ClientSecret: a.Secret})
		},
		"google":    func(a App) (Provider, error) { return oidcFrom(Google(a.ClientID, a.Secret)) },
		"microsoft": func(a App) (Provider, error) { return oidcFrom(Microsoft(a.Key, a.ClientID, a.Secret)) },
		"gitlab":    func(a App) (Provider, error) { return oidcFrom(GitLab("", a.ClientID, a.Secret)) },
	}
}

// ProvidersFromApps returns a Provider for each app of the site (Django's
// SITE_ID) that build knows, in the order of the apps' ids, as allauth
// picks the app of each provider for the current site. A site with two
// apps of one provider is an error, as in allauth (get_current raises
// MultipleObjectsReturned). Apps of unknown providers are skipped.
func ProvidersFromApps(ctx context.Context, store Store, siteID int64, build AppProviders) ([]Provider, error) {
	apps, err := store.Apps(ctx, siteID)
	if err != nil {
		return nil, fmt.Errorf("social: read apps: %w", err)
	}
	seen := map[string]bool{}
	var out []Provider
	for _, a := range apps {
		f := build[a.Provider]
		if f == nil {
			continue
		}
		if seen[a.Provider] {
			return nil, fmt.Errorf("social: site %d has two apps of provider %q", siteID, a.Provider)
		}
		seen[a.Provider] = true
		p, err := f(a)
		if err != nil {
			return nil, fmt.Errorf("social: app %d (%s): %w", a.ID, a.Provider, err)
		}
		out = append(out, p)
	}
	return out, nil
}
