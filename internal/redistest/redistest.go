// Package redistest connects tests to the Redis server named by
// AUTH_TEST_REDIS_URL and gives each test its own key prefix.
//
// # Configuration
//
//	AUTH_TEST_REDIS_URL='redis://127.0.0.1:6379/0' go test ./store/redis/...
//
// When the variable is unset the test is skipped with a message that says
// how to enable it, unless CI=true, in which case it fails (testenv.Skip).
// When it is set but the server does not answer PING the test fails.
//
// # Isolation
//
// Prefix returns a random key prefix for one test and deletes every key
// under it when the test ends, so tests can share one server (and one
// database number) and run in parallel.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/djauth/auth/internal/testenv"
)

// EnvURL is the environment variable that names the test server.
const EnvURL = "AUTH_TEST_REDIS_URL"

// KeyPrefix starts every prefix that Prefix returns.
const KeyPrefix = "djauth_test:"

// URL returns the configured server URL. When it is unset the test is
// skipped (and counted for testenv.Main's summary), or fails when CI=true.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		testenv.Skip(t, testenv.Redis, fmt.Sprintf("Redis tests need %s, e.g. %s='redis://127.0.0.1:6379/0'", EnvURL, EnvURL))
	}
	return u
}

// Client returns a client of the configured server that answered PING,
// closed when the test ends.
func Client(t testing.TB) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(URL(t))
	if err != nil {
		t.Fatalf("redistest: %s: %v", EnvURL, err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("redistest: ping %s: %v", opts.Addr, err)
	}
	return c
}

// Prefix returns a new random key prefix, ending in ":", and deletes the
// keys under it through c when the test ends.
func Prefix(t testing.TB, c redis.UniversalClient) string {
	t.Helper()
	var b [8]byte
	_, _ = rand.Read(b[:])
	prefix := KeyPrefix + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := DeleteKeys(ctx, c, prefix); err != nil {
			t.Errorf("redistest: clean up %s*: %v", prefix, err)
		}
	})
	return prefix
}

// DeleteKeys deletes every key that starts with prefix, which must not
// contain glob characters.
func DeleteKeys(ctx context.Context, c redis.UniversalClient, prefix string) error {
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		if err := c.Del(ctx, iter.Val()).Err(); err != nil {
			return err
		}
	}
	return iter.Err()
}
