package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/testenv"
)

// TestGoToolFromAUserModule does what the README tells a user to do in
// their own module: add authctl as a tool with "go get -tool" and run it
// with "go tool authctl". (go run github.com/djauth/auth/cmd/authctl fails
// there: the user's go.sum has no entries for authctl's dependencies.)
// The scratch module requires this checkout through a replace directive,
// as a user's module requires the published one.
func TestGoToolFromAUserModule(t *testing.T) {
	testenv.SkipIfShort(t, "builds authctl in a scratch module with the go command (several seconds)")
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command must be on PATH")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	goCmd := func(dir string, env []string, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, goBin, args...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	root, err := goCmd(".", os.Environ(), "list", "-m", "-f", "{{.Dir}}")
	require.NoError(t, err, root)
	root = strings.TrimSpace(root)

	dir := t.TempDir()
	gomod := "module example.com/myapp\n\ngo 1.24\n\n" +
		"require github.com/djauth/auth v0.0.0\n\n" +
		"replace github.com/djauth/auth => " + root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644))
	// The checksums a user's module gets from sum.golang.org are those
	// this module's go.sum already holds; seeding them keeps the test
	// offline.
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))

	// The machine's GOMODCACHE and GOFLAGS, but no workspace, no toolchain
	// download, and no network: the module cache already holds every
	// dependency (this test was built from them). GOPROXY=off also keeps
	// the go command from asking a proxy whether cmd/authctl is a module
	// of its own.
	env := append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local", "GOPROXY=off")

	out, err := goCmd(dir, env, "get", "-tool", "github.com/djauth/auth/cmd/authctl")
	require.NoError(t, err, "go get -tool: %s", out)
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(mod), "\ntool github.com/djauth/auth/cmd/authctl\n")

	out, err = goCmd(dir, env, "tool", "authctl", "help")
	require.NoError(t, err, "go tool authctl help: %s", out)
	assert.True(t, strings.HasPrefix(out, "Usage: authctl <command> [flags]\n"), out)
	for _, c := range []string{"migrate", "createsuperuser", "changepassword"} {
		assert.Contains(t, out, "\n  "+c+" ")
	}

	// A subcommand runs as well: migrate without a database is a usage error.
	out, err = goCmd(dir, env, "tool", "authctl", "migrate")
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, out)
	assert.Equal(t, exitUsage, exit.ExitCode())
	assert.Contains(t, out, "no database: pass --database-url or set DATABASE_URL")
}
