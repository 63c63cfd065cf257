package redis_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/djauth/auth/internal/testenv"
)

// TestMain runs the tests, says in one line which were skipped for lack
// of Redis, and fails if a goroutine the tests started is still running.
func TestMain(m *testing.M) {
	// TestSessionStoreWithSCS uses scs.New as an app would, and scs.New
	// starts a memstore cleanup goroutine that nothing can stop.
	os.Exit(testenv.MainNoLeaks(m, "store/redis",
		goleak.IgnoreTopFunction("github.com/alexedwards/scs/v2/memstore.(*MemStore).startCleanup")))
}
