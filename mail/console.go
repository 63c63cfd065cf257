package mail

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// Console writes each message to W in readable form instead of sending
// it, for development, like Django's console email backend. Bodies are
// written as they are, not encoded, so that links in them can be clicked
// from a terminal. Each message ends with a line of 79 dashes.
//
// Do not use it in production: bodies may hold password reset links.
// Console is safe for concurrent use; messages are never interleaved.
type Console struct {
	// W receives the messages; it must not be nil.
	W io.Writer

	mu sync.Mutex
}

// Send validates m and writes it to W.
func (c *Console) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if c.W == nil {
		return fmt.Errorf("mail: Console.W is nil")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\n", m.From)
	fmt.Fprintf(&b, "To: %s\n", strings.Join(m.To, ", "))
	fmt.Fprintf(&b, "Subject: %s\n\n", m.Subject)
	b.WriteString(m.Text)
	if !strings.HasSuffix(m.Text, "\n") {
		b.WriteByte('\n')
	}
	if m.HTML != "" {
		b.WriteString("\n[text/html alternative]\n")
		b.WriteString(m.HTML)
		if !strings.HasSuffix(m.HTML, "\n") {
			b.WriteByte('\n')
		}
	}
	b.WriteString(strings.Repeat("-", 79))
	b.WriteByte('\n')
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.W, b.String()); err != nil {
		return fmt.Errorf("mail: console: %w", err)
	}
	return nil
}

// Log records each message through a slog.Logger instead of sending it,
// for development. By default only the envelope is logged (from, to,
// subject and body sizes): bodies carry secrets such as password reset
// links, which must not reach shared logs. Set Bodies to log them too on a
// developer's machine.
type Log struct {
	// Logger receives one Info record per message; nil means
	// slog.Default().
	Logger *slog.Logger
	// Bodies adds the text and HTML bodies to the record.
	Bodies bool
}

// Send validates m and logs it.
func (l Log) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	logger := l.Logger
	if logger == nil {
		logger = slog.Default()
	}
	attrs := []slog.Attr{
		slog.String("from", m.From),
		slog.Any("to", m.To),
		slog.String("subject", m.Subject),
		slog.Int("text_bytes", len(m.Text)),
		slog.Int("html_bytes", len(m.HTML)),
	}
	if l.Bodies {
		attrs = append(attrs, slog.String("text", m.Text), slog.String("html", m.HTML))
	}
	logger.LogAttrs(ctx, slog.LevelInfo, "mail: message not sent (development sender)", attrs...)
	return nil
}
