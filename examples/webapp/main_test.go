package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFlags(t *testing.T) {
	t.Parallel()
	const url = "postgres://db/app"
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		addr     string
		want     config
		wantFail bool
		wantErr  string
	}{
		{name: "defaults", addr: "127.0.0.1:8000",
			want: config{InsecureCookies: true, Demo: true}},
		{name: "flags", args: []string{"-addr", ":9000", "-secret-key", "k", "-insecure-cookies=false", "-demo=false"}, addr: ":9000",
			want: config{SecretKey: "k"}},
		{name: "database turns demo off", args: []string{"-database-url", url}, addr: "127.0.0.1:8000",
			want: config{DatabaseURL: url, InsecureCookies: true}},
		{name: "demo asked for with a database", args: []string{"-database-url", url, "-demo"}, addr: "127.0.0.1:8000",
			want: config{DatabaseURL: url, InsecureCookies: true, Demo: true}},
		{name: "environment", env: map[string]string{"DATABASE_URL": url, "SECRET_KEY": "s"}, addr: "127.0.0.1:8000",
			want: config{DatabaseURL: url, SecretKey: "s", InsecureCookies: true}},
		{name: "flags beat the environment", args: []string{"-secret-key", "f", "-database-url", ""}, env: map[string]string{"DATABASE_URL": url, "SECRET_KEY": "s"},
			addr: "127.0.0.1:8000", want: config{SecretKey: "f", InsecureCookies: true, Demo: true}},
		{name: "django version", args: []string{"-django-version", "3.2"}, addr: "127.0.0.1:8000",
			want: config{InsecureCookies: true, Demo: true, DjangoVersion: "3.2"}},
		{name: "unknown django version", args: []string{"-django-version", "3.1"}, wantErr: "known: 3.2, 4.0"},
		{name: "redis from the environment", env: map[string]string{"REDIS_URL": "redis://r:6379/2"}, addr: "127.0.0.1:8000",
			want: config{RedisURL: "redis://r:6379/2", InsecureCookies: true, Demo: true}},
		{name: "redis flag", args: []string{"-redis-url", "redis://f/1"}, env: map[string]string{"REDIS_URL": "redis://r:6379/2"}, addr: "127.0.0.1:8000",
			want: config{RedisURL: "redis://f/1", InsecureCookies: true, Demo: true}},
		{name: "cpu profile", args: []string{"-cpuprofile", "/tmp/cpu.pprof"}, addr: "127.0.0.1:8000",
			want: config{InsecureCookies: true, Demo: true, CPUProfile: "/tmp/cpu.pprof"}},
		{name: "unknown flag", args: []string{"-nope"}, wantFail: true},
		{name: "stray argument", args: []string{"serve"}, wantFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr, cfg, err := parseFlags(tt.args, func(k string) string { return tt.env[k] })
			if tt.wantFail || tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.addr, addr)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

// lineWriter sends each line written to it on a channel; run writes its
// start-up notes to one while the test reads them.
type lineWriter struct {
	mu    sync.Mutex
	buf   []byte
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.lines <- string(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
}

// TestRunPrintsTheBoundAddress runs the program with -addr 127.0.0.1:0:
// the "Listening on" line must name the port the system chose, and that
// port must already answer when the line is printed.
func TestRunPrintsTheBoundAddress(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lineWriter{lines: make(chan string, 100)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-demo=false", "-secret-key", testSecret}, func(string) string { return "" }, out, io.Discard)
	}()
	listening := regexp.MustCompile(`^Listening on (http://127\.0\.0\.1:(\d+))/ \(in-memory store\)\. Log in at (\S+)$`)
	var m []string
	for m == nil {
		select {
		case line := <-out.lines:
			m = listening.FindStringSubmatch(line)
		case err := <-done:
			t.Fatalf("run returned before listening: %v", err)
		case <-time.After(time.Minute):
			t.Fatal("no Listening line within a minute")
		}
	}
	base := m[1]
	assert.NotEqual(t, "0", m[2], "the printed port is the bound one, not the :0 asked for")
	assert.Equal(t, base+"/accounts/login/", m[3])

	// The line is printed after the bind: the server answers at once.
	resp, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"ok": true}`, string(body))

	cancel()
	require.NoError(t, <-done, "a cancelled run shuts down cleanly")
}

// TestRunBindError reports an address that cannot be bound, before
// printing any Listening line.
func TestRunBindError(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var out bytes.Buffer
	err = run(context.Background(), []string{"-addr", ln.Addr().String(), "-demo=false", "-secret-key", testSecret}, func(string) string { return "" }, &out, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "address already in use")
	assert.NotContains(t, out.String(), "Listening on")
}

// TestRunWritesCPUProfile runs the program with -cpuprofile: after a
// clean shutdown the file holds a profile (gzip-compressed protobuf, as
// runtime/pprof writes it).
func TestRunWritesCPUProfile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lineWriter{lines: make(chan string, 100)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-demo=false", "-secret-key", testSecret, "-cpuprofile", path}, func(string) string { return "" }, out, io.Discard)
	}()
	listening := regexp.MustCompile(`^Listening on (http://\S+)/ `)
	var m []string
	for m == nil {
		select {
		case line := <-out.lines:
			m = listening.FindStringSubmatch(line)
		case err := <-done:
			t.Fatalf("run returned before listening: %v", err)
		case <-time.After(time.Minute):
			t.Fatal("no Listening line within a minute")
		}
	}
	resp, err := http.Get(m[1] + "/healthz")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	cancel()
	require.NoError(t, <-done)

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err, "the profile is gzip-compressed")
	body, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.NotEmpty(t, body, "the profile holds at least its header")
}

// TestRunCPUProfileBadPath reports a profile file that cannot be created
// before listening.
func TestRunCPUProfileBadPath(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	path := filepath.Join(t.TempDir(), "missing", "cpu.pprof")
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-demo=false", "-secret-key", testSecret, "-cpuprofile", path}, func(string) string { return "" }, &out, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-cpuprofile")
	assert.NotContains(t, out.String(), "Listening on")
}
