package accounts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	auth "github.com/djauth/auth"
)

// Defaults of the reset mail queue (Config.MailWorkers, MailQueueSize,
// MailSendTimeout and MailDrainTimeout).
const (
	// DefaultMailWorkers is the number of goroutines that send reset
	// mails.
	DefaultMailWorkers = 2
	// DefaultMailQueueSize is how many reset mails may wait for a worker;
	// more are dropped.
	DefaultMailQueueSize = 128
	// DefaultMailSendTimeout bounds each call of the Mailer's Send.
	DefaultMailSendTimeout = time.Minute
	// DefaultMailDrainTimeout is how long Close waits for queued mails.
	DefaultMailDrainTimeout = 10 * time.Second
)

// ErrMailNotDrained is returned by Close when the queued reset mails were
// not all sent within Config.MailDrainTimeout; the ones left are dropped.
var ErrMailNotDrained = errors.New("accounts: reset mails still queued or sending when Close gave up")

// resetJob is one reset mail to make and send: a copy of the user as the
// request found it, and where the link points.
type resetJob struct {
	// send, when set, is the whole job (a mail of the sign-up and email
	// pages); the other fields are then unused.
	send func(ctx context.Context)
	user auth.User
	// to is the address the mail goes to: the user's email, or with
	// Config.Emails the verified address that was asked for.
	to           string
	scheme, host string
	p            paths
}

// mailQueue sends reset mails on its own goroutines, so that a request for
// a reset answers without waiting for the Mailer: the answer's timing must
// not tell whether the address has an account.
type mailQueue struct {
	send         func(ctx context.Context, j resetJob)
	sendTimeout  time.Duration
	drainTimeout time.Duration

	mu     sync.RWMutex // guards closed against sends on the channel
	closed bool
	jobs   chan resetJob

	ctx    context.Context // cancelled when Close gives up waiting
	cancel context.CancelFunc
	done   chan struct{} // closed when every worker has returned

	closeOnce sync.Once
	closeErr  error
}

// newMailQueue starts workers goroutines that call send for each job.
func newMailQueue(workers, size int, sendTimeout, drainTimeout time.Duration, send func(context.Context, resetJob)) *mailQueue {
	q := &mailQueue{
		send:         send,
		sendTimeout:  sendTimeout,
		drainTimeout: drainTimeout,
		jobs:         make(chan resetJob, size),
		done:         make(chan struct{}),
	}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range workers {
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
func (q *mailQueue) work() {
	for j := range q.jobs {
		if q.ctx.Err() != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(q.ctx, q.sendTimeout)
		if j.send != nil {
			j.send(ctx)
		} else {
			q.send(ctx, j)
		}
		cancel()
	}
}

// enqueue hands j to a worker without waiting; it reports false when the
// queue is full or closed, and j is then dropped.
func (q *mailQueue) enqueue(j resetJob) bool {
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

// close stops accepting jobs and waits up to drainTimeout for the queued
// ones to be sent. When the wait runs out it cancels the context of the
// sends in progress, so that the remaining jobs are skipped, and returns
// ErrMailNotDrained without waiting further for a Mailer that ignores its
// context. Later calls return the first call's result.
func (q *mailQueue) close() error {
	q.closeOnce.Do(func() {
		q.mu.Lock()
		q.closed = true
		close(q.jobs)
		q.mu.Unlock()
		timer := time.NewTimer(q.drainTimeout)
		defer timer.Stop()
		select {
		case <-q.done:
			q.cancel()
		case <-timer.C:
			q.cancel()
			q.closeErr = fmt.Errorf("%w (waited %v)", ErrMailNotDrained, q.drainTimeout)
		}
	})
	return q.closeErr
}

// Close stops the goroutines that send reset mails. It waits up to
// Config.MailDrainTimeout for the mails already queued to be sent, then
// cancels the sends still in progress, drops the rest and returns an error
// wrapping ErrMailNotDrained. Reset requests after Close still get the
// usual answer, but their mails are dropped and logged. Close the Manager
// before the auth.Auth it uses; calling Close again returns the first
// result.
func (m *Manager[U]) Close() error {
	if m.queue == nil {
		return nil
	}
	return m.queue.close()
}
