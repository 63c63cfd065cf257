package hashers

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/djauth/auth/internal/djangotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type djangoDefaultsOut struct {
	Version       string   `json:"version"`
	Argon2HashLen int      `json:"argon2_hash_len"`
	Made          []string `json:"made"`
	Checked       []struct {
		OK         bool `json:"ok"`
		Rehashed   bool `json:"rehashed"`
		MustUpdate bool `json:"must_update"`
	} `json:"checked"`
}

type djangoCheck struct {
	Password string `json:"password"`
	Encoded  string `json:"encoded"`
}

type djangoMake struct {
	Password  string `json:"password"`
	Algorithm string `json:"algorithm"`
}

// runDjangoDefaults runs testdata/django_defaults.py: the installed Django
// at its own default settings makes and checks hashes.
func runDjangoDefaults(t *testing.T, py string, mk []djangoMake, check []djangoCheck) djangoDefaultsOut {
	t.Helper()
	in, err := json.Marshal(map[string]any{"make": mk, "check": check})
	require.NoError(t, err)
	cmd := exec.Command(py, "testdata/django_defaults.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var res djangoDefaultsOut
	require.NoError(t, json.Unmarshal(out, &res))
	require.Len(t, res.Made, len(mk))
	require.Len(t, res.Checked, len(check))
	return res
}

// djangoSeries returns "3.2" for "3.2.25".
func djangoSeries(t *testing.T, version string) string {
	parts := strings.SplitN(version, ".", 3)
	require.GreaterOrEqual(t, len(parts), 2, version)
	return parts[0] + "." + parts[1]
}

// TestForDjangoAgreesWithDjango proves, against the installed Django (3.2
// on Debian) at its default settings, that ForDjango of its version
// agrees with it on every hash: a hash Django made verifies here and is
// not re-hashed, a hash made here verifies in Django and Django neither
// re-hashes it on login nor finds its work factors out of date, while
// Default (Django 6.0's settings) would re-hash Django's hash on the
// first login, the bug that logs the user out of the Django site.
func TestForDjangoAgreesWithDjango(t *testing.T) {
	t.Parallel()
	py := djangotest.Python(t, "argon2", "bcrypt")
	const pw = "lètmein"
	algs := []string{"", "pbkdf2_sha1", "argon2", "bcrypt_sha256"} // "" is Django's preferred
	mk := make([]djangoMake, len(algs))
	for i, a := range algs {
		mk[i] = djangoMake{pw, a}
	}
	first := runDjangoDefaults(t, py, mk, nil)
	series := djangoSeries(t, first.Version)
	t.Logf("Django %s, argon2-cffi hash length %d", first.Version, first.Argon2HashLen)
	require.Contains(t, DjangoVersions(), series, "the installed Django's defaults are listed")

	reg, err := ForDjango(series)
	require.NoError(t, err)
	// The same with Argon2's hash length set to the installed argon2-cffi's,
	// so that every hasher, not only the preferred one, agrees.
	hs, err := DjangoHashers(series)
	require.NoError(t, err)
	for i, h := range hs {
		if a, ok := h.(Argon2); ok {
			a.HashLen = first.Argon2HashLen
			hs[i] = a
		}
	}
	tuned := New(hs...)

	// Hashes made here: by ForDjango's preferred hasher, and by each of
	// the tuned hashers as if it were preferred.
	made, err := reg.Make(t.Context(), pw)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(made, "pbkdf2_sha256$"), made)
	ours := []string{made}
	for _, h := range hs {
		enc, err := New(h).Make(t.Context(), pw)
		require.NoError(t, err)
		ours = append(ours, enc)
	}
	var check []djangoCheck
	for _, enc := range append(append([]string{}, first.Made...), ours...) {
		check = append(check, djangoCheck{pw, enc})
	}
	check = append(check, djangoCheck{pw + "!", made}) // and one wrong password
	second := runDjangoDefaults(t, py, nil, check)

	for i, c := range check {
		dj := second.Checked[i]
		name := c.Encoded[:strings.IndexByte(c.Encoded, '$')]
		wrong := c.Password != pw
		assert.Equal(t, !wrong, dj.OK, "Django check_password for %s", name)
		ok, mustUpdate, err := tuned.Check(t.Context(), c.Password, c.Encoded)
		require.NoError(t, err)
		assert.Equal(t, dj.OK, ok, "ok for %s", name)
		assert.Equal(t, dj.Rehashed, mustUpdate, "mustUpdate agrees with Django's login for %s", name)
		if i >= len(first.Made) && !wrong {
			assert.False(t, dj.MustUpdate, "Django finds the work factors of %s made here out of date", name)
		}
	}
	// The preferred hash each side made: neither re-hashes, with ForDjango
	// itself (no tuning).
	assert.False(t, second.Checked[len(first.Made)].Rehashed, "Django re-hashes ForDjango's hash on login")
	ok, mustUpdate, err := reg.Check(t.Context(), pw, first.Made[0])
	require.NoError(t, err)
	assert.True(t, ok)
	assert.False(t, mustUpdate, "ForDjango(%q) re-hashes Django's own hash %s", series, MaskHash(first.Made[0], 22))

	if series != DjangoLatest {
		ok, mustUpdate, err := Default().Check(t.Context(), pw, first.Made[0])
		require.NoError(t, err)
		assert.True(t, ok)
		assert.True(t, mustUpdate, "Default() re-hashes Django %s's hash: the bug ForDjango avoids", series)
	}
}
