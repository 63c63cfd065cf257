package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testDate = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func resetMessage() Message {
	return Message{
		From:    "Site <noreply@example.com>",
		To:      []string{"jane@example.com"},
		Subject: "Password reset on example.com",
		Text:    "Go to https://example.com/reset/NDI/c05n6t-5fc22d2fcba277653818eb8129f0ba7f/ to choose a new password.\n",
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(m *Message)
		field  string // "" means valid
	}{
		{"valid", func(m *Message) {}, ""},
		{"display name with unicode", func(m *Message) { m.From = "Jöhn Dœ <john@example.com>" }, ""},
		{"several recipients", func(m *Message) { m.To = []string{"a@example.com", "B <b@example.com>"} }, ""},
		{"empty body", func(m *Message) { m.Text = "" }, ""},
		{"no from", func(m *Message) { m.From = "" }, "From"},
		{"no to", func(m *Message) { m.To = nil }, "To"},
		{"bad from", func(m *Message) { m.From = "not an address" }, "From"},
		{"bad to", func(m *Message) { m.To = []string{"ok@example.com", "nope"} }, "To"},
		{"two addresses in one to", func(m *Message) { m.To = []string{"a@example.com, b@example.com"} }, "To"},
		{"subject LF", func(m *Message) { m.Subject = "Hi\nBcc: victim@example.com" }, "Subject"},
		{"subject CR", func(m *Message) { m.Subject = "Hi\rBcc: victim@example.com" }, "Subject"},
		{"subject CRLF", func(m *Message) { m.Subject = "Hi\r\nBcc: victim@example.com" }, "Subject"},
		{"subject NUL", func(m *Message) { m.Subject = "Hi\x00" }, "Subject"},
		{"from CRLF", func(m *Message) { m.From = "a@example.com\r\nBcc: victim@example.com" }, "From"},
		{"to LF in name", func(m *Message) { m.To = []string{"\"Jane\nBcc: x@y.z\" <jane@example.com>"} }, "To"},
		{"subject invalid UTF-8", func(m *Message) { m.Subject = "\xff" }, "Subject"},
		{"text invalid UTF-8", func(m *Message) { m.Text = "\xff" }, "body"},
		{"html invalid UTF-8", func(m *Message) { m.HTML = "\xc3" }, "body"},
		{"subject too long", func(m *Message) { m.Subject = strings.Repeat("x", 901) }, "Subject"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := resetMessage()
			tc.change(&m)
			err := m.Validate()
			if tc.field == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, ErrInvalidMessage)
			assert.ErrorContains(t, err, tc.field)
			// Every sender refuses it too, before doing anything.
			var out Outbox
			assert.ErrorIs(t, out.Send(context.Background(), m), ErrInvalidMessage)
			assert.Zero(t, out.Len())
			_, err = m.Encode(testDate, "<id@example.com>")
			assert.ErrorIs(t, err, ErrInvalidMessage)
		})
	}
}

// parsed is an encoded message read back with the standard library.
type parsed struct {
	header      mail.Header
	text, html  string
	contentType string
}

func parseEncoded(t testing.TB, raw []byte) parsed {
	t.Helper()
	for _, line := range bytes.Split(raw, []byte("\r\n")) {
		if len(line) > 998 {
			t.Fatalf("line of %d bytes", len(line))
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Fatalf("bare CR or LF in %q", line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	p := parsed{header: msg.Header}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	p.contentType = mt
	decode := func(r io.Reader, cte string) string {
		require.Equal(t, "quoted-printable", cte)
		b, err := io.ReadAll(quotedprintable.NewReader(r))
		require.NoError(t, err)
		return string(b)
	}
	switch mt {
	case "text/plain":
		p.text = decode(msg.Body, msg.Header.Get("Content-Transfer-Encoding"))
	case "multipart/alternative":
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			body := decode(part, part.Header.Get("Content-Transfer-Encoding"))
			switch part.Header.Get("Content-Type") {
			case "text/plain; charset=utf-8":
				p.text = body
			case "text/html; charset=utf-8":
				p.html = body
			default:
				t.Fatalf("unexpected part %q", part.Header.Get("Content-Type"))
			}
		}
	default:
		t.Fatalf("unexpected content type %q", mt)
	}
	return p
}

// crlf converts a body the way quoted-printable encoding does: every line
// end (LF, CRLF or a bare CR) becomes CRLF.
func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

func TestEncode(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Réinitialisation du mot de passe ", 12)
	tests := []struct {
		name string
		m    Message
	}{
		{"plain", resetMessage()},
		{"html", func() Message {
			m := resetMessage()
			m.HTML = "<p>Go to <a href=\"https://example.com/reset/NDI/x/\">this page</a>.</p>\n"
			return m
		}()},
		{"unicode", Message{From: "Jöhn Dœ <john@example.com>", To: []string{"Zoë <zoe@example.com>", "b@example.com"}, Subject: "Mot de passe oublié ✓", Text: "Bonjour Zoë,\n\n☃ = snowman\n"}},
		{"long subject", Message{From: "a@example.com", To: []string{"b@example.com"}, Subject: long, Text: "x"}},
		{"long ascii subject", Message{From: "a@example.com", To: []string{"b@example.com"}, Subject: strings.TrimSpace(strings.Repeat("word ", 150)), Text: "x"}},
		{"dots and long lines", Message{From: "a@example.com", To: []string{"b@example.com"}, Subject: "s", Text: ".\n..\nline\n" + strings.Repeat("y", 500) + "\n=3D\n"}},
		{"empty text with html", Message{From: "a@example.com", To: []string{"b@example.com"}, Subject: "", HTML: "<b>only html</b>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw, err := tc.m.Encode(testDate, "<abc@example.com>")
			require.NoError(t, err)
			again, err := tc.m.Encode(testDate, "<abc@example.com>")
			require.NoError(t, err)
			assert.Equal(t, raw, again, "deterministic")

			p := parseEncoded(t, raw)
			var dec mime.WordDecoder
			subject, err := dec.DecodeHeader(p.header.Get("Subject"))
			require.NoError(t, err)
			assert.Equal(t, tc.m.Subject, subject)
			from, err := p.header.AddressList("From")
			require.NoError(t, err)
			want, _ := mail.ParseAddress(tc.m.From)
			assert.Equal(t, []*mail.Address{want}, from)
			to, err := p.header.AddressList("To")
			require.NoError(t, err)
			require.Len(t, to, len(tc.m.To))
			for i, a := range tc.m.To {
				w, _ := mail.ParseAddress(a)
				assert.Equal(t, w, to[i])
			}
			assert.Equal(t, "Tue, 02 Jan 2024 03:04:05 +0000", p.header.Get("Date"))
			assert.Equal(t, "<abc@example.com>", p.header.Get("Message-Id"))
			assert.Equal(t, "1.0", p.header.Get("Mime-Version"))
			assert.Equal(t, crlf(tc.m.Text), p.text)
			if tc.m.HTML == "" {
				assert.Equal(t, "text/plain", p.contentType)
			} else {
				assert.Equal(t, "multipart/alternative", p.contentType)
				assert.Equal(t, crlf(tc.m.HTML), p.html)
			}
			for _, line := range strings.Split(string(raw), "\r\n") {
				if strings.HasPrefix(line, " ") {
					assert.LessOrEqual(t, len(line), 78, "folded line %q", line)
				}
			}
		})
	}
}

func TestNewMessageID(t *testing.T) {
	t.Parallel()
	a, b := NewMessageID("example.com"), NewMessageID("example.com")
	assert.NotEqual(t, a, b)
	assert.Regexp(t, `^<[A-Za-z0-9]{22}@example\.com>$`, a)
	assert.Regexp(t, `@localhost>$`, NewMessageID(""))
	raw, err := resetMessage().Encode(testDate, "")
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^Message-ID: <[A-Za-z0-9]{22}@example\.com>\r$`, string(raw))
	_, err = resetMessage().Encode(testDate, "<a@b>\r\nBcc: x@y.z")
	assert.ErrorIs(t, err, ErrInvalidMessage)
}

func TestOutbox(t *testing.T) {
	t.Parallel()
	var out Outbox
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			m := resetMessage()
			m.Subject = fmt.Sprint(i)
			assert.NoError(t, out.Send(ctx, m))
		})
	}
	wg.Wait()
	msgs := out.Messages()
	require.Len(t, msgs, 50)
	assert.Equal(t, 50, out.Len())
	subjects := make([]string, len(msgs))
	for i, m := range msgs {
		subjects[i] = m.Subject
	}
	slices.Sort(subjects)
	assert.Equal(t, 50, len(slices.Compact(subjects)))

	// Copies: changing what was sent or returned does not change the outbox.
	m := resetMessage()
	out.Reset()
	require.NoError(t, out.Send(ctx, m))
	m.To[0] = "changed@example.com"
	got := out.Messages()
	got[0].To[0] = "changed-too@example.com"
	assert.Equal(t, "jane@example.com", out.Messages()[0].To[0])

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, out.Send(cctx, resetMessage()), context.Canceled)
	assert.Equal(t, 1, out.Len())
}

func TestConsole(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := &Console{W: &buf}
	m := resetMessage()
	m.HTML = "<p>hi</p>"
	require.NoError(t, c.Send(context.Background(), m))
	out := buf.String()
	assert.Contains(t, out, "To: jane@example.com\n")
	assert.Contains(t, out, m.Text, "body written as is, links intact")
	assert.Contains(t, out, "[text/html alternative]\n<p>hi</p>\n")
	assert.True(t, strings.HasSuffix(out, strings.Repeat("-", 79)+"\n"))

	assert.Error(t, (&Console{}).Send(context.Background(), m), "nil writer")
	bad := m
	bad.Subject = "x\ny"
	assert.ErrorIs(t, c.Send(context.Background(), bad), ErrInvalidMessage)
}

func TestConsoleConcurrent(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := &Console{W: &buf}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { assert.NoError(t, c.Send(context.Background(), resetMessage())) })
	}
	wg.Wait()
	// Every message is whole: 20 separators, each followed by From or the end.
	parts := strings.Split(buf.String(), strings.Repeat("-", 79)+"\n")
	require.Len(t, parts, 21)
	for _, p := range parts[:20] {
		assert.True(t, strings.HasPrefix(p, "From: Site <noreply@example.com>\n"))
	}
}

func TestLogSender(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	require.NoError(t, Log{Logger: logger}.Send(context.Background(), resetMessage()))
	assert.Contains(t, buf.String(), `"subject":"Password reset on example.com"`)
	assert.NotContains(t, buf.String(), "c05n6t", "the body (a reset link) is not logged by default")

	buf.Reset()
	require.NoError(t, Log{Logger: logger, Bodies: true}.Send(context.Background(), resetMessage()))
	assert.Contains(t, buf.String(), "c05n6t")
}

func TestSMTPConfigRedaction(t *testing.T) {
	t.Parallel()
	cfg := SMTPConfig{Host: "smtp.example.com", Port: 587, Username: "mailer", Password: "hunter2-very-secret"}
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	s, err := NewSMTP(cfg)
	require.NoError(t, err)
	logger.Info("mail", "config", cfg, "sender", s)
	fmt.Fprintf(&buf, "%v %+v %#v %s", cfg, cfg, cfg, cfg)
	assert.NotContains(t, buf.String(), "hunter2")
	assert.Contains(t, buf.String(), "[redacted]")
	assert.Contains(t, buf.String(), "smtp.example.com")
}

func TestNewSMTPErrors(t *testing.T) {
	t.Parallel()
	for _, cfg := range []SMTPConfig{{}, {Host: "h", Port: -1}, {Host: "h", Port: 70000}, {Host: "h", Password: "p"}} {
		_, err := NewSMTP(cfg)
		assert.Error(t, err, "%v", cfg)
	}
}

func TestSMTP(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := testCert(t)
	tests := []struct {
		name      string
		server    func(*fakeSMTP)
		cfg       func(*SMTPConfig)
		to        []string
		wantErr   error  // errors.Is
		errText   string // substring
		wantTLS   bool
		wantAuth  string
		delivered bool
	}{
		{name: "plain", delivered: true},
		{name: "starttls when offered", server: func(s *fakeSMTP) { s.tlsConf = serverTLS }, delivered: true, wantTLS: true},
		{name: "starttls and auth", server: func(s *fakeSMTP) { s.tlsConf = serverTLS; s.user, s.pass = "mailer", "s3cret" },
			cfg: func(c *SMTPConfig) { c.Username, c.Password = "mailer", "s3cret" }, delivered: true, wantTLS: true, wantAuth: "mailer"},
		{name: "implicit tls", server: func(s *fakeSMTP) { s.tlsConf = serverTLS; s.implicit = true },
			cfg: func(c *SMTPConfig) { c.ImplicitTLS = true }, delivered: true, wantTLS: true},
		{name: "require tls without starttls", cfg: func(c *SMTPConfig) { c.RequireTLS = true }, wantErr: ErrNoTLS},
		{name: "wrong password", server: func(s *fakeSMTP) { s.tlsConf = serverTLS; s.user, s.pass = "mailer", "right" },
			cfg: func(c *SMTPConfig) { c.Username, c.Password = "mailer", "wrong-password" }, errText: "AUTH"},
		{name: "auth not offered", cfg: func(c *SMTPConfig) { c.Username, c.Password = "mailer", "pw" }, errText: "does not offer AUTH"},
		{name: "untrusted certificate", server: func(s *fakeSMTP) { s.tlsConf = serverTLS },
			cfg: func(c *SMTPConfig) { c.TLSConfig = nil }, errText: "STARTTLS"},
		{name: "recipient rejected", to: []string{"jane@example.com", "rejected@example.com"}, errText: "RCPT TO rejected@example.com"},
		{name: "two recipients", to: []string{"jane@example.com", "Bob <bob@example.com>"}, delivered: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeSMTP(t, tc.server)
			cfg := SMTPConfig{Host: "127.0.0.1", Port: srv.port(), TLSConfig: clientTLS, Timeout: 5 * time.Second}
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			s, err := NewSMTP(cfg)
			require.NoError(t, err)
			m := resetMessage()
			m.Text += ".\n..leading dots\n"
			if tc.to != nil {
				m.To = tc.to
			}
			err = s.Send(context.Background(), m)
			got := srv.messages()
			if !tc.delivered {
				require.Error(t, err)
				if tc.wantErr != nil {
					assert.ErrorIs(t, err, tc.wantErr)
				}
				assert.Contains(t, err.Error(), tc.errText)
				if cfg.Password != "" {
					assert.NotContains(t, err.Error(), cfg.Password)
				}
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Len(t, got, 1)
			r := got[0]
			assert.Equal(t, "noreply@example.com", r.From)
			wantTo := make([]string, len(m.To))
			for i, a := range m.To {
				addr, _ := mail.ParseAddress(a)
				wantTo[i] = addr.Address
			}
			assert.Equal(t, wantTo, r.To)
			assert.Equal(t, tc.wantTLS, r.TLS)
			assert.Equal(t, tc.wantAuth, r.AuthUser)
			p := parseEncoded(t, []byte(strings.ReplaceAll(r.Data, "\n", "\r\n")))
			assert.Equal(t, crlf(m.Text), p.text, "dot-stuffing undone")
			assert.Equal(t, m.Subject, p.header.Get("Subject"))
			assert.NotEmpty(t, p.header.Get("Date"))
			assert.Regexp(t, `^<.+@example\.com>$`, p.header.Get("Message-Id"))
		})
	}
}

func TestSMTPInvalidMessageSendsNothing(t *testing.T) {
	t.Parallel()
	srv := newFakeSMTP(t, nil)
	s, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: srv.port()})
	require.NoError(t, err)
	m := resetMessage()
	m.Subject = "hello\r\nBcc: everyone@example.com"
	assert.ErrorIs(t, s.Send(context.Background(), m), ErrInvalidMessage)
	assert.Empty(t, srv.messages())
}

func TestSMTPContext(t *testing.T) {
	t.Parallel()
	srv := newFakeSMTP(t, func(s *fakeSMTP) { s.stall = true })
	s, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: srv.port()})
	require.NoError(t, err)

	t.Run("deadline", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		err := s.Send(ctx, resetMessage())
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		err := s.Send(ctx, resetMessage())
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
	})
	t.Run("config timeout", func(t *testing.T) {
		t.Parallel()
		short, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: srv.port(), Timeout: 100 * time.Millisecond})
		require.NoError(t, err)
		err = short.Send(context.Background(), resetMessage())
		require.Error(t, err)
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	})
}

// FuzzEncode checks that no Subject, address or body that Validate accepts
// can add a header or break the message structure.
func FuzzEncode(f *testing.F) {
	f.Add("Subject", "Jane <jane@example.com>", "text\n.\n", "")
	f.Add("Hi\r\nBcc: x@y.z", "a@b.c", "", "<p>x</p>")
	f.Add("é ✓ "+strings.Repeat("x", 100), "\"J\\\"x\" <j@x.y>", "--djauth-", "--")
	f.Fuzz(func(t *testing.T, subject, to, text, html string) {
		m := Message{From: "a@example.com", To: []string{to}, Subject: subject, Text: text, HTML: html}
		raw, err := m.Encode(testDate, "<id@example.com>")
		if err != nil {
			if !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		p := parseEncoded(t, raw)
		want := []string{"Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"}
		if html == "" {
			want = append(want, "Content-Transfer-Encoding")
		}
		keys := make([]string, 0, len(p.header))
		for k := range p.header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Fatalf("headers %v, want %v", keys, want)
		}
		if p.text != crlf(text) || p.html != crlf(html) {
			t.Fatalf("body changed")
		}
	})
}
