package site_test

import (
	"os"
	"testing"

	"github.com/djauth/auth/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.MainNoLeaks(m, "site")) }
