package passkey_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/mfa/passkey/passkeytest"
)

const (
	testOrigin = "http://localhost:8000"
	alice      = int64(1)
	bob        = int64(2)
)

// rig is Passkeys over a memory store with a fake clock, a settable
// "active" answer and a loaded session, and a software authenticator.
type rig struct {
	p      *passkey.Passkeys
	ctx    context.Context
	now    time.Time
	active map[int64]bool
	authn  *passkeytest.Authenticator
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), active: map[int64]bool{alice: true, bob: true}}
	sessions := scs.New()
	p, err := passkey.New(passkey.Config{
		RPID: "localhost", RPOrigins: []string{testOrigin},
		Store: passkey.NewMemoryStore(), Sessions: sessions, Now: func() time.Time { return r.now },
		UserActive: func(_ context.Context, id int64) (bool, error) { return r.active[id], nil },
	})
	require.NoError(t, err)
	r.p = p
	r.ctx, err = sessions.Load(t.Context(), "")
	require.NoError(t, err)
	r.authn = passkeytest.NewAuthenticator(t, testOrigin, "localhost")
	return r
}

// register registers a passkey of userID through the software
// authenticator.
func (r *rig) register(t *testing.T, userID int64) *passkeytest.Cred {
	t.Helper()
	opts, err := r.p.BeginRegistration(r.ctx, userID, "user", "")
	require.NoError(t, err)
	body, c := r.authn.Create(opts)
	_, err = r.p.FinishRegistration(r.ctx, userID, "key", body)
	require.NoError(t, err)
	return c
}

// TestSoftAuthenticatorAccepted is the positive control of the negative
// tests: the software authenticator registers and signs in both ways.
func TestSoftAuthenticatorAccepted(t *testing.T) {
	r := newRig(t)
	c := r.register(t, alice)
	opts, err := r.p.BeginLogin(r.ctx, alice)
	require.NoError(t, err)
	dev, err := r.p.FinishLogin(r.ctx, alice, r.authn.Get(opts, c))
	require.NoError(t, err)
	require.Equal(t, alice, dev.UserID)
	require.Equal(t, passkey.Kind, dev.Factor)

	opts, err = r.p.BeginPasswordless(r.ctx, false)
	require.NoError(t, err)
	dev, err = r.p.FinishPasswordless(r.ctx, r.authn.Get(opts, c))
	require.NoError(t, err)
	require.Equal(t, alice, dev.UserID)
	creds, err := r.p.Credentials(r.ctx, alice)
	require.NoError(t, err)
	require.Equal(t, uint32(2), creds[0].SignCount)
	require.Equal(t, r.now, creds[0].LastUsedAt)
}

func TestRefused(t *testing.T) {
	t.Run("wrong origin at registration", func(t *testing.T) {
		r := newRig(t)
		opts, err := r.p.BeginRegistration(r.ctx, alice, "alice", "")
		require.NoError(t, err)
		r.authn.Origin = "http://localhost:9999"
		body, _ := r.authn.Create(opts)
		_, err = r.p.FinishRegistration(r.ctx, alice, "", body)
		require.ErrorIs(t, err, passkey.ErrVerification)
	})
	t.Run("wrong origin at sign-in", func(t *testing.T) {
		r := newRig(t)
		c := r.register(t, alice)
		opts, err := r.p.BeginLogin(r.ctx, alice)
		require.NoError(t, err)
		r.authn.Origin = "https://evil.example"
		_, err = r.p.FinishLogin(r.ctx, alice, r.authn.Get(opts, c))
		require.ErrorIs(t, err, passkey.ErrVerification)
	})
	t.Run("wrong RP ID at registration", func(t *testing.T) {
		r := newRig(t)
		opts, err := r.p.BeginRegistration(r.ctx, alice, "alice", "")
		require.NoError(t, err)
		r.authn.RPID = "evil.example"
		body, _ := r.authn.Create(opts)
		_, err = r.p.FinishRegistration(r.ctx, alice, "", body)
		require.ErrorIs(t, err, passkey.ErrVerification)
	})
	t.Run("wrong RP ID at sign-in", func(t *testing.T) {
		r := newRig(t)
		c := r.register(t, alice)
		opts, err := r.p.BeginPasswordless(r.ctx, false)
		require.NoError(t, err)
		r.authn.RPID = "evil.example"
		_, err = r.p.FinishPasswordless(r.ctx, r.authn.Get(opts, c))
		require.ErrorIs(t, err, passkey.ErrVerification)
	})
	t.Run("replayed response", func(t *testing.T) {
		r := newRig(t)
		c := r.register(t, alice)
		opts, err := r.p.BeginLogin(r.ctx, alice)
		require.NoError(t, err)
		body := r.authn.Get(opts, c)
		_, err = r.p.FinishLogin(r.ctx, alice, body)
		require.NoError(t, err)
		_, err = r.p.FinishLogin(r.ctx, alice, body)
		require.ErrorIs(t, err, passkey.ErrNoCeremony)
		// Nor against a new ceremony: the challenge differs.
		_, err = r.p.BeginLogin(r.ctx, alice)
		require.NoError(t, err)
		_, err = r.p.FinishLogin(r.ctx, alice, body)
		require.ErrorIs(t, err, passkey.ErrVerification)
	})
	t.Run("replayed registration", func(t *testing.T) {
		r := newRig(t)
		opts, err := r.p.BeginRegistration(r.ctx, alice, "alice", "")
		require.NoError(t, err)
		body, _ := r.authn.Create(opts)
		_, err = r.p.FinishRegistration(r.ctx, alice, "", body)
		require.NoError(t, err)
		_, err = r.p.FinishRegistration(r.ctx, alice, "", body)
		require.ErrorIs(t, err, passkey.ErrNoCeremony)
	})
	t.Run("credential of another user as second factor", func(t *testing.T) {
		r := newRig(t)
		r.register(t, alice)
		bobs := r.register(t, bob)
		opts, err := r.p.BeginLogin(r.ctx, alice)
		require.NoError(t, err)
		_, err = r.p.FinishLogin(r.ctx, alice, r.authn.Get(opts, bobs))
		require.ErrorIs(t, err, passkey.ErrVerification)
	})
	t.Run("counter goes backwards", func(t *testing.T) {
		r := newRig(t)
		c := r.register(t, alice)
		c.Count = 9
		opts, err := r.p.BeginLogin(r.ctx, alice)
		require.NoError(t, err)
		_, err = r.p.FinishLogin(r.ctx, alice, r.authn.Get(opts, c)) // 10
		require.NoError(t, err)
		c.Count = 4
		opts, err = r.p.BeginLogin(r.ctx, alice)
		require.NoError(t, err)
		_, err = r.p.FinishLogin(r.ctx, alice, r.authn.Get(opts, c)) // 5 < 10
		require.ErrorIs(t, err, passkey.ErrCloned)
		creds, err := r.p.Credentials(r.ctx, alice)
		require.NoError(t, err)
		require.True(t, creds[0].CloneWarning)
		require.Equal(t, uint32(10), creds[0].SignCount, "the counter is kept")
		// Flagged for good: a later, higher counter does not clear it.
		c.Count = 100
		opts, err = r.p.BeginPasswordless(r.ctx, false)
		require.NoError(t, err)
		_, err = r.p.FinishPasswordless(r.ctx, r.authn.Get(opts, c))
		require.ErrorIs(t, err, passkey.ErrCloned)
	})
	t.Run("passwordless without user verification", func(t *testing.T) {
		r := newRig(t)
		c := r.register(t, alice)
		r.authn.UV = false
		// A second factor accepts presence alone (UV is preferred there).
		opts, err := r.p.BeginLogin(r.ctx, alice)
		require.NoError(t, err)
		_, err = r.p.FinishLogin(r.ctx, alice, r.authn.Get(opts, c))
		require.NoError(t, err)
		opts, err = r.p.BeginPasswordless(r.ctx, true)
		require.NoError(t, err)
		_, err = r.p.FinishPasswordless(r.ctx, r.authn.Get(opts, c))
		require.ErrorIs(t, err, passkey.ErrVerification)
	})
	t.Run("passwordless by an inactive user", func(t *testing.T) {
		r := newRig(t)
		c := r.register(t, alice)
		r.active[alice] = false
		opts, err := r.p.BeginPasswordless(r.ctx, false)
		require.NoError(t, err)
		_, err = r.p.FinishPasswordless(r.ctx, r.authn.Get(opts, c))
		require.ErrorIs(t, err, passkey.ErrInactiveUser)
		creds, err := r.p.Credentials(r.ctx, alice)
		require.NoError(t, err)
		require.True(t, creds[0].LastUsedAt.IsZero(), "no use recorded")
	})
	t.Run("expired ceremony", func(t *testing.T) {
		r := newRig(t)
		c := r.register(t, alice)
		opts, err := r.p.BeginLogin(r.ctx, alice)
		require.NoError(t, err)
		body := r.authn.Get(opts, c)
		r.now = r.now.Add(passkey.DefaultCeremonyTimeout)
		_, err = r.p.FinishLogin(r.ctx, alice, body)
		require.ErrorIs(t, err, passkey.ErrNoCeremony)
	})
	t.Run("ceremony just before expiry", func(t *testing.T) {
		r := newRig(t)
		c := r.register(t, alice)
		opts, err := r.p.BeginLogin(r.ctx, alice)
		require.NoError(t, err)
		r.now = r.now.Add(passkey.DefaultCeremonyTimeout - time.Second)
		_, err = r.p.FinishLogin(r.ctx, alice, r.authn.Get(opts, c))
		require.NoError(t, err)
	})
}

// TestNoSession: every ceremony method returns auth.ErrNoSession for a
// context without a loaded session, where scs would panic.
func TestNoSession(t *testing.T) {
	r := newRig(t)
	ctx := t.Context() // no session
	_, err := r.p.BeginRegistration(ctx, alice, "alice", "")
	require.ErrorIs(t, err, auth.ErrNoSession)
	_, err = r.p.FinishRegistration(ctx, alice, "", []byte(`{}`))
	require.ErrorIs(t, err, auth.ErrNoSession)
	_, err = r.p.BeginLogin(ctx, alice)
	require.ErrorIs(t, err, auth.ErrNoSession)
	_, err = r.p.FinishLogin(ctx, alice, []byte(`{}`))
	require.ErrorIs(t, err, auth.ErrNoSession)
	_, err = r.p.BeginPasswordless(ctx, true)
	require.ErrorIs(t, err, auth.ErrNoSession)
	_, err = r.p.FinishPasswordless(ctx, []byte(`{}`))
	require.ErrorIs(t, err, auth.ErrNoSession)
	require.False(t, errors.Is(err, mfa.ErrNoDevice))
}
