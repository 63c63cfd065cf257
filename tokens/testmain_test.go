package tokens_test

import (
	"os"
	"testing"

	"github.com/djauth/auth/internal/testenv"
)

// TestMain runs the tests and then says in one line which were skipped
// for lack of PostgreSQL, Django or Chromium, or by -short.
func TestMain(m *testing.M) { os.Exit(testenv.MainNoLeaks(m, "tokens")) }
