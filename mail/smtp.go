package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"os"
	"strconv"
	"time"
)

// DefaultSMTPPort is the port used when SMTPConfig.Port is 0, Django's
// EMAIL_PORT default.
const DefaultSMTPPort = 25

// DefaultSMTPTimeout bounds a whole delivery when the context has no
// earlier deadline.
const DefaultSMTPTimeout = 30 * time.Second

// ErrNoTLS reports a server that does not offer STARTTLS when
// SMTPConfig.RequireTLS is set.
var ErrNoTLS = errors.New("mail: smtp server does not offer STARTTLS")

// SMTPConfig configures an SMTP sender, like Django's EMAIL_HOST,
// EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
// EMAIL_USE_SSL and EMAIL_TIMEOUT. Only Host is required. It implements
// slog.LogValuer, so logging it never shows the password.
type SMTPConfig struct {
	// Host is the server's host name or IP address.
	Host string
	// Port is the server's port; 0 means DefaultSMTPPort (25).
	Port int
	// Username and Password, when Username is set, log in with AUTH PLAIN.
	// Go's net/smtp sends them only over TLS, or to localhost.
	Username string
	Password string
	// ImplicitTLS connects with TLS from the start (SMTPS, usually port
	// 465; Django's EMAIL_USE_SSL). Otherwise the connection is upgraded
	// with STARTTLS whenever the server offers it.
	ImplicitTLS bool
	// RequireTLS refuses to send over a connection that could not be
	// upgraded with STARTTLS (ErrNoTLS), instead of falling back to plain
	// text.
	RequireTLS bool
	// TLSConfig is used for TLS; nil means the system roots with ServerName
	// set to Host. A config without ServerName gets Host.
	TLSConfig *tls.Config
	// LocalName is the name sent with EHLO; empty means "localhost".
	LocalName string
	// Timeout bounds a whole delivery; 0 means DefaultSMTPTimeout. A
	// context deadline that comes earlier wins.
	Timeout time.Duration
}

// LogValue implements slog.LogValuer, redacting the password.
func (c SMTPConfig) LogValue() slog.Value {
	pw := ""
	if c.Password != "" {
		pw = "[redacted]"
	}
	return slog.GroupValue(
		slog.String("Host", c.Host),
		slog.Int("Port", c.port()),
		slog.String("Username", c.Username),
		slog.String("Password", pw),
		slog.Bool("ImplicitTLS", c.ImplicitTLS),
		slog.Bool("RequireTLS", c.RequireTLS),
		slog.Duration("Timeout", c.timeout()),
	)
}

// String returns the same redacted description, for fmt.
func (c SMTPConfig) String() string {
	return fmt.Sprintf("smtp://%s@%s (password redacted)", c.Username, net.JoinHostPort(c.Host, strconv.Itoa(c.port())))
}

// GoString keeps %#v from printing the password.
func (c SMTPConfig) GoString() string { return "mail.SMTPConfig{" + c.String() + "}" }

func (c SMTPConfig) port() int {
	if c.Port == 0 {
		return DefaultSMTPPort
	}
	return c.Port
}

func (c SMTPConfig) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultSMTPTimeout
	}
	return c.Timeout
}

func (c SMTPConfig) tlsConfig() *tls.Config {
	if c.TLSConfig == nil {
		return &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	}
	cfg := c.TLSConfig.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = c.Host
	}
	return cfg
}

// SMTP sends mail through an SMTP server, opening one connection per
// message. It is safe for concurrent use.
type SMTP struct {
	cfg SMTPConfig
}

// NewSMTP returns an SMTP sender, or an error if the configuration is
// unusable (no Host, a port out of range).
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: SMTPConfig.Host is empty")
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("mail: SMTPConfig.Port %d out of range", cfg.Port)
	}
	if cfg.Username == "" && cfg.Password != "" {
		return nil, errors.New("mail: SMTPConfig.Password set without Username")
	}
	return &SMTP{cfg: cfg}, nil
}

// LogValue implements slog.LogValuer, redacting the password.
func (s *SMTP) LogValue() slog.Value { return s.cfg.LogValue() }

// Send delivers m: it connects, upgrades with STARTTLS when offered (or
// uses ImplicitTLS), logs in when a Username is configured, and transmits
// the message as Message.Encode renders it, stamped with the current time
// and a new Message-ID. Errors name the SMTP step that failed; they never
// contain the password.
func (s *SMTP) Send(ctx context.Context, m Message) (err error) {
	from, to, err := m.check()
	if err != nil {
		return err
	}
	data, err := m.encode(from, to, time.Now(), "")
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, s.cfg.timeout())
	defer cancel()
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.port()))
	var conn net.Conn
	if s.cfg.ImplicitTLS {
		d := tls.Dialer{Config: s.cfg.tlsConfig()}
		conn, err = d.DialContext(ctx, "tcp", addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("mail: smtp: connect to %s: %w", addr, err)
	}
	// net/smtp has no context support: the deadline bounds every read and
	// write, and cancellation closes the connection under it.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer func() {
		switch {
		case err == nil:
		case ctx.Err() != nil:
			err = fmt.Errorf("%w (%w)", err, context.Cause(ctx))
		case errors.Is(err, os.ErrDeadlineExceeded):
			// The connection deadline is the context's; it can fire a
			// moment before the context reports it.
			err = fmt.Errorf("%w (%w)", err, context.DeadlineExceeded)
		}
	}()

	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: smtp: greeting from %s: %w", addr, err)
	}
	defer c.Close()
	if s.cfg.LocalName != "" {
		if err := c.Hello(s.cfg.LocalName); err != nil {
			return fmt.Errorf("mail: smtp: EHLO: %w", err)
		}
	}
	if !s.cfg.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.cfg.tlsConfig()); err != nil {
				return fmt.Errorf("mail: smtp: STARTTLS: %w", err)
			}
		} else if s.cfg.RequireTLS {
			return fmt.Errorf("%w (%s)", ErrNoTLS, addr)
		}
	}
	if s.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("mail: smtp: %s does not offer AUTH but a Username is configured", addr)
		}
		auth := smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)
		if err := c.Auth(auth); err != nil {
			return fmt.Errorf("mail: smtp: AUTH as %q: %w", s.cfg.Username, err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail: smtp: MAIL FROM: %w", err)
	}
	for _, a := range to {
		if err := c.Rcpt(a.Address); err != nil {
			return fmt.Errorf("mail: smtp: RCPT TO %s: %w", a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: smtp: DATA: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("mail: smtp: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: smtp: end of DATA: %w", err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("mail: smtp: QUIT: %w", err)
	}
	return nil
}
