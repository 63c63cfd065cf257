package social

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCConfig configures an OpenID Connect provider for NewOIDC. Google,
// Microsoft and GitLab return presets to complete with the client's
// credentials.
type OIDCConfig struct {
	// ID is the provider id stored in socialaccount_socialaccount (see
	// Provider.ID); Name its name for people.
	ID   string
	Name string
	// Issuer is the issuer URL; the provider's configuration is read from
	// Issuer + "/.well-known/openid-configuration" on first use.
	Issuer string
	// ClientID and ClientSecret are the registered client's.
	ClientID     string
	ClientSecret string
	// Scopes default to openid, email and profile ("openid" is always
	// asked for).
	Scopes []string
	// HTTPClient talks to the provider; nil is http.DefaultClient with a
	// 10-second timeout.
	HTTPClient *http.Client
	// Now is the clock that ID-token expiry is checked against; nil is
	// time.Now.
	Now func() time.Time
	// UIDClaim names the claim that is the account's uid; "" is "sub".
	// Microsoft's preset uses "oid", the user's object id, which is what
	// allauth's Microsoft provider stores (the Graph id).
	UIDClaim string
	// TenantIssuer is set for Microsoft's multi-tenant endpoints
	// (common, organizations): their discovery document names the issuer
	// "https://login.microsoftonline.com/{tenantid}/v2.0", and each ID
	// token's iss is that with the token's own tid claim. The issuer is
	// then checked against that template instead of Issuer.
	TenantIssuer string
}

// Google returns the preset of Google's OpenID provider. allauth's Google
// provider stores the same uid (the sub claim, the "id" of Google's
// userinfo).
func Google(clientID, clientSecret string) OIDCConfig {
	return OIDCConfig{ID: "google", Name: "Google", Issuer: "https://accounts.google.com",
		ClientID: clientID, ClientSecret: clientSecret}
}

// Microsoft returns the preset of the Microsoft identity platform (v2.0)
// for tenant: a tenant id or domain for one organisation, or "common" or
// "organizations" for any. The multi-tenant endpoints do not announce a
// fixed issuer (see OIDCConfig.TenantIssuer); this preset checks the
// issuer against the token's tid. "consumers" announces the fixed
// issuer of Microsoft's consumer tenant and works as a single tenant.
// Microsoft does not assert email_verified, so its addresses never
// match existing accounts or fill a new account's email.
func Microsoft(tenant, clientID, clientSecret string) OIDCConfig {
	if tenant == "" {
		tenant = "common"
	}
	c := OIDCConfig{ID: "microsoft", Name: "Microsoft",
		Issuer:   "https://login.microsoftonline.com/" + tenant + "/v2.0",
		ClientID: clientID, ClientSecret: clientSecret, UIDClaim: "oid"}
	if tenant == "common" || tenant == "organizations" {
		c.TenantIssuer = "https://login.microsoftonline.com/{tenantid}/v2.0"
	}
	return c
}

// GitLab returns the preset of GitLab's OpenID provider at baseURL (""
// is https://gitlab.com). GitLab's sub is the user's numeric id, which is
// what allauth's GitLab provider stores.
func GitLab(baseURL, clientID, clientSecret string) OIDCConfig {
	if baseURL == "" {
		baseURL = "https://gitlab.com"
	}
	return OIDCConfig{ID: "gitlab", Name: "GitLab", Issuer: strings.TrimRight(baseURL, "/"),
		ClientID: clientID, ClientSecret: clientSecret}
}

// OIDC is a Provider for any OpenID Connect provider: authorization code
// flow with PKCE (S256), state and nonce, the ID token verified (issuer,
// audience, expiry, signature against the provider's key set, which is
// fetched again when a token names a key it does not hold), the access
// token's at_hash checked, and the userinfo endpoint read when there is
// one. It is safe for concurrent use.
type OIDC struct {
	cfg    OIDCConfig
	client *http.Client
	now    func() time.Time

	mu       sync.Mutex
	provider *oidc.Provider
}

var _ Provider = (*OIDC)(nil)

// NewOIDC checks cfg and returns the provider. It does not contact the
// provider: discovery happens on first use, and is retried on the next
// login when it fails.
func NewOIDC(cfg OIDCConfig) (*OIDC, error) {
	if err := checkProviderID(cfg.ID); err != nil {
		return nil, err
	}
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, fmt.Errorf("social: provider %q: Issuer and ClientID are required", cfg.ID)
	}
	if cfg.Name == "" {
		cfg.Name = cfg.ID
	}
	if cfg.UIDClaim == "" {
		cfg.UIDClaim = "sub"
	}
	p := &OIDC{cfg: cfg, client: cfg.HTTPClient, now: cfg.Now}
	if p.client == nil {
		p.client = &http.Client{Timeout: 10 * time.Second}
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p, nil
}

// ID implements Provider.
func (p *OIDC) ID() string { return p.cfg.ID }

// Name implements Provider.
func (p *OIDC) Name() string { return p.cfg.Name }

// ClientID implements Provider.
func (p *OIDC) ClientID() string { return p.cfg.ClientID }

func (p *OIDC) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, p.client)
}

// discover returns the provider's configuration, reading it once.
func (p *OIDC) discover(ctx context.Context) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider != nil {
		return p.provider, nil
	}
	dctx := p.clientContext(ctx)
	if p.cfg.TenantIssuer != "" {
		dctx = oidc.InsecureIssuerURLContext(dctx, p.cfg.TenantIssuer)
	}
	prov, err := oidc.NewProvider(dctx, p.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: discovery: %w", ErrProvider, p.cfg.ID, err)
	}
	p.provider = prov
	return prov, nil
}

func (p *OIDC) oauth2Config(prov *oidc.Provider, redirectURL string) *oauth2.Config {
	scopes := []string{oidc.ScopeOpenID}
	if len(p.cfg.Scopes) == 0 {
		scopes = append(scopes, "email", "profile")
	}
	for _, s := range p.cfg.Scopes {
		if s != oidc.ScopeOpenID {
			scopes = append(scopes, s)
		}
	}
	return &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret,
		Endpoint: prov.Endpoint(), RedirectURL: redirectURL, Scopes: scopes}
}

// AuthCodeURL implements Provider.
func (p *OIDC) AuthCodeURL(ctx context.Context, a Authorization) (string, error) {
	prov, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	return p.oauth2Config(prov, a.RedirectURL).AuthCodeURL(a.State, oidc.Nonce(a.Nonce),
		oauth2.S256ChallengeOption(a.Verifier)), nil
}

// Exchange implements Provider.
func (p *OIDC) Exchange(ctx context.Context, a Authorization, code string) (*Identity, error) {
	prov, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	cctx := p.clientContext(ctx)
	tok, err := p.oauth2Config(prov, a.RedirectURL).Exchange(cctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: token: %w", ErrProvider, p.cfg.ID, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("%w: %s: the token response has no id_token", ErrProvider, p.cfg.ID)
	}
	idt, err := p.verify(cctx, prov, raw)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(a.Nonce)) != 1 || a.Nonce == "" {
		return nil, fmt.Errorf("%w: %w", ErrProvider, ErrNonce)
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, fmt.Errorf("%w: %s: at_hash: %w", ErrProvider, p.cfg.ID, err)
		}
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: %s: ID token claims: %w", ErrProvider, p.cfg.ID, err)
	}
	var ui map[string]any
	if prov.UserInfoEndpoint() != "" {
		info, err := prov.UserInfo(cctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: userinfo: %w", ErrProvider, p.cfg.ID, err)
		}
		// OpenID Connect Core 5.3.2: the userinfo's sub must be the ID
		// token's, or the answer is about someone else.
		if info.Subject != idt.Subject {
			return nil, fmt.Errorf("%w: %s: userinfo is about another subject", ErrProvider, p.cfg.ID)
		}
		if err := info.Claims(&ui); err != nil {
			return nil, fmt.Errorf("%w: %s: userinfo claims: %w", ErrProvider, p.cfg.ID, err)
		}
	}
	for k, v := range ui {
		if _, ok := claims[k]; !ok || k == "email" || k == "email_verified" {
			claims[k] = v
		}
	}
	return p.identity(claims, tok)
}

func (p *OIDC) verify(ctx context.Context, prov *oidc.Provider, raw string) (*oidc.IDToken, error) {
	v := prov.Verifier(&oidc.Config{ClientID: p.cfg.ClientID, Now: p.now,
		SkipIssuerCheck: p.cfg.TenantIssuer != ""})
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: ID token: %w", ErrProvider, p.cfg.ID, err)
	}
	if p.cfg.TenantIssuer != "" {
		var c struct {
			TID string `json:"tid"`
		}
		if err := idt.Claims(&c); err != nil || !TenantIssuerMatches(p.cfg.TenantIssuer, idt.Issuer, c.TID) {
			return nil, fmt.Errorf("%w: %s: ID token issuer %q is not the tenant's", ErrProvider, p.cfg.ID, idt.Issuer)
		}
	}
	return idt, nil
}

// TenantIssuerMatches reports whether iss is template (with "{tenantid}")
// filled in with the token's tid claim, as a multi-tenant Microsoft
// client must check instead of a fixed issuer.
func TenantIssuerMatches(template, iss, tid string) bool {
	if tid == "" || strings.ContainsAny(tid, "/{}?#") || !strings.Contains(template, "{tenantid}") {
		return false
	}
	return iss == strings.Replace(template, "{tenantid}", tid, 1)
}

// identity builds the Identity from the merged claims.
func (p *OIDC) identity(claims map[string]any, tok *oauth2.Token) (*Identity, error) {
	uid, _ := claims[p.cfg.UIDClaim].(string)
	if err := checkText("uid", uid, MaxUIDLength, true); err != nil {
		return nil, fmt.Errorf("%w: %s: claim %q: %w", ErrProvider, p.cfg.ID, p.cfg.UIDClaim, err)
	}
	str := func(k string) string { s, _ := claims[k].(string); return s }
	id := &Identity{
		Provider: p.cfg.ID, UID: uid,
		Email: str("email"), EmailVerified: claimTrue(claims["email_verified"]),
		Username: str("preferred_username"), FirstName: str("given_name"), LastName: str("family_name"),
		ExtraData: claims, Token: tok,
	}
	if id.Username == "" {
		id.Username = str("nickname")
	}
	// allauth's Google, GitLab and Microsoft accounts read "id".
	if _, ok := claims["id"]; !ok {
		claims["id"] = uid
	}
	return id, nil
}

// claimTrue reads a boolean claim; some providers send "true" as text.
func claimTrue(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return b == "true"
	case json.Number:
		return false
	}
	return false
}

// checkProviderID accepts what allauth's provider column holds and a URL
// segment carries without escaping.
func checkProviderID(id string) error {
	if id == "" || len(id) > MaxProviderLength {
		return fmt.Errorf("social: provider id %q: 1 to %d characters", id, MaxProviderLength)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("social: provider id %q: only a-z, 0-9, _ and -", id)
		}
	}
	return nil
}
