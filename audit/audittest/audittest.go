// Package audittest is the conformance suite of audit.Store: every
// implementation runs Run, so that the memory and PostgreSQL stores
// behave alike.
package audittest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/audit"
)

// Run runs the suite; newStore returns an empty store for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) audit.Store) {
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	t.Run("RecordRoundTrip", func(t *testing.T) {
		s := newStore(t)
		in := audit.Entry{
			Time: base.Add(123456789 * time.Nanosecond), Action: audit.ActionLogin,
			ActorID: 7, ActorName: "alice", TargetUserID: 7,
			Object:  audit.Object{Type: "auth.user", ID: "7", Repr: "alice"},
			Message: "hello", RemoteAddr: "192.0.2.1", UserAgent: "UA/1",
			Meta: map[string]string{"backend": "model", "factor": "totp"},
		}
		got, err := s.Record(ctx, in)
		require.NoError(t, err)
		assert.Positive(t, got.ID)
		assert.Equal(t, base.Add(123456*time.Microsecond), got.Time, "microseconds, UTC")
		list, total, err := s.List(ctx, audit.Query{})
		require.NoError(t, err)
		require.Equal(t, 1, total)
		require.Len(t, list, 1)
		want := in
		want.ID, want.Time = got.ID, got.Time
		assert.Equal(t, want, list[0])
		assert.True(t, list[0].Time.Equal(got.Time))
		assert.Equal(t, time.UTC, list[0].Time.Location())
	})

	t.Run("ZeroTimeIsNowAndNoMeta", func(t *testing.T) {
		s := newStore(t)
		before := time.Now().Add(-time.Minute)
		got, err := s.Record(ctx, audit.Entry{Action: audit.ActionLoginFailed, ActorName: "bob"})
		require.NoError(t, err)
		assert.True(t, got.Time.After(before) && got.Time.Before(time.Now().Add(time.Minute)), got.Time)
		list, _, err := s.List(ctx, audit.Query{})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Nil(t, list[0].Meta)
		assert.Zero(t, list[0].ActorID)
	})

	t.Run("Invalid", func(t *testing.T) {
		s := newStore(t)
		for _, e := range []audit.Entry{
			{Action: ""}, {Action: "Login"}, {Action: "log in"}, {Action: "1login"},
			{Action: audit.Action(strings.Repeat("a", audit.MaxActionLen+1))},
			{Action: audit.ActionLogin, ActorID: -1}, {Action: audit.ActionLogin, TargetUserID: -2},
		} {
			_, err := s.Record(ctx, e)
			assert.ErrorIs(t, err, audit.ErrInvalid, "%+v", e)
		}
		_, total, err := s.List(ctx, audit.Query{})
		require.NoError(t, err)
		assert.Zero(t, total, "nothing half-written")
		for _, q := range []audit.Query{
			{ActorID: -1}, {TargetUserID: -1}, {Action: "Bad Action"}, {Offset: -1},
			{Limit: -1}, {Limit: audit.MaxLimit + 1},
		} {
			_, _, err := s.List(ctx, q)
			assert.ErrorIs(t, err, audit.ErrInvalid, "%+v", q)
		}
	})

	t.Run("Truncates", func(t *testing.T) {
		s := newStore(t)
		long := strings.Repeat("é", 2000) // two bytes a rune
		meta := map[string]string{}
		for i := range audit.MaxMetaEntries + 5 {
			meta[string(rune('a'+i%26))+strings.Repeat("k", i/26+1)+strings.Repeat("x", 100)] = long
		}
		meta["nul"] = "a\x00b"
		got, err := s.Record(ctx, audit.Entry{Action: audit.ActionUserChanged, ActorName: long,
			Object: audit.Object{Type: long, ID: long, Repr: long}, Message: long,
			RemoteAddr: long, UserAgent: "bad\xffutf8" + long, Meta: meta})
		require.NoError(t, err)
		list, _, err := s.List(ctx, audit.Query{})
		require.NoError(t, err)
		require.Len(t, list, 1)
		e := list[0]
		assert.Equal(t, got, e)
		for _, c := range []struct {
			v string
			n int
		}{{e.ActorName, audit.MaxNameLen}, {e.Object.Type, audit.MaxObjectTypeLen}, {e.Object.ID, audit.MaxObjectIDLen},
			{e.Object.Repr, audit.MaxObjectReprLen}, {e.Message, audit.MaxMessageLen}, {e.RemoteAddr, audit.MaxRemoteAddrLen},
			{e.UserAgent, audit.MaxUserAgentLen}} {
			assert.LessOrEqual(t, len(c.v), c.n)
			assert.Greater(t, len(c.v), c.n-4)
			assert.True(t, strings.HasPrefix(long, strings.TrimPrefix(c.v, "bad\uFFFD")) || strings.HasPrefix(c.v, "bad\uFFFD"))
		}
		assert.LessOrEqual(t, len(e.Meta), audit.MaxMetaEntries)
		for k, v := range e.Meta {
			assert.LessOrEqual(t, len(k), audit.MaxMetaKeyLen)
			assert.LessOrEqual(t, len(v), audit.MaxMetaValueLen)
			assert.NotContains(t, v, "\x00")
		}
	})

	t.Run("QueryAndPages", func(t *testing.T) {
		s := newStore(t)
		type row struct {
			actor, target int64
			action        audit.Action
			at            int
		}
		rows := []row{
			{1, 1, audit.ActionLogin, 0}, {2, 2, audit.ActionLogin, 1}, {1, 3, audit.ActionImpersonationStarted, 2},
			{1, 3, audit.ActionImpersonationEnded, 3}, {0, 0, audit.ActionLoginFailed, 4}, {2, 2, audit.ActionLogout, 5},
			{1, 1, audit.ActionLogout, 5},
		}
		var ids []int64
		for _, r := range rows {
			e, err := s.Record(ctx, audit.Entry{Action: r.action, ActorID: r.actor, TargetUserID: r.target, Time: base.Add(time.Duration(r.at) * time.Hour)})
			require.NoError(t, err)
			ids = append(ids, e.ID)
		}
		idsOf := func(es []audit.Entry) []int64 {
			out := []int64{}
			for _, e := range es {
				out = append(out, e.ID)
			}
			return out
		}
		for _, c := range []struct {
			name  string
			q     audit.Query
			want  []int
			total int
		}{
			{"all newest first, ties by ID", audit.Query{}, []int{6, 5, 4, 3, 2, 1, 0}, 7},
			{"actor", audit.Query{ActorID: 1}, []int{6, 3, 2, 0}, 4},
			{"target", audit.Query{TargetUserID: 3}, []int{3, 2}, 2},
			{"action", audit.Query{Action: audit.ActionLogout}, []int{6, 5}, 2},
			{"actor and action", audit.Query{ActorID: 1, Action: audit.ActionLogin}, []int{0}, 1},
			{"since inclusive", audit.Query{Since: base.Add(4 * time.Hour)}, []int{6, 5, 4}, 3},
			{"until exclusive", audit.Query{Until: base.Add(1 * time.Hour)}, []int{0}, 1},
			{"window", audit.Query{Since: base.Add(time.Hour), Until: base.Add(3 * time.Hour)}, []int{2, 1}, 2},
			{"page", audit.Query{Offset: 2, Limit: 2}, []int{4, 3}, 7},
			{"past the end", audit.Query{Offset: 10}, []int{}, 7},
			{"nothing", audit.Query{ActorID: 99}, []int{}, 0},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, total, err := s.List(ctx, c.q)
				require.NoError(t, err)
				want := []int64{}
				for _, i := range c.want {
					want = append(want, ids[i])
				}
				assert.Equal(t, want, idsOf(got))
				assert.Equal(t, c.total, total)
			})
		}
	})

	t.Run("DefaultLimit", func(t *testing.T) {
		s := newStore(t)
		for i := range audit.DefaultLimit + 3 {
			_, err := s.Record(ctx, audit.Entry{Action: audit.ActionLogin, ActorID: int64(i + 1), Time: base.Add(time.Duration(i) * time.Second)})
			require.NoError(t, err)
		}
		got, total, err := s.List(ctx, audit.Query{})
		require.NoError(t, err)
		assert.Len(t, got, audit.DefaultLimit)
		assert.Equal(t, audit.DefaultLimit+3, total)
	})

	t.Run("Prune", func(t *testing.T) {
		s := newStore(t)
		for i := range 5 {
			_, err := s.Record(ctx, audit.Entry{Action: audit.ActionLogin, Time: base.Add(time.Duration(i) * 24 * time.Hour)})
			require.NoError(t, err)
		}
		n, err := s.Prune(ctx, base.Add(2*24*time.Hour))
		require.NoError(t, err)
		assert.EqualValues(t, 2, n)
		got, total, err := s.List(ctx, audit.Query{})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		assert.Equal(t, base.Add(4*24*time.Hour), got[0].Time)
		assert.Equal(t, base.Add(2*24*time.Hour), got[2].Time, "the bound itself is kept")
		n, err = s.Prune(ctx, base)
		require.NoError(t, err)
		assert.Zero(t, n)
	})

	t.Run("EntriesAreCopies", func(t *testing.T) {
		s := newStore(t)
		meta := map[string]string{"k": "v"}
		_, err := s.Record(ctx, audit.Entry{Action: audit.ActionLogin, Meta: meta})
		require.NoError(t, err)
		meta["k"] = "changed"
		got, _, err := s.List(ctx, audit.Query{})
		require.NoError(t, err)
		got[0].Meta["k"] = "changed too"
		again, _, err := s.List(ctx, audit.Query{})
		require.NoError(t, err)
		assert.Equal(t, "v", again[0].Meta["k"])
	})
}
