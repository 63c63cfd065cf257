package recovery_test

import (
	"os"
	"testing"

	"github.com/djauth/auth/internal/testenv"
)

// TestMain runs the tests, checks that none leaves a goroutine behind,
// and says in one line which were skipped.
func TestMain(m *testing.M) { os.Exit(testenv.MainNoLeaks(m, "mfa/recovery")) }
