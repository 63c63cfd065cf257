package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSMTP is a tiny SMTP server on 127.0.0.1 for the tests: EHLO,
// STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT, one session
// at a time per connection. It records what it received.
type fakeSMTP struct {
	t        *testing.T
	ln       net.Listener
	tlsConf  *tls.Config // nil: no STARTTLS offered
	implicit bool        // TLS from the first byte
	user     string      // "" accepts no AUTH
	pass     string
	stall    bool // accept and never answer

	mu       sync.Mutex
	received []received
	wg       sync.WaitGroup
}

type received struct {
	From     string
	To       []string
	Data     string
	TLS      bool
	AuthUser string
}

// newFakeSMTP starts a server and stops it when the test ends.
func newFakeSMTP(t *testing.T, configure func(*fakeSMTP)) *fakeSMTP {
	t.Helper()
	s := &fakeSMTP{t: t}
	if configure != nil {
		configure(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if s.implicit {
		ln = tls.NewListener(ln, s.tlsConf)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *fakeSMTP) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *fakeSMTP) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.received...)
}

func (s *fakeSMTP) serve() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			if s.stall {
				buf := make([]byte, 1)
				conn.Read(buf)
				return
			}
			s.session(conn)
		}()
	}
}

func (s *fakeSMTP) session(conn net.Conn) {
	tp := textproto.NewConn(conn)
	_, isTLS := conn.(*tls.Conn)
	reply := func(format string, args ...any) { tp.PrintfLine(format, args...) }
	reply("220 fake ESMTP ready")
	var cur received
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			exts := []string{"250-fake greets " + arg, "250-8BITMIME"}
			if s.tlsConf != nil && !isTLS {
				exts = append(exts, "250-STARTTLS")
			}
			if s.user != "" {
				exts = append(exts, "250-AUTH PLAIN")
			}
			exts = append(exts, "250 SIZE 1000000")
			for _, e := range exts {
				reply("%s", e)
			}
		case "STARTTLS":
			if s.tlsConf == nil || isTLS {
				reply("502 not available")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(conn, s.tlsConf)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, isTLS = tc, true
			tp = textproto.NewConn(tc)
			cur = received{}
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if mech != "PLAIN" || s.user == "" {
				reply("504 unsupported")
				continue
			}
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if err != nil || len(parts) != 3 || parts[1] != s.user || parts[2] != s.pass {
				reply("535 authentication failed")
				continue
			}
			cur.AuthUser = parts[1]
			reply("235 ok")
		case "MAIL":
			addr, ok := strings.CutPrefix(arg, "FROM:<")
			addr, _, _ = strings.Cut(addr, ">")
			if !ok {
				reply("501 syntax")
				continue
			}
			if s.user != "" && cur.AuthUser == "" {
				reply("530 authentication required")
				continue
			}
			cur.From, cur.To = addr, nil
			reply("250 ok")
		case "RCPT":
			addr, ok := strings.CutPrefix(arg, "TO:<")
			addr, _, _ = strings.Cut(addr, ">")
			if !ok {
				reply("501 syntax")
				continue
			}
			if strings.HasPrefix(addr, "reject") {
				reply("550 no such user")
				continue
			}
			cur.To = append(cur.To, addr)
			reply("250 ok")
		case "DATA":
			reply("354 end with .")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data = string(data)
			cur.TLS = isTLS
			s.mu.Lock()
			s.received = append(s.received, cur)
			s.mu.Unlock()
			cur = received{AuthUser: cur.AuthUser}
			reply("250 queued")
		case "RSET":
			cur = received{AuthUser: cur.AuthUser}
			reply("250 ok")
		case "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("500 unknown command")
		}
	}
}

// testCert returns a server config with a fresh self-signed certificate for
// 127.0.0.1 and a client config that trusts it.
func testCert(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "fake smtp"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	client = &tls.Config{RootCAs: pool}
	return server, client
}
