package mail_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/djauth/auth/mail"
)

// Wait finds a message sent later from another goroutine, skips the ones
// match refuses, and gives up with ctx.
func TestOutboxWait(t *testing.T) {
	var o mail.Outbox
	msg := func(to string) mail.Message {
		return mail.Message{From: "site@example.com", To: []string{to}, Subject: "s", Text: "t"}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = o.Send(context.Background(), msg("a@example.com"))
		_ = o.Send(context.Background(), msg("b@example.com"))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := o.Wait(ctx, func(m mail.Message) bool { return m.To[0] == "b@example.com" })
	if err != nil || got.To[0] != "b@example.com" {
		t.Fatalf("Wait = %v, %v", got.To, err)
	}
	<-done
	short, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	if _, err := o.Wait(short, func(m mail.Message) bool { return false }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait without a match = %v, want DeadlineExceeded", err)
	}
}
