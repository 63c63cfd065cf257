package hashers

import (
	"encoding/base64"
	"strings"
	"testing"
)

// seedFuzz adds Django's own hashes (vectors and test_hashers.py values)
// and some edge cases as seeds.
func seedFuzz(f *testing.F, prefix string) {
	for _, v := range loadVectors(f).Vectors {
		if strings.HasPrefix(v.Encoded, prefix) {
			f.Add(v.Encoded)
		}
	}
	for _, s := range []string{
		"pbkdf2_sha256$1200000$seasalt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=",
		"argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg",
		"argon2$argon2id$v=19$m=4294967295,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw",
		"scrypt$16384$seasalt$8$5$ECMIUp+LMxMSK8xB/IVyba+KYGTI7FTnet025q/1f/vBAVnnP3hdYqJuRi+mJn6ji6ze3Fbb7JEFPKGpuEf5vw==",
		"bcrypt_sha256$$2b$04$" + strings.Repeat("a", 53),
		"md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3", "md5$$" + strings.Repeat("0", 32), strings.Repeat("f", 32),
		"sha1$$" + strings.Repeat("0", 40), "!" + strings.Repeat("x", 40), "", "$", "$$$$$$",
	} {
		if strings.HasPrefix(s, prefix) {
			f.Add(s)
		}
	}
}

// cheapToVerify keeps fuzzing fast: values within the package limits can
// still take seconds, so the fuzz targets only run the hash for small
// parameters and only parse the rest.
func cheapToVerify(encoded string) bool {
	if d, err := (PBKDF2{}).p().decode(encoded); err == nil {
		return d.iterations <= 1000
	}
	if d, err := (PBKDF2SHA1{}).p().decode(encoded); err == nil {
		return d.iterations <= 1000
	}
	if d, err := decodeArgon2(encoded); err == nil {
		return d.m*d.t <= 2048 && d.p <= 8
	}
	for _, h := range []bcryptHasher{BCrypt{}.b(), BCryptSHA256{}.b()} {
		if st, _, err := h.decode(encoded); err == nil {
			return st.cost <= 5
		}
	}
	if d, err := decodeScrypt(encoded); err == nil {
		return d.n*d.r*d.p <= 1<<12
	}
	return true // unparsable or fast algorithms
}

func fuzzRegistry() *Registry {
	return New(PBKDF2{Iterations: 100}, PBKDF2SHA1{Iterations: 100}, Argon2{TimeCost: 1, MemoryCost: 8, Parallelism: 1},
		BCryptSHA256{Rounds: 4}, BCrypt{Rounds: 4}, Scrypt{WorkFactor: 16, BlockSize: 1, Parallelism: 1},
		MD5{}, SHA1{}, UnsaltedSHA1{}, UnsaltedMD5{})
}

// FuzzIdentify feeds arbitrary stored values to every registry method a
// login path calls.
func FuzzIdentify(f *testing.F) {
	seedFuzz(f, "")
	r := fuzzRegistry()
	f.Fuzz(func(t *testing.T, encoded string) {
		_ = r.IsUsable(encoded)
		_ = r.Summary(encoded)
		h, err := r.Identify(encoded)
		if err == nil {
			_ = h.MustUpdate(encoded)
		}
		if !cheapToVerify(encoded) {
			return
		}
		ok, upd, err := r.Check(t.Context(), "lètmein", encoded)
		if err != nil && (ok || upd) {
			t.Fatalf("error with ok=%v upd=%v", ok, upd)
		}
		if upd && !ok {
			t.Fatal("mustUpdate without a verified password")
		}
	})
}

// FuzzDecodePBKDF2 checks that any value the PBKDF2 parser accepts is in
// Django's canonical form.
func FuzzDecodePBKDF2(f *testing.F) {
	seedFuzz(f, "pbkdf2")
	f.Fuzz(func(t *testing.T, encoded string) {
		for _, h := range []pbkdf2Hasher{PBKDF2{}.p(), PBKDF2SHA1{}.p()} {
			d, err := h.decode(encoded)
			if err != nil {
				continue
			}
			raw, _ := base64.StdEncoding.DecodeString(d.hash)
			if got := h.format(d.iterations, d.salt, raw); got != encoded {
				t.Fatalf("not canonical: %q re-encodes as %q", encoded, got)
			}
			if d.iterations < 1 || d.iterations > MaxPBKDF2Iterations {
				t.Fatalf("iterations %d accepted", d.iterations)
			}
			if cheapToVerify(encoded) {
				_, _ = (PBKDF2{}).Verify("x", encoded)
				_, _ = (PBKDF2SHA1{}).Verify("x", encoded)
			}
		}
	})
}

// FuzzDecodeArgon2 checks the argon2 parser's limits and that accepted
// values survive a re-encode.
func FuzzDecodeArgon2(f *testing.F) {
	seedFuzz(f, "argon2")
	f.Fuzz(func(t *testing.T, encoded string) {
		d, err := decodeArgon2(encoded)
		if err != nil {
			return
		}
		if d.m > MaxArgon2MemoryCost || d.m < 8*d.p || d.t < 1 || d.m*d.t > MaxArgon2Work || d.p < 1 || d.p > 255 {
			t.Fatalf("accepted out-of-range parameters m=%d t=%d p=%d", d.m, d.t, d.p)
		}
		d2, err := decodeArgon2(d.String())
		if err != nil || d2.m != d.m || d2.t != d.t || d2.p != d.p || string(d2.hash) != string(d.hash) || string(d2.salt) != string(d.salt) {
			t.Fatalf("re-encode of %q differs: %v", encoded, err)
		}
		if cheapToVerify(encoded) {
			_, _ = Argon2{}.Verify("x", encoded)
		}
	})
}

// FuzzDecodeBcrypt exercises both bcrypt formats.
func FuzzDecodeBcrypt(f *testing.F) {
	seedFuzz(f, "bcrypt")
	f.Fuzz(func(t *testing.T, encoded string) {
		for _, h := range []bcryptHasher{BCrypt{}.b(), BCryptSHA256{}.b()} {
			st, _, err := h.decode(encoded)
			if err != nil {
				continue
			}
			if st.cost < MinBcryptRounds || st.cost > MaxBcryptRounds || len(st.salt) != 16 {
				t.Fatalf("accepted cost %d salt %d bytes", st.cost, len(st.salt))
			}
			if st.cost <= 5 {
				_, _ = h.verify("x", encoded)
			}
		}
	})
}

// FuzzDecodeScrypt checks the scrypt parser's limits.
func FuzzDecodeScrypt(f *testing.F) {
	seedFuzz(f, "scrypt")
	f.Fuzz(func(t *testing.T, encoded string) {
		d, err := decodeScrypt(encoded)
		if err != nil {
			return
		}
		if d.n < 2 || d.n&(d.n-1) != 0 || 128*d.r*(d.n+d.p) > MaxScryptMemory || d.n*d.r*d.p > MaxScryptWork {
			t.Fatalf("accepted N=%d r=%d p=%d", d.n, d.r, d.p)
		}
		if cheapToVerify(encoded) {
			_, _ = Scrypt{}.Verify("x", encoded)
		}
	})
}

// FuzzDecodeLegacy exercises the MD5, SHA-1 and unsalted parsers.
func FuzzDecodeLegacy(f *testing.F) {
	seedFuzz(f, "md5")
	seedFuzz(f, "sha1")
	f.Add(strings.Repeat("a", 32))
	f.Fuzz(func(t *testing.T, encoded string) {
		for _, h := range []Hasher{MD5{}, SHA1{}, UnsaltedMD5{}, UnsaltedSHA1{}} {
			ok, err := h.Verify("lètmein", encoded)
			if err != nil && ok {
				t.Fatal("ok with error")
			}
			if s, isS := h.(Summarizer); isS {
				_, _ = s.Summary(encoded)
			}
		}
	})
}
