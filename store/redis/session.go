package redis

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
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
// scs.CtxStore, scs.IterableCtxStore, auth.SessionUpdater,
// auth.SessionRenewer and auth.SessionIndexer, with the guarantees of the PostgreSQL store: an
// update never recreates a deleted or expired session and a renewal moves
// a session only while its old token still exists.
//
// The sessions of each user are indexed in a sorted set, Prefix + "user:"
// + the user ID, of tokens scored by their expiry (Unix ms), itself
// expiring with its last session. Tokens made by scs never hold a ':', so
// these keys never pass for sessions. See CommitUserCtx and
// UserSessionsCtx.
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
	_ auth.SessionIndexer  = (*SessionStore)(nil)
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

// userKey is the key of the sorted set of userID's sessions.
func (s *SessionStore) userKey(userID int64) string {
	return s.prefix + "user:" + strconv.FormatInt(userID, 10)
}

// commitUserScript sets KEYS[1] to ARGV[1] expiring at ARGV[2] (Unix ms)
// and, when KEYS[2] is given, adds ARGV[3] (the token) to that user set
// with the expiry as score, drops its expired members (by Redis's clock)
// and makes the set expire with its last session. With ARGV[4] = "XX" it
// does nothing and returns 0 unless KEYS[1] exists. It returns 1 when it
// saved. A script runs atomically, so the session and its index entry
// change together.
var commitUserScript = goredis.NewScript(`
if ARGV[4] == 'XX' and redis.call('EXISTS', KEYS[1]) == 0 then
	return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
if #KEYS > 1 then
	local t = redis.call('TIME')
	local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
	redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
	redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
	local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
	if #last == 0 then
		redis.call('DEL', KEYS[2])
	else
		redis.call('PEXPIREAT', KEYS[2], last[2])
	end
end
return 1
`)

// renewUserScript is renewScript that then indexes the new token as
// commitUserScript does (KEYS[3], the user set, optional) and drops the
// old token (ARGV[4]) from that set.
var renewUserScript = goredis.NewScript(`
if redis.call('DEL', KEYS[1]) == 0 then
	return 0
end
redis.call('SET', KEYS[2], ARGV[1], 'PXAT', ARGV[2])
if #KEYS > 2 then
	local t = redis.call('TIME')
	local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
	redis.call('ZREM', KEYS[3], ARGV[4])
	redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
	redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
	local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
	if #last == 0 then
		redis.call('DEL', KEYS[3])
	else
		redis.call('PEXPIREAT', KEYS[3], last[2])
	end
end
return 1
`)

// indexTwoStep adds token to userID's set ahead of a save on several
// servers (Cluster, Ring), where the set and the session may live on
// different nodes and no script can cover both. Indexing first means a
// failure between the two steps leaves an entry without a session, which
// UserSessionsCtx drops, and never a session missing from the index.
func (s *SessionStore) indexTwoStep(ctx context.Context, userID int64, token string, expiry time.Time) error {
	if userID <= 0 {
		return nil
	}
	key := s.userKey(userID)
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.ZAdd(ctx, key, goredis.Z{Score: float64(pxat(expiry)), Member: token})
		// The set lives at least as long as this session; a later
		// session pushes its expiry further.
		p.ExpireGT(ctx, key, time.Until(expireAt(expiry))+time.Second)
		p.ExpireNX(ctx, key, time.Until(expireAt(expiry))+time.Second)
		return nil
	})
	if err != nil {
		return fmt.Errorf("index session of user: %w", err)
	}
	return nil
}

// saveUser is CommitUserCtx (mode "") and UpdateUserCtx (mode "XX").
func (s *SessionStore) saveUser(ctx context.Context, mode, token string, userID int64, b []byte, expiry time.Time) (bool, error) {
	if b == nil {
		b = []byte{}
	}
	if s.twoStep {
		if err := s.indexTwoStep(ctx, userID, token, expiry); err != nil {
			return false, err
		}
		err := s.c.SetArgs(ctx, s.key(token), b, setArgs(mode, expiry)).Err()
		if errors.Is(err, goredis.Nil) {
			return false, nil
		}
		return err == nil, err
	}
	keys := []string{s.key(token)}
	if userID > 0 {
		keys = append(keys, s.userKey(userID))
	}
	n, err := commitUserScript.Run(ctx, s.c, keys, b, pxat(expiry), token, mode).Int64()
	return n == 1, err
}

// CommitUserCtx implements auth.SessionIndexer: CommitCtx that also
// indexes the session under userID (not when userID is 0), in one script.
// On Redis Cluster or a Ring the index entry is written first and the
// session second (see indexTwoStep). A session that changes user (which
// the Auth never does without a new token) stays in its old user's set
// until it ends; the Auth drops such entries when it lists.
func (s *SessionStore) CommitUserCtx(ctx context.Context, token string, userID int64, b []byte, expiry time.Time) error {
	if _, err := s.saveUser(ctx, "", token, userID, b, expiry); err != nil {
		return fmt.Errorf("redis: commit session: %w", err)
	}
	return nil
}

// UpdateUserCtx implements auth.SessionIndexer: UpdateCtx that also
// indexes the session under userID, in one script (see CommitUserCtx).
func (s *SessionStore) UpdateUserCtx(ctx context.Context, token string, userID int64, b []byte, expiry time.Time) (found bool, err error) {
	found, err = s.saveUser(ctx, "XX", token, userID, b, expiry)
	if err != nil {
		return false, fmt.Errorf("redis: update session: %w", err)
	}
	return found, nil
}

// RenewUserCtx implements auth.SessionIndexer: RenewCtx that indexes the
// new token under userID in place of the old one, in one script on a
// single node. On Cluster and Ring the new token is indexed before the
// two-step move.
func (s *SessionStore) RenewUserCtx(ctx context.Context, oldToken, newToken string, userID int64, b []byte, expiry time.Time) (found bool, err error) {
	if b == nil {
		b = []byte{}
	}
	if s.twoStep {
		if err := s.indexTwoStep(ctx, userID, newToken, expiry); err != nil {
			return false, fmt.Errorf("redis: renew session: %w", err)
		}
		return s.RenewCtx(ctx, oldToken, newToken, b, expiry)
	}
	keys := []string{s.key(oldToken), s.key(newToken)}
	if userID > 0 {
		keys = append(keys, s.userKey(userID))
	}
	n, err := renewUserScript.Run(ctx, s.c, keys, b, pxat(expiry), newToken, oldToken).Int64()
	if err != nil {
		return false, fmt.Errorf("redis: renew session: %w", err)
	}
	return n == 1, nil
}

// UserSessionsCtx implements auth.SessionIndexer: the unexpired sessions
// indexed under userID, by token. It reads every indexed session, lists
// those that still exist, and prunes the set of the others (see prune):
// sessions that expired (by Redis's clock, the one that expires them) or
// were deleted by a logout or revocation (DeleteCtx does not know the
// session's user).
func (s *SessionStore) UserSessionsCtx(ctx context.Context, userID int64) (map[string][]byte, error) {
	key := s.userKey(userID)
	c := s.c
	tokens, err := c.ZRange(ctx, key, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: sessions of user: %w", err)
	}
	out := map[string][]byte{}
	if len(tokens) == 0 {
		return out, nil
	}
	cmds := make([]*goredis.StringCmd, len(tokens))
	// On Cluster go-redis splits the pipeline by node.
	if _, err := c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, t := range tokens {
			cmds[i] = p.Get(ctx, s.key(t))
		}
		return nil
	}); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("redis: sessions of user: %w", err)
	}
	var gone []any
	for i, cmd := range cmds {
		b, err := cmd.Bytes()
		if errors.Is(err, goredis.Nil) {
			gone = append(gone, tokens[i])
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("redis: sessions of user: %w", err)
		}
		out[tokens[i]] = b
	}
	if len(gone) > 0 {
		if err := s.prune(ctx, key, gone); err != nil {
			return nil, fmt.Errorf("redis: sessions of user: prune: %w", err)
		}
	}
	return out, nil
}

// pruneMargin is how long past its expiry an index entry stays on
// Cluster and Ring, against clock differences between their servers.
const pruneMargin = time.Minute

// prune removes from the user set key the entries of sessions that are
// gone. On a single node it removes each of tokens whose session still
// does not exist, in one script. On Cluster and Ring, where the index is
// written before the session (indexTwoStep), a missing session may be one
// about to be written, so only entries whose expiry passed pruneMargin ago
// (by the server's clock) are removed there: an entry of a deleted session
// stays until then, and UserSessionsCtx, which reads every session, never
// lists it.
func (s *SessionStore) prune(ctx context.Context, key string, tokens []any) error {
	if !s.twoStep {
		return pruneScript.Run(ctx, s.c, []string{key}, append([]any{s.prefix}, tokens...)...).Err()
	}
	now, err := s.c.Time(ctx).Result()
	if err != nil {
		return err
	}
	cutoff := now.Add(-pruneMargin).UnixMilli()
	return s.c.ZRemRangeByScore(ctx, key, "-inf", "("+strconv.FormatInt(cutoff, 10)).Err()
}

// pruneScript removes from the set KEYS[1] each token of ARGV[2:] whose
// session key (ARGV[1] + token) does not exist. It names session keys it
// was not given in KEYS, which a single node allows; on Cluster and Ring
// prune checks key by key instead.
var pruneScript = goredis.NewScript(`
for i = 2, #ARGV do
	if redis.call('EXISTS', ARGV[1] .. ARGV[i]) == 0 then
		redis.call('ZREM', KEYS[1], ARGV[i])
	end
end
return 0
`)

// FindCtx returns the data of an unexpired session; found is false, with a
// nil error, for an unknown or expired token. An unreachable Redis is an
// error, never "not found".
func (s *SessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	// A token holding ':' could name another key under the prefix (a
	// user's index, "user:<id>"); scs never makes one.
	if strings.ContainsRune(token, ':') {
		return nil, false, nil
	}
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
		// User indexes (userKey) are not sessions.
		keys = slices.DeleteFunc(keys, func(k string) bool { return strings.Contains(k[len(s.prefix):], ":") })
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
