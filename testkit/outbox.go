package testkit

import (
	"context"
	"regexp"
	"strings"

	"github.com/djauth/auth/mail"
)

// Outbox is a mail.Sender that keeps the messages it is given, as
// Django's locmem email backend and its mail.outbox: package mail's
// Outbox, whose Wait waits for a message that the app sends from a
// goroutine of its own (package accounts and package passwordless queue
// their mails), with WaitTo beside it. It validates each message as a
// real sender does. The zero value is an empty outbox ready to use; it is
// safe for concurrent use.
type Outbox struct {
	mail.Outbox
}

var _ mail.Sender = (*Outbox)(nil)

// WaitTo waits for a message to the address addr (compared without
// regard to case, with or without a display name), as Wait.
func (o *Outbox) WaitTo(ctx context.Context, addr string) (mail.Message, error) {
	return o.Wait(ctx, To(addr))
}

// To matches a message that has addr among its recipients, for Wait.
func To(addr string) func(mail.Message) bool {
	want := strings.ToLower(strings.TrimSpace(addr))
	return func(m mail.Message) bool {
		for _, to := range m.To {
			to = strings.ToLower(strings.TrimSpace(to))
			if to == want || strings.HasSuffix(to, "<"+want+">") {
				return true
			}
		}
		return false
	}
}

var linkRe = regexp.MustCompile(`https?://[^\s<>"']+`)

// Link returns the first URL in the message's text that starts with
// prefix ("" for any URL), or "" when there is none: the reset,
// verification or magic link a test follows.
func Link(m mail.Message, prefix string) string {
	for _, u := range linkRe.FindAllString(m.Text, -1) {
		if strings.HasPrefix(u, prefix) {
			return u
		}
	}
	return ""
}
