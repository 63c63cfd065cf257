package mailqueue

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Defaults of Config.
const (
	// DefaultWorkers is the number of goroutines that send.
	DefaultWorkers = 2
	// DefaultSize is how many jobs may wait for a worker.
	DefaultSize = 128
	// DefaultSendTimeout bounds each send.
	DefaultSendTimeout = time.Minute
	// DefaultDrainTimeout is how long Close waits for the queued jobs.
	DefaultDrainTimeout = 10 * time.Second
)

// ErrNotDrained is what Close's error wraps when Config.NotDrained is
// nil: the queued jobs were not all sent within Config.DrainTimeout.
var ErrNotDrained = errors.New("mailqueue: mails still queued or sending when Close gave up")

// ErrNegative is returned by Config.Check for a negative setting.
var ErrNegative = errors.New("mailqueue: negative setting")

// Config configures New; its zero value means the Default* settings.
type Config struct {
	// Workers is the number of goroutines that call the send function.
	Workers int
	// Size is how many jobs may wait for a worker; Enqueue drops more.
	Size int
	// SendTimeout bounds each send through its context.
	SendTimeout time.Duration
	// DrainTimeout is how long Close waits for the queued jobs.
	DrainTimeout time.Duration
	// NotDrained is the sentinel that Close's error wraps when it gives
	// up (a package's own ErrMailNotDrained); nil means ErrNotDrained.
	NotDrained error
}

// Check returns an error wrapping ErrNegative, naming the field, when a
// setting is negative.
func (c Config) Check() error {
	for _, f := range []struct {
		name  string
		value int64
	}{
		{"Workers", int64(c.Workers)},
		{"Size", int64(c.Size)},
		{"SendTimeout", int64(c.SendTimeout)},
		{"DrainTimeout", int64(c.DrainTimeout)},
	} {
		if f.value < 0 {
			return fmt.Errorf("%w: %s is %d", ErrNegative, f.name, f.value)
		}
	}
	return nil
}

// Queue sends jobs of type J on its own goroutines. It is safe for
// concurrent use; Close it to stop them.
type Queue[J any] struct {
	send         func(ctx context.Context, j J)
	sendTimeout  time.Duration
	drainTimeout time.Duration
	notDrained   error

	mu     sync.RWMutex // guards closed against sends on a closed channel
	closed bool
	jobs   chan J

	ctx    context.Context // cancelled when Close returns
	cancel context.CancelFunc
	done   chan struct{} // closed when every worker has returned

	closeOnce sync.Once
	closeErr  error
}

// New starts cfg.Workers goroutines that call send for each job, with a
// context that ends after cfg.SendTimeout or when Close gives up. A
// negative setting counts as zero (its default); validate with
// Config.Check first.
func New[J any](cfg Config, send func(ctx context.Context, j J)) *Queue[J] {
	q := &Queue[J]{
		send:         send,
		sendTimeout:  cmp.Or(max(cfg.SendTimeout, 0), DefaultSendTimeout),
		drainTimeout: cmp.Or(max(cfg.DrainTimeout, 0), DefaultDrainTimeout),
		notDrained:   cmp.Or(cfg.NotDrained, ErrNotDrained),
		jobs:         make(chan J, cmp.Or(max(cfg.Size, 0), DefaultSize)),
		done:         make(chan struct{}),
	}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range cmp.Or(max(cfg.Workers, 0), DefaultWorkers) {
		wg.Go(q.work)
	}
	go func() {
		wg.Wait()
		close(q.done)
	}()
	return q
}

// work sends jobs until the queue is closed; once Close has given up it
// skips what is left.
func (q *Queue[J]) work() {
	for j := range q.jobs {
		if q.ctx.Err() != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(q.ctx, q.sendTimeout)
		q.send(ctx, j)
		cancel()
	}
}

// Enqueue hands j to a worker without waiting. It reports false when the
// queue is full or closed; j is then dropped, and the caller logs it.
func (q *Queue[J]) Enqueue(j J) bool {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return false
	}
	select {
	case q.jobs <- j:
		return true
	default:
		return false
	}
}

// Close stops taking jobs and waits up to Config.DrainTimeout for the
// queued ones to be sent. When the wait runs out it cancels the context
// of the sends in progress, so that the remaining jobs are skipped, and
// returns an error wrapping Config.NotDrained without waiting further for
// a send that ignores its context. Later calls return the first result.
func (q *Queue[J]) Close() error {
	q.closeOnce.Do(func() {
		q.mu.Lock()
		q.closed = true
		close(q.jobs)
		q.mu.Unlock()
		timer := time.NewTimer(q.drainTimeout)
		defer timer.Stop()
		select {
		case <-q.done:
		case <-timer.C:
			q.closeErr = fmt.Errorf("%w (waited %v)", q.notDrained, q.drainTimeout)
		}
		q.cancel()
	})
	return q.closeErr
}
