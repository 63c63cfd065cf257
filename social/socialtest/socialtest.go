// Package socialtest is the conformance suite of social.Store: every
// implementation runs Run, so that the memory store and the PostgreSQL
// store behave alike.
package socialtest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/social"
)

// Env is what Run needs of one fresh store: the store, the ids of two
// users it may link accounts to, and a way to add an app enabled on a
// site (as Django's admin does).
type Env struct {
	Store  social.Store
	Users  [2]int64
	AddApp func(ctx context.Context, a social.App) (social.App, error)
}

// Run runs the suite; newEnv returns a fresh, empty store each time.
func Run(t *testing.T, newEnv func(t *testing.T) Env) {
	ctx := context.Background()
	when := time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)

	t.Run("CreateGetList", func(t *testing.T) {
		e := newEnv(t)
		a, err := e.Store.CreateAccount(ctx, social.Account{UserID: e.Users[0], Provider: "github", UID: "1001",
			ExtraData: []byte(`{"login":"octo","id":1001}`), DateJoined: when, LastLogin: when})
		require.NoError(t, err)
		assert.Positive(t, a.ID)
		got, err := e.Store.GetAccount(ctx, "github", "1001")
		require.NoError(t, err)
		assert.Equal(t, a.ID, got.ID)
		assert.Equal(t, e.Users[0], got.UserID)
		assert.True(t, when.Equal(got.DateJoined), got.DateJoined)
		assert.True(t, when.Equal(got.LastLogin))
		var extra map[string]any
		require.NoError(t, json.Unmarshal(got.ExtraData, &extra))
		assert.Equal(t, "octo", extra["login"])

		b, err := e.Store.CreateAccount(ctx, social.Account{UserID: e.Users[0], Provider: "google", UID: "sub-1"})
		require.NoError(t, err)
		assert.JSONEq(t, `{}`, string(b.ExtraData))
		assert.False(t, b.DateJoined.IsZero())
		_, err = e.Store.CreateAccount(ctx, social.Account{UserID: e.Users[1], Provider: "github", UID: "1002"})
		require.NoError(t, err)
		list, err := e.Store.ListAccounts(ctx, e.Users[0])
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, []string{"github", "google"}, []string{list[0].Provider, list[1].Provider})
		none, err := e.Store.ListAccounts(ctx, 999999)
		require.NoError(t, err)
		assert.Empty(t, none)
	})

	t.Run("Errors", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.Store.CreateAccount(ctx, social.Account{UserID: e.Users[0], Provider: "github", UID: "1"})
		require.NoError(t, err)
		_, err = e.Store.CreateAccount(ctx, social.Account{UserID: e.Users[1], Provider: "github", UID: "1"})
		require.ErrorIs(t, err, social.ErrDuplicateAccount)
		// The uid is compared exactly, and per provider.
		_, err = e.Store.CreateAccount(ctx, social.Account{UserID: e.Users[1], Provider: "gitlab", UID: "1"})
		require.NoError(t, err)
		_, err = e.Store.GetAccount(ctx, "github", "2")
		require.ErrorIs(t, err, social.ErrAccountNotFound)
		_, err = e.Store.GetAccount(ctx, "github", "a\x00b")
		require.ErrorIs(t, err, social.ErrAccountNotFound)
		require.ErrorIs(t, e.Store.TouchAccount(ctx, 999999, nil, when), social.ErrAccountNotFound)
		require.ErrorIs(t, e.Store.DeleteAccount(ctx, 999999), social.ErrAccountNotFound)
		for _, bad := range []social.Account{
			{UserID: e.Users[0], Provider: "", UID: "x"},
			{UserID: e.Users[0], Provider: "p", UID: ""},
			{UserID: e.Users[0], Provider: strings.Repeat("p", social.MaxProviderLength+1), UID: "x"},
			{UserID: e.Users[0], Provider: "p", UID: strings.Repeat("u", social.MaxUIDLength+1)},
			{UserID: e.Users[0], Provider: "p", UID: "a\x00"},
			{UserID: e.Users[0], Provider: "p", UID: "x", ExtraData: []byte(`[1]`)},
			{UserID: e.Users[0], Provider: "p", UID: "x", ExtraData: []byte(`{"a":"\u0000"}`)},
			{UserID: 0, Provider: "p", UID: "x"},
		} {
			_, err := e.Store.CreateAccount(ctx, bad)
			require.ErrorIs(t, err, social.ErrInvalid, "%+v", bad)
		}
		list, err := e.Store.ListAccounts(ctx, e.Users[0])
		require.NoError(t, err)
		assert.Len(t, list, 1, "nothing half-written")
	})

	t.Run("TouchDelete", func(t *testing.T) {
		e := newEnv(t)
		a, err := e.Store.CreateAccount(ctx, social.Account{UserID: e.Users[0], Provider: "github", UID: "1", DateJoined: when, LastLogin: when})
		require.NoError(t, err)
		later := when.Add(time.Hour)
		require.NoError(t, e.Store.TouchAccount(ctx, a.ID, []byte(`{"v":2}`), later))
		got, err := e.Store.GetAccount(ctx, "github", "1")
		require.NoError(t, err)
		assert.JSONEq(t, `{"v":2}`, string(got.ExtraData))
		assert.True(t, later.Equal(got.LastLogin))
		assert.True(t, when.Equal(got.DateJoined))
		require.ErrorIs(t, e.Store.TouchAccount(ctx, a.ID, []byte(`"x"`), later), social.ErrInvalid)

		app, err := e.Store.EnsureApp(ctx, social.App{Provider: "github", Name: "GitHub", ClientID: "cid"})
		require.NoError(t, err)
		_, err = e.Store.SaveToken(ctx, social.Token{AppID: app.ID, AccountID: a.ID, Token: "t"})
		require.NoError(t, err)
		require.NoError(t, e.Store.DeleteAccount(ctx, a.ID))
		_, err = e.Store.GetAccount(ctx, "github", "1")
		require.ErrorIs(t, err, social.ErrAccountNotFound)
		_, err = e.Store.GetToken(ctx, app.ID, a.ID)
		require.ErrorIs(t, err, social.ErrTokenNotFound)
	})

	t.Run("Apps", func(t *testing.T) {
		e := newEnv(t)
		gh, err := e.AddApp(ctx, social.App{Provider: "github", Name: "GitHub", ClientID: "gh", Secret: "s", SiteIDs: []int64{1}})
		require.NoError(t, err)
		_, err = e.AddApp(ctx, social.App{Provider: "google", Name: "Google", ClientID: "go", Secret: "s2", SiteIDs: nil})
		require.NoError(t, err)
		apps, err := e.Store.Apps(ctx, 1)
		require.NoError(t, err)
		require.Len(t, apps, 1)
		assert.Equal(t, gh.ID, apps[0].ID)
		assert.Equal(t, "s", apps[0].Secret)
		assert.Equal(t, []int64{1}, apps[0].SiteIDs)
		// EnsureApp finds an app by provider and client id, or adds one.
		again, err := e.Store.EnsureApp(ctx, social.App{Provider: "github", Name: "Other", ClientID: "gh"})
		require.NoError(t, err)
		assert.Equal(t, gh.ID, again.ID)
		n1, err := e.Store.EnsureApp(ctx, social.App{Provider: "gitlab", Name: "GitLab", ClientID: "gl"})
		require.NoError(t, err)
		n2, err := e.Store.EnsureApp(ctx, social.App{Provider: "gitlab", Name: "GitLab", ClientID: "gl"})
		require.NoError(t, err)
		assert.Equal(t, n1.ID, n2.ID)
		_, err = e.Store.EnsureApp(ctx, social.App{Provider: "gitlab", Name: "", ClientID: "gl"})
		require.ErrorIs(t, err, social.ErrInvalid)
	})

	t.Run("Tokens", func(t *testing.T) {
		e := newEnv(t)
		a, err := e.Store.CreateAccount(ctx, social.Account{UserID: e.Users[0], Provider: "github", UID: "1"})
		require.NoError(t, err)
		app, err := e.Store.EnsureApp(ctx, social.App{Provider: "github", Name: "GitHub", ClientID: "cid"})
		require.NoError(t, err)
		_, err = e.Store.GetToken(ctx, app.ID, a.ID)
		require.ErrorIs(t, err, social.ErrTokenNotFound)
		t1, err := e.Store.SaveToken(ctx, social.Token{AppID: app.ID, AccountID: a.ID, Token: "one", TokenSecret: "r1", ExpiresAt: when})
		require.NoError(t, err)
		t2, err := e.Store.SaveToken(ctx, social.Token{AppID: app.ID, AccountID: a.ID, Token: "two"})
		require.NoError(t, err)
		assert.Equal(t, t1.ID, t2.ID, "one token per app and account")
		got, err := e.Store.GetToken(ctx, app.ID, a.ID)
		require.NoError(t, err)
		assert.Equal(t, "two", got.Token)
		assert.Empty(t, got.TokenSecret)
		assert.True(t, got.ExpiresAt.IsZero())
		_, err = e.Store.SaveToken(ctx, social.Token{AppID: app.ID, AccountID: a.ID, Token: ""})
		require.ErrorIs(t, err, social.ErrInvalid)
		_, err = e.Store.SaveToken(ctx, social.Token{AppID: app.ID, AccountID: 999999, Token: "x"})
		require.Error(t, err)
	})
}
