package tokens

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/djauth/auth/internal/djangotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// askDjango sends cases to testdata/django_tokens.py and returns Django's
// answers.
func askDjango(t *testing.T, cases []djangoCase) []djangoResult {
	t.Helper()
	req, err := json.Marshal(map[string]any{"cases": cases})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, djangotest.Python(t), "testdata/django_tokens.py")
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "django_tokens.py: %s", stderr.String())
	var resp struct {
		Results []djangoResult `json:"results"`
	}
	require.NoError(t, json.Unmarshal(out, &resp))
	require.Len(t, resp.Results, len(cases))
	return resp.Results
}

// TestAgainstDjango makes tokens with real Django and with this package for
// the same users and clock, and checks that they are identical, that each
// side accepts the other's tokens, and that Django rejects tampered and
// expired ones made here.
func TestAgainstDjango(t *testing.T) {
	t.Parallel()
	djangotest.Python(t)

	const secret = "django-insecure-cross-check-Ω-key-0123456789abcdefghijklmnop"
	rng := rand.New(rand.NewPCG(1, 2))
	emails := []string{"", "a@b.c", "jöhn.dœ@exämple.org", "用户@例子.广告", "UPPER@Example.COM", "x+tag@example.com"}
	passwords := []string{"", "!unusable", "pbkdf2_sha256$870000$salt$hash=", "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA", "bcrypt_sha256$$2b$12$abc"}

	var cases []djangoCase
	for i := range 40 {
		now := time.Date(2001+rng.IntN(68), time.Month(1+rng.IntN(12)), 1+rng.IntN(28),
			rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1_000_000)*1000, time.UTC)
		c := djangoCase{
			Secret:   secret,
			ID:       1 + rng.Int64N(1<<40),
			Password: passwords[i%len(passwords)],
			Email:    emails[i%len(emails)],
			Now:      now.Format("2006-01-02T15:04:05.000000"),
		}
		if i%3 != 0 {
			ll := now.Add(-time.Duration(rng.Int64N(int64(400 * 24 * time.Hour)))).Format("2006-01-02T15:04:05.000000-07:00")
			c.LastLogin = &ll
		}
		cases = append(cases, c)
	}

	// Tokens made here, sent to Django's check_token: valid, tampered,
	// exactly at the timeout, one second past it.
	type sent struct {
		token string
		valid bool
	}
	sentTokens := make([][]sent, len(cases))
	for i, c := range cases {
		g, u := c.generator(t), c.user(t)
		tok, err := g.Make(u)
		require.NoError(t, err)
		tampered := []byte(tok)
		tampered[len(tampered)-1] ^= 1
		if tampered[len(tampered)-1] > 'f' || tampered[len(tampered)-1] < '0' {
			tampered[len(tampered)-1] = '0'
		}
		now := g.Now()
		sentTokens[i] = []sent{{tok, true}, {string(tampered), string(tampered) == tok}}
		for _, back := range []struct {
			d     time.Duration
			valid bool
		}{{DefaultTimeout, true}, {DefaultTimeout + time.Second, false}} {
			older := &Generator{Secret: secret, Now: fixed(now.Add(-back.d))}
			if numSeconds(older.Now(), nil) < 0 {
				continue
			}
			old, err := older.Make(u)
			require.NoError(t, err)
			sentTokens[i] = append(sentTokens[i], sent{old, back.valid})
		}
		for _, s := range sentTokens[i] {
			cases[i].Check = append(cases[i].Check, s.token)
		}
	}

	// A key rotation: Django signs with the old key, Go checks with the
	// new key and the old one as a fallback.
	rotated := cases[1]
	rotated.Secret = "old-secret-being-rotated-out"
	rotated.Check = nil
	cases = append(cases, rotated)

	results := askDjango(t, cases)
	for i, c := range cases[:len(cases)-1] {
		want := results[i]
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			g, u := c.generator(t), c.user(t)
			got, err := g.Make(u)
			require.NoError(t, err)
			assert.Equal(t, want.Token, got, "token for %+v", c)
			assert.True(t, g.Check(u, want.Token), "Check rejects Django's token")
			assert.Equal(t, want.UIDB64, EncodeUID(c.ID))
			require.Len(t, want.Checks, len(sentTokens[i]))
			for j, s := range sentTokens[i] {
				assert.Equal(t, s.valid, want.Checks[j], "Django's check_token(%q)", s.token)
				assert.Equal(t, s.valid, g.Check(u, s.token), "Check(%q)", s.token)
			}
		})
	}
	t.Run("fallback", func(t *testing.T) {
		c := cases[len(cases)-1]
		g, u := c.generator(t), c.user(t)
		tok := results[len(results)-1].Token
		g.Secret = secret
		assert.False(t, g.Check(u, tok), "new key alone")
		g.Fallbacks = []string{"old-secret-being-rotated-out"}
		assert.True(t, g.Check(u, tok), "new key with the old one as fallback")
	})
}
