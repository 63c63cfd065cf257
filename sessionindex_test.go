package auth_test

import (
	"testing"

	"github.com/alexedwards/scs/v2"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/sessiontest"
)

// indexedStores are the session stores that index by user, for the
// conformance suite: the built-in memory store, PostgreSQL and Redis.
var indexedStores = []struct {
	name string
	new  func(t *testing.T) sessiontest.Store
}{
	{"built-in memory store", func(t *testing.T) sessiontest.Store {
		e := newEnv(t)
		inner := e.a.Sessions().Store.(interface{ Unwrap() scs.Store }).Unwrap()
		s, ok := inner.(sessiontest.Store)
		require.True(t, ok, "%T indexes by user", inner)
		return s
	}},
	{"postgres session store", func(t *testing.T) sessiontest.Store { return pgSessionStore(t, nil) }},
	{"redis session store", func(t *testing.T) sessiontest.Store { return redisSessionStore(t) }},
}

// TestSessionIndexerConformance runs the SessionIndexer suite on every
// store that ships with one.
func TestSessionIndexerConformance(t *testing.T) {
	t.Parallel()
	for _, v := range indexedStores {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			sessiontest.Run(t, v.new)
		})
	}
}
