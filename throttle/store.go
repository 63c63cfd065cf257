package throttle

import (
	"context"
	"errors"
	"time"
)

// Kind says what a Key counts: the scope's own key (an account, an email
// address, a user id) or the client address.
type Kind string

// The kinds of Key.
const (
	// KindKey counts failures of one account, email or user.
	KindKey Kind = "key"
	// KindAddress counts failures from one client address (an IPv4
	// address or an IPv6 /64).
	KindAddress Kind = "address"
)

// Key names one counter: a scope ("login", "password_reset", …), a kind
// and a value (a normalised username, an email, a user id or an address).
type Key struct {
	Scope string
	Kind  Kind
	Value string
}

// Record is the stored state of one counter: the number of consecutive
// failures and the time of the last one.
type Record struct {
	Key
	// Failures is the number of failures since the counter was last reset
	// or expired.
	Failures int
	// Last is the time of the last failure.
	Last time.Time
}

// ErrNotFound is returned by Store.Get for a counter that does not exist.
var ErrNotFound = errors.New("throttle: no such counter")

// Store keeps the counters, shared by every instance of a site. Every
// method must be safe for concurrent use; Fail must be atomic, so that
// concurrent failures of one key are all counted, and Reserve must be
// atomic with its limit check. Times need only be kept
// to the microsecond (PostgreSQL's precision); the Limiter passes times
// truncated to it.
type Store interface {
	// Get returns the counter of key, or an error wrapping ErrNotFound.
	Get(ctx context.Context, key Key) (Record, error)
	// Fail adds one failure at now to the counter of key and returns the
	// new state. A counter whose last failure is before expireBefore
	// starts again from zero, so the result then has Failures 1.
	Fail(ctx context.Context, key Key, now, expireBefore time.Time) (Record, error)
	// Reserve counts one attempt as a failure before its outcome is
	// known, as Fail does, but only while the counter (an expired one
	// counts as zero) holds fewer than limit failures; reserved reports
	// whether it counted. A limit of zero or less always counts. The check
	// and the count must be one atomic step, so that concurrent
	// reservations never take a counter past limit. rec is the counter
	// after the call; a refused reservation leaves it unchanged.
	Reserve(ctx context.Context, key Key, now, expireBefore time.Time, limit int) (rec Record, reserved bool, err error)
	// Release takes back one failure that Reserve counted, for an attempt
	// that did not fail: Failures drops by one and Last is kept; a
	// counter left with no failure is deleted. Releasing a missing
	// counter is not an error.
	Release(ctx context.Context, key Key) error
	// Reset deletes the counter of key; deleting a missing one is not an
	// error.
	Reset(ctx context.Context, key Key) error
	// List returns every counter whose last failure is at or after since,
	// ordered by scope, kind and value.
	List(ctx context.Context, since time.Time) ([]Record, error)
	// Prune deletes every counter whose last failure is before before and
	// returns how many it deleted.
	Prune(ctx context.Context, before time.Time) (int, error)
}
