package recovery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewCode(t *testing.T) {
	counts := map[rune]int{}
	for range 2000 {
		c, err := newCode()
		require.NoError(t, err)
		require.Len(t, c, CodeLength)
		require.Equal(t, c, Normalize(Format(c)))
		for _, r := range c {
			require.True(t, strings.ContainsRune(Alphabet, r), "%q in %s", r, c)
			counts[r]++
		}
	}
	// 32000 symbols over 30: about 1067 each. A byte mapped without
	// rejection would put 1.1x on the first 16 symbols; a symbol that
	// never comes up is a broken generator.
	assert.Len(t, counts, len(Alphabet))
	for r, n := range counts {
		assert.InDelta(t, 32000/len(Alphabet), n, 200, "symbol %q", r)
	}
}

func TestFormat(t *testing.T) {
	assert.Equal(t, "abcd-efgh-jkmn-pqrs", Format("abcdefghjkmnpqrs"))
	assert.Equal(t, "abcd-ef", Format("abcdef"))
	assert.Equal(t, "", Format(""))
}

func TestNormalize(t *testing.T) {
	for typed, want := range map[string]string{
		"ABCD-EFGH-JKMN-PQRS":      "abcdefghjkmnpqrs",
		" abcd efgh\tjkmn\npqrs ":  "abcdefghjkmnpqrs",
		"abcd\u2011efgh\u00a0jkmn": "abcdefghjkmn",
		"ÄBC":                      "Äbc", // only ASCII folds
		"--":                       "",
	} {
		assert.Equal(t, want, Normalize(typed), "%q", typed)
	}
}

// TestDigestVector pins the digest construction: a change would void every
// stored code.
func TestDigestVector(t *testing.T) {
	d := Digest(42, "abcdefghjkmnpqrs")
	want := sha256.Sum256([]byte("djauth.mfa.recovery\x00\x00\x00\x00\x00\x00\x00\x00\x2aabcdefghjkmnpqrs"))
	assert.Equal(t, hex.EncodeToString(want[:]), hex.EncodeToString(d[:]))
	assert.NotEqual(t, d, Digest(43, "abcdefghjkmnpqrs"), "the user is bound in")
}

func TestCandidates(t *testing.T) {
	c := candidates(7, " ABcd-efgh ")
	require.Len(t, c, 2)
	assert.Equal(t, "abcdefgh", c[0].Plain)
	assert.Equal(t, "ABcd-efgh", c[1].Plain, "django-otp compares verbatim")
	assert.Equal(t, Digest(7, "abcdefgh"), c[0].Digest)
	assert.Len(t, candidates(7, "abcdefgh"), 1)
	assert.Nil(t, candidates(7, ""))
	assert.Nil(t, candidates(7, " - "))
	assert.Nil(t, candidates(7, strings.Repeat("a", maxTyped+1)))
	assert.Len(t, candidates(7, strings.Repeat("a", maxTyped)), 1)
}

func TestRetryAfter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		failures int
		since    time.Duration
		want     time.Duration
	}{
		{0, 0, 0},
		{1, 0, time.Second},
		{1, time.Second, 0},
		{2, time.Second, time.Second},
		{3, time.Second, 3 * time.Second},
		{11, 0, 1024 * time.Second},
		{1000, 0, time.Second << maxShift},
		{-1, 0, 0},
	} {
		assert.Equal(t, tc.want, RetryAfter(tc.failures, t0, t0.Add(tc.since)), "%d failures, %s later", tc.failures, tc.since)
	}
	assert.Zero(t, RetryAfter(5, time.Time{}, t0), "no last failure")
}

func TestNewConfig(t *testing.T) {
	s := NewMemoryStore()
	_, err := New(Config{})
	assert.Error(t, err)
	_, err = New(Config{Store: s, Count: -1})
	assert.Error(t, err)
	_, err = New(Config{Store: s, Count: 101})
	assert.Error(t, err)
	_, err = New(Config{Store: s, Name: strings.Repeat("n", 65)})
	assert.Error(t, err)
	f, err := New(Config{Store: s, Count: 3, Name: "Paper"})
	require.NoError(t, err)
	dev, codes, err := f.Generate(context.Background(), 1)
	require.NoError(t, err)
	assert.Len(t, codes, 3)
	assert.Equal(t, "Paper", dev.Name)
	for _, c := range codes {
		assert.Len(t, c, CodeLength+CodeLength/GroupSize-1, "shown in groups: %s", c)
	}
}

// TestMemoryStoreKeepsNoPlaintext looks inside the memory store: only
// digests.
func TestMemoryStoreKeepsNoPlaintext(t *testing.T) {
	s := NewMemoryStore()
	f, err := New(Config{Store: s})
	require.NoError(t, err)
	_, codes, err := f.Generate(context.Background(), 9)
	require.NoError(t, err)
	d := s.devices[9]
	require.Len(t, d.digests, len(codes))
	for i, c := range codes {
		assert.Equal(t, Digest(9, Normalize(c)), d.digests[i])
	}
}

// FuzzNormalize checks the normalisation of typed codes: idempotent, free
// of separators and ASCII capitals, and blind to how a code is typed.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"abcd-efgh-jkmn-pqrs", "ABCD EFGH JKMN PQRS", " a-b\tc\n", "ß\u2011x", "", "---", "\xff\xfe"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, typed string, style uint8) {
		n := Normalize(typed)
		if Normalize(n) != n {
			t.Fatalf("Normalize(%q) = %q, not idempotent", typed, n)
		}
		if strings.ContainsAny(n, "- \t\r\n") || strings.IndexFunc(n, func(r rune) bool { return r < unicode.MaxASCII && unicode.IsUpper(r) }) >= 0 {
			t.Fatalf("Normalize(%q) = %q keeps a separator or a capital", typed, n)
		}
		// The same text typed another way normalises alike.
		var b strings.Builder
		for i, r := range n {
			if style&1 != 0 && 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			if style&2 != 0 && i%4 == 0 {
				b.WriteByte('-')
			}
			if style&4 != 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
		}
		if got := Normalize(b.String()); got != n {
			t.Fatalf("Normalize(%q) = %q, want %q (from %q)", b.String(), got, n, typed)
		}
		if c := candidates(1, typed); c != nil && c[0].Plain != Normalize(strings.TrimSpace(typed)) {
			t.Fatalf("candidates(%q)[0] = %q", typed, c[0].Plain)
		}
	})
}
