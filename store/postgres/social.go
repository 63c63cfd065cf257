package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/djauth/auth/social"
)

// SocialStore is a social.Store over django-allauth 0.51's socialaccount
// tables (Migrate with DjangoSocialAccount), so that djauth and allauth
// share linked identities, apps and tokens: an account made by either
// logs in through the other. Tokens are written as given (see
// social.TokenCipher). It is safe for concurrent use when its Querier is.
type SocialStore struct {
	db Querier
}

var _ social.Store = (*SocialStore)(nil)

// NewSocialStore returns a SocialStore on db.
func NewSocialStore(db Querier) (*SocialStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewSocialStore: nil Querier")
	}
	return &SocialStore{db: db}, nil
}

const socialAccountColumns = `"id", "user_id", "provider", "uid", "extra_data", "last_login", "date_joined"`

func scanSocialAccount(row pgx.Row) (social.Account, error) {
	var a social.Account
	var extra string
	err := row.Scan(&a.ID, &a.UserID, &a.Provider, &a.UID, &extra, &a.LastLogin, &a.DateJoined)
	a.ExtraData = []byte(extra)
	a.LastLogin, a.DateJoined = a.LastLogin.UTC(), a.DateJoined.UTC()
	return a, err
}

func isUnique(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == codeUniqueViolation
}

func isForeignKey(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}

// CreateAccount implements social.Store.
func (s *SocialStore) CreateAccount(ctx context.Context, a social.Account) (social.Account, error) {
	if err := social.ValidateAccount(a); err != nil {
		return social.Account{}, fmt.Errorf("postgres: create social account: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if a.DateJoined.IsZero() {
		a.DateJoined = now
	}
	if a.LastLogin.IsZero() {
		a.LastLogin = now
	}
	a.DateJoined = a.DateJoined.UTC().Truncate(time.Microsecond)
	a.LastLogin = a.LastLogin.UTC().Truncate(time.Microsecond)
	if a.ExtraData == nil {
		a.ExtraData = []byte("{}")
	}
	err := guarded(ctx, s.db, func(q Querier) error {
		return q.QueryRow(ctx, `INSERT INTO "socialaccount_socialaccount" ("user_id", "provider", "uid", "extra_data",
			"last_login", "date_joined") VALUES ($1, $2, $3, $4, $5, $6) RETURNING "id"`,
			a.UserID, a.Provider, a.UID, string(a.ExtraData), a.LastLogin, a.DateJoined).Scan(&a.ID)
	})
	switch {
	case isUnique(err):
		return social.Account{}, fmt.Errorf("postgres: create social account %s/%s: %w", a.Provider, a.UID, social.ErrDuplicateAccount)
	case err != nil:
		return social.Account{}, fmt.Errorf("postgres: create social account: %w", err)
	}
	return a, nil
}

// GetAccount implements social.Store.
func (s *SocialStore) GetAccount(ctx context.Context, provider, uid string) (social.Account, error) {
	if social.ValidateAccount(social.Account{UserID: 1, Provider: provider, UID: uid}) != nil {
		return social.Account{}, fmt.Errorf("postgres: social account %q/%q: %w", provider, uid, social.ErrAccountNotFound)
	}
	a, err := scanSocialAccount(s.db.QueryRow(ctx, `SELECT `+socialAccountColumns+`
		FROM "socialaccount_socialaccount" WHERE "provider" = $1 AND "uid" = $2`, provider, uid))
	if err != nil {
		return social.Account{}, fmt.Errorf("postgres: social account %s/%s: %w", provider, uid, translate(err, social.ErrAccountNotFound))
	}
	return a, nil
}

// ListAccounts implements social.Store.
func (s *SocialStore) ListAccounts(ctx context.Context, userID int64) ([]social.Account, error) {
	rows, err := s.db.Query(ctx, `SELECT `+socialAccountColumns+` FROM "socialaccount_socialaccount"
		WHERE "user_id" = $1 ORDER BY "id"`, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: list social accounts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (social.Account, error) { return scanSocialAccount(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: list social accounts: %w", err)
	}
	return out, nil
}

// TouchAccount implements social.Store.
func (s *SocialStore) TouchAccount(ctx context.Context, id int64, extraData []byte, lastLogin time.Time) error {
	if err := social.ValidateExtraData(extraData); err != nil {
		return fmt.Errorf("postgres: touch social account %d: %w", id, err)
	}
	if extraData == nil {
		extraData = []byte("{}")
	}
	tag, err := s.db.Exec(ctx, `UPDATE "socialaccount_socialaccount" SET "extra_data" = $2, "last_login" = $3 WHERE "id" = $1`,
		id, string(extraData), lastLogin.UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("postgres: touch social account %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: social account %d: %w", id, social.ErrAccountNotFound)
	}
	return nil
}

// DeleteAccount implements social.Store: the tokens go first, as
// Django's cascade deletes them.
func (s *SocialStore) DeleteAccount(ctx context.Context, id int64) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM "socialaccount_socialtoken" WHERE "account_id" = $1`, id); err != nil {
			return fmt.Errorf("postgres: delete social tokens of %d: %w", id, err)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM "socialaccount_socialaccount" WHERE "id" = $1`, id)
		if err != nil {
			return fmt.Errorf("postgres: delete social account %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: social account %d: %w", id, social.ErrAccountNotFound)
		}
		return nil
	})
}

// AddApp inserts an app and enables it on its sites, as Django's admin
// does; it is not part of social.Store.
func (s *SocialStore) AddApp(ctx context.Context, a social.App) (social.App, error) {
	if err := social.ValidateApp(a); err != nil {
		return social.App{}, fmt.Errorf("postgres: add social app: %w", err)
	}
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO "socialaccount_socialapp" ("provider", "name", "client_id", "secret", "key")
			VALUES ($1, $2, $3, $4, $5) RETURNING "id"`, a.Provider, a.Name, a.ClientID, a.Secret, a.Key).Scan(&a.ID); err != nil {
			return err
		}
		for _, site := range a.SiteIDs {
			if _, err := tx.Exec(ctx, `INSERT INTO "socialaccount_socialapp_sites" ("socialapp_id", "site_id") VALUES ($1, $2)`,
				a.ID, site); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return social.App{}, fmt.Errorf("postgres: add social app: %w", err)
	}
	return a, nil
}

// Apps implements social.Store.
func (s *SocialStore) Apps(ctx context.Context, siteID int64) ([]social.App, error) {
	rows, err := s.db.Query(ctx, `SELECT a."id", a."provider", a."name", a."client_id", a."secret", a."key",
		ARRAY(SELECT x."site_id"::bigint FROM "socialaccount_socialapp_sites" x WHERE x."socialapp_id" = a."id" ORDER BY x."site_id")
		FROM "socialaccount_socialapp" a
		WHERE EXISTS (SELECT 1 FROM "socialaccount_socialapp_sites" x WHERE x."socialapp_id" = a."id" AND x."site_id" = $1)
		ORDER BY a."id"`, siteID)
	if err != nil {
		return nil, fmt.Errorf("postgres: social apps of site %d: %w", siteID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (social.App, error) {
		var a social.App
		err := r.Scan(&a.ID, &a.Provider, &a.Name, &a.ClientID, &a.Secret, &a.Key, &a.SiteIDs)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: social apps of site %d: %w", siteID, err)
	}
	return out, nil
}

// EnsureApp implements social.Store. Two concurrent calls for a new app
// may both insert it (allauth has no unique constraint there); the one
// with the lower id is found from then on.
func (s *SocialStore) EnsureApp(ctx context.Context, a social.App) (social.App, error) {
	if err := social.ValidateApp(a); err != nil {
		return social.App{}, fmt.Errorf("postgres: ensure social app: %w", err)
	}
	var out social.App
	err := s.db.QueryRow(ctx, `SELECT "id", "provider", "name", "client_id", "secret", "key" FROM "socialaccount_socialapp"
		WHERE "provider" = $1 AND "client_id" = $2 ORDER BY "id" LIMIT 1`, a.Provider, a.ClientID).
		Scan(&out.ID, &out.Provider, &out.Name, &out.ClientID, &out.Secret, &out.Key)
	if err == nil {
		return out, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return social.App{}, fmt.Errorf("postgres: ensure social app: %w", err)
	}
	a.SiteIDs = nil
	return s.AddApp(ctx, a)
}

// SaveToken implements social.Store, as one statement that updates the
// row of (app, account) or inserts it.
func (s *SocialStore) SaveToken(ctx context.Context, t social.Token) (social.Token, error) {
	if err := social.ValidateToken(t); err != nil {
		return social.Token{}, fmt.Errorf("postgres: save social token: %w", err)
	}
	var exp *time.Time
	if !t.ExpiresAt.IsZero() {
		t.ExpiresAt = t.ExpiresAt.UTC().Truncate(time.Microsecond)
		exp = &t.ExpiresAt
	}
	err := guarded(ctx, s.db, func(q Querier) error {
		return q.QueryRow(ctx, `INSERT INTO "socialaccount_socialtoken" ("app_id", "account_id", "token", "token_secret", "expires_at")
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT ("app_id", "account_id") DO UPDATE SET "token" = EXCLUDED."token",
				"token_secret" = EXCLUDED."token_secret", "expires_at" = EXCLUDED."expires_at"
			RETURNING "id"`, t.AppID, t.AccountID, t.Token, t.TokenSecret, exp).Scan(&t.ID)
	})
	switch {
	case isForeignKey(err):
		return social.Token{}, fmt.Errorf("postgres: save social token: %w", social.ErrAccountNotFound)
	case err != nil:
		return social.Token{}, fmt.Errorf("postgres: save social token: %w", err)
	}
	return t, nil
}

// GetToken implements social.Store.
func (s *SocialStore) GetToken(ctx context.Context, appID, accountID int64) (social.Token, error) {
	var t social.Token
	var exp *time.Time
	err := s.db.QueryRow(ctx, `SELECT "id", "app_id", "account_id", "token", "token_secret", "expires_at"
		FROM "socialaccount_socialtoken" WHERE "app_id" = $1 AND "account_id" = $2`, appID, accountID).
		Scan(&t.ID, &t.AppID, &t.AccountID, &t.Token, &t.TokenSecret, &exp)
	if err != nil {
		return social.Token{}, fmt.Errorf("postgres: social token of app %d, account %d: %w", appID, accountID,
			translate(err, social.ErrTokenNotFound))
	}
	if exp != nil {
		t.ExpiresAt = exp.UTC()
	}
	return t, nil
}
