package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/djauth/auth/internal/djcrypto"
)

// Sender delivers an email. Implementations validate the message first and
// return an error wrapping ErrInvalidMessage, without sending anything, when
// it is malformed. Send must respect ctx: it returns ctx.Err() (wrapped)
// once ctx is done.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Message is a plain email: a text body and optionally an HTML
// alternative. Addresses are RFC 5322 addresses such as
// "jane@example.com" or "Jane Doe <jane@example.com>".
type Message struct {
	// From is the sender; it is also the SMTP envelope sender.
	From string
	// To are the recipients; there must be at least one.
	To []string
	// Subject is a single line of text; non-ASCII text is encoded.
	Subject string
	// Text is the plain text body.
	Text string
	// HTML, when not empty, is sent with Text as multipart/alternative, so
	// that mail clients show one or the other.
	HTML string
}

// ErrInvalidMessage reports a message that cannot be sent as it is: no
// sender or recipient, an unparsable address, a line break in a header
// (which would let a value inject headers of its own) or invalid UTF-8.
var ErrInvalidMessage = errors.New("mail: invalid message")

// maxHeaderValue bounds the Subject and each address, far below anything a
// real message needs and low enough that folded header lines stay within
// RFC 5322's 998 characters.
const maxHeaderValue = 900

// Validate reports whether m can be sent: a parsable From, at least one
// parsable To, valid UTF-8 everywhere, and no carriage return or line feed
// (nor NUL) in From, To or Subject. The error wraps ErrInvalidMessage and
// names the field.
func (m Message) Validate() error {
	_, _, err := m.check()
	return err
}

// check is Validate, returning the parsed From and To addresses.
func (m Message) check() (*mail.Address, []*mail.Address, error) {
	from, to, err := m.addresses()
	if err != nil {
		return nil, nil, err
	}
	if err := checkHeader("Subject", m.Subject); err != nil {
		return nil, nil, err
	}
	if !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) {
		return nil, nil, fmt.Errorf("%w: body is not valid UTF-8", ErrInvalidMessage)
	}
	return from, to, nil
}

// checkHeader rejects values that would break out of their header line.
func checkHeader(field, v string) error {
	if strings.ContainsAny(v, "\r\n\x00") {
		return fmt.Errorf("%w: %s contains a line break or NUL", ErrInvalidMessage, field)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalidMessage, field)
	}
	if len(v) > maxHeaderValue {
		return fmt.Errorf("%w: %s is longer than %d bytes", ErrInvalidMessage, field, maxHeaderValue)
	}
	return nil
}

// addresses parses From and To.
func (m Message) addresses() (*mail.Address, []*mail.Address, error) {
	parse := func(field, v string) (*mail.Address, error) {
		if err := checkHeader(field, v); err != nil {
			return nil, err
		}
		a, err := mail.ParseAddress(v)
		if err != nil {
			return nil, fmt.Errorf("%w: %s %q: %v", ErrInvalidMessage, field, v, err)
		}
		return a, nil
	}
	if m.From == "" {
		return nil, nil, fmt.Errorf("%w: no From address", ErrInvalidMessage)
	}
	from, err := parse("From", m.From)
	if err != nil {
		return nil, nil, err
	}
	if len(m.To) == 0 {
		return nil, nil, fmt.Errorf("%w: no To address", ErrInvalidMessage)
	}
	to := make([]*mail.Address, len(m.To))
	for i, v := range m.To {
		if to[i], err = parse("To", v); err != nil {
			return nil, nil, err
		}
	}
	return from, to, nil
}

// NewMessageID returns a new Message-ID header value, "<random@domain>",
// with 128 bits from crypto/rand.
func NewMessageID(domain string) string {
	if domain == "" {
		domain = "localhost"
	}
	return "<" + djcrypto.RandomString(22, "") + "@" + domain + ">"
}

// domainOf returns the domain of an address, for Message-IDs.
func domainOf(addr string) string {
	if at := strings.LastIndexByte(addr, '@'); at >= 0 && at+1 < len(addr) {
		return addr[at+1:]
	}
	return "localhost"
}

// Encode returns m as an RFC 5322 message with CRLF line ends: From, To,
// Subject, Date (date in RFC 1123 form), Message-ID (messageID, or a new
// one from the sender's domain if empty) and MIME headers, then the body
// in quoted-printable UTF-8, as multipart/alternative when HTML is set.
// Line ends in the bodies (LF, CRLF or a lone CR) all become CRLF.
// The output depends only on its inputs, so it can be compared in tests.
// It fails with ErrInvalidMessage when m does not validate.
func (m Message) Encode(date time.Time, messageID string) ([]byte, error) {
	from, to, err := m.check()
	if err != nil {
		return nil, err
	}
	return m.encode(from, to, date, messageID)
}

// encode is Encode for a message that check accepted, with the addresses
// it parsed.
func (m Message) encode(from *mail.Address, to []*mail.Address, date time.Time, messageID string) ([]byte, error) {
	if messageID == "" {
		messageID = NewMessageID(domainOf(from.Address))
	}
	if err := checkHeader("Message-ID", messageID); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	header := func(name, value string) {
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
		b.WriteString("\r\n")
	}
	header("From", foldWords(from.String(), 70))
	tos := make([]string, len(to))
	for i, a := range to {
		tos[i] = foldWords(a.String(), 70)
	}
	header("To", strings.Join(tos, ",\r\n "))
	header("Subject", encodeSubject(m.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", messageID)
	header("MIME-Version", "1.0")

	if m.HTML == "" {
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}

	mw := multipart.NewWriter(&b)
	// A boundary derived from the content cannot occur in the
	// quoted-printable parts (they would have to contain their own hash),
	// and keeps Encode deterministic.
	sum := sha256.Sum256([]byte(messageID + "\x00" + m.Text + "\x00" + m.HTML))
	if err := mw.SetBoundary("djauth-" + hex.EncodeToString(sum[:16])); err != nil {
		return nil, err
	}
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		if err := writeQP(w, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	return b.Bytes(), nil
}

// writeQP writes s quoted-printable encoded, with CRLF line ends.
func writeQP(w interface{ Write([]byte) (int, error) }, s string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(s)); err != nil {
		return err
	}
	return qp.Close()
}

// encodeSubject returns the Subject header value: ASCII text as it is,
// anything else as RFC 2047 encoded words, folded between words so that no
// line grows too long.
func encodeSubject(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] < ' ' && s[i] != '\t' || s[i] == 0x7f {
			ascii = false
			break
		}
	}
	if !ascii {
		s = mime.QEncoding.Encode("utf-8", s)
	}
	return foldWords(s, 76-len("Subject: "))
}

// foldWords inserts "\r\n " before words (separated by single spaces) so
// that lines stay under width where the words allow it.
func foldWords(s string, width int) string {
	words := strings.Split(s, " ")
	var b strings.Builder
	line := 0
	for i, w := range words {
		if i > 0 {
			if line > 0 && line+1+len(w) > width && w != "" {
				b.WriteString("\r\n ")
				line = 1
			} else {
				b.WriteByte(' ')
				line++
			}
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}
