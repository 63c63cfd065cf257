package social

import (
	"context"
	"time"
)

// Store holds social accounts, apps and tokens in the layout of
// django-allauth 0.51's socialaccount app. The memory store of this
// package and store/postgres's SocialStore implement it; socialtest.Run
// is their conformance suite.
type Store interface {
	// CreateAccount inserts a, setting its ID; DateJoined and LastLogin
	// default to now. An existing (provider, uid) gives
	// ErrDuplicateAccount, an invalid value an error wrapping ErrInvalid.
	CreateAccount(ctx context.Context, a Account) (Account, error)
	// GetAccount returns the account of (provider, uid), or
	// ErrAccountNotFound.
	GetAccount(ctx context.Context, provider, uid string) (Account, error)
	// ListAccounts returns the accounts of a user, by ID.
	ListAccounts(ctx context.Context, userID int64) ([]Account, error)
	// TouchAccount records a login of the account: its extra_data and
	// last_login, as allauth's SocialLogin.lookup does. An unknown id
	// gives ErrAccountNotFound.
	TouchAccount(ctx context.Context, id int64, extraData []byte, lastLogin time.Time) error
	// DeleteAccount deletes the account and its tokens, or returns
	// ErrAccountNotFound.
	DeleteAccount(ctx context.Context, id int64) error

	// Apps returns the apps enabled on the site, by ID (allauth's
	// SocialApp.objects.get_current reads them so).
	Apps(ctx context.Context, siteID int64) ([]App, error)
	// EnsureApp returns the app of (a.Provider, a.ClientID), inserting a
	// when there is none, so that a provider configured in Go has a row
	// its tokens can reference.
	EnsureApp(ctx context.Context, a App) (App, error)

	// SaveToken inserts or replaces the token of (t.AppID, t.AccountID)
	// (allauth's unique_together) and returns it with its ID.
	SaveToken(ctx context.Context, t Token) (Token, error)
	// GetToken returns the token of the account for the app, or
	// ErrTokenNotFound.
	GetToken(ctx context.Context, appID, accountID int64) (Token, error)
}
