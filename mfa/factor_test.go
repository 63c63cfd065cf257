package mfa_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/djauth/auth/mfa"
)

func TestThrottledErrorIs(t *testing.T) {
	var err error = fmt.Errorf("verify: %w", &mfa.ThrottledError{RetryAfter: 1500 * time.Millisecond})
	if !errors.Is(err, mfa.ErrThrottled) {
		t.Fatal("a wrapped *ThrottledError is not ErrThrottled")
	}
	if errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatal("a *ThrottledError is ErrInvalidCode")
	}
	var te *mfa.ThrottledError
	if !errors.As(err, &te) || te.RetryAfter != 1500*time.Millisecond {
		t.Fatalf("errors.As: %v", te)
	}
	if got, want := te.Error(), "mfa: too many failed attempts; try again in 2s"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}
