// Package mailqueue sends mails (or any job) on goroutines it owns, so
// that a request that causes a mail answers without waiting for the
// Mailer: the answer's timing then tells nothing about whether a mail was
// sent at all (whether an address has an account). Package accounts (the
// reset mails) and package passwordless (the login mails) both use it.
//
//	q := mailqueue.New(mailqueue.Config{}, func(ctx context.Context, m mail.Message) {
//		if err := mailer.Send(ctx, m); err != nil {
//			logger.ErrorContext(ctx, "send mail", "error", err)
//		}
//	})
//	defer q.Close()
//	if !q.Enqueue(msg) { // full or closed: dropped, never waited for
//		logger.Error("mail dropped")
//	}
//
// # Bounds
//
// The queue holds at most Config.Size jobs; Enqueue never blocks and
// reports false for a job it drops. Each send gets a context that ends
// after Config.SendTimeout, so that a hung Mailer cannot hold a worker
// forever. Close stops taking jobs, waits up to Config.DrainTimeout for
// the queued ones, then cancels the sends in progress, skips the rest and
// returns an error wrapping Config.NotDrained (ErrNotDrained by default).
package mailqueue
