package auth_test

// Commands sent to Redis per request with the sessions in store/redis,
// counted with a go-redis hook: an authenticated request is one GET and
// writes nothing; a login one SET; a logout one DEL.

import (
	"context"
	"net/url"
	"sync"
	"testing"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/internal/redistest"
	redisstore "github.com/djauth/auth/store/redis"
)

// cmdRecorder is a go-redis hook that records the name of every command.
type cmdRecorder struct {
	mu   sync.Mutex
	cmds []string
}

func (r *cmdRecorder) add(cmds ...goredis.Cmder) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range cmds {
		r.cmds = append(r.cmds, c.Name())
	}
}

// take returns the commands recorded since the last take.
func (r *cmdRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.cmds
	r.cmds = nil
	return out
}

func (r *cmdRecorder) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (r *cmdRecorder) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.add(cmd)
		return next(ctx, cmd)
	}
}

func (r *cmdRecorder) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		r.add(cmds...)
		return next(ctx, cmds)
	}
}

func TestRedisCommandsPerRequest(t *testing.T) {
	t.Parallel()
	c := redistest.Client(t)
	rec := &cmdRecorder{}
	c.AddHook(rec)
	ss, err := redisstore.NewSessionStore(c, redisstore.Options{Prefix: redistest.Prefix(t, c)})
	require.NoError(t, err)
	e := newEnv(t, func(cfg *auth.Config[auth.User], _ *env[auth.User]) { cfg.Sessions.Store = ss })
	e.createUser("alice", "pw")
	h := e.app()
	// A first login loads the save script into Redis (EVALSHA, then EVAL
	// when the server does not know it yet), so that the count below is
	// the steady one.
	require.Equal(t, 302, newClient(t, h).login("alice", "pw").StatusCode)
	cl := newClient(t, h)

	rec.take()
	require.Equal(t, 302, cl.login("alice", "pw").StatusCode)
	assert.Equal(t, []string{"evalsha"}, rec.take(), "a login stores the new session and its user index entry in one script")
	token := cl.session()
	require.Equal(t, "alice", whoami(h, token))
	assert.Equal(t, []string{"get"}, rec.take(), "an authenticated request is one GET and no write")
	require.Equal(t, "AnonymousUser", whoami(h, "no-such-token"))
	assert.Equal(t, []string{"get"}, rec.take(), "an unknown cookie is one GET")
	require.Equal(t, 200, cl.post("/accounts/logout/", url.Values{}).StatusCode)
	assert.Equal(t, []string{"get", "del"}, rec.take(), "a logout loads the session and deletes it")
}
