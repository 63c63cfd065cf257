package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/djauth/auth/audit"
)

// AuditStore is an audit.Store over the djauth_audit table that Migrate
// creates (djauth migration 0010_audit). It is safe for concurrent use
// when its Querier is.
type AuditStore struct {
	db  Querier
	now func() time.Time
}

var _ audit.Store = (*AuditStore)(nil)

// NewAuditStore returns an AuditStore on db.
func NewAuditStore(db Querier) (*AuditStore, error) {
	if db == nil {
		return nil, errors.New("postgres: NewAuditStore: nil Querier")
	}
	return &AuditStore{db: db, now: time.Now}, nil
}

const auditColumns = `"id", "time", "action", "actor_id", "actor_name", "target_user_id", "object_type", "object_id", "object_repr", "message", "remote_addr", "user_agent", "meta"`

// Record implements audit.Store.
func (s *AuditStore) Record(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	e, err := e.Normalize(s.now())
	if err != nil {
		return audit.Entry{}, err
	}
	var meta []byte
	if e.Meta != nil {
		if meta, err = json.Marshal(e.Meta); err != nil {
			return audit.Entry{}, fmt.Errorf("postgres: record audit entry: %w", err)
		}
	}
	err = s.db.QueryRow(ctx, `INSERT INTO "djauth_audit" ("time", "action", "actor_id", "actor_name", "target_user_id",
		"object_type", "object_id", "object_repr", "message", "remote_addr", "user_agent", "meta")
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING "id"`,
		e.Time, string(e.Action), e.ActorID, e.ActorName, e.TargetUserID, e.Object.Type, e.Object.ID, e.Object.Repr,
		e.Message, e.RemoteAddr, e.UserAgent, meta).Scan(&e.ID)
	if err != nil {
		return audit.Entry{}, fmt.Errorf("postgres: record audit entry: %w", err)
	}
	return e, nil
}

// List implements audit.Store: one COUNT and one page query, both on
// the indexes of migration 0009.
func (s *AuditStore) List(ctx context.Context, q audit.Query) ([]audit.Entry, int, error) {
	q, err := q.Check()
	if err != nil {
		return nil, 0, err
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if q.ActorID != 0 {
		add(`"actor_id" = ?`, q.ActorID)
	}
	if q.TargetUserID != 0 {
		add(`"target_user_id" = ?`, q.TargetUserID)
	}
	if q.Action != "" {
		add(`"action" = ?`, string(q.Action))
	}
	if !q.Since.IsZero() {
		add(`"time" >= ?`, q.Since)
	}
	if !q.Until.IsZero() {
		add(`"time" < ?`, q.Until)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM "djauth_audit"`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("postgres: count audit entries: %w", err)
	}
	args = append(args, q.Limit, q.Offset)
	rows, err := s.db.Query(ctx, `SELECT `+auditColumns+` FROM "djauth_audit"`+cond+
		` ORDER BY "time" DESC, "id" DESC LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: list audit entries: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (audit.Entry, error) {
		var e audit.Entry
		var action string
		var meta []byte
		if err := row.Scan(&e.ID, &e.Time, &action, &e.ActorID, &e.ActorName, &e.TargetUserID, &e.Object.Type,
			&e.Object.ID, &e.Object.Repr, &e.Message, &e.RemoteAddr, &e.UserAgent, &meta); err != nil {
			return e, err
		}
		e.Action, e.Time = audit.Action(action), e.Time.UTC()
		if meta != nil {
			if err := json.Unmarshal(meta, &e.Meta); err != nil {
				return e, err
			}
		}
		return e, nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: list audit entries: %w", err)
	}
	if out == nil {
		out = []audit.Entry{}
	}
	return out, total, nil
}

// Prune implements audit.Store.
func (s *AuditStore) Prune(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM "djauth_audit" WHERE "time" < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("postgres: prune audit entries: %w", err)
	}
	return tag.RowsAffected(), nil
}
