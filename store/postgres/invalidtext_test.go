package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/djauth/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInvalidTextNoRoundTrip: a lookup by text PostgreSQL cannot hold (a
// NUL byte, invalid UTF-8) is answered by the store itself: not found, and
// no statement is sent, so the database's SQLSTATE 22021 or 22P05 never
// reaches the caller. The conformance suite checks the answers; this
// checks that they cost nothing.
func TestInvalidTextNoRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, counter := newTracedStore(t)
	seed(t, s)
	for _, bad := range []string{"nul\x00", "bad\xff", "\xed\xa0\x80"} {
		calls := []struct {
			name string
			call func() error
			want error // nil: a nil error
		}{
			{"GetUserByUsername", func() error { _, err := s.GetUserByUsername(ctx, bad); return err }, auth.ErrUserNotFound},
			{"GetUserByUsernameFold", func() error { _, err := s.GetUserByUsernameFold(ctx, bad); return err }, auth.ErrUserNotFound},
			{"ListUsersSearch", func() error { _, err := s.ListUsers(ctx, auth.UserQuery{Search: bad}); return err }, nil},
			{"ListUsersEmail", func() error { _, err := s.ListUsers(ctx, auth.UserQuery{Email: bad}); return err }, nil},
			{"CountUsersSearch", func() error { _, err := s.CountUsers(ctx, auth.UserQuery{Search: bad}); return err }, nil},
			{"CountUsersEmail", func() error { _, err := s.CountUsers(ctx, auth.UserQuery{Email: bad}); return err }, nil},
			{"GetGroupByName", func() error { _, err := s.GetGroupByName(ctx, bad); return err }, auth.ErrGroupNotFound},
			{"GetContentType", func() error { _, err := s.GetContentType(ctx, "auth", bad); return err }, auth.ErrContentTypeNotFound},
			{"GetPermission", func() error { _, err := s.GetPermission(ctx, "auth."+bad); return err }, auth.ErrPermissionNotFound},
			{"ListPermissions", func() error { _, err := s.ListPermissions(ctx, bad); return err }, nil},
			{"UsersWithPermission", func() error {
				_, err := s.UsersWithPermission(ctx, "auth."+bad, auth.WithPermOptions{})
				return err
			}, auth.ErrPermissionNotFound},
			// Writes are rejected before the database too.
			{"CreateUser", func() error { u := auth.NewUser(bad); return s.CreateUser(ctx, &u) }, auth.ErrInvalid},
			{"SetPassword", func() error { return s.SetPassword(ctx, 1, "md5$$"+bad) }, auth.ErrInvalid},
			{"CreateGroup", func() error { return s.CreateGroup(ctx, &auth.Group{Name: bad}) }, auth.ErrInvalid},
			{"GetOrCreateContentType", func() error { _, err := s.GetOrCreateContentType(ctx, "auth", bad); return err }, auth.ErrInvalid},
			{"AddUserPermissions", func() error { return s.AddUserPermissions(ctx, 1, "auth."+bad) }, auth.ErrInvalid},
			{"DeletePermission", func() error { return s.DeletePermission(ctx, "auth."+bad) }, auth.ErrInvalid},
		}
		for _, c := range calls {
			var err error
			n, sql := counter.count(func() { err = c.call() })
			if c.want == nil {
				require.NoError(t, err, "%s(%q)", c.name, bad)
			} else {
				require.ErrorIs(t, err, c.want, "%s(%q)", c.name, bad)
			}
			assert.False(t, errors.Is(err, auth.ErrInvalid) && c.want != auth.ErrInvalid, "%s(%q): %v", c.name, bad, err)
			assert.Zero(t, n, "%s(%q) sent %q", c.name, bad, sql)
		}
	}
}
