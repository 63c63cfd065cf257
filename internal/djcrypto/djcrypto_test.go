package djcrypto

import (
	"encoding/hex"
	"strings"
	"testing"
)

// Expected values computed with Django 3.2's django.utils.crypto and
// django.utils.http on this machine.
func TestSaltedHMACKnownAnswer(t *testing.T) {
	got := hex.EncodeToString(SaltedHMAC("salt", "value", "secret"))
	if got != wantSaltedHMAC {
		t.Fatalf("SaltedHMAC = %s, want %s", got, wantSaltedHMAC)
	}
}

func TestBase36(t *testing.T) {
	for _, tc := range []struct {
		n int64
		s string
	}{{0, "0"}, {35, "z"}, {36, "10"}, {1700000000, "s44we8"}} {
		if got := IntToBase36(tc.n); got != tc.s {
			t.Errorf("IntToBase36(%d) = %q, want %q", tc.n, got, tc.s)
		}
		if got, err := Base36ToInt(tc.s); err != nil || got != tc.n {
			t.Errorf("Base36ToInt(%q) = %d, %v", tc.s, got, err)
		}
	}
	for _, bad := range []string{"", "-1", "+1", " 1", "1_0", "Z", "zzzzzzzzzzzzzz", "1.0"} {
		if _, err := Base36ToInt(bad); err == nil {
			t.Errorf("Base36ToInt(%q) succeeded", bad)
		}
	}
}

func TestURLSafeBase64(t *testing.T) {
	if got := URLSafeBase64Encode([]byte("42")); got != "NDI" {
		t.Fatalf("encode = %q", got)
	}
	for _, in := range []string{"NDI", "NDI="} {
		b, err := URLSafeBase64Decode(in)
		if err != nil || string(b) != "42" {
			t.Errorf("decode(%q) = %q, %v", in, b, err)
		}
	}
	if _, err := URLSafeBase64Decode("N!I"); err == nil {
		t.Error("decode accepted a bad character")
	}
}

func TestRandomString(t *testing.T) {
	s := RandomString(22, "")
	if len(s) != 22 || strings.Trim(s, RandomAlphabet) != "" {
		t.Fatalf("RandomString = %q", s)
	}
	if RandomString(22, "") == s {
		t.Fatal("two random strings are equal")
	}
	if s := RandomString(50, "ab"); len(s) != 50 || strings.Trim(s, "ab") != "" {
		t.Fatalf("RandomString(50, \"ab\") = %q", s)
	}
	var all [256]byte
	for i := range all {
		all[i] = byte(i)
	}
	if s := RandomString(300, string(all[:])); len(s) != 300 {
		t.Fatalf("RandomString over 256 bytes returned %d bytes", len(s))
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("RandomString accepted a 257-byte alphabet")
			}
		}()
		RandomString(1, string(all[:])+"x")
	}()
	if n := EntropyChars(128, 62); n != 22 {
		t.Fatalf("EntropyChars(128, 62) = %d, want 22", n)
	}
}

func FuzzBase36ToInt(f *testing.F) {
	for _, s := range []string{"0", "s44we8", "zzzzzzzzzzzzz", "-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Base36ToInt(s)
		if err == nil && IntToBase36(n) != strings.TrimLeft(s, "0") && !(n == 0 && strings.Trim(s, "0") == "") {
			t.Fatalf("round trip of %q gave %d", s, n)
		}
	})
}

func FuzzURLSafeBase64Decode(f *testing.F) {
	for _, s := range []string{"NDI", "NDI=", "MQ", "", "!!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := URLSafeBase64Decode(s)
		if err == nil && URLSafeBase64Encode(b) != strings.TrimRight(s, "=") {
			// Non-canonical trailing bits are rejected by Strict.
			t.Fatalf("round trip of %q gave %q", s, URLSafeBase64Encode(b))
		}
	})
}

const wantSaltedHMAC = "debaddcd9ecbaab181289870baf8af49b0af0a7050d620d1a63f1e69bd87ceb8"
