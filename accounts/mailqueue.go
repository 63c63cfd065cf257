package accounts

import (
	"context"
	"errors"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/internal/mailqueue"
)

// Defaults of the reset mail queue (Config.MailWorkers, MailQueueSize,
// MailSendTimeout and MailDrainTimeout).
const (
	// DefaultMailWorkers is the number of goroutines that send reset
	// mails.
	DefaultMailWorkers = mailqueue.DefaultWorkers
	// DefaultMailQueueSize is how many reset mails may wait for a worker;
	// more are dropped.
	DefaultMailQueueSize = mailqueue.DefaultSize
	// DefaultMailSendTimeout bounds each call of the Mailer's Send.
	DefaultMailSendTimeout = mailqueue.DefaultSendTimeout
	// DefaultMailDrainTimeout is how long Close waits for queued mails.
	DefaultMailDrainTimeout = mailqueue.DefaultDrainTimeout
)

// ErrMailNotDrained is returned by Close when the queued reset mails were
// not all sent within Config.MailDrainTimeout; the ones left are dropped.
var ErrMailNotDrained = errors.New("accounts: reset mails still queued or sending when Close gave up")

// resetJob is one reset mail to make and send, queued on the Manager's
// mailqueue.Queue so that a reset request answers without waiting for the
// Mailer (the answer's timing must not tell whether the address has an
// account): a copy of the user as the request found it, and where the
// link points.
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
	// tr is the language of the mail: that of the request that caused
	// it.
	tr *i18n.Translator
}

// sendMailJob runs a job on a mail worker: its own send (the mails of
// the sign-up and email pages), else a reset mail.
func (m *Manager[U]) sendMailJob(ctx context.Context, j resetJob) {
	if j.send != nil {
		j.send(ctx)
		return
	}
	m.sendResetMail(ctx, j)
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
	return m.queue.Close()
}
