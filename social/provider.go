package social

import (
	"context"
	"errors"
)

// A Provider is a place people log in at: an OpenID provider (OIDC) or
// GitHub. The flows of Social call it; apps rarely do.
type Provider interface {
	// ID is the provider's id in allauth's tables ("github", "google",
	// or the id an app gives a generic OpenID provider); it appears in the
	// login URLs. At most MaxProviderLength characters of [a-z0-9_-].
	ID() string
	// Name is the provider's name for people ("GitHub").
	Name() string
	// ClientID is the client id registered at the provider.
	ClientID() string
	// AuthCodeURL returns the address of the provider's authorization
	// page for one login.
	AuthCodeURL(ctx context.Context, a Authorization) (string, error)
	// Exchange redeems the code that the provider returned to the
	// callback, checks what it got back, and returns who logged in.
	Exchange(ctx context.Context, a Authorization, code string) (*Identity, error)
}

// Authorization is one login's secrets, made by Social and kept in the
// session between the start of the login and its callback.
type Authorization struct {
	// RedirectURL is the callback URL registered at the provider.
	RedirectURL string
	// State is echoed by the provider and compared on the callback.
	State string
	// Nonce goes into the ID token of an OpenID provider.
	Nonce string
	// Verifier is the PKCE code verifier; the provider is sent its S256
	// challenge.
	Verifier string
}

// Errors of the providers.
var (
	// ErrProvider wraps every failure of a provider: a refused code, a
	// token or an answer that does not verify, a provider that cannot
	// be reached.
	ErrProvider = errors.New("social: provider error")
	// ErrNonce is returned when the ID token's nonce is not the login's.
	ErrNonce = errors.New("social: ID token nonce mismatch")
)
