package postgres_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/pgtest"
	"github.com/djauth/auth/internal/sessiontest"
	"github.com/djauth/auth/signing"
	"github.com/djauth/auth/store/postgres"
)

const djKey = "django-session-store-test-key-0123456789abcdef"

// newDjangoSessionStore returns a store on a fresh database migrated with
// the sessions app, with its codec made (as auth.New makes it).
func newDjangoSessionStore(t *testing.T) (*postgres.DjangoSessionStore, postgres.Querier) {
	t.Helper()
	pool := pgtest.NewPool(t)
	_, err := postgres.Migrate(context.Background(), pool, postgres.DjangoSessions)
	require.NoError(t, err)
	st, err := postgres.NewDjangoSessionStore(pool, postgres.SessionStoreOptions{CleanupInterval: -1})
	require.NoError(t, err)
	t.Cleanup(st.Close)
	st.SessionCodec(djKey, nil)
	return st, pool
}

var djangoFrames = sessiontest.Options{
	Payload: func(data string) []byte { return postgres.FrameSession(time.Unix(0, 0), data) },
	Data: func(b []byte) string {
		_, data, err := postgres.UnframeSession(b)
		if err != nil {
			return "<" + err.Error() + ">"
		}
		return data
	},
}

func TestDjangoSessionStoreConformance(t *testing.T) {
	t.Parallel()
	sessiontest.RunStore(t, func(t *testing.T) sessiontest.SessionStore {
		st, _ := newDjangoSessionStore(t)
		return st
	}, djangoFrames)
}

func TestDjangoSessionStoreIndex(t *testing.T) {
	t.Parallel()
	sessiontest.RunWith(t, func(t *testing.T) sessiontest.Store {
		st, _ := newDjangoSessionStore(t)
		return st
	}, djangoFrames)
}

func TestDjangoSessionKey(t *testing.T) {
	t.Parallel()
	st, err := postgres.NewDjangoSessionStore(pgtest.NewPool(t), postgres.SessionStoreOptions{CleanupInterval: -1})
	require.NoError(t, err)
	t.Cleanup(st.Close)
	tok := sessiontest.Token()
	k := st.SessionKey(tok)
	assert.Len(t, k, 32)
	assert.True(t, postgres.IsDjangoSessionKey(k))
	assert.Equal(t, k, st.SessionKey(k), "idempotent")
	assert.NotEqual(t, k, st.SessionKey(sessiontest.Token()))
	for _, key := range []string{"abcdefgh", "0123456789abcdefghijklmnopqrstuvwxyz0123"} {
		assert.Equal(t, key, st.SessionKey(key), "a Django key is its own key")
	}
	for _, bad := range []string{"", "abcdefg", "ABCDEFGHIJ", "abc-defghij", "0123456789abcdefghijklmnopqrstuvwxyz01234"} {
		assert.False(t, postgres.IsDjangoSessionKey(bad), bad)
		assert.True(t, postgres.IsDjangoSessionKey(st.SessionKey(bad)), bad)
	}
	// A value that is not a key is not found, and never written.
	ctx := context.Background()
	_, found, err := st.FindCtx(ctx, tok)
	require.NoError(t, err)
	assert.False(t, found)
	assert.Error(t, st.CommitUserCtx(ctx, tok, 1, postgres.FrameSession(time.Now(), "x"), time.Now().Add(time.Hour)))
	assert.Error(t, st.CommitUserCtx(ctx, k, 1, []byte("not a frame"), time.Now().Add(time.Hour)), "bad data is refused")
}

func TestDjangoSessionCodec(t *testing.T) {
	t.Parallel()
	c := &postgres.DjangoSessionCodec{SecretKey: djKey, Fallbacks: []string{"old-key-of-the-test-0123456789abcdefghij"}}
	created := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	deadline := time.Now().Add(time.Hour).Truncate(time.Microsecond).UTC()
	in := map[string]any{
		auth.SessionKeyUserID: "42", auth.SessionKeyCreated: created, "n": 7, "big": int64(1 << 40),
		"f": 1.5, "ok": true, "raw": []byte{0, 1, 2}, "nested": map[string]any{"a": []any{"x"}},
	}
	b, err := c.Encode(deadline, in)
	require.NoError(t, err)
	gotDeadline, out, err := c.Decode(b)
	require.NoError(t, err)
	assert.Equal(t, deadline, gotDeadline)
	assert.Equal(t, "42", out[auth.SessionKeyUserID])
	assert.Equal(t, created, out[auth.SessionKeyCreated])
	assert.Equal(t, 7, out["n"])
	assert.Equal(t, 1<<40, out["big"])
	assert.Equal(t, 1.5, out["f"])
	assert.Equal(t, true, out["ok"])
	assert.Equal(t, []byte{0, 1, 2}, out["raw"])
	assert.Equal(t, map[string]any{"a": []any{"x"}}, out["nested"])
	assert.NotContains(t, out, "_djauth_deadline", "the deadline is not a session value")

	// With an idle timeout expire_date is earlier than the deadline; the
	// deadline kept in session_data wins, so that the session is not
	// cut to its first idle expiry.
	idle := time.Now().Add(time.Minute).Truncate(time.Microsecond).UTC()
	gotDeadline, out, err = c.Decode(postgres.FrameSession(idle, string(b[9:])))
	require.NoError(t, err)
	assert.Equal(t, deadline, gotDeadline)
	assert.Equal(t, "42", out[auth.SessionKeyUserID])

	// session_data is Django's: signing reads it with the key.
	_, data, err := postgres.UnframeSession(b)
	require.NoError(t, err)
	raw, err := signing.DecodeSession(djKey, nil, data)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"__djauth_time__": "2024-05-06T07:08:09Z"}, raw[auth.SessionKeyCreated])
	assert.Equal(t, json.Number("7"), raw["n"])

	// Data signed with a fallback key is read; with another key it is an
	// empty session, as in Django.
	old, err := signing.EncodeSession("old-key-of-the-test-0123456789abcdefghij", map[string]any{"k": "v"})
	require.NoError(t, err)
	_, out, err = c.Decode(postgres.FrameSession(deadline, old))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"k": "v"}, out)
	other, err := signing.EncodeSession("some-other-key-0123456789abcdefghijklmnop", map[string]any{"k": "v"})
	require.NoError(t, err)
	gotDeadline, out, err = c.Decode(postgres.FrameSession(deadline, other))
	require.NoError(t, err)
	assert.Empty(t, out)
	assert.Equal(t, deadline, gotDeadline)

	_, _, err = c.Decode([]byte("junk"))
	assert.ErrorIs(t, err, auth.ErrSessionCorrupt)
	_, err = c.Encode(deadline, map[string]any{"ch": make(chan int)})
	assert.Error(t, err)
}

// TestDjangoSessionStoreIndexesDjangoSessions: sessions written straight
// into django_session (as Django writes them) are listed for their user,
// each decoded once; deleted ones vanish, and the cleanup removes their
// index rows. Django's flush (TRUNCATE django_session) is not blocked.
func TestDjangoSessionStoreIndexesDjangoSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, db := newDjangoSessionStore(t)
	put := func(key string, data map[string]any, expire time.Time) {
		t.Helper()
		s, err := signing.EncodeSession(djKey, data)
		require.NoError(t, err)
		_, err = db.Exec(ctx, `INSERT INTO "django_session" VALUES ($1, $2, $3)`, key, s, expire)
		require.NoError(t, err)
	}
	hour := time.Now().Add(time.Hour)
	put("djangoalice00000000000000000001", map[string]any{auth.SessionKeyUserID: "7"}, hour)
	put("djangoalice00000000000000000002", map[string]any{auth.SessionKeyUserID: "7"}, hour)
	put("djangoanon000000000000000000001", map[string]any{"x": "y"}, hour)
	put("djangoold0000000000000000000001", map[string]any{auth.SessionKeyUserID: "7"}, time.Now().Add(-time.Minute))
	_, err := db.Exec(ctx, `INSERT INTO "django_session" VALUES ('djangoforged0000000000000000001', 'bad:data', $1)`, hour)
	require.NoError(t, err)

	m, err := st.UserSessionsCtx(ctx, 7)
	require.NoError(t, err)
	assert.Len(t, m, 2)
	assert.Contains(t, m, "djangoalice00000000000000000001")
	var indexed int
	require.NoError(t, db.QueryRow(ctx, `SELECT count(*) FROM "djauth_django_session_user"`).Scan(&indexed))
	assert.Equal(t, 4, indexed, "every unexpired session is indexed once, anonymous and unverifiable ones as NULL")

	// Django's logout deletes the row: the session is no longer listed.
	_, err = db.Exec(ctx, `DELETE FROM "django_session" WHERE "session_key" = 'djangoalice00000000000000000002'`)
	require.NoError(t, err)
	m, err = st.UserSessionsCtx(ctx, 7)
	require.NoError(t, err)
	assert.Len(t, m, 1)
	_, err = db.Exec(ctx, `TRUNCATE "django_session"`)
	require.NoError(t, err, "no foreign key blocks Django's flush")
	n, err := st.DeleteExpired(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	require.NoError(t, db.QueryRow(ctx, `SELECT count(*) FROM "djauth_django_session_user"`).Scan(&indexed))
	assert.Zero(t, indexed, "the cleanup drops index rows of deleted sessions")

	// Without a key the store cannot index what Django wrote.
	bare, err := postgres.NewDjangoSessionStore(db, postgres.SessionStoreOptions{CleanupInterval: -1})
	require.NoError(t, err)
	put("djangonew0000000000000000000001", map[string]any{auth.SessionKeyUserID: "7"}, hour)
	_, err = bare.UserSessionsCtx(ctx, 7)
	assert.ErrorIs(t, err, postgres.ErrNoSessionKey)
}

// TestDjangoSessionStoreCleanup: the goroutine deletes expired sessions
// and Close stops it.
func TestDjangoSessionStoreCleanup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	_, err := postgres.Migrate(ctx, pool, postgres.DjangoSessions)
	require.NoError(t, err)
	st, err := postgres.NewDjangoSessionStore(pool, postgres.SessionStoreOptions{CleanupInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	k := st.SessionKey(sessiontest.Token())
	require.NoError(t, st.CommitUserCtx(ctx, k, 3, postgres.FrameSession(time.Now(), "x"), time.Now().Add(-time.Second)))
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM "django_session"`).Scan(&n))
		return n == 0
	}, 10*time.Second, 20*time.Millisecond)
	st.Close()
	st.Close()
}
