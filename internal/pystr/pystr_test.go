package pystr

import (
	"strings"
	"testing"
)

// Expected values are what Python 3.11 prints for the same strings.
func TestLower(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ABC", "abc"},
		{"\u0130", "i\u0307"},
		{"ΟΔΟΣ", "οδος"},
		{"ΟΔΟΣ ΑΣ", "οδος ας"},
		{"Σ", "σ"},
		{"ΑΣ'", "ας'"},
		{"ΑΣΑ", "ασα"},
		{"A\xffB", "a\xffb"},
	} {
		if got := Lower(tc.in); got != tc.want {
			t.Errorf("Lower(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSpace(t *testing.T) {
	for _, r := range []rune{' ', '\t', '\n', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x3000} {
		if !IsSpace(r) {
			t.Errorf("IsSpace(%U) = false", r)
		}
	}
	for _, r := range []rune{'a', 0x1b, 0x200b, 0} {
		if IsSpace(r) {
			t.Errorf("IsSpace(%U) = true", r)
		}
	}
	if got := Strip("\x1c a b\u3000"); got != "a b" {
		t.Errorf("Strip = %q", got)
	}
}

func FuzzLower(f *testing.F) {
	for _, s := range []string{"ΟΔΟΣ", "\u0130", "A\xffΣ", "ab"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Lower(s)
		if !strings.ContainsAny(s, "\u0130\u03a3") && strings.ToValidUTF8(s, "") == s && got != strings.ToLower(s) {
			t.Fatalf("Lower(%q) = %q, strings.ToLower gives %q", s, got, strings.ToLower(s))
		}
		if Lower(got) != got {
			t.Fatalf("Lower is not idempotent on %q: %q then %q", s, got, Lower(got))
		}
	})
}
