package oidctest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/djauth/auth/internal/testenv"
)

// Client is a client registered at the provider.
type Client struct {
	ID           string   `json:"client_id"`
	Secret       string   `json:"client_secret"`
	RedirectURIs []string `json:"redirect_uris"`
}

// Provider is an oidc-provider process on a loopback port. Build it with
// New, set Clients, then Start it; it is stopped when the test ends.
type Provider struct {
	// Clients are registered at each Start.
	Clients []Client
	// Accounts maps a login name to its claims.
	Accounts map[string]map[string]any

	t    testing.TB
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// Dir is the directory of the provider's package.json and provider.js.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "social", "testdata", "oidc-provider")
}

var (
	npmOnce sync.Once
	npmErr  error
)

// Need skips t under -short and without node (fails it under CI=true),
// and installs the provider's packages once (npm ci) unless they are
// there already.
func Need(t testing.TB) {
	t.Helper()
	testenv.SkipIfShort(t, "starts a Node.js OpenID provider")
	if _, err := exec.LookPath("node"); err != nil {
		testenv.Skip(t, testenv.Node, "no node on PATH")
	}
	npmOnce.Do(func() {
		if _, err := os.Stat(filepath.Join(Dir(), "node_modules", "oidc-provider", "package.json")); err == nil {
			return
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = Dir()
		if out, err := cmd.CombinedOutput(); err != nil {
			npmErr = fmt.Errorf("oidctest: npm ci in %s: %w\n%s", Dir(), err, out)
		}
	})
	if npmErr != nil {
		t.Fatal(npmErr)
	}
}

// New calls Need and returns a provider, not yet started, on a free port
// (so that Issuer is known before the site that uses it is built).
func New(t testing.TB, accounts map[string]map[string]any) *Provider {
	t.Helper()
	Need(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	p := &Provider{Accounts: accounts, t: t, port: port}
	t.Cleanup(p.Stop)
	return p
}

// Issuer is the provider's issuer URL, http://127.0.0.1:port.
func (p *Provider) Issuer() string { return fmt.Sprintf("http://127.0.0.1:%d", p.port) }

// Start starts the provider with Clients and Accounts and a fresh RSA
// signing key whose kid is keyID (a Stop and a Start with another keyID
// rotates the key), and waits until it listens.
func (p *Provider) Start(keyID string) {
	t := p.t
	t.Helper()
	if p.cmd != nil {
		t.Fatal("oidctest: Start: the provider is running")
	}
	clients, err := json.Marshal(p.Clients)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := json.Marshal(p.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "provider.js")
	cmd.Dir = Dir()
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", p.port), "CLIENTS="+string(clients),
		"ACCOUNTS="+string(accounts), "KEY_ID="+keyID)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("oidctest: start node: %v", err)
	}
	p.cmd, p.done = cmd, make(chan struct{})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			if !sent && strings.HasPrefix(sc.Text(), "ready ") {
				ready <- true
				sent = true
			}
		}
		if !sent {
			ready <- false
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	select {
	case ok := <-ready:
		if !ok {
			p.Stop()
			t.Fatalf("oidctest: the provider exited before it was ready:\n%s", stderr.String())
		}
	case <-time.After(30 * time.Second):
		p.Stop()
		t.Fatalf("oidctest: the provider did not start in 30s:\n%s", stderr.String())
	}
}

// Stop kills the provider and waits for it; it does nothing when the
// provider is not running.
func (p *Provider) Stop() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	p.cmd = nil
}

// lockedBuffer is the process's stderr, written by exec's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
