package mailqueue_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/mailqueue"
)

// gate is a send function that blocks until released or until its
// context ends, and records what it sent and why it stopped.
type gate struct {
	release chan struct{}
	started chan int
	calls   atomic.Int64

	mu   sync.Mutex
	sent []int
	errs []error
}

func newGate() *gate { return &gate{release: make(chan struct{}), started: make(chan int, 100)} }

func (g *gate) send(ctx context.Context, j int) {
	g.calls.Add(1)
	g.started <- j
	select {
	case <-g.release:
		g.mu.Lock()
		g.sent = append(g.sent, j)
		g.mu.Unlock()
	case <-ctx.Done():
		g.mu.Lock()
		g.errs = append(g.errs, ctx.Err())
		g.mu.Unlock()
	}
}

func (g *gate) result() ([]int, []error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int(nil), g.sent...), append([]error(nil), g.errs...)
}

func TestFullQueueDropsWithoutBlocking(t *testing.T) {
	t.Parallel()
	g := newGate()
	q := mailqueue.New(mailqueue.Config{Workers: 1, Size: 1}, g.send)
	require.True(t, q.Enqueue(1))
	require.Equal(t, 1, <-g.started) // the worker holds job 1
	require.True(t, q.Enqueue(2))    // waits in the queue
	require.False(t, q.Enqueue(3), "full: dropped, not waited for")
	close(g.release)
	require.NoError(t, q.Close())
	sent, errs := g.result()
	assert.Equal(t, []int{1, 2}, sent)
	assert.Empty(t, errs)
	assert.Equal(t, int64(2), g.calls.Load())
}

func TestCloseDrains(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []int
	q := mailqueue.New(mailqueue.Config{Workers: 1}, func(_ context.Context, j int) {
		mu.Lock()
		got = append(got, j)
		mu.Unlock()
	})
	for i := range 10 {
		require.True(t, q.Enqueue(i))
	}
	require.NoError(t, q.Close())
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, got, "every queued job is sent before Close returns")
	require.NoError(t, q.Close(), "a second Close")
	assert.False(t, q.Enqueue(10), "closed: dropped")
	assert.Len(t, got, 10)
}

func TestCloseGivesUp(t *testing.T) {
	t.Parallel()
	sentinel := errors.New("pkg: mails not drained")
	for name, tc := range map[string]struct {
		notDrained, want error
	}{
		"default sentinel": {nil, mailqueue.ErrNotDrained},
		"own sentinel":     {sentinel, sentinel},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := newGate() // never released
			q := mailqueue.New(mailqueue.Config{Workers: 1, DrainTimeout: 20 * time.Millisecond, NotDrained: tc.notDrained}, g.send)
			require.True(t, q.Enqueue(1))
			require.True(t, q.Enqueue(2))
			<-g.started
			err := q.Close()
			require.ErrorIs(t, err, tc.want)
			assert.Equal(t, err, q.Close(), "a second Close returns the first result")
			// The send in progress sees its context cancelled; job 2 is
			// skipped, never started.
			require.Eventually(t, func() bool { _, errs := g.result(); return len(errs) == 1 }, 10*time.Second, time.Millisecond)
			_, errs := g.result()
			assert.ErrorIs(t, errs[0], context.Canceled)
			assert.Equal(t, int64(1), g.calls.Load())
		})
	}
}

func TestSendTimeout(t *testing.T) {
	t.Parallel()
	g := newGate() // never released
	q := mailqueue.New(mailqueue.Config{Workers: 1, SendTimeout: 10 * time.Millisecond}, g.send)
	require.True(t, q.Enqueue(1))
	require.True(t, q.Enqueue(2))
	require.NoError(t, q.Close(), "each hung send ends at its timeout, so the queue drains")
	sent, errs := g.result()
	assert.Empty(t, sent)
	require.Len(t, errs, 2)
	for _, err := range errs {
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	}
}

func TestConcurrentEnqueueAndClose(t *testing.T) {
	t.Parallel()
	var sent atomic.Int64
	q := mailqueue.New(mailqueue.Config{Workers: 4, Size: 8}, func(context.Context, int) { sent.Add(1) })
	var accepted atomic.Int64
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for j := range 50 {
				if q.Enqueue(i*100 + j) {
					accepted.Add(1)
				}
			}
		})
	}
	wg.Go(func() { _ = q.Close() })
	wg.Wait()
	require.NoError(t, q.Close())
	assert.Equal(t, accepted.Load(), sent.Load(), "every accepted job is sent, none after Close")
}

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	require.NoError(t, mailqueue.Config{}.Check())
	for name, cfg := range map[string]mailqueue.Config{
		"Workers":      {Workers: -1},
		"Size":         {Size: -1},
		"SendTimeout":  {SendTimeout: -time.Second},
		"DrainTimeout": {DrainTimeout: -time.Second},
	} {
		err := cfg.Check()
		require.ErrorIs(t, err, mailqueue.ErrNegative, name)
		require.ErrorContains(t, err, name)
	}
}
