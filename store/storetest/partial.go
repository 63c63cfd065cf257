package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// The checks of SetLastLogin and SetPassword, the one-column writes of a
// login (Django's save(update_fields=[...])). Each is checked against an
// edit made through UpdateUser after the caller read the user: a store
// that wrote the whole row from that earlier read would undo the edit.

// adminEdit changes every field of a user except Password and LastLogin,
// as an administrator's edit form would.
func adminEdit(a *auth.User) {
	a.Username = "renamed"
	a.FirstName, a.LastName, a.Email = "Edited", "By Admin", "edited@example.com"
	a.IsStaff, a.IsSuperuser, a.IsActive = true, true, false
	a.DateJoined = time.Date(2019, 9, 9, 9, 9, 9, 9000, time.UTC)
}

func (x suite[U]) testSetLastLogin(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	zone := time.FixedZone("UTC-03:30", -(3*3600 + 30*60))
	tests := []struct {
		name  string
		login time.Time
		want  time.Time
	}{
		{"UTC", time.Date(2025, 3, 4, 5, 6, 7, 891011000, time.UTC),
			time.Date(2025, 3, 4, 5, 6, 7, 891011000, time.UTC)},
		{"NanosecondsAreTruncated", time.Date(2025, 3, 4, 5, 6, 7, 999999999, time.UTC),
			time.Date(2025, 3, 4, 5, 6, 7, 999999000, time.UTC)},
		{"OtherZoneBecomesUTC", time.Date(2025, 12, 31, 22, 0, 0, 1500, zone),
			time.Date(2026, 1, 1, 1, 30, 0, 1000, time.UTC)},
		{"BeforeUnixEpoch", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"EarliestPythonYear", time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC),
			time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC)},
		{"LatestPythonYear", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
			time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			earlier := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
			u := x.create(t, s, fmt.Sprintf("login%d", i), func(a *auth.User) {
				a.Password = "pbkdf2_sha256$870000$salt$old="
				a.Email = "before@example.com"
				a.LastLogin = &earlier
			})
			id := x.au(u).ID
			// The login read the user, then an admin changed it and set a
			// new password, then the login records its time.
			read := x.get(t, s, id)
			edited := x.get(t, s, id)
			adminEdit(x.au(edited))
			x.au(edited).Username = fmt.Sprintf("renamed%d", i)
			x.au(edited).Password = "pbkdf2_sha256$870000$salt$new="
			require.NoError(t, s.UpdateUser(ctx, edited))

			require.NoError(t, s.SetLastLogin(ctx, x.au(read).ID, tc.login))
			x.au(edited).LastLogin = &tc.want
			x.requireSameUser(t, edited, x.get(t, s, id), "SetLastLogin writes last_login alone")

			// A second login moves it again.
			later := time.Date(2031, 7, 7, 7, 7, 7, 7000, time.UTC)
			require.NoError(t, s.SetLastLogin(ctx, id, later))
			x.au(edited).LastLogin = &later
			x.requireSameUser(t, edited, x.get(t, s, id), "a second SetLastLogin")
		})
	}
	t.Run("FirstLogin", func(t *testing.T) {
		u := x.create(t, s, "never_logged_in", func(a *auth.User) { a.Password = "md5$s$pw" })
		require.Nil(t, x.au(x.get(t, s, x.au(u).ID)).LastLogin)
		login := time.Date(2024, 4, 4, 4, 4, 4, 4000, time.UTC)
		require.NoError(t, s.SetLastLogin(ctx, x.au(u).ID, login))
		x.au(u).LastLogin = &login
		x.requireSameUser(t, u, x.get(t, s, x.au(u).ID))
	})
}

func (x suite[U]) testSetPassword(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	tests := []struct {
		name    string
		encoded string
	}{
		{"PBKDF2", "pbkdf2_sha256$870000$c2FsdHNhbHQ$3vJ0eXJ1ZXRoaXNpc25vdGFyZWFsaGFzaA="},
		{"Unusable", "!Xq3bU7cTzW1aGkP0nYr5sLdE9vHjMf2oBiC8uNw4"},
		{"MaxLengthASCII", "md5$$" + repeat("p", auth.MaxPasswordLength-5)},
		{"MaxLengthMultiByte", "md5$$" + repeat("é", auth.MaxPasswordLength-5)},
		{"Empty", ""}, // Django's never-matching value
		{"UnsaltedMD5", "5f4dcc3b5aa765d61d8327deb882cf99"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			login := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
			u := x.create(t, s, fmt.Sprintf("pw%d", i), func(a *auth.User) {
				a.Password = "md5$salt$old"
				a.LastLogin = &login
			})
			id := x.au(u).ID
			// The login that upgrades the hash read the user, then an
			// admin changed it and another login set last_login.
			read := x.get(t, s, id)
			edited := x.get(t, s, id)
			adminEdit(x.au(edited))
			x.au(edited).Username = fmt.Sprintf("renamed%d", i)
			require.NoError(t, s.UpdateUser(ctx, edited))
			newer := login.Add(time.Minute)
			require.NoError(t, s.SetLastLogin(ctx, id, newer))
			x.au(edited).LastLogin = &newer

			require.NoError(t, s.SetPassword(ctx, x.au(read).ID, tc.encoded))
			x.au(edited).Password = tc.encoded
			x.requireSameUser(t, edited, x.get(t, s, id), "SetPassword writes password alone")
		})
	}
}

// testPartialUpdatesRejected checks that bad values and unknown IDs change
// nothing.
func (x suite[U]) testPartialUpdatesRejected(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	login := time.Date(2023, 3, 3, 3, 3, 3, 3000, time.UTC)
	u := x.create(t, s, "steady", func(a *auth.User) {
		a.Password = "pbkdf2_sha256$1$s$h="
		a.LastLogin = &login
	})
	id := x.au(u).ID
	zone := time.FixedZone("UTC+14", 14*3600)
	tests := []struct {
		name  string
		field string
		call  func() error
	}{
		{"PasswordTooLong", "Password", func() error { return s.SetPassword(ctx, id, repeat("p", auth.MaxPasswordLength+1)) }},
		{"PasswordTooLongMultiByte", "Password", func() error { return s.SetPassword(ctx, id, repeat("ł", auth.MaxPasswordLength+1)) }},
		{"PasswordNUL", "Password", func() error { return s.SetPassword(ctx, id, "pbkdf2\x00") }},
		{"PasswordInvalidUTF8", "Password", func() error { return s.SetPassword(ctx, id, "md5$\xff$x") }},
		{"PasswordPlaintext", "Password", func() error { return s.SetPassword(ctx, id, "hunter2") }},
		{"PasswordPlaintextWithDollar", "Password", func() error { return s.SetPassword(ctx, id, "Hunter$2") }},
		{"LastLoginZero", "LastLogin", func() error { return s.SetLastLogin(ctx, id, time.Time{}) }},
		{"LastLoginYear0", "LastLogin", func() error { return s.SetLastLogin(ctx, id, time.Date(0, 12, 31, 23, 0, 0, 0, time.UTC)) }},
		{"LastLoginYear1AtUTCPlus14", "LastLogin", func() error {
			// 0001-01-01 10:00 at UTC+14 is year 0 in UTC.
			return s.SetLastLogin(ctx, id, time.Date(1, 1, 1, 10, 0, 0, 0, zone))
		}},
		{"LastLoginYear10000", "LastLogin", func() error { return s.SetLastLogin(ctx, id, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)) }},
		{"LastLoginFarFuture", "LastLogin", func() error { return s.SetLastLogin(ctx, id, time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, auth.ErrInvalid)
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			x.requireSameUser(t, u, x.get(t, s, id), "a rejected write changes nothing")
		})
	}
	missing := id + 1000
	for _, bad := range []int64{missing, 0, -1} {
		t.Run(fmt.Sprintf("UnknownID%d", bad), func(t *testing.T) {
			require.ErrorIs(t, s.SetLastLogin(ctx, bad, login), auth.ErrUserNotFound)
			require.ErrorIs(t, s.SetPassword(ctx, bad, "md5$s$h"), auth.ErrUserNotFound)
		})
	}
	assert.Equal(t, 1, x.count(t, s), "a write to an unknown ID must not insert")
	x.requireSameUser(t, u, x.get(t, s, id))
	t.Run("DeletedUser", func(t *testing.T) {
		gone := x.create(t, s, "gone")
		require.NoError(t, s.DeleteUser(ctx, x.au(gone).ID))
		require.ErrorIs(t, s.SetLastLogin(ctx, x.au(gone).ID, login), auth.ErrUserNotFound)
		require.ErrorIs(t, s.SetPassword(ctx, x.au(gone).ID, "md5$s$h"), auth.ErrUserNotFound)
		_, err := s.GetUserByUsername(ctx, "gone")
		require.ErrorIs(t, err, auth.ErrUserNotFound, "the deleted user stays deleted")
	})
}

// testPartialUpdatesCopy checks that users read before or after a
// one-column write share no memory with the stored user.
func (x suite[U]) testPartialUpdatesCopy(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	first := time.Date(2022, 2, 2, 2, 2, 2, 0, time.UTC)
	passed := first
	u := x.create(t, s, "copied", func(a *auth.User) {
		a.Password = "md5$s$one"
		a.LastLogin = &passed
	})
	id := x.au(u).ID
	before := x.get(t, s, id)

	second := time.Date(2023, 3, 3, 3, 3, 3, 0, time.UTC)
	require.NoError(t, s.SetLastLogin(ctx, id, second))
	require.NoError(t, s.SetPassword(ctx, id, "md5$s$two"))
	requireTimeEqual(t, first, passed, "the LastLogin passed to CreateUser")
	requireTimePtrEqual(t, &first, x.au(before).LastLogin, "a user read before SetLastLogin")
	assert.Equal(t, "md5$s$one", x.au(before).Password, "a user read before SetPassword")

	want := x.get(t, s, id)
	requireTimePtrEqual(t, &second, x.au(want).LastLogin)
	got := x.get(t, s, id)
	*x.au(got).LastLogin = second.Add(time.Hour)
	x.au(got).Password = "changed"
	x.requireSameUser(t, want, x.get(t, s, id), "after mutating a user read after the writes")

	// A later SetLastLogin does not write through a pointer handed out.
	third := second.Add(48 * time.Hour)
	require.NoError(t, s.SetLastLogin(ctx, id, third))
	requireTimePtrEqual(t, &second, x.au(want).LastLogin, "a user read before the third login")
}

// testConcurrentPartialUpdates runs logins (SetLastLogin, SetPassword)
// while an admin renames a user again and again through UpdateUser. The
// admin's names are numbered and published once written, and every
// goroutine reads the user after each of its own writes: the name must
// never be older than the last one published. A store that did a
// one-column write by reading the row and writing all of it back would put
// an older name back when an UpdateUser landed between its read and its
// write. The store is then checked for the last value of each column.
func (x suite[U]) testConcurrentPartialUpdates(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	const rounds = 50
	u := x.create(t, s, "contended", func(a *auth.User) { a.Password = "md5$s$start" })
	id := x.au(u).ID
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	name := func(r int64) string { return fmt.Sprintf("v%03d", r) }
	var published atomic.Int64 // the last round whose UpdateUser returned
	published.Store(-1)
	var adminDone atomic.Bool
	// notOlder checks that the stored name is at least the published one,
	// read after the caller's own write.
	notOlder := func(who string) error {
		want := published.Load()
		got, err := s.GetUser(ctx, id)
		if err != nil {
			return fmt.Errorf("%s: %w", who, err)
		}
		first := x.au(got).FirstName
		var r int64 = -1
		if first != "" {
			if _, err := fmt.Sscanf(first, "v%d", &r); err != nil {
				return fmt.Errorf("%s: FirstName %q: %w", who, first, err)
			}
		}
		if r < want {
			return fmt.Errorf("%s: FirstName is %q after %q was written: a one-column write undid UpdateUser",
				who, first, name(want))
		}
		return nil
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Go(func() {
		defer adminDone.Store(true)
		<-start
		for r := range int64(rounds) {
			edit, err := s.GetUser(ctx, id)
			if err != nil {
				errs[0] = err
				return
			}
			x.au(edit).FirstName = name(r)
			if err := s.UpdateUser(ctx, edit); err != nil {
				errs[0] = err
				return
			}
			published.Store(r)
			if err := notOlder(fmt.Sprintf("admin round %d", r)); err != nil {
				errs[0] = err
				return
			}
		}
	})
	for w := 1; w < workers; w++ {
		wg.Go(func() {
			<-start
			// Log in until the admin is done, at least once.
			for r := 0; r == 0 || !adminDone.Load(); r++ {
				var err error
				if w%2 == 0 {
					err = s.SetPassword(ctx, id, fmt.Sprintf("md5$w%d$r%d", w, r))
				} else {
					err = s.SetLastLogin(ctx, id, base.Add(time.Duration(w)*time.Hour+time.Duration(r)*time.Second))
				}
				if err == nil {
					err = notOlder(fmt.Sprintf("worker %d round %d", w, r))
				}
				if err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	require.NoError(t, errors.Join(errs...))

	login := base.Add(-time.Hour)
	require.NoError(t, s.SetLastLogin(ctx, id, login))
	require.NoError(t, s.SetPassword(ctx, id, "md5$s$final"))
	want := x.newUser("contended", func(a *auth.User) {
		a.ID = id
		a.FirstName = name(rounds - 1)
		a.Password = "md5$s$final"
		a.LastLogin = &login
	})
	x.requireSameUser(t, want, x.get(t, s, id))
}
