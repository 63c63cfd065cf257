package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

func (x suite[U]) testCreateAndGetUser(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	last := time.Date(2025, 1, 2, 3, 4, 5, 678901000, time.UTC)
	u := x.newUser("alice", func(a *auth.User) {
		a.Password = "pbkdf2_sha256$870000$salt$hash="
		a.LastLogin = &last
		a.IsSuperuser = true
		a.FirstName = "Alice"
		a.LastName = "Liddell"
		a.Email = "alice@example.com"
		a.IsStaff = true
		a.IsActive = true
	})
	require.NoError(t, s.CreateUser(ctx, u))
	require.Positive(t, x.au(u).ID)

	byID, err := s.GetUser(ctx, x.au(u).ID)
	require.NoError(t, err)
	x.requireSameUser(t, u, byID, "GetUser")

	byName, err := s.GetUserByUsername(ctx, "alice")
	require.NoError(t, err)
	x.requireSameUser(t, u, byName, "GetUserByUsername")

	byFold, err := s.GetUserByUsernameFold(ctx, "ALICE")
	require.NoError(t, err)
	x.requireSameUser(t, u, byFold, "GetUserByUsernameFold")

	// The zero-valued flags and empty strings also round-trip.
	plain := x.create(t, s, "plain", func(a *auth.User) { a.IsActive = false })
	x.requireSameUser(t, plain, x.get(t, s, x.au(plain).ID))
	assert.Equal(t, 2, x.count(t, s))
}

func (x suite[U]) testCreateUserIDsIncrease(t *testing.T, s auth.UserStore[U]) {
	var prev int64
	for i := range 5 {
		u := x.create(t, s, fmt.Sprintf("user%d", i))
		id := x.au(u).ID
		require.Greater(t, id, prev, "IDs increase in creation order")
		prev = id
	}
}

func (x suite[U]) testTimesRoundTrip(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	zone := time.FixedZone("UTC+05:30", 5*3600+30*60)
	tests := []struct {
		name       string
		dateJoined time.Time
		lastLogin  *time.Time
	}{
		{"UTCMicroseconds", time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC), nil},
		{"NanosecondsAreTruncated", time.Date(2024, 2, 29, 13, 14, 15, 123456789, time.UTC),
			ptr(time.Date(2024, 3, 1, 0, 0, 0, 999, time.UTC))},
		{"OtherZoneBecomesUTC", time.Date(2023, 12, 31, 23, 30, 0, 500, zone),
			ptr(time.Date(2024, 7, 1, 12, 0, 0, 1000, zone))},
		{"LocalZone", time.Date(2020, 1, 1, 0, 0, 0, 0, time.Local), ptr(time.Date(2021, 6, 15, 8, 0, 0, 0, time.Local))},
		{"BeforeUnixEpoch", time.Date(1969, 7, 20, 20, 17, 40, 0, time.UTC), nil},
		{"LastLoginInFarFuture", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
			ptr(time.Date(2200, 12, 31, 23, 59, 59, 999999999, time.UTC))},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := x.create(t, s, fmt.Sprintf("times%d", i), func(a *auth.User) {
				a.DateJoined = tc.dateJoined
				a.LastLogin = tc.lastLogin
			})
			wantJoined := tc.dateJoined.UTC().Truncate(time.Microsecond)
			var wantLast *time.Time
			if tc.lastLogin != nil {
				wantLast = ptr(tc.lastLogin.UTC().Truncate(time.Microsecond))
			}
			got := x.get(t, s, x.au(u).ID)
			requireTimeEqual(t, wantJoined, x.au(got).DateJoined, "DateJoined after create")
			requireTimePtrEqual(t, wantLast, x.au(got).LastLogin, "LastLogin after create")

			// Set and clear LastLogin through UpdateUser.
			login := tc.dateJoined.Add(36*time.Hour + 789*time.Nanosecond)
			x.au(got).LastLogin = &login
			require.NoError(t, s.UpdateUser(ctx, got))
			again := x.get(t, s, x.au(u).ID)
			requireTimePtrEqual(t, ptr(login.UTC().Truncate(time.Microsecond)), x.au(again).LastLogin, "LastLogin after update")

			x.au(again).LastLogin = nil
			require.NoError(t, s.UpdateUser(ctx, again))
			cleared := x.get(t, s, x.au(u).ID)
			require.Nil(t, x.au(cleared).LastLogin, "LastLogin cleared by update")
			requireTimeEqual(t, wantJoined, x.au(cleared).DateJoined, "DateJoined after updates")
		})
	}
}

func (x suite[U]) testUserNotFound(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	existing := x.create(t, s, "exists")
	missing := x.au(existing).ID + 1000
	ghost := x.newUser("ghost")
	x.au(ghost).ID = missing
	tests := []struct {
		name string
		call func() error
	}{
		{"GetUser", func() error { _, err := s.GetUser(ctx, missing); return err }},
		{"GetUserZero", func() error { _, err := s.GetUser(ctx, 0); return err }},
		{"GetUserNegative", func() error { _, err := s.GetUser(ctx, -1); return err }},
		{"GetUserByUsername", func() error { _, err := s.GetUserByUsername(ctx, "nobody"); return err }},
		{"GetUserByUsernameEmpty", func() error { _, err := s.GetUserByUsername(ctx, ""); return err }},
		{"GetUserByUsernameFold", func() error { _, err := s.GetUserByUsernameFold(ctx, "nobody"); return err }},
		{"GetUserByUsernamePrefix", func() error { _, err := s.GetUserByUsername(ctx, "exist"); return err }},
		{"UpdateUser", func() error { return s.UpdateUser(ctx, ghost) }},
		{"DeleteUser", func() error { return s.DeleteUser(ctx, missing) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.call(), auth.ErrUserNotFound)
		})
	}
	assert.Equal(t, 1, x.count(t, s), "UpdateUser of an unknown ID must not insert")
}

func (x suite[U]) testUsernameIsCaseSensitive(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	upper := x.create(t, s, "Bob")
	lower := x.create(t, s, "bob")
	require.NotEqual(t, x.au(upper).ID, x.au(lower).ID)

	got, err := s.GetUserByUsername(ctx, "Bob")
	require.NoError(t, err)
	require.Equal(t, x.au(upper).ID, x.au(got).ID)
	got, err = s.GetUserByUsername(ctx, "bob")
	require.NoError(t, err)
	require.Equal(t, x.au(lower).ID, x.au(got).ID)
	_, err = s.GetUserByUsername(ctx, "BOB")
	require.ErrorIs(t, err, auth.ErrUserNotFound)
}

func (x suite[U]) testGetUserByUsernameFold(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	bob := x.create(t, s, "Bob")
	x.create(t, s, "bob")
	carol := x.create(t, s, "Carol")
	emile := x.create(t, s, "émile")
	x.create(t, s, "carol_") // must not match "carol" as a pattern
	tests := []struct {
		query  string
		wantID int64
		err    error
	}{
		{"carol", x.au(carol).ID, nil},
		{"CAROL", x.au(carol).ID, nil},
		{"Carol", x.au(carol).ID, nil},
		{"ÉMILE", x.au(emile).ID, nil},
		{"Émile", x.au(emile).ID, nil},
		{"bob", 0, auth.ErrMultipleUsers},
		{"BOB", 0, auth.ErrMultipleUsers},
		{"car", 0, auth.ErrUserNotFound},
		{"carol%", 0, auth.ErrUserNotFound},
		{"c_rol", 0, auth.ErrUserNotFound},
		{"dave", 0, auth.ErrUserNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			got, err := s.GetUserByUsernameFold(ctx, tc.query)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				require.Nil(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantID, x.au(got).ID)
		})
	}
	// Deleting one of the two Bobs makes the lookup unambiguous.
	require.NoError(t, s.DeleteUser(ctx, x.au(bob).ID))
	got, err := s.GetUserByUsernameFold(ctx, "BOB")
	require.NoError(t, err)
	require.Equal(t, "bob", x.au(got).Username)
}

func (x suite[U]) testDuplicateUsername(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	first := x.create(t, s, "dup", func(a *auth.User) { a.Email = "first@example.com" })
	second := x.newUser("dup", func(a *auth.User) { a.Email = "second@example.com" })
	err := s.CreateUser(ctx, second)
	require.ErrorIs(t, err, auth.ErrDuplicateUsername)
	require.NotErrorIs(t, err, auth.ErrInvalid)
	assert.Zero(t, x.au(second).ID, "a failed create must not set the ID")
	assert.Equal(t, 1, x.count(t, s))
	got, err := s.GetUserByUsername(ctx, "dup")
	require.NoError(t, err)
	x.requireSameUser(t, first, got, "the first user is untouched")
}

func (x suite[U]) testUnicodeUsernames(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	names := []string{
		"René",
		"ᴮᴵᴳᴮᴵᴿᴰ",
		"أحمد",
		"用户名",
		"Straße",
		"iamthe\u2126",                      // U+2126 OHM SIGN, stored as given (NFKC is the caller's job)
		"iamthe\u03a9",                      // U+03A9 GREEK CAPITAL LETTER OMEGA: a different username
		"😀emoji",                            // four bytes in UTF-8
		repeat("é", auth.MaxUsernameLength), // 150 characters, 300 bytes
		repeat("😀", auth.MaxUsernameLength), // 150 characters, 600 bytes
		repeat("a", auth.MaxUsernameLength),
	}
	for _, name := range names {
		t.Run(fmt.Sprintf("%.20q", name), func(t *testing.T) {
			u := x.create(t, s, name)
			got, err := s.GetUserByUsername(ctx, name)
			require.NoError(t, err)
			require.Equal(t, x.au(u).ID, x.au(got).ID)
			require.Equal(t, name, x.au(got).Username)
			byID := x.get(t, s, x.au(u).ID)
			require.Equal(t, name, x.au(byID).Username)
		})
	}
	assert.Equal(t, len(names), x.count(t, s))
}

// invalidUserEdits are edits that make a user invalid, each with the field
// the error must name.
func invalidUserEdits() []struct {
	name  string
	field string
	edit  func(*auth.User)
} {
	return []struct {
		name  string
		field string
		edit  func(*auth.User)
	}{
		{"EmptyUsername", "Username", func(a *auth.User) { a.Username = "" }},
		{"Username151ASCII", "Username", func(a *auth.User) { a.Username = repeat("a", 151) }},
		{"Username151MultiByte", "Username", func(a *auth.User) { a.Username = repeat("é", 151) }},
		{"UsernameNUL", "Username", func(a *auth.User) { a.Username = "nul\x00byte" }},
		{"UsernameInvalidUTF8", "Username", func(a *auth.User) { a.Username = "bad\xff" }},
		{"Password129", "Password", func(a *auth.User) { a.Password = "md5$$" + repeat("p", 124) }},
		{"PasswordPlaintext", "Password", func(a *auth.User) { a.Password = "s3cret" }},
		{"PasswordPlaintextHex31", "Password", func(a *auth.User) { a.Password = repeat("a", 31) }},
		{"Email255", "Email", func(a *auth.User) { a.Email = repeat("e", 243) + "@example.com" }},
		{"EmailNUL", "Email", func(a *auth.User) { a.Email = "a\x00@example.com" }},
		{"FirstName151", "FirstName", func(a *auth.User) { a.FirstName = repeat("f", 151) }},
		{"LastName151", "LastName", func(a *auth.User) { a.LastName = repeat("ł", 151) }},
		{"LastNameNUL", "LastName", func(a *auth.User) { a.LastName = "\x00" }},
	}
}

func (x suite[U]) testInvalidUserRejected(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	for _, tc := range invalidUserEdits() {
		t.Run(tc.name, func(t *testing.T) {
			u := x.newUser("valid_"+tc.name, tc.edit)
			err := s.CreateUser(ctx, u)
			require.ErrorIs(t, err, auth.ErrInvalid)
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Zero(t, x.au(u).ID)
		})
	}
	require.Equal(t, 0, x.count(t, s), "rejected users must not be written")
	users, err := s.ListUsers(ctx, auth.UserQuery{})
	require.NoError(t, err)
	require.Empty(t, users)
}

func (x suite[U]) testUpdateUser(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	u := x.create(t, s, "before", func(a *auth.User) { a.Email = "old@example.com" })
	id := x.au(u).ID

	login := time.Date(2025, 6, 7, 8, 9, 10, 111111000, time.UTC)
	edited := x.get(t, s, id)
	a := x.au(edited)
	a.Username = "After"
	a.Password = "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA"
	a.FirstName, a.LastName, a.Email = "Ann", "Other", "new@example.com"
	a.IsStaff, a.IsSuperuser, a.IsActive = true, true, false
	a.LastLogin = &login
	a.DateJoined = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, s.UpdateUser(ctx, edited))

	x.requireSameUser(t, edited, x.get(t, s, id), "every field is written")
	_, err := s.GetUserByUsername(ctx, "before")
	require.ErrorIs(t, err, auth.ErrUserNotFound, "the old username is free")
	_, err = s.GetUserByUsernameFold(ctx, "BEFORE")
	require.ErrorIs(t, err, auth.ErrUserNotFound, "the old username is free for the folded lookup")
	got, err := s.GetUserByUsername(ctx, "After")
	require.NoError(t, err)
	require.Equal(t, id, x.au(got).ID)
	got, err = s.GetUserByUsernameFold(ctx, "after")
	require.NoError(t, err)
	require.Equal(t, id, x.au(got).ID)

	// The old name can be taken by a new user; writing the user back
	// unchanged is not a duplicate of itself.
	x.create(t, s, "before")
	require.NoError(t, s.UpdateUser(ctx, got))
	assert.Equal(t, 2, x.count(t, s))
}

func (x suite[U]) testUpdateUserRejected(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	u := x.create(t, s, "keeper", func(a *auth.User) { a.Email = "keeper@example.com" })
	x.create(t, s, "taken")
	id := x.au(u).ID
	for _, tc := range invalidUserEdits() {
		t.Run(tc.name, func(t *testing.T) {
			bad := x.get(t, s, id)
			x.au(bad).FirstName = "Changed"
			tc.edit(x.au(bad))
			require.ErrorIs(t, s.UpdateUser(ctx, bad), auth.ErrInvalid)
			x.requireSameUser(t, u, x.get(t, s, id), "a rejected update writes nothing")
		})
	}
	t.Run("DuplicateUsername", func(t *testing.T) {
		bad := x.get(t, s, id)
		x.au(bad).Username = "taken"
		x.au(bad).FirstName = "Changed"
		require.ErrorIs(t, s.UpdateUser(ctx, bad), auth.ErrDuplicateUsername)
		x.requireSameUser(t, u, x.get(t, s, id), "a rejected update writes nothing")
	})
	assert.Equal(t, 2, x.count(t, s))
}

func (x suite[U]) testDeleteUser(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	g := createGroup(t, s, "staff")
	require.NoError(t, s.AddGroupPermissions(ctx, g.ID, "reports.view_report"))
	doomed := x.create(t, s, "doomed")
	kept := x.create(t, s, "kept")
	for _, u := range []*U{doomed, kept} {
		require.NoError(t, s.AddUserGroups(ctx, x.au(u).ID, g.ID))
		require.NoError(t, s.AddUserPermissions(ctx, x.au(u).ID, "reports.publish_report"))
	}
	id := x.au(doomed).ID

	require.NoError(t, s.DeleteUser(ctx, id))
	_, err := s.GetUser(ctx, id)
	require.ErrorIs(t, err, auth.ErrUserNotFound)
	_, err = s.GetUserByUsername(ctx, "doomed")
	require.ErrorIs(t, err, auth.ErrUserNotFound)
	_, err = s.GetUserByUsernameFold(ctx, "DOOMED")
	require.ErrorIs(t, err, auth.ErrUserNotFound)
	require.ErrorIs(t, s.DeleteUser(ctx, id), auth.ErrUserNotFound, "deleting twice")

	// Memberships went with the user; the group, the permission and the
	// other member's grants stay.
	members, err := s.ListGroupUsers(ctx, g.ID)
	require.NoError(t, err)
	require.Equal(t, []int64{x.au(kept).ID}, x.ids(members))
	holders, err := s.UsersWithPermission(ctx, "reports.publish_report", auth.WithPermOptions{ExcludeSuperusers: true})
	require.NoError(t, err)
	require.Equal(t, []int64{x.au(kept).ID}, x.ids(holders))
	set, err := s.UserPermissionSet(ctx, id)
	require.NoError(t, err)
	require.Empty(t, set)
	set, err = s.GroupPermissionSet(ctx, id)
	require.NoError(t, err)
	require.Empty(t, set)
	_, err = s.GetPermission(ctx, "reports.publish_report")
	require.NoError(t, err)
	set, err = s.UserPermissionSet(ctx, x.au(kept).ID)
	require.NoError(t, err)
	require.Equal(t, []string{"reports.publish_report"}, set.Sorted())

	// A new user never inherits the deleted user's ID or memberships.
	again := x.create(t, s, "doomed")
	require.NotEqual(t, id, x.au(again).ID)
	groups, err := s.ListUserGroups(ctx, x.au(again).ID)
	require.NoError(t, err)
	require.Empty(t, groups)
	assert.Equal(t, 2, x.count(t, s))
}

func (x suite[U]) testListUsers(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	admins := createGroup(t, s, "admins")
	editors := createGroup(t, s, "editors")
	ann := x.create(t, s, "ann", func(a *auth.User) {
		a.Email, a.FirstName, a.LastName = "ann@example.com", "Ann", "Archer"
		a.IsStaff, a.IsSuperuser = true, true
	})
	ben := x.create(t, s, "ben", func(a *auth.User) {
		a.Email, a.FirstName, a.LastName = "ben@corp.test", "Benjamin", "Baker"
		a.IsStaff = true
	})
	cat := x.create(t, s, "cat_2", func(a *auth.User) {
		a.Email, a.FirstName, a.LastName = "cat@example.com", "Catherine", "Cole"
		a.IsActive = false
	})
	dan := x.create(t, s, "DAN", func(a *auth.User) {
		a.Email, a.FirstName, a.LastName = "dan@corp.test", "Dan", "Émond"
	})
	eve := x.create(t, s, "eve", func(a *auth.User) {
		a.Email, a.FirstName, a.LastName = "eve@example.com", "Eve", "Eriksen"
		a.IsActive = false
		a.IsStaff = true
	})
	require.NoError(t, s.AddUserGroups(ctx, x.au(ann).ID, admins.ID, editors.ID))
	require.NoError(t, s.AddUserGroups(ctx, x.au(dan).ID, editors.ID))
	require.NoError(t, s.AddUserGroups(ctx, x.au(eve).ID, editors.ID))

	id := func(us ...*U) []int64 { return x.ids(us) }
	tests := []struct {
		name string
		q    auth.UserQuery
		want []int64
	}{
		{"All", auth.UserQuery{}, id(ann, ben, cat, dan, eve)},
		{"SearchUsername", auth.UserQuery{Search: "be"}, id(ben)},
		{"SearchIsCaseInsensitive", auth.UserQuery{Search: "dAn"}, id(dan)},
		{"SearchEmail", auth.UserQuery{Search: "corp.test"}, id(ben, dan)},
		{"SearchFirstName", auth.UserQuery{Search: "jamin"}, id(ben)},
		{"SearchLastName", auth.UserQuery{Search: "ERIK"}, id(eve)},
		{"SearchNonASCII", auth.UserQuery{Search: "émond"}, id(dan)},
		{"SearchAnyField", auth.UserQuery{Search: "ER"}, id(ann, ben, cat, eve)},
		{"SearchUnderscoreIsLiteral", auth.UserQuery{Search: "_"}, id(cat)},
		{"SearchPercentIsLiteral", auth.UserQuery{Search: "%"}, id()},
		{"SearchNoMatch", auth.UserQuery{Search: "zzz"}, id()},
		{"Active", auth.UserQuery{IsActive: ptr(true)}, id(ann, ben, dan)},
		{"Inactive", auth.UserQuery{IsActive: ptr(false)}, id(cat, eve)},
		{"Staff", auth.UserQuery{IsStaff: ptr(true)}, id(ann, ben, eve)},
		{"NotStaff", auth.UserQuery{IsStaff: ptr(false)}, id(cat, dan)},
		{"Superuser", auth.UserQuery{IsSuperuser: ptr(true)}, id(ann)},
		{"NotSuperuser", auth.UserQuery{IsSuperuser: ptr(false)}, id(ben, cat, dan, eve)},
		{"ActiveStaff", auth.UserQuery{IsActive: ptr(true), IsStaff: ptr(true)}, id(ann, ben)},
		{"Group", auth.UserQuery{GroupID: editors.ID}, id(ann, dan, eve)},
		{"GroupAndActive", auth.UserQuery{GroupID: editors.ID, IsActive: ptr(true)}, id(ann, dan)},
		{"GroupAndSearch", auth.UserQuery{GroupID: editors.ID, Search: "example"}, id(ann, eve)},
		{"UnknownGroup", auth.UserQuery{GroupID: editors.ID + 1000}, id()},
		{"Limit", auth.UserQuery{Limit: 2}, id(ann, ben)},
		{"Offset", auth.UserQuery{Offset: 3}, id(dan, eve)},
		{"OffsetAndLimit", auth.UserQuery{Offset: 1, Limit: 2}, id(ben, cat)},
		{"OffsetPastEnd", auth.UserQuery{Offset: 5}, id()},
		{"FilteredPage", auth.UserQuery{IsStaff: ptr(true), Offset: 1, Limit: 1}, id(ben)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListUsers(ctx, tc.q)
			require.NoError(t, err)
			require.Equal(t, tc.want, x.ids(got), "ListUsers %+v", tc.q)

			n, err := s.CountUsers(ctx, tc.q)
			require.NoError(t, err)
			unpaged := tc.q
			unpaged.Offset, unpaged.Limit = 0, 0
			all, err := s.ListUsers(ctx, unpaged)
			require.NoError(t, err)
			require.Equal(t, len(all), n, "CountUsers ignores Offset and Limit")
		})
	}
	// ListUsers returns whole users.
	got, err := s.ListUsers(ctx, auth.UserQuery{Search: "ann"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	x.requireSameUser(t, ann, got[0])
}

func (x suite[U]) testListUsersPaging(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	const n = auth.DefaultUserListLimit + 3
	var want []int64
	for i := range n {
		want = append(want, x.au(x.create(t, s, fmt.Sprintf("page%03d", i))).ID)
	}
	first, err := s.ListUsers(ctx, auth.UserQuery{})
	require.NoError(t, err)
	require.Equal(t, want[:auth.DefaultUserListLimit], x.ids(first), "Limit 0 means DefaultUserListLimit")

	var walked []int64
	for offset := 0; ; offset += 10 {
		page, err := s.ListUsers(ctx, auth.UserQuery{Offset: offset, Limit: 10})
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		require.LessOrEqual(t, len(page), 10)
		walked = append(walked, x.ids(page)...)
	}
	require.Equal(t, want, walked, "paging visits every user once, in ID order")

	all, err := s.ListUsers(ctx, auth.UserQuery{Limit: auth.MaxUserListLimit})
	require.NoError(t, err)
	require.Len(t, all, n)
	count, err := s.CountUsers(ctx, auth.UserQuery{Limit: 1, Offset: 7})
	require.NoError(t, err)
	require.Equal(t, n, count)
}

func (x suite[U]) testListUsersInvalidQuery(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	x.create(t, s, "someone")
	tests := []struct {
		name string
		q    auth.UserQuery
	}{
		{"NegativeOffset", auth.UserQuery{Offset: -1}},
		{"NegativeLimit", auth.UserQuery{Limit: -1}},
		{"LimitAboveMax", auth.UserQuery{Limit: auth.MaxUserListLimit + 1}},
		{"SearchTooLong", auth.UserQuery{Search: repeat("s", auth.MaxEmailLength+1)}},
		{"EmailTooLong", auth.UserQuery{Email: repeat("é", auth.MaxEmailLength+1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListUsers(ctx, tc.q)
			require.ErrorIs(t, err, auth.ErrInvalid)
			require.Nil(t, got)
		})
	}
	t.Run("CountSearchTooLong", func(t *testing.T) {
		_, err := s.CountUsers(ctx, auth.UserQuery{Search: repeat("s", auth.MaxEmailLength+1)})
		require.ErrorIs(t, err, auth.ErrInvalid)
	})
	t.Run("CountEmailTooLong", func(t *testing.T) {
		_, err := s.CountUsers(ctx, auth.UserQuery{Email: repeat("e", auth.MaxEmailLength+1)})
		require.ErrorIs(t, err, auth.ErrInvalid)
		var verr *auth.ValidationError
		require.ErrorAs(t, err, &verr)
		require.Equal(t, "Email", verr.Field)
	})
}

func (x suite[U]) testCopySemantics(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	g := createGroup(t, s, "copies")
	edit := func(a *auth.User) {
		login := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		a.LastLogin = &login
		a.Email = "original@example.com"
	}
	u := x.create(t, s, "original", edit)
	id := x.au(u).ID
	require.NoError(t, s.AddUserGroups(ctx, id, g.ID))
	require.NoError(t, s.AddUserPermissions(ctx, id, "auth.view_user"))
	// want shares no memory with anything the store handed out.
	want := x.newUser("original", edit)
	x.au(want).ID = id
	x.requireSameUser(t, want, x.get(t, s, id))

	// mutate changes every part of a user that a shared pointer could
	// leak: plain fields and the pointed-to LastLogin.
	mutate := func(m *U) {
		a := x.au(m)
		a.Username = "mutated"
		a.Email = "mutated@example.com"
		a.IsSuperuser = true
		if a.LastLogin != nil {
			*a.LastLogin = a.LastLogin.Add(time.Hour)
		}
	}

	// The pointer passed to CreateUser.
	mutate(u)
	x.requireSameUser(t, want, x.get(t, s, id), "after mutating the created *U")

	// Pointers handed out by every method that returns users.
	readers := []struct {
		name string
		read func() []*U
	}{
		{"GetUser", func() []*U { return []*U{x.get(t, s, id)} }},
		{"GetUserByUsername", func() []*U {
			got, err := s.GetUserByUsername(ctx, "original")
			require.NoError(t, err)
			return []*U{got}
		}},
		{"GetUserByUsernameFold", func() []*U {
			got, err := s.GetUserByUsernameFold(ctx, "ORIGINAL")
			require.NoError(t, err)
			return []*U{got}
		}},
		{"ListUsers", func() []*U {
			got, err := s.ListUsers(ctx, auth.UserQuery{})
			require.NoError(t, err)
			return got
		}},
		{"ListGroupUsers", func() []*U {
			got, err := s.ListGroupUsers(ctx, g.ID)
			require.NoError(t, err)
			return got
		}},
		{"GetUserWithPermissions", func() []*U {
			got, perms, err := s.GetUserWithPermissions(ctx, id)
			require.NoError(t, err)
			perms.User.Add("auth.delete_user") // the sets are the caller's too
			return []*U{got}
		}},
		{"UsersWithPermission", func() []*U {
			got, err := s.UsersWithPermission(ctx, "auth.view_user", auth.WithPermOptions{})
			require.NoError(t, err)
			return got
		}},
	}
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			got := r.read()
			require.Len(t, got, 1)
			mutate(got[0])
			x.requireSameUser(t, want, x.get(t, s, id), "after mutating the result of %s", r.name)
		})
	}

	// The pointer passed to UpdateUser.
	upd := x.get(t, s, id)
	x.au(upd).FirstName = "Updated"
	require.NoError(t, s.UpdateUser(ctx, upd))
	mutate(upd)
	x.au(want).FirstName = "Updated"
	x.requireSameUser(t, want, x.get(t, s, id), "after mutating the *U passed to UpdateUser")

	perms, err := s.UserPermissionSet(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{"auth.view_user"}, perms.Sorted())
	perms.Add("auth.add_user")
	again, err := s.UserPermissionSet(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{"auth.view_user"}, again.Sorted(), "a returned PermSet is the caller's")
}

// testNilArguments passes nil where a pointer is expected: the store must
// answer with auth.ErrInvalid rather than panic, and write nothing.
func (x suite[U]) testNilArguments(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"CreateUser", func() error { return s.CreateUser(ctx, nil) }},
		{"UpdateUser", func() error { return s.UpdateUser(ctx, nil) }},
		{"CreateGroup", func() error { return s.CreateGroup(ctx, nil) }},
		{"UpdateGroup", func() error { return s.UpdateGroup(ctx, nil) }},
		{"CreatePermission", func() error { return s.CreatePermission(ctx, nil) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, callWithoutPanic(tc.call), auth.ErrInvalid)
		})
	}
	require.Equal(t, 0, x.count(t, s))
	groups, err := s.ListGroups(ctx)
	require.NoError(t, err)
	require.Empty(t, groups)
}

// callWithoutPanic runs call and turns a panic into an error, so that one
// faulty method fails its subtest instead of the whole test binary.
func callWithoutPanic(call func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return call()
}
