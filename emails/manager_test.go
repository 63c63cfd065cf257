package emails_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/emails"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newManager(t *testing.T) (*emails.Manager, *emails.MemoryStore, *clock) {
	t.Helper()
	c := &clock{time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	s := emails.NewMemoryStore(true, nil)
	m, err := emails.NewManager(emails.Config{Store: s, SecretKey: "k", SecretKeyFallbacks: []string{"old"}, Now: c.now})
	require.NoError(t, err)
	return m, s, c
}

func TestKeyConfirms(t *testing.T) {
	ctx := context.Background()
	m, s, c := newManager(t)
	a, _, err := s.AddAddress(ctx, 1, "ann@example.com")
	require.NoError(t, err)
	key, err := m.Key(a)
	require.NoError(t, err)

	got, err := m.AddressForKey(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, a, got)
	got, err = m.AddressForKey(ctx, key)
	require.NoError(t, err, "looking does not consume")
	assert.False(t, got.Verified)

	_, err = m.AddressForKey(ctx, key+"x")
	assert.ErrorIs(t, err, emails.ErrInvalidKey)
	c.t = c.t.Add(emails.DefaultConfirmationExpiry + time.Second)
	_, err = m.ConfirmKey(ctx, key)
	assert.ErrorIs(t, err, emails.ErrInvalidKey, "expired")
	c.t = c.t.Add(-2 * time.Second)
	a, err = m.ConfirmKey(ctx, key)
	require.NoError(t, err)
	assert.True(t, a.Verified)
	assert.True(t, a.Primary)
	_, err = m.ConfirmKey(ctx, key)
	assert.ErrorIs(t, err, emails.ErrInvalidKey, "once verified, the key confirms nothing")
}

func TestCode(t *testing.T) {
	ctx := context.Background()
	m, s, c := newManager(t)
	a, _, err := s.AddAddress(ctx, 1, "Ann@example.com")
	require.NoError(t, err)
	b, _, err := s.AddAddress(ctx, 2, "bob@example.com")
	require.NoError(t, err)
	code := m.Code(a)
	assert.Len(t, code, emails.CodeLength)
	assert.NotEqual(t, code, m.Code(b))

	_, err = m.ConfirmCode(ctx, "bob@example.com", code)
	assert.ErrorIs(t, err, emails.ErrInvalidKey, "the code of another address")
	_, err = m.ConfirmCode(ctx, "ann@example.com", "")
	assert.ErrorIs(t, err, emails.ErrInvalidKey)
	_, err = m.ConfirmCode(ctx, "ann@example.com", "00000000")
	assert.ErrorIs(t, err, emails.ErrInvalidKey)

	c.t = c.t.Add(emails.DefaultCodeLifetime) // the next period: still accepted
	typed := strings.ToLower(code[:4]) + "-" + code[4:]
	got, err := m.ConfirmCode(ctx, "ANN@example.com", typed)
	require.NoError(t, err, "lower case, a hyphen, another spelling of the address")
	assert.True(t, got.Verified)
	_, err = m.ConfirmCode(ctx, "ann@example.com", code)
	assert.ErrorIs(t, err, emails.ErrInvalidKey, "single use")

	old := m.Code(b)
	c.t = c.t.Add(2 * emails.DefaultCodeLifetime)
	_, err = m.ConfirmCode(ctx, "bob@example.com", old)
	assert.ErrorIs(t, err, emails.ErrInvalidKey, "expired")
}

func TestMakePrimaryNeedsVerified(t *testing.T) {
	ctx := context.Background()
	m, s, _ := newManager(t)
	a, _, err := s.AddAddress(ctx, 1, "a@example.com")
	require.NoError(t, err)
	_, err = m.MakePrimary(ctx, 1, a.ID)
	assert.ErrorIs(t, err, emails.ErrUnverified)
	_, err = m.MakePrimary(ctx, 2, a.ID)
	assert.ErrorIs(t, err, emails.ErrNotFound)
	_, err = s.VerifyAddress(ctx, a.ID)
	require.NoError(t, err)
	ids, err := m.VerifiedUsers(ctx, "A@example.com")
	require.NoError(t, err)
	assert.Equal(t, []int64{1}, ids)
}

type failingStore struct{ emails.Store }

func (failingStore) UserAddresses(context.Context, int64) ([]emails.Address, error) {
	return nil, errors.New("down")
}

func TestGate(t *testing.T) {
	ctx := context.Background()
	m, s, _ := newManager(t)
	g := &emails.Gate[auth.User]{Manager: m, URL: "/accounts/confirm-email/"}
	u := &auth.User{ID: 1}
	a, _, err := s.AddAddress(ctx, 1, "a@example.com")
	require.NoError(t, err)
	err = g.AllowLogin(ctx, u)
	var refused *auth.LoginRefusedError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, "/accounts/confirm-email/", refused.URL)
	assert.ErrorIs(t, err, auth.ErrLoginRefused)
	_, err = s.VerifyAddress(ctx, a.ID)
	require.NoError(t, err)
	assert.NoError(t, g.AllowLogin(ctx, u))

	down, err := emails.NewManager(emails.Config{Store: failingStore{s}, SecretKey: "k"})
	require.NoError(t, err)
	err = (&emails.Gate[auth.User]{Manager: down}).AllowLogin(ctx, u)
	require.Error(t, err, "fail closed")
	assert.NotErrorIs(t, err, auth.ErrLoginRefused)
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"Ann@EXAMPLE.com":   "Ann@example.com",
		" bob@example.org ": "bob@example.org",
	} {
		got, err := emails.Normalize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"", "ann", "Ann <ann@example.com>", "a@b@", "@example.com", strings.Repeat("a", 250) + "@b.com"} {
		_, err := emails.Normalize(in)
		assert.ErrorIs(t, err, emails.ErrInvalidEmail, in)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"ann@example.com", "A <a@b>", "\"x y\"@example.com", "a@[127.0.0.1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := emails.Normalize(s)
		if err != nil {
			return
		}
		again, err := emails.Normalize(got)
		if err != nil || again != got {
			t.Fatalf("Normalize(%q) = %q, again %q, %v", s, got, again, err)
		}
		if len(got) > emails.EmailMaxLength {
			t.Fatalf("too long: %q", got)
		}
	})
}

func FuzzConfirmCode(f *testing.F) {
	f.Add("ABCD-1234")
	f.Add("oil0 ILO1")
	f.Fuzz(func(t *testing.T, code string) {
		m, err := emails.NewManager(emails.Config{Store: emails.NewMemoryStore(true, nil), SecretKey: "k"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.ConfirmCode(context.Background(), "a@example.com", code); !errors.Is(err, emails.ErrInvalidKey) {
			t.Fatalf("no address: %v", err)
		}
	})
}
