package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeT records what skip asked of a test.
type fakeT struct{ fatal, skip []string }

func (f *fakeT) Helper()           {}
func (f *fakeT) Fatal(args ...any) { f.fatal = append(f.fatal, fmt.Sprint(args...)) }
func (f *fakeT) Skip(args ...any)  { f.skip = append(f.skip, fmt.Sprint(args...)) }

func TestCounter(t *testing.T) {
	t.Parallel()
	var c Counter
	assert.Equal(t, "", c.Summary("pkg"), "nothing skipped, nothing said")

	for range 3 {
		ft := &fakeT{}
		c.skip(ft, PostgreSQL, "needs PostgreSQL", false)
		require.Equal(t, []string{"needs PostgreSQL"}, ft.skip)
		require.Empty(t, ft.fatal)
	}
	assert.Equal(t, "store/postgres: 3 tests skipped: set AUTH_TEST_DATABASE_URL to run them (PostgreSQL)", c.Summary("store/postgres"))

	c.skip(&fakeT{}, Django, "needs Django", false)
	assert.Equal(t, "x: 3 tests skipped: set AUTH_TEST_DATABASE_URL to run them (PostgreSQL); 1 skipped: "+
		"apt-get install python3-django python3-argon2 python3-bcrypt python3-psycopg2 (or set DJAUTH_PYTHON) to run them (Django)", c.Summary("x"))

	var one Counter
	one.skip(&fakeT{}, Slow, "-short: slow", false)
	assert.Equal(t, "e2e: 1 test skipped: slow, run without -short to run them", one.Summary("e2e"))

	var r Counter
	r.skip(&fakeT{}, Redis, "needs Redis", false)
	assert.Equal(t, "store/redis: 1 test skipped: set AUTH_TEST_REDIS_URL to run them (Redis), e.g. redis://127.0.0.1:6379/0", r.Summary("store/redis"))
}

// TestCounterCI: under CI=true a missing need fails the test and is not
// counted; a -short skip still skips.
func TestCounterCI(t *testing.T) {
	t.Parallel()
	var c Counter
	ft := &fakeT{}
	c.skip(ft, Chromium, "needs Chromium", true)
	assert.Equal(t, []string{"needs Chromium (CI=true: not skipping)"}, ft.fatal)
	assert.Empty(t, ft.skip)
	assert.Equal(t, "", c.Summary("e2e"))

	ft = &fakeT{}
	c.skip(ft, Slow, "-short: slow", true)
	assert.Empty(t, ft.fatal)
	assert.Equal(t, []string{"-short: slow"}, ft.skip)
}

type fakeTTY struct {
	bytes.Buffer
	failWrite bool
}

func (f *fakeTTY) Write(p []byte) (int, error) {
	if f.failWrite {
		return 0, errors.New("no")
	}
	return f.Buffer.Write(p)
}
func (f *fakeTTY) Close() error { return nil }

func TestReport(t *testing.T) {
	t.Parallel()
	noTTY := func() (io.WriteCloser, error) { return nil, errors.New("no terminal") }
	tests := []struct {
		name             string
		line             string
		verbose          bool
		tty              *fakeTTY
		wantTTY, wantOut string
	}{
		{name: "nothing to say", line: "", tty: &fakeTTY{}},
		{name: "terminal without -v", line: "p: 1 test skipped", tty: &fakeTTY{}, wantTTY: "p: 1 test skipped\n"},
		{name: "-v goes to stdout", line: "p: 1 test skipped", verbose: true, tty: &fakeTTY{}, wantOut: "p: 1 test skipped\n"},
		{name: "no terminal", line: "p: 1 test skipped", wantOut: "p: 1 test skipped\n"},
		{name: "terminal write fails", line: "p: 1 test skipped", tty: &fakeTTY{failWrite: true}, wantOut: "p: 1 test skipped\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open := noTTY
			if tt.tty != nil {
				open = func() (io.WriteCloser, error) { return tt.tty, nil }
			}
			var out bytes.Buffer
			report(tt.line, tt.verbose, open, &out)
			assert.Equal(t, tt.wantOut, out.String())
			if tt.tty != nil {
				assert.Equal(t, tt.wantTTY, tt.tty.String())
			}
		})
	}
}
