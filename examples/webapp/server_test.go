package main

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProductionLimitsAllSet(t *testing.T) {
	t.Parallel()
	srv := newServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler), productionLimits())
	assert.Positive(t, srv.ReadHeaderTimeout, "ReadHeaderTimeout")
	assert.Positive(t, srv.ReadTimeout, "ReadTimeout")
	assert.Positive(t, srv.WriteTimeout, "WriteTimeout")
	assert.Positive(t, srv.IdleTimeout, "IdleTimeout")
	assert.Positive(t, srv.MaxHeaderBytes, "MaxHeaderBytes")
	assert.Less(t, srv.MaxHeaderBytes, http.DefaultMaxHeaderBytes, "MaxHeaderBytes below Go's 1 MiB default")
	assert.LessOrEqual(t, srv.ReadHeaderTimeout, srv.ReadTimeout, "the header timeout is the shorter one")
}

// serveLimited runs newServer(h, lim) on a loopback port until the test
// ends and returns its address.
func serveLimited(t *testing.T, lim serverLimits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "hello")
	}), slog.New(slog.DiscardHandler), lim)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.ErrorIs(t, <-done, http.ErrServerClosed)
	})
	return ln.Addr().String()
}

// TestSlowlorisCutOff sends the start of a request and then one header byte
// every few milliseconds, never finishing the headers. ReadHeaderTimeout
// must close the connection: the client reads EOF or a reset (no byte of a response),
// long before its own safety deadline, while the trickle is still going.
func TestSlowlorisCutOff(t *testing.T) {
	t.Parallel()
	const headerTimeout = 200 * time.Millisecond
	addr := serveLimited(t, serverLimits{
		ReadHeaderTimeout: headerTimeout,
		// The other limits are far longer, so that only the header
		// timeout can end the connection within the test.
		ReadTimeout:    time.Hour,
		WriteTimeout:   time.Hour,
		IdleTimeout:    time.Hour,
		MaxHeaderBytes: 64 << 10,
	})
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: example.com\r\nX-Slow: ")
	require.NoError(t, err)

	// Trickle one byte every 20ms; count how many the server took.
	stop := make(chan struct{})
	trickled := make(chan int, 1)
	go func() {
		n := 0
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				trickled <- n
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte("a")); err != nil {
				trickled <- n
				return
			}
			n++
		}
	}()

	// A safety deadline 50 times the header timeout: without
	// ReadHeaderTimeout the read below ends with this timeout, not EOF.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(50*headerTimeout)))
	got, err := io.ReadAll(conn)
	close(stop)
	n := <-trickled
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server kept a connection with unfinished headers open (%d bytes trickled)", n)
	// The server closed the connection: EOF (io.ReadAll returns nil), or a
	// reset when it closed with trickled bytes still unread.
	if !errors.Is(err, syscall.ECONNRESET) {
		require.NoError(t, err)
	}
	assert.Empty(t, got, "no response to a request whose headers never ended")
	assert.Greater(t, n, 0, "the connection was cut off while the client was still sending")
}

// TestHeaderTooLarge sends a request whose headers exceed MaxHeaderBytes
// (Go allows 4 KiB of slack above it) and expects 431.
func TestHeaderTooLarge(t *testing.T) {
	t.Parallel()
	const limit = 1 << 10
	addr := serveLimited(t, serverLimits{
		ReadHeaderTimeout: time.Minute,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    limit,
	})
	tests := []struct {
		name   string
		cookie int // bytes of cookie value
		status int
	}{
		{"within the limit", limit / 2, http.StatusOK},
		{"over the limit and its slack", limit + 8<<10, http.StatusRequestHeaderFieldsTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(time.Minute)))
			req := "GET / HTTP/1.1\r\nHost: example.com\r\nCookie: c=" + strings.Repeat("x", tt.cookie) + "\r\nConnection: close\r\n\r\n"
			_, err = io.WriteString(conn, req)
			require.NoError(t, err)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tt.status, resp.StatusCode)
		})
	}
}
