package hashers

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/djauth/auth/internal/djangotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMadeHereVerifiesInDjango makes hashes with Make for every hasher that
// can make them and has real Django verify them (testdata/django_verify.py).
func TestMadeHereVerifiesInDjango(t *testing.T) {
	t.Parallel()
	py := djangotest.Python(t, "argon2", "bcrypt")
	makers := []Hasher{
		PBKDF2{Iterations: 1000}, PBKDF2SHA1{Iterations: 1000},
		cheapArgon2, Argon2{TimeCost: 3, MemoryCost: 256, Parallelism: 4},
		BCryptSHA256{Rounds: 4}, BCrypt{Rounds: 5},
		Scrypt{WorkFactor: 1024, BlockSize: 8, Parallelism: 1}, Scrypt{WorkFactor: 16, BlockSize: 2, Parallelism: 3},
		MD5{},
	}
	passwords := []string{"lètmein", "", " ", "пароль 🔑", "with$dollar and spaces", string(bytes.Repeat([]byte("long"), 50))}
	type item struct {
		Algorithm string `json:"algorithm"`
		Encoded   string `json:"encoded"`
		Password  string `json:"password"`
		Wrong     string `json:"wrong"`
	}
	var items []item
	for _, h := range makers {
		r := New(h)
		for _, pw := range passwords {
			if h.Algorithm() == "bcrypt" && len(pw) > 72 {
				continue
			}
			enc, err := r.Make(t.Context(), pw)
			require.NoError(t, err)
			items = append(items, item{h.Algorithm(), enc, pw, pw + "!"})
		}
	}
	// Once each at Django 6.0's defaults (Default's hashers).
	for _, h := range Default().Hashers() {
		if h.Algorithm() == "pbkdf2_sha1" {
			continue
		}
		enc, err := New(h).Make(t.Context(), "lètmein")
		require.NoError(t, err)
		items = append(items, item{h.Algorithm(), enc, "lètmein", "lètmeinz"})
	}
	in, err := json.Marshal(items)
	require.NoError(t, err)
	cmd := exec.Command(py, "testdata/django_verify.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var res []struct {
		OK      bool   `json:"ok"`
		WrongOK bool   `json:"wrong_ok"`
		Error   string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(out, &res))
	require.Len(t, res, len(items))
	for i, it := range items {
		assert.Empty(t, res[i].Error, it.Encoded)
		assert.True(t, res[i].OK, "Django rejects %q for %s", it.Password, it.Encoded)
		assert.False(t, res[i].WrongOK, "Django accepts %q for %s", it.Wrong, it.Encoded)
	}
	t.Logf("Django verified %d hashes made here", len(items))
}
