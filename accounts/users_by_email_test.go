package accounts_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/store/memory"
)

// queryRecorder is a store that records the queries of ListUsers.
type queryRecorder struct {
	auth.Store[auth.User]
	mu      sync.Mutex
	queries []auth.UserQuery
}

func (r *queryRecorder) ListUsers(ctx context.Context, q auth.UserQuery) ([]*auth.User, error) {
	r.mu.Lock()
	r.queries = append(r.queries, q)
	r.mu.Unlock()
	return r.Store.ListUsers(ctx, q)
}

// TestPasswordResetFindsUsersByEmail: the reset form asks the store for
// the active users with the address (Django's email__iexact,
// is_active=True) and reads every page when more users share it than one
// page holds.
func TestPasswordResetFindsUsersByEmail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mem := memory.New[auth.User]()
	rec := &queryRecorder{Store: mem}
	hs := hashers.New(hashers.MD5{})
	a, err := auth.New(auth.Config[auth.User]{
		Store:        rec,
		Hashers:      hs,
		SecretKey:    testSecret,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		AllowedHosts: []string{"testserver"},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	outbox := new(mail.Outbox)
	m, err := accounts.New(a, accounts.Config{Mailer: outbox})
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	mux := http.NewServeMux()
	m.Routes(mux, "")
	e := &env{t: t, handler: a.Middleware(mux)}

	add := func(username, email, password string, active bool) {
		t.Helper()
		u := auth.NewUser(username)
		u.Email, u.Password, u.IsActive = email, password, active
		require.NoError(t, mem.CreateUser(ctx, &u))
	}
	usable, err := hs.Make(ctx, "password")
	require.NoError(t, err)
	// A full page of candidates without a usable password, then the one
	// user who gets the mail, on the second page.
	for i := range auth.MaxUserListLimit {
		add(fmt.Sprintf("crowd%05d", i), "Crowd@Example.com", auth.UnusablePasswordPrefix, true)
	}
	add("inactive", "crowd@example.com", usable, false)
	add("lookalike", "cr\u00f6wd@example.com", usable, true) // ö: not the address
	add("longer", "crowd@example.com.evil", usable, true)
	add("target", "crowd@example.com", usable, true)

	resp := e.client().post("/accounts/password_reset/", url.Values{"email": {"CROWD@example.com"}})
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.NoError(t, m.Close()) // sends the queued mail
	msgs := outbox.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, []string{"crowd@example.com"}, msgs[0].To)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	active := true
	require.Equal(t, []auth.UserQuery{
		{Email: "CROWD@example.com", IsActive: &active, Limit: auth.MaxUserListLimit},
		{Email: "CROWD@example.com", IsActive: &active, Offset: auth.MaxUserListLimit, Limit: auth.MaxUserListLimit},
	}, rec.queries)
}
