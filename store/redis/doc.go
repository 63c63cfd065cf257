// Package redis keeps djauth's (scs) sessions in Redis, for deployments
// that run many instances or outgrow one database:
//
//	opts, err := goredis.ParseURL("redis://127.0.0.1:6379/0")
//	if err != nil {
//		log.Fatal(err)
//	}
//	client := goredis.NewClient(opts) // github.com/redis/go-redis/v9
//	defer client.Close()
//	sessions, err := redis.NewSessionStore(client, redis.Options{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	a, err := auth.New(auth.Config[auth.User]{Store: users, SecretKey: key,
//		Sessions: auth.SessionConfig{Store: sessions}})
//
// # Keys and expiry
//
// A session is one string key, Options.Prefix (DefaultPrefix,
// "djauth:session:", when empty) followed by the token, whose value is the
// session's data and whose expiry is set with PXAT to the session's. Redis
// drops expired sessions itself, so the store has no cleanup goroutine and
// nothing to close; an expiry in the past deletes the key at once. Tokens
// are secrets: they are in the keys, as in any session store, but never in
// an error or a log line.
//
// # Guarantees
//
// The store has the guarantees of store/postgres's session store:
// UpdateCtx (auth.SessionUpdater) is one SET … XX PXAT, so a request that
// began before a logout cannot write the deleted session back; RenewCtx
// (auth.SessionRenewer) deletes the old key and writes the new one only if
// the old one was still there, in one Lua script (on Redis Cluster or a
// Ring, where the two keys may live on different nodes, a DEL whose answer
// decides the SET). When Redis cannot be reached every method returns an error,
// never "not found", so requests fail closed instead of turning into
// anonymous ones that overwrite sessions.
//
// # Clients
//
// NewSessionStore takes a goredis.UniversalClient: a *goredis.Client
// (NewClient, or NewFailoverClient for sentinel), a *goredis.ClusterClient
// or a *goredis.Ring. The caller owns the client and closes it. AllCtx
// lists sessions with SCAN, on every primary of a cluster and every shard
// of a ring, and refuses, with ErrTooManySessions, to load more than
// Options.MaxAll of them; through any other client (a wrapper that might
// hide several servers) it returns an error rather than a partial list.
package redis
