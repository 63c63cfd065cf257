package redis

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	goredis "github.com/redis/go-redis/v9"

	"github.com/djauth/auth"
)

// DefaultPrefix starts the key of every session when Options.Prefix is
// empty.
const DefaultPrefix = "djauth:session:"

// DefaultScanCount is the COUNT hint of each SCAN that AllCtx sends when
// Options.ScanCount is zero.
const DefaultScanCount = 1000

// DefaultMaxAll is the most sessions AllCtx returns when Options.MaxAll is
// zero.
const DefaultMaxAll = 100_000

// ErrTooManySessions is returned (wrapped) by AllCtx when more sessions are
// stored under the prefix than Options.MaxAll allows. AllCtx never returns
// a partial list.
var ErrTooManySessions = errors.New("redis: too many sessions to list")

// Options configures NewSessionStore. The zero value keeps sessions under
// DefaultPrefix and lists at most DefaultMaxAll of them.
type Options struct {
	// Prefix starts the key of every session: the key of a session is
	// Prefix followed by its token. Empty means DefaultPrefix. Give each
	// application that shares a Redis database its own prefix.
	Prefix string
	// ScanCount is the COUNT hint of each SCAN that AllCtx sends. Zero
	// means DefaultScanCount.
	ScanCount int64
	// MaxAll bounds AllCtx: when more sessions than this are stored it
	// returns ErrTooManySessions instead of loading them all. Zero means
	// DefaultMaxAll.
	MaxAll int
}

// SessionStore keeps scs sessions in Redis, each one a string key whose
// value is the session's data and whose expiry (PXAT) is the session's, so
// that Redis itself drops expired sessions. It implements scs.Store,
// scs.CtxStore, scs.IterableCtxStore, auth.SessionUpdater and
// auth.SessionRenewer, with the guarantees of the PostgreSQL store: an
// update never recreates a deleted or expired session and a renewal moves
// a session only while its old token still exists.
//
// It has no goroutine and nothing to close; the client is the caller's.
type SessionStore struct {
	c         goredis.UniversalClient
	prefix    string
	scanCount int64
	maxAll    int
	// twoStep renews with a DEL and then a SET instead of one script, for
	// clients that spread keys over several servers (Redis Cluster, Ring),
	// where the two keys may live on different nodes.
	twoStep bool
}

var (
	_ scs.Store            = (*SessionStore)(nil)
	_ scs.CtxStore         = (*SessionStore)(nil)
	_ scs.IterableCtxStore = (*SessionStore)(nil)
	_ scs.IterableStore    = (*SessionStore)(nil)
	_ auth.SessionUpdater  = (*SessionStore)(nil)
	_ auth.SessionRenewer  = (*SessionStore)(nil)
)

// NewSessionStore returns a session store on client, which may be a
// single-node, sentinel (failover), cluster or ring client. The caller owns the
// client and closes it after the last use of the store.
func NewSessionStore(client goredis.UniversalClient, opts Options) (*SessionStore, error) {
	if client == nil {
		return nil, errors.New("redis: NewSessionStore: nil client")
	}
	if opts.ScanCount < 0 || opts.MaxAll < 0 {
		return nil, fmt.Errorf("redis: NewSessionStore: negative ScanCount (%d) or MaxAll (%d)", opts.ScanCount, opts.MaxAll)
	}
	s := &SessionStore{c: client, prefix: opts.Prefix, scanCount: opts.ScanCount, maxAll: opts.MaxAll}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.scanCount == 0 {
		s.scanCount = DefaultScanCount
	}
	if s.maxAll == 0 {
		s.maxAll = DefaultMaxAll
	}
	// A *Client talks to one server (a sentinel-managed one included);
	// any other client may route the two keys of a renewal apart.
	_, single := client.(*goredis.Client)
	s.twoStep = !single
	return s, nil
}

// Prefix returns the prefix of the store's keys.
func (s *SessionStore) Prefix() string { return s.prefix }

func (s *SessionStore) key(token string) string { return s.prefix + token }

// expireAt is the PXAT argument for expiry: a time in the past makes Redis
// delete the key at once (by Redis's clock, which decides every other
// expiry too). PXAT must be positive, so times before 1970 become 1 ms.
func expireAt(expiry time.Time) time.Time {
	ms := expiry.UnixMilli()
	if ms < 1 {
		ms = 1
	}
	return time.UnixMilli(ms)
}

// pxat is expireAt in Unix milliseconds, for scripts.
func pxat(expiry time.Time) int64 { return expireAt(expiry).UnixMilli() }

// setArgs is SET … PXAT expiry (EXAT for a whole second, the same
// instant), with mode "XX" (only if the key exists) or "" (always).
func setArgs(mode string, expiry time.Time) goredis.SetArgs {
	return goredis.SetArgs{Mode: mode, ExpireAt: expireAt(expiry)}
}

// FindCtx returns the data of an unexpired session; found is false, with a
// nil error, for an unknown or expired token. An unreachable Redis is an
// error, never "not found".
func (s *SessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	b, err = s.c.Get(ctx, s.key(token)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redis: find session: %w", err)
	}
	return b, true, nil
}

// CommitCtx stores the session data with expiry, replacing those of an
// existing token. An expiry in the past deletes the session.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if err := s.c.SetArgs(ctx, s.key(token), b, setArgs("", expiry)).Err(); err != nil {
		return fmt.Errorf("redis: commit session: %w", err)
	}
	return nil
}

// UpdateCtx replaces the data and expiry of an unexpired session in one
// command (SET … XX PXAT) and reports whether it found one; it never
// creates a session. It implements auth.SessionUpdater, so that a request
// that began before a logout cannot write the deleted session back. An
// expiry in the past deletes the session it finds.
func (s *SessionStore) UpdateCtx(ctx context.Context, token string, b []byte, expiry time.Time) (found bool, err error) {
	err = s.c.SetArgs(ctx, s.key(token), b, setArgs("XX", expiry)).Err()
	if errors.Is(err, goredis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("redis: update session: %w", err)
	}
	return true, nil
}

// renewScript deletes KEYS[1] and, only if it existed (unexpired), sets
// KEYS[2] to ARGV[1] expiring at ARGV[2] (Unix ms); it returns 1 when it
// moved the session and 0 otherwise. A script runs atomically.
var renewScript = goredis.NewScript(`
if redis.call('DEL', KEYS[1]) == 0 then
	return 0
end
redis.call('SET', KEYS[2], ARGV[1], 'PXAT', ARGV[2])
return 1
`)

// RenewCtx implements auth.SessionRenewer: the session moves from oldToken
// to newToken only while oldToken exists and has not expired, so a logout
// that deleted oldToken during the request holds.
//
// On a single node or a sentinel-managed primary (a *goredis.Client) this
// is one Lua script, atomic. On Redis Cluster or a Ring the two keys may
// live on different nodes, so it is a DEL of the old key and then, only if that DEL removed it, a SET of
// the new one: of a logout and a renewal racing for the old key exactly
// one removes it, so the guarantee is the same; if the SET then fails the
// session is lost (the user is logged out), never duplicated.
func (s *SessionStore) RenewCtx(ctx context.Context, oldToken, newToken string, b []byte, expiry time.Time) (found bool, err error) {
	if b == nil {
		b = []byte{}
	}
	if s.twoStep {
		n, err := s.c.Del(ctx, s.key(oldToken)).Result()
		if err != nil {
			return false, fmt.Errorf("redis: renew session: delete old: %w", err)
		}
		if n == 0 {
			return false, nil
		}
		if err := s.c.SetArgs(ctx, s.key(newToken), b, setArgs("", expiry)).Err(); err != nil {
			return false, fmt.Errorf("redis: renew session: store new (old one deleted): %w", err)
		}
		return true, nil
	}
	n, err := renewScript.Run(ctx, s.c, []string{s.key(oldToken), s.key(newToken)}, b, pxat(expiry)).Int64()
	if err != nil {
		return false, fmt.Errorf("redis: renew session: %w", err)
	}
	return n == 1, nil
}

// DeleteCtx deletes the session; an unknown token is not an error.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if err := s.c.Del(ctx, s.key(token)).Err(); err != nil {
		return fmt.Errorf("redis: delete session: %w", err)
	}
	return nil
}

// AllCtx returns the data of every unexpired session under the store's
// prefix by token; it is empty, not nil, when there are none. It walks the
// keys with SCAN (on every primary of a cluster, every shard of a ring;
// other clients get an error), so it never blocks
// Redis, and fails with ErrTooManySessions rather than load more than
// Options.MaxAll sessions. A session deleted during the walk is left out.
func (s *SessionStore) AllCtx(ctx context.Context) (map[string][]byte, error) {
	out := map[string][]byte{}
	// On several servers each is walked on a goroutine of go-redis's.
	var mu sync.Mutex
	eachNode := func(ctx context.Context, node *goredis.Client) error {
		part := map[string][]byte{}
		if err := s.scan(ctx, node, part); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		maps.Copy(out, part)
		if len(out) > s.maxAll {
			return fmt.Errorf("%w: more than %d", ErrTooManySessions, s.maxAll)
		}
		return nil
	}
	var err error
	switch c := s.c.(type) {
	case *goredis.Client:
		err = s.scan(ctx, c, out)
	case *goredis.ClusterClient:
		err = c.ForEachMaster(ctx, eachNode)
	case *goredis.Ring:
		err = c.ForEachShard(ctx, eachNode)
	default:
		// SCAN through an unknown client might see one server of
		// several: no list rather than a partial one.
		err = fmt.Errorf("cannot list the sessions through a %T", s.c)
	}
	if err != nil {
		return nil, fmt.Errorf("redis: all sessions: %w", err)
	}
	return out, nil
}

// scan adds the sessions on one node (or behind one client) to out.
func (s *SessionStore) scan(ctx context.Context, c goredis.UniversalClient, out map[string][]byte) error {
	match := globEscape(s.prefix) + "*"
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, match, s.scanCount).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			cmds := make([]*goredis.StringCmd, len(keys))
			if _, err := c.Pipelined(ctx, func(p goredis.Pipeliner) error {
				for i, k := range keys {
					cmds[i] = p.Get(ctx, k)
				}
				return nil
			}); err != nil && !errors.Is(err, goredis.Nil) {
				return err
			}
			for i, cmd := range cmds {
				b, err := cmd.Bytes()
				if errors.Is(err, goredis.Nil) {
					continue // deleted or expired since SCAN saw it
				}
				if err != nil {
					return err
				}
				out[strings.TrimPrefix(keys[i], s.prefix)] = b
			}
			if len(out) > s.maxAll {
				return fmt.Errorf("%w: more than %d", ErrTooManySessions, s.maxAll)
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// globEscape escapes the characters that SCAN's MATCH pattern treats
// specially, so that a prefix matches only itself.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Find is FindCtx with context.Background(), for scs.Store. scs calls
// FindCtx instead, with the request's context.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx with context.Background(), for scs.Store.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx with context.Background(), for scs.Store.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// All is AllCtx with context.Background(), for scs.IterableStore.
func (s *SessionStore) All() (map[string][]byte, error) {
	return s.AllCtx(context.Background())
}
