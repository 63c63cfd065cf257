package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// workers is how many goroutines the concurrency checks start. It is small
// so that the suite stays fast against a database, yet enough to make the
// race detector and a unique index earn their keep.
const workers = 8

// together calls fn(i) for every i below workers, each in its own
// goroutine, releases them at once so that they contend, and returns
// their errors by i.
func together(fn func(i int) error) []error {
	errs := make([]error, workers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range workers {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func (x suite[U]) testConcurrentCreateSameUsername(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	users := make([]*U, workers)
	for i := range workers {
		users[i] = x.newUser("racer", func(a *auth.User) { a.Email = fmt.Sprintf("racer%d@example.com", i) })
	}
	errs := together(func(i int) error { return s.CreateUser(ctx, users[i]) })

	winner := -1
	for i, err := range errs {
		if err == nil {
			require.Equal(t, -1, winner, "two creates of one username succeeded")
			winner = i
			continue
		}
		require.ErrorIs(t, err, auth.ErrDuplicateUsername, "goroutine %d", i)
		assert.Zero(t, x.au(users[i]).ID, "a failed create must not set the ID")
	}
	require.NotEqual(t, -1, winner, "one create must succeed")
	require.Equal(t, 1, x.count(t, s))
	got, err := s.GetUserByUsername(ctx, "racer")
	require.NoError(t, err)
	x.requireSameUser(t, users[winner], got, "the stored user is the winner's")
}

func (x suite[U]) testConcurrentCreateSameGroup(t *testing.T, s auth.GroupStore) {
	ctx := context.Background()
	errs := together(func(int) error { return s.CreateGroup(ctx, &auth.Group{Name: "racers"}) })
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		require.ErrorIs(t, err, auth.ErrDuplicateGroupName)
	}
	require.Equal(t, 1, ok)
	all, err := s.ListGroups(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
}

// testConcurrentMixed runs reads and writes of every kind at once. Against
// the memory store the race detector checks the locking; against any store
// every call must succeed and the final state must add up.
func (x suite[U]) testConcurrentMixed(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	shared := createGroup(t, s, "shared")
	require.NoError(t, s.AddGroupPermissions(ctx, shared.ID, "reports.view_report"))
	const perWorker = 5

	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker*16)
	check := func(err error) {
		if err != nil {
			errs <- err
		}
	}
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				u := x.newUser(fmt.Sprintf("mixed_%d_%d", w, i))
				if err := s.CreateUser(ctx, u); err != nil {
					errs <- err
					continue
				}
				id := x.au(u).ID
				check(s.AddUserGroups(ctx, id, shared.ID))
				check(s.AddUserPermissions(ctx, id, "reports.publish_report"))

				got, err := s.GetUser(ctx, id)
				check(err)
				if got != nil {
					x.au(got).FirstName = fmt.Sprintf("W%d", w)
					check(s.UpdateUser(ctx, got))
				}
				_, err = s.GetUserByUsernameFold(ctx, x.au(u).Username)
				check(err)
				_, perms, err := s.GetUserWithPermissions(ctx, id)
				check(err)
				if err == nil && (!perms.User.Has("reports.publish_report") || !perms.Group.Has("reports.view_report")) {
					errs <- fmt.Errorf("user %d: permissions %v / %v", id, perms.User.Sorted(), perms.Group.Sorted())
				}
				_, err = s.ListUsers(ctx, auth.UserQuery{Search: "mixed", Limit: 10})
				check(err)
				_, err = s.CountUsers(ctx, auth.UserQuery{GroupID: shared.ID})
				check(err)
				_, err = s.ListGroupUsers(ctx, shared.ID)
				check(err)
				_, err = s.UsersWithPermission(ctx, "reports.view_report", auth.WithPermOptions{})
				check(err)
				_, err = s.ListGroups(ctx)
				check(err)
				if i%2 == 1 {
					check(s.DeleteUser(ctx, id))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	require.NoError(t, errors.Join(all...))

	kept := workers * (perWorker - perWorker/2)
	require.Equal(t, kept, x.count(t, s))
	n, err := s.CountUsers(ctx, auth.UserQuery{GroupID: shared.ID})
	require.NoError(t, err)
	require.Equal(t, kept, n)
	holders, err := s.UsersWithPermission(ctx, "reports.publish_report", auth.WithPermOptions{})
	require.NoError(t, err)
	require.Len(t, holders, kept)
	for _, u := range holders {
		require.Regexp(t, `^W\d$`, x.au(u).FirstName)
	}
}

func (x suite[U]) testCanceledContext(t *testing.T, s auth.Store[U]) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	u := x.newUser("canceled")
	require.ErrorIs(t, s.CreateUser(ctx, u), context.Canceled)
	assert.Zero(t, x.au(u).ID)
	g := auth.Group{Name: "canceled"}
	require.ErrorIs(t, s.CreateGroup(ctx, &g), context.Canceled)

	existing := x.create(t, s, "existing")
	_, err := s.GetUser(ctx, x.au(existing).ID)
	require.ErrorIs(t, err, context.Canceled, "a canceled read fails instead of answering")
	_, _, err = s.GetUserWithPermissions(ctx, x.au(existing).ID)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, s.SetLastLogin(ctx, x.au(existing).ID, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)), context.Canceled)
	require.ErrorIs(t, s.SetPassword(ctx, x.au(existing).ID, "md5$s$canceled"), context.Canceled)
	x.requireSameUser(t, existing, x.get(t, s, x.au(existing).ID), "canceled one-column writes change nothing")

	require.Equal(t, 1, x.count(t, s), "nothing was written under the canceled context")
	gs, err := s.ListGroups(context.Background())
	require.NoError(t, err)
	require.Empty(t, gs)
}

// testConcurrentRegister starts several Registers of the same models at
// once, as service instances starting together do: all succeed and agree.
func (x suite[U]) testConcurrentRegister(t *testing.T, s auth.PermissionStore) {
	ctx := context.Background()
	models := append(auth.AuthModels(), reportModel())
	results := make([][]auth.Permission, workers)
	errs := together(func(i int) error {
		var err error
		results[i], err = auth.Register(ctx, s, models...)
		return err
	})
	require.NoError(t, errors.Join(errs...))
	for i := 1; i < workers; i++ {
		require.Equal(t, results[0], results[i], "Register %d disagrees with Register 0", i)
	}
	all, err := s.ListPermissions(ctx, "")
	require.NoError(t, err)
	require.Len(t, all, 22)
	cts, err := s.ListContentTypes(ctx)
	require.NoError(t, err)
	require.Len(t, cts, 5)
}

// testConcurrentIdempotentWrites adds the same memberships from several
// goroutines at once: adding an existing membership is a no-op, also when
// another call is adding it at the same moment.
func (x suite[U]) testConcurrentIdempotentWrites(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	register(t, s)
	u := x.create(t, s, "member")
	id := x.au(u).ID
	g := createGroup(t, s, "team")
	errs := together(func(int) error {
		return errors.Join(
			s.AddUserGroups(ctx, id, g.ID),
			s.AddUserPermissions(ctx, id, "reports.publish_report", "auth.view_user"),
			s.AddGroupPermissions(ctx, g.ID, "reports.view_report"),
			s.SetUserPermissions(ctx, id, []string{"reports.publish_report", "auth.view_user"}),
		)
	})
	require.NoError(t, errors.Join(errs...))
	_, perms, err := s.GetUserWithPermissions(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{"auth.view_user", "reports.publish_report"}, perms.User.Sorted())
	require.Equal(t, []string{"reports.view_report"}, perms.Group.Sorted())
	members, err := s.ListGroupUsers(ctx, g.ID)
	require.NoError(t, err)
	require.Len(t, members, 1)
}
