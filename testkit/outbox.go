package testkit

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/djauth/auth/mail"
)

// Outbox is a mail.Sender that keeps the messages it is given, as
// Django's locmem email backend and its mail.outbox, with waits for a
// message that the app sends from a goroutine of its own (package
// accounts and package passwordless queue their mails). It validates
// each message as a real sender does. The zero value is an empty outbox
// ready to use; it is safe for concurrent use.
type Outbox struct {
	mu       sync.Mutex
	messages []mail.Message
	// changed is closed and replaced at every Send and Reset.
	changed chan struct{}
}

var _ mail.Sender = (*Outbox)(nil)

// Send records a copy of m, or returns the validation error (wrapping
// mail.ErrInvalidMessage) or the context's error without recording it.
func (o *Outbox) Send(ctx context.Context, m mail.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	m.To = slices.Clone(m.To)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.messages = append(o.messages, m)
	o.notifyLocked()
	return nil
}

func (o *Outbox) notifyLocked() {
	if o.changed != nil {
		close(o.changed)
	}
	o.changed = make(chan struct{})
}

// Messages returns copies of the recorded messages, oldest first.
func (o *Outbox) Messages() []mail.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]mail.Message, len(o.messages))
	for i, m := range o.messages {
		m.To = slices.Clone(m.To)
		out[i] = m
	}
	return out
}

// Len returns the number of recorded messages.
func (o *Outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.messages)
}

// Reset forgets the recorded messages.
func (o *Outbox) Reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.messages = nil
	o.notifyLocked()
}

// Wait returns the first recorded message, oldest first, that match
// accepts (nil accepts any), waiting for one until ctx is done; then it
// returns ctx's error. Give ctx a deadline.
func (o *Outbox) Wait(ctx context.Context, match func(mail.Message) bool) (mail.Message, error) {
	for {
		o.mu.Lock()
		for _, m := range o.messages {
			if match == nil || match(m) {
				m.To = slices.Clone(m.To)
				o.mu.Unlock()
				return m, nil
			}
		}
		if o.changed == nil {
			o.changed = make(chan struct{})
		}
		ch, n := o.changed, len(o.messages)
		o.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return mail.Message{}, fmt.Errorf("testkit: no matching message among %d: %w", n, ctx.Err())
		}
	}
}

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
