package social_test

import (
	"testing"

	"github.com/djauth/auth/social"
	"github.com/djauth/auth/social/socialtest"
)

func TestMemoryStore(t *testing.T) {
	socialtest.Run(t, func(t *testing.T) socialtest.Env {
		s := social.NewMemoryStore()
		return socialtest.Env{Store: s, Users: [2]int64{1, 2}, AddApp: s.AddApp}
	})
}
