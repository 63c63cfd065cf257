package passwordless

import "errors"

// ErrMailNotDrained is returned by Close when the queued login mails were
// not all sent within Config.MailDrainTimeout; the rest are dropped.
var ErrMailNotDrained = errors.New("passwordless: login mails still queued or sending when Close gave up")

// mailJob is one login mail to send, queued on the Backend's
// mailqueue.Queue so that a request's answer (and its timing) does not
// depend on the Mailer nor on whether a mail is sent at all.
type mailJob struct {
	userID   int64
	to       string
	username string
	link     string
	code     string
	site     string
}
