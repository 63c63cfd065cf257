package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// testListUsersOrder pins UserQuery.Order: byte order of text (upper case
// before lower case, "ä" after "z"), ties by ID ascending, a nil
// last_login last ascending and first descending, paging over the
// ordered list, and a rejected unknown field.
func (x suite[U]) testListUsersOrder(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
	b := x.create(t, s, "bob", func(u *auth.User) { u.Email = "zed@example.com"; u.LastLogin = at(time.Hour); u.IsStaff = true })
	a := x.create(t, s, "alice", func(u *auth.User) { u.Email = "amy@example.com" })
	c := x.create(t, s, "Carol", func(u *auth.User) { u.Email = "carol@example.com"; u.LastLogin = at(0); u.IsStaff = true })
	d := x.create(t, s, "äda", func(u *auth.User) { u.Email = "Ada@example.com"; u.LastLogin = at(2 * time.Hour) })
	id := func(u *U) int64 { return x.au(u).ID }
	tests := []struct {
		order string
		want  []*U
	}{
		{"", []*U{b, a, c, d}},
		{"id", []*U{b, a, c, d}},
		{"-id", []*U{d, c, a, b}},
		{"username", []*U{c, a, b, d}},
		{"-username", []*U{d, b, a, c}},
		{"email", []*U{d, a, c, b}},
		{"is_staff", []*U{a, d, b, c}},
		{"-is_staff", []*U{b, c, a, d}},
		{"last_login", []*U{c, b, d, a}},
		{"-last_login", []*U{a, d, b, c}},
	}
	for _, tc := range tests {
		t.Run("Order="+tc.order, func(t *testing.T) {
			got, err := s.ListUsers(ctx, auth.UserQuery{Order: tc.order})
			require.NoError(t, err)
			want := make([]int64, len(tc.want))
			for i, u := range tc.want {
				want[i] = id(u)
			}
			require.Equal(t, want, x.ids(got))
			page, err := s.ListUsers(ctx, auth.UserQuery{Order: tc.order, Offset: 1, Limit: 2})
			require.NoError(t, err)
			require.Equal(t, want[1:3], x.ids(page), "paging follows the order")
		})
	}
	for _, bad := range []string{"password", "-", "--username", "username ", "Username"} {
		_, err := s.ListUsers(ctx, auth.UserQuery{Order: bad})
		require.ErrorIs(t, err, auth.ErrInvalid, "Order %q", bad)
		_, err = s.CountUsers(ctx, auth.UserQuery{Order: bad})
		require.ErrorIs(t, err, auth.ErrInvalid, "Order %q", bad)
	}
	n, err := s.CountUsers(ctx, auth.UserQuery{Order: "-username"})
	require.NoError(t, err)
	require.Equal(t, 4, n)
}
