package passwordless

import (
	"context"
	"errors"
	"time"
)

// Errors of a Store.
var (
	// ErrNotFound is returned for a request that does not exist: never
	// made, consumed, voided by a newer one, or deleted as expired.
	ErrNotFound = errors.New("passwordless: no such login request")
	// ErrDuplicate is returned by Create for an ID that is taken.
	ErrDuplicate = errors.New("passwordless: login request ID taken")
	// ErrTooManyAttempts is returned by Attempt when the request has
	// used up its attempts; the request is deleted.
	ErrTooManyAttempts = errors.New("passwordless: too many attempts for this login request")
)

// Request is one login request at rest. Nothing in it lets a reader log
// in: the link token, the code and the browser's nonce are kept as HMACs
// keyed by the site's secret key.
type Request struct {
	// ID names the request in its link and in the asking browser's
	// session; it is random and not secret on its own.
	ID string
	// UserID is the user the mail went to, or 0 for a request made for an
	// address without an account (no mail went out; it can never
	// complete, and exists so that both cases do the same work).
	UserID int64
	// Subject is the throttling key of the request's code attempts: the
	// user, or the address for a request without one.
	Subject string
	// LinkHash, CodeHash and BindingHash are the HMACs of the link token,
	// the code and the asking browser's nonce.
	LinkHash, CodeHash, BindingHash []byte
	// Attempts counts the verifications tried so far.
	Attempts int
	// Created and Expires bound the request's life.
	Created, Expires time.Time
}

// Store keeps the login requests. Every method is atomic: two concurrent
// Consume calls of one request return it to exactly one caller. Memory
// (NewMemoryStore) and store/postgres' PasswordlessStore implement it and
// pass the suite in package passwordlesstest.
type Store interface {
	// Create stores r, whose ID must be new (else ErrDuplicate). With
	// voidOlder, it first deletes the other requests of r.UserID when
	// that is not 0, in the same transaction.
	Create(ctx context.Context, r Request, voidOlder bool) error
	// Get returns the request with the ID, or ErrNotFound.
	Get(ctx context.Context, id string) (Request, error)
	// Attempt counts one verification of the request and returns it with
	// the new count. When the count would exceed max it deletes the
	// request and returns ErrTooManyAttempts; ErrNotFound when it is gone.
	Attempt(ctx context.Context, id string, max int) (Request, error)
	// Consume deletes the request and returns it as it was, or
	// ErrNotFound when it is gone (another caller consumed it first).
	Consume(ctx context.Context, id string) (Request, error)
	// DeleteExpired deletes the requests whose Expires is not after
	// now and returns how many it deleted.
	DeleteExpired(ctx context.Context, now time.Time) (int, error)
}
