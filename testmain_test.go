package auth_test

import (
	"os"
	"testing"

	"github.com/djauth/auth/internal/testenv"
)

// TestMain runs the tests and then says in one line which were skipped
// for lack of PostgreSQL, Django or Chromium, or by -short, and fails if
// a goroutine the tests started is still running.
func TestMain(m *testing.M) { os.Exit(testenv.MainNoLeaks(m, "auth")) }
