package hashers

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakePBKDF2 is a well-formed pbkdf2_sha256 value at iterations with a
// 22-character salt; MustUpdate only parses it.
func fakePBKDF2(iterations string) string {
	return "pbkdf2_sha256$" + iterations + "$abcdefghijklmnopqrstuv$" + strings.Repeat("A", 43) + "="
}

// TestDjangoHashersKnownDefaults pins each release's defaults as read from
// django/contrib/auth/hashers.py and global_settings.py at its tag (and
// the release notes: 5.1 raised scrypt's parallelism from 1 to 5).
func TestDjangoHashersKnownDefaults(t *testing.T) {
	t.Parallel()
	all5 := []string{"pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "scrypt"}
	for _, tc := range []struct {
		version    string
		iterations int
		algs       []string
		scryptP    int
	}{
		{"3.2", 260_000, all5[:4], 0},
		{"3.2.25", 260_000, all5[:4], 0},
		{"4.0", 320_000, all5, 1},
		{"4.1", 390_000, all5, 1},
		{"4.2", 600_000, all5, 1},
		{"4.2.17", 600_000, all5, 1},
		{"5.0", 720_000, all5, 1},
		{"5.1", 870_000, all5, 5},
		{"5.2", 1_000_000, all5, 5},
		{"6.0", 1_200_000, all5, 5},
	} {
		t.Run(tc.version, func(t *testing.T) {
			r, err := ForDjango(tc.version)
			require.NoError(t, err)
			var algs []string
			for _, h := range r.Hashers() {
				algs = append(algs, h.Algorithm())
				want := map[string][]int{
					"pbkdf2_sha256": {tc.iterations}, "pbkdf2_sha1": {tc.iterations},
					"argon2": {2, 102400, 8, 32}, "bcrypt_sha256": {12}, "scrypt": {1 << 14, 8, tc.scryptP},
				}[h.Algorithm()]
				assert.Equal(t, want, workFactors(t, h), h.Algorithm())
			}
			assert.Equal(t, tc.algs, algs)
			assert.Equal(t, tc.iterations != 260_000, r.Preferred().MustUpdate(fakePBKDF2("260000")),
				"a login re-hashes Django 3.2's hash")
		})
	}
}

// workFactors returns h's parameters with its zero values' defaults
// applied.
func workFactors(t *testing.T, h Hasher) []int {
	switch h := h.(type) {
	case PBKDF2:
		return []int{h.p().iter()}
	case PBKDF2SHA1:
		return []int{h.p().iter()}
	case Argon2:
		tt, m, p := h.params()
		return []int{tt, m, p, h.hashLen()}
	case BCryptSHA256:
		return []int{h.b().cost()}
	case Scrypt:
		n, r, p := h.params()
		return []int{n, r, p}
	}
	t.Fatalf("unexpected hasher %T", h)
	return nil
}

func TestForDjangoLatestIsDefault(t *testing.T) {
	t.Parallel()
	r, err := ForDjango(DjangoLatest)
	require.NoError(t, err)
	assert.Equal(t, DjangoLatest, DjangoVersions()[len(DjangoVersions())-1])
	d := Default().Hashers()
	require.Len(t, r.Hashers(), len(d))
	for i, h := range r.Hashers() {
		assert.Equal(t, d[i].Algorithm(), h.Algorithm())
		assert.Equal(t, workFactors(t, d[i]), workFactors(t, h), h.Algorithm())
	}
}

func TestForDjangoUnknownVersion(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"", "3.1", "2.2", "7.0", "6", "3.2x", "3.2.x", "v3.2", " 3.2", "3.2.", "6.1"} {
		r, err := ForDjango(v)
		assert.Nil(t, r, v)
		require.ErrorIs(t, err, ErrUnknownDjangoVersion, v)
		assert.Contains(t, err.Error(), "known: 3.2, 4.0, 4.1, 4.2, 5.0, 5.1, 5.2, 6.0", v)
		_, err = DjangoHashers(v)
		assert.ErrorIs(t, err, ErrUnknownDjangoVersion, v)
	}
}

func TestForDjangoWithOptions(t *testing.T) {
	t.Parallel()
	r, err := ForDjangoWithOptions("3.2", Options{MaxConcurrent: 3, MaxWait: time.Second})
	require.NoError(t, err)
	assert.Equal(t, 3, r.MaxConcurrent())
	assert.Equal(t, time.Second, r.MaxWait())
	_, err = ForDjangoWithOptions("3.2", Options{MaxWait: -1})
	assert.Error(t, err)
	_, err = ForDjangoWithOptions("9.9", Options{})
	assert.ErrorIs(t, err, ErrUnknownDjangoVersion)
}

// TestDjangoVersionsMustUpdate: what one release's login re-hashes that
// another made, as Django's must_update decides it.
func TestDjangoVersionsMustUpdate(t *testing.T) {
	t.Parallel()
	get := func(version, alg string) Hasher {
		r, err := ForDjango(version)
		require.NoError(t, err)
		h, err := r.Get(alg)
		require.NoError(t, err)
		return h
	}
	for _, tc := range []struct {
		from, to, alg string
		want          bool
	}{
		{"3.2", "3.2", "pbkdf2_sha256", false},
		{"3.2", "4.2", "pbkdf2_sha256", true},
		{"4.2", "3.2", "pbkdf2_sha256", true}, // Django re-hashes downwards too
		{"6.0", "6.0", "pbkdf2_sha1", false},
		{"5.0", "5.1", "scrypt", true}, // parallelism 1 -> 5
		{"5.1", "6.0", "scrypt", false},
		{"3.2", "6.0", "argon2", false},
		{"3.2", "6.0", "bcrypt_sha256", false},
	} {
		t.Run(tc.alg+" "+tc.from+"->"+tc.to, func(t *testing.T) {
			from := get(tc.from, tc.alg)
			// Cheap stand-ins with the same parameters in the text: only the
			// stored parameters decide, so encode with a cheap twin and
			// rewrite them.
			var enc string
			switch h := from.(type) {
			case PBKDF2:
				enc = fakePBKDF2(strconv.Itoa(h.p().iter()))
			case PBKDF2SHA1:
				enc = "pbkdf2_sha1$" + strconv.Itoa(h.p().iter()) + "$abcdefghijklmnopqrstuv$" + strings.Repeat("A", 27) + "="
			case Scrypt:
				n, r, p := h.params()
				enc = "scrypt$" + strconv.Itoa(n) + "$abcdefghijklmnopqrstuv$" + strconv.Itoa(r) + "$" + strconv.Itoa(p) + "$" + strings.Repeat("A", 86) + "=="
			case Argon2:
				enc = "argon2$argon2id$v=19$m=102400,t=2,p=8$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$" + strings.Repeat("A", 43)
			case BCryptSHA256:
				enc = "bcrypt_sha256$$2b$12$" + strings.Repeat("a", 53)
			}
			assert.Equal(t, tc.want, get(tc.to, tc.alg).MustUpdate(enc), enc)
		})
	}
}

func TestArgon2HashLen(t *testing.T) {
	t.Parallel()
	short := Argon2{TimeCost: 1, MemoryCost: 64, Parallelism: 2, HashLen: 16}
	long := Argon2{TimeCost: 1, MemoryCost: 64, Parallelism: 2}
	enc16, err := short.Encode("pw", "abcdefghijklmnopqrstuv")
	require.NoError(t, err)
	enc32, err := long.Encode("pw", "abcdefghijklmnopqrstuv")
	require.NoError(t, err)
	d, err := decodeArgon2(enc16)
	require.NoError(t, err)
	assert.Len(t, d.hash, 16)
	ok, err := long.Verify("pw", enc16)
	require.NoError(t, err)
	assert.True(t, ok, "any stored length verifies")
	assert.False(t, short.MustUpdate(enc16))
	assert.True(t, short.MustUpdate(enc32))
	assert.True(t, long.MustUpdate(enc16))
	assert.False(t, long.MustUpdate(enc32))
	_, err = Argon2{HashLen: 2}.Encode("pw", "abcdefghijklmnopqrstuv")
	assert.ErrorIs(t, err, ErrParameterOutOfRange)
}

// FuzzForDjango: any text is either a known release (series or series plus
// patch number) or refused with ErrUnknownDjangoVersion.
func FuzzForDjango(f *testing.F) {
	for _, s := range []string{"3.2", "3.2.25", "6.0", "3.1", "", "3.2.", "4.2.x", "10.0", "3.2.99999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h, err := DjangoHashers(v)
		if err != nil {
			require.ErrorIs(t, err, ErrUnknownDjangoVersion)
			return
		}
		parts := strings.Split(v, ".")
		require.Contains(t, DjangoVersions(), parts[0]+"."+parts[1])
		for _, p := range parts[2:] {
			require.True(t, p != "" && strings.Trim(p, "0123456789") == "", v)
		}
		require.NotEmpty(t, h)
	})
}
