package auth_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/testenv"
)

// TestREADMETutorialBuilds compiles the whole program of the README's
// tutorial (step 4) in a scratch module that requires this checkout, as a
// new user would paste it, so that the README cannot drift from the API.
func TestREADMETutorialBuilds(t *testing.T) {
	testenv.SkipIfShort(t, "builds the README's program in a scratch module with the go command (several seconds)")
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	i := strings.Index(string(readme), "4. **Protect a handler by permission.**")
	require.GreaterOrEqual(t, i, 0, "the tutorial's step 4 is in the README")
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindStringSubmatch(string(readme)[i:])
	require.NotNil(t, m, "step 4 has a Go block")
	var src strings.Builder
	for _, line := range strings.Split(m[1], "\n") {
		src.WriteString(strings.TrimPrefix(line, "   ") + "\n") // the block is indented in a list item
	}
	require.Contains(t, src.String(), "func main()", "the block is a whole program")

	root, err := os.Getwd()
	require.NoError(t, err)
	dir := t.TempDir()
	gomod := "module example.com/site\n\ngo 1.26\n\nrequire github.com/djauth/auth v0.0.0\n\nreplace github.com/djauth/auth => " + root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(src.String()), 0o644))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// With the machine's module proxy: go mod tidy walks the whole module
	// graph, which needs go.mod files (testify v1.3.0, required by
	// pgpassfile) that building this module never downloads, so a fresh
	// module cache cannot answer it offline.
	env := append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod")
	for _, args := range [][]string{{"mod", "tidy"}, {"vet", "."}} {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s\n--- main.go ---\n%s", strings.Join(args, " "), out, src.String())
	}
}
