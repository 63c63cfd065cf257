package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/social/socialtest"
	"github.com/djauth/auth/store/postgres"
)

func TestSocialStore(t *testing.T) {
	t.Parallel()
	socialtest.Run(t, func(t *testing.T) socialtest.Env {
		pool := pgtest.NewPool(t)
		_, err := postgres.Migrate(t.Context(), pool, postgres.DjangoSocialAccount)
		require.NoError(t, err)
		s, err := postgres.NewSocialStore(pool)
		require.NoError(t, err)
		return socialtest.Env{Store: s, Users: [2]int64{newAuthUser(t, pool), newAuthUser(t, pool)}, AddApp: s.AddApp}
	})
}

// TestSocialStoreInTransaction: a duplicate identity leaves the caller's
// transaction usable.
func TestSocialStoreInTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	_, err := postgres.Migrate(ctx, pool, postgres.DjangoSocialAccount)
	require.NoError(t, err)
	user := newAuthUser(t, pool)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	s, err := postgres.NewSocialStore(tx)
	require.NoError(t, err)
	_, err = s.CreateAccount(ctx, social.Account{UserID: user, Provider: "github", UID: "1"})
	require.NoError(t, err)
	_, err = s.CreateAccount(ctx, social.Account{UserID: user, Provider: "github", UID: "1"})
	require.ErrorIs(t, err, social.ErrDuplicateAccount)
	_, err = s.CreateAccount(ctx, social.Account{UserID: user, Provider: "github", UID: "2"})
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
}

func TestMigrateSocialAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	rep, err := postgres.Migrate(ctx, pool, postgres.DjangoSocialAccount)
	require.NoError(t, err)
	assert.Equal(t, append(append([]string{}, djangoMigrationNames...), "sites.0001_initial", "sites.0002_alter_domain_unique",
		"socialaccount.0001_initial", "socialaccount.0002_token_max_lengths", "socialaccount.0003_extra_data_default_dict"), rep.Recorded,
		"sites first: the social app's tables reference django_site")
	var domain string
	require.NoError(t, pool.QueryRow(ctx, `SELECT "domain" FROM "django_site" WHERE "id" = 1`).Scan(&domain))
	assert.Equal(t, "example.com", domain)
	again, err := postgres.Migrate(ctx, pool, postgres.DjangoSites, postgres.DjangoSocialAccount)
	require.NoError(t, err)
	assert.Empty(t, again.Recorded)
}
