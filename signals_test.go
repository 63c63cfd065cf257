package auth_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSignals ports Django's test_signals: logged in and out with the
// user, login failed with cleansed credentials, and a logout of an
// anonymous request with a nil user.
func TestSignals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("testclient", "password")
	var (
		in     []string
		out    []*auth.User
		failed []auth.Credentials
	)
	sig := e.a.Signals()
	sig.UserLoggedIn.Connect(func(_ context.Context, ev auth.LoggedIn[auth.User]) {
		require.NotNil(t, ev.Request)
		in = append(in, ev.User.Username+"/"+ev.Backend)
	})
	sig.UserLoggedOut.Connect(func(_ context.Context, ev auth.LoggedOut[auth.User]) {
		out = append(out, ev.User)
	})
	sig.UserLoginFailed.Connect(func(_ context.Context, ev auth.LoginFailed) {
		failed = append(failed, ev.Credentials)
	})
	c := newClient(t, e.app())

	c.login("testclient", "bad")
	assert.Empty(t, in)
	require.Len(t, failed, 1)
	assert.Equal(t, auth.Credentials{"username": "testclient", "password": auth.CleansedSubstitute}, failed[0])

	c.login("testclient", "password")
	assert.Equal(t, []string{"testclient/django.contrib.auth.backends.ModelBackend"}, in)
	assert.Len(t, failed, 1)

	c.post("/accounts/logout/", nil)
	require.Len(t, out, 1)
	require.NotNil(t, out[0])
	assert.Equal(t, "testclient", out[0].Username)

	// Logging out an anonymous session sends a nil user.
	c.post("/accounts/logout/", nil)
	require.Len(t, out, 2)
	assert.Nil(t, out[1])
}

// TestCleansedCredentials follows Django's _clean_credentials regex.
func TestCleansedCredentials(t *testing.T) {
	t.Parallel()
	in := auth.Credentials{
		"username": "bob", "password": "p", "Password2": "p", "api_key": "k", "TOKEN": "t",
		"client_secret": "s", "signature": "x", "keyring": "k", "remote_user": "bob", "otp": "123456",
	}
	got := in.Cleansed()
	want := auth.Credentials{
		"username": "bob", "password": auth.CleansedSubstitute, "Password2": auth.CleansedSubstitute,
		"api_key": auth.CleansedSubstitute, "TOKEN": auth.CleansedSubstitute,
		"client_secret": auth.CleansedSubstitute, "signature": auth.CleansedSubstitute,
		"keyring": auth.CleansedSubstitute, "remote_user": "bob", "otp": "123456",
	}
	assert.Equal(t, want, got)
	assert.Equal(t, "p", in["password"], "the original is not changed")

	// Logging credentials shows names only.
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "creds", in)
	assert.NotContains(t, buf.String(), "123456")
	assert.Contains(t, buf.String(), "otp")
}

// TestSignalReceiverPanic: a panicking receiver is logged and neither the
// other receivers nor the login break.
func TestSignalReceiverPanic(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	e.createUser("alice", "s3cret-Receiver-Pw9")
	ran := false
	e.a.Signals().UserLoggedIn.Connect(func(context.Context, auth.LoggedIn[auth.User]) { panic("receiver bug") })
	e.a.Signals().UserLoggedIn.Connect(func(context.Context, auth.LoggedIn[auth.User]) { ran = true })
	c := newClient(t, e.app())
	resp := c.login("alice", "s3cret-Receiver-Pw9")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.True(t, ran)
	assert.Equal(t, "alice", readBody(t, c.get("/whoami/")))
	assert.Contains(t, logs.String(), "receiver bug")
	assert.Contains(t, logs.String(), "user_logged_in")
	assert.NotContains(t, logs.String(), "s3cret-Receiver-Pw9")
}

func TestSignalDisconnect(t *testing.T) {
	t.Parallel()
	var s auth.Signal[int]
	var got []int
	d1 := s.Connect(func(_ context.Context, v int) { got = append(got, v) })
	d2 := s.Connect(func(_ context.Context, v int) { got = append(got, -v) })
	s.Send(context.Background(), 1)
	d1()
	d1() // harmless
	s.Send(context.Background(), 2)
	d2()
	s.Send(context.Background(), 3)
	assert.Equal(t, []int{1, -1, -2}, got)
	assert.Equal(t, 0, s.Len())
	s.Connect(nil)()
	assert.Equal(t, 0, s.Len())
}

// TestSignalConcurrent is for the race detector.
func TestSignalConcurrent(t *testing.T) {
	t.Parallel()
	var s auth.Signal[int]
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := s.Connect(func(_ context.Context, v int) { mu.Lock(); total += v; mu.Unlock() })
			s.Send(context.Background(), i)
			d()
		}()
	}
	wg.Wait()
	assert.Equal(t, 0, s.Len())
	assert.GreaterOrEqual(t, total, 0)
	_ = url.Values{}
}

func slogger(w *syncBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
