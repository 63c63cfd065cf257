package passkey_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/mfa/passkey"
)

func newPasskeys(t *testing.T, now func() time.Time) (*passkey.Passkeys, context.Context) {
	t.Helper()
	sessions := scs.New()
	p, err := passkey.New(passkey.Config{
		RPID: "localhost", RPOrigins: []string{"http://localhost:8000"},
		Store: passkey.NewMemoryStore(), Sessions: sessions, Now: now,
		UserActive: func(context.Context, int64) (bool, error) { return true, nil },
	})
	require.NoError(t, err)
	ctx, err := sessions.Load(t.Context(), "")
	require.NoError(t, err)
	return p, ctx
}

func TestConfigErrors(t *testing.T) {
	store, sm := passkey.NewMemoryStore(), scs.New()
	for name, cfg := range map[string]passkey.Config{
		"no RPID":        {Store: store, Sessions: sm},
		"RPID with port": {RPID: "localhost:8000", Store: store, Sessions: sm},
		"no store":       {RPID: "example.com", Sessions: sm},
		"http origin":    {RPID: "example.com", RPOrigins: []string{"http://example.com"}, Store: store, Sessions: sm},
		"other origin":   {RPID: "example.com", RPOrigins: []string{"https://example.org"}, Store: store, Sessions: sm},
		"negative ttl":   {RPID: "example.com", Store: store, Sessions: sm, CeremonyTimeout: -time.Second},
	} {
		_, err := passkey.New(cfg)
		require.Error(t, err, name)
	}
	_, err := passkey.New(passkey.Config{RPID: "example.com", Store: store, Sessions: sm})
	require.NoError(t, err, "zero origins and name default from RPID")
}

// TestBindAuth: a Passkeys made without Config.Sessions (to be given to an
// mfa.Flow before auth.New) refuses ceremonies until it is bound, then
// works; it stays bound to that manager; NoPasswordless keeps passwordless
// off whatever the binding gives.
func TestBindAuth(t *testing.T) {
	for _, noPasswordless := range []bool{false, true} {
		p, err := passkey.New(passkey.Config{RPID: "localhost", RPOrigins: []string{"http://localhost:8000"},
			Store: passkey.NewMemoryStore(), NoPasswordless: noPasswordless})
		require.NoError(t, err)
		sessions := scs.New()
		ctx, err := sessions.Load(t.Context(), "")
		require.NoError(t, err)
		_, err = p.BeginPasswordless(ctx, false)
		require.ErrorIs(t, err, passkey.ErrNotBound)
		_, err = p.BeginLogin(ctx, 1)
		require.ErrorIs(t, err, passkey.ErrNotBound)

		active := func(context.Context, int64) (bool, error) { return true, nil }
		require.NoError(t, p.BindAuth(sessions, active))
		require.NoError(t, p.BindAuth(sessions, active), "the same manager again")
		require.Error(t, p.BindAuth(scs.New(), active), "another manager")
		_, err = p.BeginPasswordless(ctx, false)
		if noPasswordless {
			require.ErrorIs(t, err, passkey.ErrPasswordlessDisabled)
		} else {
			require.NoError(t, err)
		}
	}
}

// TestCeremonyExpires: a ceremony finished after CeremonyTimeout is gone,
// on the injected clock.
func TestCeremonyExpires(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	p, ctx := newPasskeys(t, func() time.Time { return now })
	_, err := p.BeginPasswordless(ctx, true)
	require.NoError(t, err)
	now = now.Add(passkey.DefaultCeremonyTimeout)
	_, err = p.FinishPasswordless(ctx, []byte(`{}`))
	require.True(t, errors.Is(err, passkey.ErrNoCeremony), "%v", err)
}

// TestCeremonySingleUseAndBound: a finish uses the ceremony up, and a
// ceremony begun for one user does not finish for another.
func TestCeremonySingleUseAndBound(t *testing.T) {
	p, ctx := newPasskeys(t, nil)
	_, err := p.BeginRegistration(ctx, 1, "alice", "")
	require.NoError(t, err)
	_, err = p.FinishRegistration(ctx, 2, "", []byte(`{}`))
	require.True(t, errors.Is(err, passkey.ErrNoCeremony), "other user: %v", err)
	_, err = p.FinishRegistration(ctx, 1, "", []byte(`{}`))
	require.True(t, errors.Is(err, passkey.ErrNoCeremony), "consumed by the failed finish: %v", err)

	_, err = p.BeginLogin(ctx, 1)
	require.Error(t, err, "no credentials yet")
}
