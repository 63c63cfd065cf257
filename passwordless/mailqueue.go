package passwordless

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrMailNotDrained is returned by Close when the queued login mails were
// not all sent within Config.MailDrainTimeout; the rest are dropped.
var ErrMailNotDrained = errors.New("passwordless: login mails still queued or sending when Close gave up")

// mailJob is one login mail to send.
type mailJob struct {
	userID   int64
	to       string
	username string
	link     string
	code     string
	site     string
}

// mailQueue sends the login mails on its own goroutines, so that a
// request's answer (and its timing) does not depend on the Mailer nor on
// whether a mail is sent at all.
type mailQueue struct {
	send         func(ctx context.Context, j mailJob)
	sendTimeout  time.Duration
	drainTimeout time.Duration

	mu     sync.RWMutex
	closed bool
	jobs   chan mailJob

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	once     sync.Once
	closeErr error
}

func newMailQueue(workers, size int, sendTimeout, drainTimeout time.Duration, send func(context.Context, mailJob)) *mailQueue {
	q := &mailQueue{send: send, sendTimeout: sendTimeout, drainTimeout: drainTimeout,
		jobs: make(chan mailJob, size), done: make(chan struct{})}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range q.jobs {
				if q.ctx.Err() != nil {
					continue
				}
				ctx, cancel := context.WithTimeout(q.ctx, q.sendTimeout)
				q.send(ctx, j)
				cancel()
			}
		})
	}
	go func() { wg.Wait(); close(q.done) }()
	return q
}

// enqueue hands j to a worker without waiting; false means it was dropped
// (queue full or closed).
func (q *mailQueue) enqueue(j mailJob) bool {
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

// close stops taking jobs, waits up to drainTimeout for the queued ones,
// then cancels what is left. Later calls return the first result.
func (q *mailQueue) close() error {
	q.once.Do(func() {
		q.mu.Lock()
		q.closed = true
		close(q.jobs)
		q.mu.Unlock()
		timer := time.NewTimer(q.drainTimeout)
		defer timer.Stop()
		select {
		case <-q.done:
		case <-timer.C:
			q.closeErr = fmt.Errorf("%w (waited %v)", ErrMailNotDrained, q.drainTimeout)
		}
		q.cancel()
	})
	return q.closeErr
}
