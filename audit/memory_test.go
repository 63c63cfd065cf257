package audit_test

import (
	"testing"

	"github.com/djauth/auth/audit"
	"github.com/djauth/auth/audit/audittest"
)

func TestMemoryStoreConformance(t *testing.T) {
	audittest.Run(t, func(t *testing.T) audit.Store { return &audit.MemoryStore{} })
}
