package emails_test

import (
	"context"
	"sync"
	"testing"

	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/emails/emailstest"
)

func TestMemoryStoreConformance(t *testing.T) {
	emailstest.Run(t, func(t *testing.T) emailstest.Harness {
		var mu sync.Mutex
		users := map[int64]string{}
		s := emails.NewMemoryStore(true, func(_ context.Context, id int64, email string) error {
			mu.Lock()
			defer mu.Unlock()
			users[id] = email
			return nil
		})
		var next int64
		return emailstest.Harness{
			Store: s,
			NewUser: func(*testing.T) int64 {
				mu.Lock()
				defer mu.Unlock()
				next++
				users[next] = ""
				return next
			},
			UserEmail: func(_ *testing.T, id int64) string {
				mu.Lock()
				defer mu.Unlock()
				return users[id]
			},
		}
	})
}
