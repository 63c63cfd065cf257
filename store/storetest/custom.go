package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// CustomUser is the custom user type that RunCustom stores: Django's user
// plus two columns an app adds to its user table.
type CustomUser struct {
	auth.User
	// PhoneNumber is stored in the column phone_number (text or
	// varchar, NOT NULL).
	PhoneNumber string `db:"phone_number"`
	// Age is stored in the column age (integer, NOT NULL).
	Age int `db:"age"`
}

// RunCustom runs the whole conformance suite of Run for CustomUser, then
// checks that the extra fields are written and read by every method that
// takes or returns users. newStore has the same duties as in Run, and its
// stores must persist the phone_number and age columns.
func RunCustom(t *testing.T, newStore func(t *testing.T) auth.Store[CustomUser]) {
	t.Helper()
	Run(t, newStore)
	runTests(t, newStore, []test[auth.Store[CustomUser]]{
		{name: "CustomFields", run: testCustomFields},
	}, true)
}

func testCustomFields(t *testing.T, s auth.Store[CustomUser]) {
	ctx := context.Background()
	var x suite[CustomUser]
	register(t, s)
	g := createGroup(t, s, "callers")
	require.NoError(t, s.AddGroupPermissions(ctx, g.ID, "reports.view_report"))

	u := x.newUser("caller")
	u.PhoneNumber = "+44 20 7946 0958"
	u.Age = 42
	require.NoError(t, s.CreateUser(ctx, u))
	require.NoError(t, s.AddUserGroups(ctx, u.ID, g.ID))
	x.create(t, s, "zero") // zero extra fields round-trip too

	check := func(t *testing.T, got *CustomUser, phone string, age int) {
		t.Helper()
		require.NotNil(t, got)
		require.Equal(t, phone, got.PhoneNumber)
		require.Equal(t, age, got.Age)
	}
	readers := []struct {
		name string
		read func() *CustomUser
	}{
		{"GetUser", func() *CustomUser { return x.get(t, s, u.ID) }},
		{"GetUserByUsername", func() *CustomUser {
			got, err := s.GetUserByUsername(ctx, "caller")
			require.NoError(t, err)
			return got
		}},
		{"GetUserByUsernameFold", func() *CustomUser {
			got, err := s.GetUserByUsernameFold(ctx, "CALLER")
			require.NoError(t, err)
			return got
		}},
		{"ListUsers", func() *CustomUser {
			got, err := s.ListUsers(ctx, auth.UserQuery{Search: "caller"})
			require.NoError(t, err)
			require.Len(t, got, 1)
			return got[0]
		}},
		{"ListGroupUsers", func() *CustomUser {
			got, err := s.ListGroupUsers(ctx, g.ID)
			require.NoError(t, err)
			require.Len(t, got, 1)
			return got[0]
		}},
		{"GetUserWithPermissions", func() *CustomUser {
			got, _, err := s.GetUserWithPermissions(ctx, u.ID)
			require.NoError(t, err)
			return got
		}},
		{"UsersWithPermission", func() *CustomUser {
			got, err := s.UsersWithPermission(ctx, "reports.view_report", auth.WithPermOptions{})
			require.NoError(t, err)
			require.Len(t, got, 1)
			return got[0]
		}},
	}
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			check(t, r.read(), "+44 20 7946 0958", 42)
		})
	}

	zero, err := s.GetUserByUsername(ctx, "zero")
	require.NoError(t, err)
	check(t, zero, "", 0)

	// UpdateUser writes the extra fields, and a rejected update does not.
	upd := x.get(t, s, u.ID)
	upd.PhoneNumber, upd.Age = "+1 555 0100", 43
	require.NoError(t, s.UpdateUser(ctx, upd))
	check(t, x.get(t, s, u.ID), "+1 555 0100", 43)
	upd.Age = 99
	upd.Username = ""
	require.ErrorIs(t, s.UpdateUser(ctx, upd), auth.ErrInvalid)
	check(t, x.get(t, s, u.ID), "+1 555 0100", 43)

	// The one-column writes keep the extra fields.
	require.NoError(t, s.SetLastLogin(ctx, u.ID, time.Date(2025, 5, 5, 5, 5, 5, 0, time.UTC)))
	require.NoError(t, s.SetPassword(ctx, u.ID, "md5$s$custom"))
	check(t, x.get(t, s, u.ID), "+1 555 0100", 43)

	// Copies: changing a returned or passed value changes nothing stored.
	upd.Username = "caller"
	upd.PhoneNumber = "changed after update"
	got := x.get(t, s, u.ID)
	got.PhoneNumber, got.Age = "changed after read", -1
	u.PhoneNumber = "changed after create"
	check(t, x.get(t, s, u.ID), "+1 555 0100", 43)
}
