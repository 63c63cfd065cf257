package argon2ref

import (
	"bytes"
	"encoding/hex"
	"testing"

	"golang.org/x/crypto/argon2"
)

// TestMatchesXCrypto checks version 1.3 output against x/crypto.
func TestMatchesXCrypto(t *testing.T) {
	pw, salt := []byte("password"), []byte("somesaltsomesalt")
	for _, c := range []struct {
		time, mem uint32
		threads   uint8
	}{{1, 64, 1}, {3, 256, 2}, {2, 1024, 4}} {
		if got, want := Key(Argon2i, Version13, pw, salt, c.time, c.mem, c.threads, 32), argon2.Key(pw, salt, c.time, c.mem, c.threads, 32); !bytes.Equal(got, want) {
			t.Errorf("argon2i %+v: got %x want %x", c, got, want)
		}
		if got, want := Key(Argon2id, Version13, pw, salt, c.time, c.mem, c.threads, 32), argon2.IDKey(pw, salt, c.time, c.mem, c.threads, 32); !bytes.Equal(got, want) {
			t.Errorf("argon2id %+v: got %x want %x", c, got, want)
		}
	}
}

// TestReferenceVectors uses the test vectors of the Argon2 reference
// implementation (phc-winner-argon2 src/test.c), versions 0x10 and 0x13.
func TestReferenceVectors(t *testing.T) {
	for _, c := range []struct {
		mode, version int
		time, mem     uint32
		threads       uint8
		pw, salt      string
		want          string
	}{
		{Argon2i, Version10, 2, 1 << 16, 1, "password", "somesalt", "f6c4db4a54e2a370627aff3db6176b94a2a209a62c8e36152711802f7b30c694"},
		{Argon2i, Version10, 2, 1 << 8, 1, "password", "somesalt", "fd4dd83d762c49bdeaf57c47bdcd0c2f1babf863fdeb490df63ede9975fccf06"},
		{Argon2i, Version13, 2, 1 << 16, 1, "password", "somesalt", "c1628832147d9720c5bd1cfd61367078729f6dfb6f8fea9ff98158e0d7816ed0"},
		{Argon2id, Version13, 2, 1 << 16, 1, "password", "somesalt", "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"},
	} {
		got := hex.EncodeToString(Key(c.mode, c.version, []byte(c.pw), []byte(c.salt), c.time, c.mem, c.threads, 32))
		if got != c.want {
			t.Errorf("mode %d v%x t=%d m=%d: got %s want %s", c.mode, c.version, c.time, c.mem, got, c.want)
		}
	}
}
