package mail

import (
	"context"
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
	return nil
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
}
