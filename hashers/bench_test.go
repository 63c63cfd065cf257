package hashers

import (
	"strings"
	"testing"
)

// Benchmarks at Django 6.0's defaults. Run with -benchtime=3x: each
// operation takes up to a second. See BENCHMARKS.md.

func benchEncode(b *testing.B, h Hasher, password string) {
	b.Helper()
	salt := saltFor(h)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Encode(password, salt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPBKDF2(b *testing.B)       { benchEncode(b, PBKDF2{}, "lètmein") }
func BenchmarkPBKDF2SHA1(b *testing.B)   { benchEncode(b, PBKDF2SHA1{}, "lètmein") }
func BenchmarkArgon2(b *testing.B)       { benchEncode(b, Argon2{}, "lètmein") }
func BenchmarkBCryptSHA256(b *testing.B) { benchEncode(b, BCryptSHA256{}, "lètmein") }
func BenchmarkBCrypt(b *testing.B)       { benchEncode(b, BCrypt{}, "lètmein") }
func BenchmarkScrypt(b *testing.B)       { benchEncode(b, Scrypt{}, "lètmein") }
func BenchmarkMD5(b *testing.B)          { benchEncode(b, MD5{}, "lètmein") }

// A 1 MB password must cost about what a short one does.
var megabyte = strings.Repeat("p", 1<<20)

func BenchmarkPBKDF2LongPassword(b *testing.B)       { benchEncode(b, PBKDF2{}, megabyte) }
func BenchmarkArgon2LongPassword(b *testing.B)       { benchEncode(b, Argon2{}, megabyte) }
func BenchmarkBCryptSHA256LongPassword(b *testing.B) { benchEncode(b, BCryptSHA256{}, megabyte) }
func BenchmarkScryptLongPassword(b *testing.B)       { benchEncode(b, Scrypt{}, megabyte) }

// BenchmarkCheckDefault is a full Check of a correct password with the
// default registry (PBKDF2 at 1,200,000 iterations).
func BenchmarkCheckDefault(b *testing.B) {
	r := Default()
	enc, err := r.Make(b.Context(), "lètmein")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _, _ := r.Check(b.Context(), "lètmein", enc); !ok {
			b.Fatal("no match")
		}
	}
}
