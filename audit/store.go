package audit

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Store keeps the audit log. Implementations: MemoryStore here and
// postgres.AuditStore; both pass audittest.Run.
type Store interface {
	// Record normalizes e (Entry.Normalize), stores it and returns it
	// with its ID and Time set. Entries are never changed afterwards.
	Record(ctx context.Context, e Entry) (Entry, error)
	// List returns the entries matching q, newest first (by Time, then
	// ID), from q.Offset, at most q.Limit of them, and the number of
	// matching entries in all.
	List(ctx context.Context, q Query) (entries []Entry, total int, err error)
	// Prune deletes the entries older than before and returns how many.
	Prune(ctx context.Context, before time.Time) (int64, error)
}

// Query selects entries. Its zero value selects every entry, the first
// DefaultLimit of them.
type Query struct {
	// ActorID and TargetUserID, when not zero, keep the entries of that
	// actor or target.
	ActorID      int64
	TargetUserID int64
	// Action, when not empty, keeps the entries of that action.
	Action Action
	// Since keeps entries at or after it, Until entries before it; zero
	// means no bound.
	Since time.Time
	Until time.Time
	// Offset skips that many entries; Limit bounds the page (zero means
	// DefaultLimit, at most MaxLimit).
	Offset int
	Limit  int
}

// Check validates q and returns it with Limit defaulted.
func (q Query) Check() (Query, error) {
	if q.ActorID < 0 || q.TargetUserID < 0 {
		return q, fmt.Errorf("%w: query: negative user ID", ErrInvalid)
	}
	if q.Action != "" && !ValidAction(q.Action) {
		return q, fmt.Errorf("%w: query: action %q", ErrInvalid, truncate(string(q.Action), MaxActionLen))
	}
	if q.Offset < 0 || q.Limit < 0 || q.Limit > MaxLimit {
		return q, fmt.Errorf("%w: query: offset %d, limit %d (0 to %d)", ErrInvalid, q.Offset, q.Limit, MaxLimit)
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	return q, nil
}

// Matches reports whether e is selected by q's filters (not its page).
func (q Query) Matches(e Entry) bool {
	return (q.ActorID == 0 || e.ActorID == q.ActorID) &&
		(q.TargetUserID == 0 || e.TargetUserID == q.TargetUserID) &&
		(q.Action == "" || e.Action == q.Action) &&
		(q.Since.IsZero() || !e.Time.Before(q.Since)) &&
		(q.Until.IsZero() || e.Time.Before(q.Until))
}

func sortStrings(s []string) { slices.Sort(s) }
