package testenv

import (
	"fmt"
	"go.uber.org/goleak"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// Need is what a skipped test lacked.
type Need int

// The needs a test can be skipped for.
const (
	// PostgreSQL: AUTH_TEST_DATABASE_URL is not set.
	PostgreSQL Need = iota
	// Django: no python3 that imports Django and its hashers' modules.
	Django
	// Chromium: no chromium and chromedriver for the browser test.
	Chromium
	// Slow: a slow test under go test -short.
	Slow
	// Redis: AUTH_TEST_REDIS_URL is not set.
	Redis
	// Oathtool: no oathtool, the independent TOTP implementation.
	Oathtool
	// Node: no node and npm for the OpenID provider of package social.
	Node
	numNeeds
)

// hints say, per need, what to do to run the skipped tests.
var hints = [numNeeds]string{
	PostgreSQL: "set AUTH_TEST_DATABASE_URL to run them (PostgreSQL)",
	Django:     "apt-get install python3-django python3-argon2 python3-bcrypt python3-psycopg2 (or set DJAUTH_PYTHON) to run them (Django)",
	Chromium:   "apt-get install chromium chromium-driver to run them (browser)",
	Slow:       "slow, run without -short to run them",
	Redis:      "set AUTH_TEST_REDIS_URL to run them (Redis), e.g. redis://127.0.0.1:6379/0",
	Oathtool:   "apt-get install oathtool to run them (TOTP vectors)",
	Node:       "install Node.js 20 or later with npm to run them (OpenID provider)",
}

// Counter counts the skips of one test binary. Its zero value is ready.
type Counter struct {
	n [numNeeds]atomic.Int64
}

// skips is the binary's counter, read by Main after the tests have run.
var skips Counter

// Skip skips t because need is missing, with msg saying what is missing
// and how to provide it, and counts the skip for Main's summary. Under
// CI=true it fails t instead: CI must run every test.
func Skip(t testing.TB, need Need, msg string) {
	t.Helper()
	skips.skip(t, need, msg, os.Getenv("CI") == "true")
}

// SkipIfShort skips t under go test -short, saying why it is slow, and
// counts the skip. It skips even under CI=true: -short is asked for
// explicitly, and CI never passes it.
func SkipIfShort(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		skips.skip(t, Slow, "-short: "+why, false)
	}
}

// skipper is the part of testing.TB that skip uses.
type skipper interface {
	Helper()
	Fatal(args ...any)
	Skip(args ...any)
}

func (c *Counter) skip(t skipper, need Need, msg string, ci bool) {
	t.Helper()
	if ci && need != Slow {
		t.Fatal(msg + " (CI=true: not skipping)")
		return
	}
	c.n[need].Add(1)
	t.Skip(msg)
}

// Summary is the line that Main prints for package pkg, or "" when no
// test was skipped:
//
//	store/postgres: 37 tests skipped: set AUTH_TEST_DATABASE_URL to run them (PostgreSQL)
func (c *Counter) Summary(pkg string) string {
	var parts []string
	for need := range numNeeds {
		n := c.n[need].Load()
		if n == 0 {
			continue
		}
		noun := "tests"
		if n == 1 {
			noun = "test"
		}
		if len(parts) > 0 {
			noun = ""
		} else {
			noun = " " + noun
		}
		parts = append(parts, fmt.Sprintf("%d%s skipped: %s", n, noun, hints[need]))
	}
	if len(parts) == 0 {
		return ""
	}
	return pkg + ": " + strings.Join(parts, "; ")
}

// Main runs the tests of m and then prints the summary of the skips (see
// the package documentation for where), and returns the exit code for
// os.Exit. pkg names the package in the line ("store/postgres").
func Main(m *testing.M, pkg string) int {
	code := m.Run()
	report(skips.Summary(pkg), testing.Verbose(), openTTY, os.Stdout)
	return code
}

// MainNoLeaks is Main that also fails the run when goroutines the tests
// started are still running once they have all ended (goleak), so that
// every goroutine the package starts is proven to be owned and stopped.
// opts are goleak's, for a package whose tests knowingly use a library that
// leaks.
func MainNoLeaks(m *testing.M, pkg string, opts ...goleak.Option) int {
	code := Main(m, pkg)
	if code == 0 {
		if err := goleak.Find(opts...); err != nil {
			fmt.Fprintf(os.Stderr, "%s: goroutines left running after the tests: %v\n", pkg, err)
			return 1
		}
	}
	return code
}

// report writes line: to stdout when verbose (go test shows it), else to
// the terminal that tty opens, else to stdout.
func report(line string, verbose bool, tty func() (io.WriteCloser, error), stdout io.Writer) {
	if line == "" {
		return
	}
	if !verbose {
		if w, err := tty(); err == nil {
			_, werr := fmt.Fprintln(w, line)
			cerr := w.Close()
			if werr == nil && cerr == nil {
				return
			}
		}
	}
	fmt.Fprintln(stdout, line)
}

func openTTY() (io.WriteCloser, error) { return os.OpenFile("/dev/tty", os.O_WRONLY, 0) }
