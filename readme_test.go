package auth_test

import (
	"bytes"
	"context"
	"fmt"
	"go/format"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/testenv"
)

// readmeProgram returns the first Go block after marker in README.md,
// with the indent of a list item (indent) taken off every line.
func readmeProgram(t *testing.T, marker, indent string) string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	i := strings.Index(string(readme), marker)
	require.GreaterOrEqual(t, i, 0, "the README has %q", marker)
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindStringSubmatch(string(readme)[i:])
	require.NotNil(t, m, "%q has a Go block", marker)
	var src strings.Builder
	for _, line := range strings.Split(strings.TrimSuffix(m[1], "\n"), "\n") {
		src.WriteString(strings.TrimPrefix(line, indent) + "\n")
	}
	require.Contains(t, src.String(), "func main()", "the block is a whole program")
	return src.String()
}

// buildREADMEProgram writes src as main.go of a scratch module that
// requires this checkout, as a new user would paste it, runs go mod tidy
// and go vet there and, with build, builds the program and returns the
// binary's path.
func buildREADMEProgram(t *testing.T, src string, build bool) (binary string) {
	t.Helper()
	root, err := os.Getwd()
	require.NoError(t, err)
	dir := t.TempDir()
	gomod := "module example.com/site\n\ngo 1.26\n\nrequire github.com/djauth/auth v0.0.0\n\nreplace github.com/djauth/auth => " + root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// With the machine's module proxy: go mod tidy walks the whole module
	// graph, which needs go.mod files (testify v1.3.0, required by
	// pgpassfile) that building this module never downloads, so a fresh
	// module cache cannot answer it offline.
	env := append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod")
	steps := [][]string{{"mod", "tidy"}, {"vet", "."}}
	if build {
		binary = filepath.Join(dir, "site")
		steps = append(steps, []string{"build", "-o", binary, "."})
	}
	for _, args := range steps {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s\n--- main.go ---\n%s", strings.Join(args, " "), out, src)
	}
	return binary
}

// TestREADMETutorialBuilds compiles the whole program of the README's
// step-by-step tutorial (step 4), so that the README cannot drift from
// the API.
func TestREADMETutorialBuilds(t *testing.T) {
	testenv.SkipIfShort(t, "builds the README's program in a scratch module with the go command (several seconds)")
	src := readmeProgram(t, "4. **Protect a handler by permission.**", "   ")
	buildREADMEProgram(t, src, false)
}

// TestREADMESiteTutorial holds the README's first tutorial to its
// promise: a whole site (sign-up, MFA, social login, organizations, the
// dashboard, the API) in under 50 lines of Go, none longer than 100
// columns (a tab counts 4), gofmt-formatted, that builds and serves with
// no database.
func TestREADMESiteTutorial(t *testing.T) {
	testenv.SkipIfShort(t, "builds and runs the README's site in a scratch module (several seconds)")
	const marker = "## Tutorial: a whole site in "
	src := readmeProgram(t, marker, "")
	lines := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
	assert.Less(t, len(lines), 50, "the site's program is under 50 lines")
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	assert.Contains(t, string(readme), fmt.Sprintf("%s%d lines\n", marker, len(lines)), "the heading gives the count")
	for i, line := range lines {
		width := utf8.RuneCountInString(strings.ReplaceAll(line, "\t", "    "))
		assert.LessOrEqual(t, width, 100, "line %d is %d columns: %s", i+1, width, line)
	}
	formatted, err := format.Source([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, string(formatted), src, "the program is gofmt-formatted")
	for _, piece := range []string{"site.New(", "Providers", "CreateSuperuser", "CreateOrganization",
		"s.Routes(mux)", "PermissionRequired", "s.Handler(mux)"} {
		assert.Contains(t, src, piece)
	}

	// Run it, on a free port instead of :8000 (other programs of the
	// machine may hold that one).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	require.Contains(t, src, `Addr: ":8000"`)
	bin := buildREADMEProgram(t, strings.Replace(src, `Addr: ":8000"`, `Addr: "`+addr+`"`, 1), true)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "SECRET_KEY=readme-test-secret-key-0123456789-abcdefghijkl",
		"ADMIN_PASSWORD=a long passphrase of the test", "GITLAB_CLIENT_ID=readme-test",
		"GITLAB_CLIENT_SECRET=readme-test")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	client := &http.Client{Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string, string) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
		require.NoError(t, err)
		res, err := client.Do(req)
		if err != nil {
			return 0, "", err.Error()
		}
		defer res.Body.Close()
		var body bytes.Buffer
		_, _ = body.ReadFrom(res.Body)
		return res.StatusCode, res.Header.Get("Location"), body.String()
	}
	require.Eventually(t, func() bool { code, _, _ := get("/accounts/login/"); return code == 200 },
		30*time.Second, 100*time.Millisecond, "the site serves; its output:\n%s", &out)
	_, _, login := get("/accounts/login/")
	assert.Contains(t, login, "GitLab", "the login page has the social login")
	for path, want := range map[string][2]any{
		"/accounts/signup/":      {200, ""},
		"/accounts/mfa/":         {302, "/accounts/login/?next=/accounts/mfa/"},
		"/o/acme/reports/":       {302, "/accounts/login/?next=/o/acme/reports/"},
		"/admin/":                {302, "/accounts/login/?next=/admin/"},
		"/api/auth/openapi.json": {200, ""},
	} {
		code, location, _ := get(path)
		assert.Equal(t, want[0], code, path)
		assert.Equal(t, want[1], location, path)
	}
}
