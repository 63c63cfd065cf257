package postgres

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// cleaner is the cleanup goroutine of a session store: every interval it
// runs the store's DeleteExpired, abandoning a run when close is called,
// and logs failures through logger. SessionStore and DjangoSessionStore
// each hold one.
type cleaner struct {
	logger *slog.Logger
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
}

// start reads opts (zero interval: DefaultCleanupInterval; negative: no
// goroutine; nil logger: slog.Default()) and starts the goroutine, which
// calls deleteExpired and names what it deletes ("sessions") in its log
// lines. It is called once, from the store's constructor.
func (c *cleaner) start(opts SessionStoreOptions, what string, deleteExpired func(context.Context) (int64, error)) {
	c.logger = opts.Logger
	if c.logger == nil {
		c.logger = slog.Default()
	}
	c.stop = make(chan struct{})
	c.done = make(chan struct{})
	interval := opts.CleanupInterval
	if interval == 0 {
		interval = DefaultCleanupInterval
	}
	if interval < 0 {
		close(c.done)
		return
	}
	go c.run(interval, what, deleteExpired)
}

func (c *cleaner) run(interval time.Duration, what string, deleteExpired func(context.Context) (int64, error)) {
	defer close(c.done)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-ticker.C:
			ctx, cancel := context.WithTimeout(context.Background(), interval)
			n, err := c.runOnce(ctx, deleteExpired)
			cancel()
			if err != nil {
				c.logger.Error("postgres: delete expired "+what, "err", err)
			} else if n > 0 {
				c.logger.Debug("postgres: deleted expired "+what, "count", n)
			}
		}
	}
}

// runOnce runs deleteExpired, abandoning it when stop closes.
func (c *cleaner) runOnce(ctx context.Context, deleteExpired func(context.Context) (int64, error)) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-c.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return deleteExpired(ctx)
}

// close stops the goroutine and waits for it to return. Calling it more
// than once is safe.
func (c *cleaner) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}
