package hashers

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// all returns a registry that can verify every algorithm, at cheap
// parameters for making hashes.
func all() *Registry {
	return New(PBKDF2{Iterations: 1000}, PBKDF2SHA1{Iterations: 1000}, Argon2{TimeCost: 1, MemoryCost: 64, Parallelism: 1},
		BCryptSHA256{Rounds: 4}, BCrypt{Rounds: 4}, Scrypt{WorkFactor: 16, BlockSize: 1, Parallelism: 1},
		MD5{}, SHA1{}, UnsaltedSHA1{}, UnsaltedMD5{})
}

// TestDjangoKnownAnswers uses the vectors of Django's
// tests/auth_tests/test_hashers.py (the PBKDF2 ones as of Django 6.0,
// 1,200,000 iterations).
func TestDjangoKnownAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		h        Hasher
		password string
		salt     string
		want     string
	}{
		{"pbkdf2_sha256 6.0 default", PBKDF2{}, "lètmein", "seasalt", "pbkdf2_sha256$1200000$seasalt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE="},
		{"pbkdf2_sha1 6.0 default", PBKDF2SHA1{}, "lètmein", "seasalt2", "pbkdf2_sha1$1200000$seasalt2$RGU4BAy93u+JDPtuMamdllndh+c="},
		{"md5", MD5{}, "lètmein", "seasalt", "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3"},
		{"scrypt", Scrypt{}, "lètmein", "seasalt", "scrypt$16384$seasalt$8$5$ECMIUp+LMxMSK8xB/IVyba+KYGTI7FTnet025q/1f/vBAVnnP3hdYqJuRi+mJn6ji6ze3Fbb7JEFPKGpuEf5vw=="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.h.Encode(c.password, c.salt)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
			if c.h.Algorithm() == "md5" { // the others verify elsewhere: keep the run short
				ok, err := c.h.Verify(c.password, c.want)
				require.NoError(t, err)
				assert.True(t, ok)
				ok, err = c.h.Verify(c.password+"z", c.want)
				require.NoError(t, err)
				assert.False(t, ok)
			}
		})
	}

	// The 6.0 pbkdf2_sha256 vector through the registry, once, including a
	// wrong password (2 runs of 1.2M iterations in all for this block).
	t.Run("registry pbkdf2_sha256", func(t *testing.T) {
		t.Parallel()
		r := Default()
		enc := "pbkdf2_sha256$1200000$seasalt2$hPlIUc6GqWsws6cZV1K8OuOARm1UrbZ3vLGFoHkH0ZI="
		ok, upd, err := r.Check(t.Context(), "lètmein", enc)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.True(t, upd, "seasalt2 is a weak salt")
		ok, upd, err = r.Check(t.Context(), "lètmeinz", enc)
		require.NoError(t, err)
		assert.False(t, ok)
		assert.False(t, upd)
	})

	argon := []struct{ name, enc string }{
		{"argon2i without version (v=16)", "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg"},
		{"argon2i v=19 16-byte hash", "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q"},
		{"argon2id default params 16-byte hash", "argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw"},
	}
	for _, c := range argon {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := Argon2{}
			ok, err := h.Verify("secret", c.enc)
			require.NoError(t, err)
			assert.True(t, ok)
			ok, err = h.Verify("wrong", c.enc)
			require.NoError(t, err)
			assert.False(t, ok)
		})
	}

	t.Run("argon2 decode of a weak salt", func(t *testing.T) {
		t.Parallel()
		h := Argon2{TimeCost: 1, MemoryCost: 64, Parallelism: 1}
		enc, err := h.Encode("lètmein", "abcdefghijk")
		require.NoError(t, err)
		d, err := decodeArgon2(enc)
		require.NoError(t, err)
		assert.Equal(t, "abcdefghijk", string(d.salt))
		assert.Equal(t, []int{1, 64, 1}, []int{d.t, d.m, d.p})
		assert.True(t, h.MustUpdate(enc), "iodized-style weak salt")
		strong, err := h.Encode("lètmein", NewSalt())
		require.NoError(t, err)
		assert.False(t, h.MustUpdate(strong))
	})
}

type djangoVectors struct {
	Django  string `json:"django"`
	Vectors []struct {
		Algorithm string `json:"algorithm"`
		Encoded   string `json:"encoded"`
		Password  string `json:"password"`
		Note      string `json:"note"`
		Checks    []struct {
			Password string `json:"password"`
			OK       bool   `json:"ok"`
		} `json:"checks"`
	} `json:"vectors"`
}

func loadVectors(t testing.TB) djangoVectors {
	t.Helper()
	b, err := os.ReadFile("testdata/django_vectors.json")
	require.NoError(t, err)
	var v djangoVectors
	require.NoError(t, json.Unmarshal(b, &v))
	require.NotEmpty(t, v.Vectors)
	return v
}

// TestDjangoVectors checks every hash that real Django made (see
// testdata/gen_django_vectors.py) against Django's own verify answers.
func TestDjangoVectors(t *testing.T) {
	t.Parallel()
	r := all()
	v := loadVectors(t)
	for i, vec := range v.Vectors {
		t.Run(vec.Algorithm, func(t *testing.T) {
			t.Parallel()
			h, err := r.Identify(vec.Encoded)
			require.NoError(t, err, "vector %d (%s)", i, vec.Note)
			require.Equal(t, vec.Algorithm, h.Algorithm())
			checks := vec.Checks
			if strings.Contains(vec.Note, "N=16384") {
				checks = checks[:1] // Django's default scrypt cost: the right password only (wrong ones are checked at cheaper N)
			}
			for _, c := range checks {
				ok, err := h.Verify(c.Password, vec.Encoded)
				require.NoError(t, err, "vector %d (%s)", i, vec.Note)
				assert.Equal(t, c.OK, ok, "vector %d (%s) %q against %q", i, vec.Note, c.Password, vec.Encoded)
			}
			assert.NotEmpty(t, r.Summary(vec.Encoded))
		})
	}
}
