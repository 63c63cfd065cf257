package mail

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// Outbox records messages instead of sending them, like Django's locmem
// email backend and its mail.outbox, for tests. It validates each message
// as a real sender would. The zero value is an empty outbox ready to use;
// it is safe for concurrent use.
type Outbox struct {
	mu       sync.Mutex
	messages []Message
	// changed is closed and replaced at every Send and Reset, for Wait.
	changed chan struct{}
}

// Send records a copy of m, or returns the validation error (wrapping
// ErrInvalidMessage) or the context's error without recording anything.
func (o *Outbox) Send(ctx context.Context, m Message) error {
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

// Messages returns a copy of the recorded messages, oldest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]Message, len(o.messages))
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
// returns ctx's error. It is for mails that an app sends from a goroutine
// of its own (a mail queue). Give ctx a deadline.
func (o *Outbox) Wait(ctx context.Context, match func(Message) bool) (Message, error) {
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
			return Message{}, fmt.Errorf("mail: no matching message among %d: %w", n, ctx.Err())
		}
	}
}
