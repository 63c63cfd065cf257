// Package mail sends the emails of the account lifecycle (password reset
// links, notifications) through a small Sender interface, with an SMTP
// implementation and development and test stand-ins, like Django's email
// backends.
//
// # Senders
//
//   - SMTP delivers through an SMTP server with net/smtp: STARTTLS whenever
//     the server offers it (or TLS from the start with ImplicitTLS),
//     optional AUTH PLAIN, one connection per message, bounded by the
//     context and a timeout. Its configuration logs with the password
//     redacted.
//   - Console writes messages readably to an io.Writer, like Django's
//     console backend, for development.
//   - Log records messages through log/slog, without their bodies unless
//     asked, for development.
//   - Outbox keeps messages in memory for tests, like Django's locmem
//     backend and mail.outbox.
//
// Apps can plug in their own Sender (an HTTP API of a mail provider, a
// queue): it is one method, Send(ctx, Message).
//
// # Messages
//
// A Message has a sender, recipients, a subject, a text body and an
// optional HTML alternative. Every sender validates it first: a line break
// in the subject or an address would let a user-supplied value add headers
// of its own (a Bcc, say), so it is refused with ErrInvalidMessage rather
// than cleaned. Message.Encode renders the RFC 5322 form that SMTP sends:
// UTF-8, quoted-printable bodies, RFC 2047 encoded subjects and names,
// multipart/alternative when there is HTML, Date and Message-ID headers.
//
// # Testing code that sends mail
//
//	var outbox mail.Outbox
//	app := NewApp(&outbox)
//	// ... trigger a password reset ...
//	msgs := outbox.Messages()
package mail
