package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/djauth/auth/mfa"
)

// MFAPolicyStore is an mfa.PolicyStore over the djauth_mfa_policy and
// djauth_mfa_required_since tables that Migrate creates (djauth migration
// 0007_mfa_policy), so that every instance of a site, a dashboard and
// authctl share one policy. It is safe for concurrent use when its
// Querier is.
type MFAPolicyStore struct {
	db Querier
}

var _ mfa.PolicyStore = (*MFAPolicyStore)(nil)

// NewMFAPolicyStore returns an MFAPolicyStore on db.
func NewMFAPolicyStore(db Querier) (*MFAPolicyStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewMFAPolicyStore: nil Querier")
	}
	return &MFAPolicyStore{db: db}, nil
}

// Policy implements mfa.PolicyStore.
func (s *MFAPolicyStore) Policy(ctx context.Context) (mfa.Policy, error) {
	var p mfa.Policy
	var grace int64
	err := s.db.QueryRow(ctx, `SELECT "everyone", "superusers", "staff", "groups", "grace"
		FROM "djauth_mfa_policy" WHERE "id" = 1`).Scan(&p.Everyone, &p.Superusers, &p.Staff, &p.Groups, &grace)
	if errors.Is(err, pgx.ErrNoRows) {
		return mfa.Policy{}, nil
	}
	if err != nil {
		return mfa.Policy{}, fmt.Errorf("postgres: mfa policy: %w", err)
	}
	if len(p.Groups) == 0 {
		p.Groups = nil
	}
	p.Grace = time.Duration(grace)
	return p, nil
}

// SetPolicy implements mfa.PolicyStore.
func (s *MFAPolicyStore) SetPolicy(ctx context.Context, p mfa.Policy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	groups := p.Groups
	if groups == nil {
		groups = []string{}
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO "djauth_mfa_policy"
		("id", "everyone", "superusers", "staff", "groups", "grace", "updated_at")
		VALUES (1, $1, $2, $3, $4, $5, now())
		ON CONFLICT ("id") DO UPDATE SET "everyone" = $1, "superusers" = $2, "staff" = $3,
			"groups" = $4, "grace" = $5, "updated_at" = now()`,
		p.Everyone, p.Superusers, p.Staff, groups, int64(p.Grace)); err != nil {
		return fmt.Errorf("postgres: set mfa policy: %w", err)
	}
	return nil
}

// RequiredSince implements mfa.PolicyStore: one upsert, so that
// concurrent first calls agree.
func (s *MFAPolicyStore) RequiredSince(ctx context.Context, userID int64, now time.Time) (time.Time, error) {
	if userID <= 0 {
		return time.Time{}, fmt.Errorf("postgres: mfa required since: bad user ID %d", userID)
	}
	var since time.Time
	// The no-op update makes RETURNING give the existing row.
	err := s.db.QueryRow(ctx, `INSERT INTO "djauth_mfa_required_since" AS t ("user_id", "since") VALUES ($1, $2)
		ON CONFLICT ("user_id") DO UPDATE SET "since" = t."since"
		RETURNING "since"`, userID, now.UTC().Truncate(time.Microsecond)).Scan(&since)
	if err != nil {
		return time.Time{}, fmt.Errorf("postgres: mfa required since of user %d: %w", userID, err)
	}
	return since.UTC(), nil
}

// ResetRequiredSince implements mfa.PolicyStore.
func (s *MFAPolicyStore) ResetRequiredSince(ctx context.Context, userID int64) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM "djauth_mfa_required_since" WHERE "user_id" = $1`, userID); err != nil {
		return fmt.Errorf("postgres: reset mfa required since of user %d: %w", userID, err)
	}
	return nil
}
