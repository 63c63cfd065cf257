package postgres_test

import (
	"flag"
	"go.uber.org/goleak"
	"os"
	"testing"

	"github.com/djauth/auth/internal/testenv"
)

// defaultParallel is the -test.parallel used when the command line does
// not set one. The tests here spend their time waiting for PostgreSQL
// (creating and dropping a database each), not on the CPU, so running
// more of them at once than GOMAXPROCS shortens the run several times.
const defaultParallel = "8"

// TestMain raises -test.parallel (see defaultParallel), runs the tests and
// then says in one line which were skipped and what to set to run them.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		if err := flag.Set("test.parallel", defaultParallel); err != nil {
			panic(err)
		}
	}
	// TestSessionStoreWithSCS uses scs.New as an app would, and scs.New
	// starts a memstore cleanup goroutine that nothing can stop.
	os.Exit(testenv.MainNoLeaks(m, "store/postgres",
		goleak.IgnoreTopFunction("github.com/alexedwards/scs/v2/memstore.(*MemStore).startCleanup")))
}
