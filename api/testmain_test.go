package api_test

import (
	"os"
	"testing"

	"github.com/djauth/auth/internal/testenv"
)

// TestMain runs the tests and then says in one line which were skipped
// for lack of PostgreSQL or by -short, and checks for leaked goroutines.
func TestMain(m *testing.M) { os.Exit(testenv.MainNoLeaks(m, "api")) }
