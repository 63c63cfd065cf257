// Package redistest connects tests to the Redis server named by
// AUTH_TEST_REDIS_URL and gives each test its own key prefix.
//
// # Configuration
//
//	AUTH_TEST_REDIS_URL='redis://127.0.0.1:6379/0' go test ./store/redis/...
//
// The cluster and ring tests also need AUTH_TEST_REDIS_CLUSTER_ADDRS, the
// nodes of a Redis Cluster (ClusterClient).
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
	"strings"
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
// contain glob characters; on a cluster or ring, on every node.
func DeleteKeys(ctx context.Context, c redis.UniversalClient, prefix string) error {
	each := func(ctx context.Context, node *redis.Client) error { return DeleteKeys(ctx, node, prefix) }
	switch cc := c.(type) {
	case *redis.ClusterClient:
		return cc.ForEachMaster(ctx, each)
	case *redis.Ring:
		return cc.ForEachShard(ctx, each)
	}
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		if err := c.Del(ctx, iter.Val()).Err(); err != nil {
			return err
		}
	}
	return iter.Err()
}

// EnvClusterAddrs is the environment variable that names the nodes of a
// test Redis Cluster, separated by commas (one node that holds every slot
// will do: .ci/run starts one at 127.0.0.1:6380).
const EnvClusterAddrs = "AUTH_TEST_REDIS_CLUSTER_ADDRS"

// ClusterClient returns a client of the configured cluster whose state is
// ok, closed when the test ends. When EnvClusterAddrs is unset the test is
// skipped, or fails when CI=true.
func ClusterClient(t testing.TB) *redis.ClusterClient {
	t.Helper()
	addrs := os.Getenv(EnvClusterAddrs)
	if addrs == "" {
		testenv.Skip(t, testenv.Redis, fmt.Sprintf("Redis Cluster tests need %s, e.g. %s=127.0.0.1:6380", EnvClusterAddrs, EnvClusterAddrs))
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := c.ClusterInfo(ctx).Result()
	if err != nil {
		t.Fatalf("redistest: cluster info %s: %v", addrs, err)
	}
	if !strings.Contains(info, "cluster_state:ok") {
		t.Fatalf("redistest: cluster %s is not ok:\n%s", addrs, info)
	}
	return c
}
