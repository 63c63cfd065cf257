package social

import (
	"errors"
	"time"

	"golang.org/x/oauth2"
)

// Errors of the stores and the flows.
var (
	// ErrAccountNotFound is returned for a (provider, uid) or id that no
	// SocialAccount has.
	ErrAccountNotFound = errors.New("social: social account not found")
	// ErrDuplicateAccount is returned when a SocialAccount with the same
	// provider and uid exists (allauth's unique_together).
	ErrDuplicateAccount = errors.New("social: social account exists")
	// ErrAppNotFound is returned when no SocialApp matches.
	ErrAppNotFound = errors.New("social: social app not found")
	// ErrTokenNotFound is returned when an account has no token of an app.
	ErrTokenNotFound = errors.New("social: social token not found")
	// ErrInvalid is wrapped by the errors about values no store can hold
	// (an empty provider or uid, text over the column's length, a NUL
	// byte, extra data that is not a JSON object).
	ErrInvalid = errors.New("social: invalid value")
)

// Column lengths of django-allauth 0.51's tables.
const (
	MaxProviderLength = 30  // SocialAccount.provider, SocialApp.provider
	MaxUIDLength      = 191 // SocialAccount.uid (SOCIALACCOUNT_UID_MAX_LENGTH)
	MaxAppNameLength  = 40  // SocialApp.name
	MaxClientIDLength = 191 // SocialApp.client_id, secret and key
)

// Account is one row of allauth's socialaccount_socialaccount: an identity
// at a provider (Provider, UID) linked to a user.
type Account struct {
	ID       int64
	UserID   int64
	Provider string
	UID      string
	// ExtraData is what the provider said about the identity, a JSON
	// object stored as text (allauth's JSONField); nil is stored as "{}".
	ExtraData  []byte
	LastLogin  time.Time
	DateJoined time.Time
}

// App is one row of allauth's socialaccount_socialapp with the ids of its
// sites (socialaccount_socialapp_sites).
type App struct {
	ID       int64
	Provider string
	Name     string
	ClientID string
	// Secret is the client secret, stored in plain text by allauth.
	Secret  string
	Key     string
	SiteIDs []int64
}

// Token is one row of allauth's socialaccount_socialtoken: the provider's
// access token (Token) and refresh token (TokenSecret) of an account, for
// one app. The values are stored as given: see TokenCipher for
// encryption at rest.
type Token struct {
	ID          int64
	AppID       int64
	AccountID   int64
	Token       string
	TokenSecret string
	// ExpiresAt is the zero time when the provider gave no expiry.
	ExpiresAt time.Time
}

// Identity is what a provider asserts about the person who just logged in
// there.
type Identity struct {
	// Provider is the provider's ID and UID the stable identifier of the
	// person there, as allauth stores them.
	Provider string
	UID      string
	// Email is the address the provider gave, and EmailVerified whether
	// the provider says the person controls it. An unverified address is
	// never used to find or create an account.
	Email         string
	EmailVerified bool
	// Username is the provider's user name (preferred_username, GitHub's
	// login), a hint for the username of a new account.
	Username  string
	FirstName string
	LastName  string
	// ExtraData is stored in the account's extra_data.
	ExtraData map[string]any
	// Token is the token of the login; it is stored only when the
	// Config asks for it.
	Token *oauth2.Token
}
