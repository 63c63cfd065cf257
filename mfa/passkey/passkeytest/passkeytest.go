// Package passkeytest is the conformance suite of passkey.Store: every
// store runs it.
package passkeytest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/djauth/auth/mfa/passkey"
)

// Run tests the stores that newStore returns, a fresh one per subtest,
// with the IDs of two users that exist in it.
func Run(t *testing.T, newStore func(t *testing.T) (s passkey.Store, alice, bob int64)) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cred := func(user int64, id byte) *passkey.Credential {
		return &passkey.Credential{
			UserID: user, Name: "key", CredentialID: []byte{id, 1, 2}, PublicKey: []byte{0xa5, id},
			AttestationType: "none", AttestationFormat: "none", Transports: []string{"internal", "hybrid"},
			AAGUID: make([]byte, 16), Attachment: "platform", SignCount: 3, UserVerified: true,
			BackupEligible: true, BackupState: false, CreatedAt: at,
		}
	}
	t.Run("UserHandle", func(t *testing.T) {
		s, alice, bob := newStore(t)
		ctx := t.Context()
		h, err := s.UserHandle(ctx, alice, []byte("handle-a"))
		must(t, err)
		if string(h) != "handle-a" {
			t.Fatalf("first handle = %q", h)
		}
		h, err = s.UserHandle(ctx, alice, []byte("other"))
		must(t, err)
		if string(h) != "handle-a" {
			t.Fatalf("a user's handle changed to %q", h)
		}
		if _, err := s.UserHandle(ctx, bob, []byte("handle-a")); err == nil {
			t.Fatal("two users got one handle")
		}
		id, err := s.UserByHandle(ctx, []byte("handle-a"))
		must(t, err)
		if id != alice {
			t.Fatalf("UserByHandle = %d, want %d", id, alice)
		}
		if _, err := s.UserByHandle(ctx, []byte("nobody")); !errors.Is(err, passkey.ErrNotFound) {
			t.Fatalf("unknown handle: %v", err)
		}
	})
	t.Run("Credentials", func(t *testing.T) {
		s, alice, bob := newStore(t)
		ctx := t.Context()
		a1, a2, b1 := cred(alice, 1), cred(alice, 2), cred(bob, 3)
		for _, c := range []*passkey.Credential{a1, a2, b1} {
			must(t, s.AddCredential(ctx, c))
			if c.ID == 0 {
				t.Fatal("AddCredential did not set ID")
			}
		}
		if err := s.AddCredential(ctx, cred(bob, 1)); !errors.Is(err, passkey.ErrDuplicateCredential) {
			t.Fatalf("duplicate credential ID: %v", err)
		}
		list, err := s.Credentials(ctx, alice)
		must(t, err)
		if len(list) != 2 || list[0].ID != a1.ID || list[1].ID != a2.ID {
			t.Fatalf("Credentials(alice) = %+v", list)
		}
		got := list[0]
		if got.Name != "key" || !bytes.Equal(got.CredentialID, a1.CredentialID) || !bytes.Equal(got.PublicKey, a1.PublicKey) ||
			got.AttestationType != "none" || got.AttestationFormat != "none" || len(got.Transports) != 2 || got.Transports[1] != "hybrid" ||
			len(got.AAGUID) != 16 || got.Attachment != "platform" || got.SignCount != 3 || !got.UserVerified ||
			!got.BackupEligible || got.BackupState || got.CloneWarning || !got.CreatedAt.Equal(at) || !got.LastUsedAt.IsZero() || got.UserID != alice {
			t.Fatalf("round trip: %+v", got)
		}
		none, err := s.Credentials(ctx, alice+bob+100)
		must(t, err)
		if len(none) != 0 {
			t.Fatalf("a user without credentials has %d", len(none))
		}
		c, err := s.CredentialByCredentialID(ctx, b1.CredentialID)
		must(t, err)
		if c.ID != b1.ID || c.UserID != bob {
			t.Fatalf("CredentialByCredentialID = %+v", c)
		}
		if _, err := s.CredentialByCredentialID(ctx, []byte("none")); !errors.Is(err, passkey.ErrNotFound) {
			t.Fatalf("unknown credential: %v", err)
		}
	})
	t.Run("RecordUse", func(t *testing.T) {
		s, alice, _ := newStore(t)
		ctx := t.Context()
		c := cred(alice, 1)
		must(t, s.AddCredential(ctx, c))
		used := at.Add(time.Hour)
		must(t, s.RecordUse(ctx, c.ID, passkey.Use{SignCount: 9, CloneWarning: true, UserVerified: false, BackupState: true, At: used}))
		got, err := s.CredentialByCredentialID(ctx, c.CredentialID)
		must(t, err)
		if got.SignCount != 9 || !got.CloneWarning || got.UserVerified || !got.BackupState || !got.LastUsedAt.Equal(used) || !got.BackupEligible {
			t.Fatalf("after RecordUse: %+v", got)
		}
		if err := s.RecordUse(ctx, c.ID+100, passkey.Use{At: used}); !errors.Is(err, passkey.ErrNotFound) {
			t.Fatalf("RecordUse of a missing credential: %v", err)
		}
	})
	t.Run("RenameDelete", func(t *testing.T) {
		s, alice, bob := newStore(t)
		ctx := t.Context()
		c := cred(alice, 1)
		must(t, s.AddCredential(ctx, c))
		if err := s.RenameCredential(ctx, bob, c.ID, "stolen"); !errors.Is(err, passkey.ErrNotFound) {
			t.Fatalf("rename by another user: %v", err)
		}
		must(t, s.RenameCredential(ctx, alice, c.ID, "phone"))
		list, err := s.Credentials(ctx, alice)
		must(t, err)
		if len(list) != 1 || list[0].Name != "phone" {
			t.Fatalf("after rename: %+v", list)
		}
		if err := s.DeleteCredential(ctx, bob, c.ID); !errors.Is(err, passkey.ErrNotFound) {
			t.Fatalf("delete by another user: %v", err)
		}
		must(t, s.DeleteCredential(ctx, alice, c.ID))
		if err := s.DeleteCredential(ctx, alice, c.ID); !errors.Is(err, passkey.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		if _, err := s.CredentialByCredentialID(ctx, c.CredentialID); !errors.Is(err, passkey.ErrNotFound) {
			t.Fatalf("deleted credential found: %v", err)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
