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
// concurrent failures of one key are all counted. Times need only be kept
// to the microsecond (PostgreSQL's precision); the Limiter passes times
// truncated to it.
type Store interface {
	// Get returns the counter of key, or an error wrapping ErrNotFound.
	Get(ctx context.Context, key Key) (Record, error)
	// Fail adds one failure at now to the counter of key and returns the
	// new state. A counter whose last failure is before expireBefore
	// starts again from zero, so the result then has Failures 1.
	Fail(ctx context.Context, key Key, now, expireBefore time.Time) (Record, error)
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
