// Package testenv skips the tests that need something the machine may
// lack (PostgreSQL, Redis, Django, Chromium) or that are too slow for
// go test -short, and counts those skips so that a package's TestMain can
// say in one line what was not run and what to set to run it:
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m, "store/postgres")) }
//
// prints, when PostgreSQL tests were skipped,
//
//	store/postgres: 37 tests skipped: set AUTH_TEST_DATABASE_URL to run them (PostgreSQL)
//
// # Where the line goes
//
// go test discards the output of a package that passes unless -v is given
// (or -json, which implies it), so without -v the line is written to the
// controlling terminal (/dev/tty), where the person who ran go test sees
// it beside the "ok" lines; with -v, or without a terminal, it goes to
// standard output with the rest of the test log.
//
// # CI
//
// Under CI=true a missing PostgreSQL, Redis, Django or Chromium fails the test
// instead of skipping it (the CI machine installs them). -short skips the
// slow tests even under CI=true, since it is asked for explicitly; .ci/run
// never passes it.
package testenv
