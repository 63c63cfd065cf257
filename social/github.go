package social

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// GitHubConfig configures NewGitHub.
type GitHubConfig struct {
	// ClientID and ClientSecret are the OAuth app's.
	ClientID     string
	ClientSecret string
	// WebURL is where the authorization and token endpoints live ("" is
	// https://github.com); APIURL the REST API ("" is
	// https://api.github.com; GitHub Enterprise Server uses
	// WebURL + "/api/v3").
	WebURL string
	APIURL string
	// Scopes default to read:user and user:email.
	Scopes []string
	// HTTPClient talks to GitHub; nil is a client with a 10-second
	// timeout.
	HTTPClient *http.Client
}

// GitHub is a Provider for GitHub's OAuth apps (OAuth 2.0, not OpenID
// Connect): the code is exchanged with PKCE, then /user names the account
// (uid: its numeric id, as allauth stores it) and /user/emails its
// addresses. Only the address that GitHub marks primary and verified
// counts as verified; the public profile email proves nothing.
type GitHub struct {
	cfg    GitHubConfig
	client *http.Client
}

var _ Provider = (*GitHub)(nil)

// NewGitHub checks cfg and returns the provider.
func NewGitHub(cfg GitHubConfig) (*GitHub, error) {
	if cfg.ClientID == "" {
		return nil, fmt.Errorf("social: GitHub: ClientID is required")
	}
	if cfg.WebURL == "" {
		cfg.WebURL = "https://github.com"
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.github.com"
	}
	cfg.WebURL = strings.TrimRight(cfg.WebURL, "/")
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"read:user", "user:email"}
	}
	g := &GitHub{cfg: cfg, client: cfg.HTTPClient}
	if g.client == nil {
		g.client = &http.Client{Timeout: 10 * time.Second}
	}
	return g, nil
}

// ID implements Provider: "github", as allauth.
func (g *GitHub) ID() string { return "github" }

// Name implements Provider.
func (g *GitHub) Name() string { return "GitHub" }

// ClientID implements Provider.
func (g *GitHub) ClientID() string { return g.cfg.ClientID }

func (g *GitHub) oauth2Config(redirectURL string) *oauth2.Config {
	return &oauth2.Config{ClientID: g.cfg.ClientID, ClientSecret: g.cfg.ClientSecret,
		Endpoint: oauth2.Endpoint{AuthURL: g.cfg.WebURL + "/login/oauth/authorize",
			TokenURL: g.cfg.WebURL + "/login/oauth/access_token", AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: redirectURL, Scopes: g.cfg.Scopes}
}

// AuthCodeURL implements Provider.
func (g *GitHub) AuthCodeURL(ctx context.Context, a Authorization) (string, error) {
	return g.oauth2Config(a.RedirectURL).AuthCodeURL(a.State, oauth2.S256ChallengeOption(a.Verifier)), nil
}

// githubEmail is one entry of /user/emails.
type githubEmail struct {
	Email    string `json:"email"`
	Primary  bool   `json:"primary"`
	Verified bool   `json:"verified"`
}

// Exchange implements Provider.
func (g *GitHub) Exchange(ctx context.Context, a Authorization, code string) (*Identity, error) {
	cctx := context.WithValue(ctx, oauth2.HTTPClient, g.client)
	tok, err := g.oauth2Config(a.RedirectURL).Exchange(cctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return nil, fmt.Errorf("%w: github: token: %w", ErrProvider, err)
	}
	var user map[string]any
	if err := g.get(ctx, tok, "/user", &user); err != nil {
		return nil, err
	}
	var emails []githubEmail
	if err := g.get(ctx, tok, "/user/emails", &emails); err != nil {
		return nil, err
	}
	return githubIdentity(user, emails, tok)
}

// githubIdentity builds the identity from /user and /user/emails.
func githubIdentity(user map[string]any, emails []githubEmail, tok *oauth2.Token) (*Identity, error) {
	n, ok := user["id"].(json.Number)
	if !ok || n.String() == "" || strings.ContainsAny(n.String(), ".eE-+") {
		return nil, fmt.Errorf("%w: github: /user has no numeric id", ErrProvider)
	}
	login, _ := user["login"].(string)
	name, _ := user["name"].(string)
	id := &Identity{Provider: "github", UID: n.String(), Username: login, ExtraData: user, Token: tok}
	id.FirstName, id.LastName, _ = strings.Cut(strings.TrimSpace(name), " ")
	for _, e := range emails {
		if e.Primary && e.Verified && e.Email != "" {
			id.Email, id.EmailVerified = e.Email, true
		}
	}
	if id.Email == "" {
		// An address, but nothing vouches for it.
		id.Email, _ = user["email"].(string)
	}
	// allauth's GitHub provider (QUERY_EMAIL) puts the primary address
	// in extra_data's "email".
	if id.EmailVerified {
		user["email"] = id.Email
	}
	return id, nil
}

func (g *GitHub) get(ctx context.Context, tok *oauth2.Token, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.cfg.APIURL+path, nil)
	if err != nil {
		return fmt.Errorf("%w: github: %s: %w", ErrProvider, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	resp, err := g.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: github: %s: %w", ErrProvider, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%w: github: %s: %w", ErrProvider, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: github: %s: status %d", ErrProvider, path, resp.StatusCode)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: github: %s: %w", ErrProvider, path, err)
	}
	return nil
}
