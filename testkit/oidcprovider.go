package testkit

import (
	"bufio"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// The provider's sources, for a copy outside the module's directory
// (the module cache is read-only, and npm must install next to them).
//
//go:embed testdata/oidc-provider/provider.js testdata/oidc-provider/package.json testdata/oidc-provider/package-lock.json
var providerFS embed.FS

// ProviderDirEnv names the environment variable that points at a
// directory holding the provider's sources with their node_modules
// installed (npm ci), to reuse one installation across runs.
const ProviderDirEnv = "DJAUTH_OIDC_PROVIDER_DIR"

// OIDCClient is a client registered at an OIDCProvider.
type OIDCClient struct {
	ID           string   `json:"client_id"`
	Secret       string   `json:"client_secret"`
	RedirectURIs []string `json:"redirect_uris"`
}

// OIDCProviderConfig configures StartOIDCProvider.
type OIDCProviderConfig struct {
	// Clients are the registered clients; each needs its callback URL
	// among its RedirectURIs.
	Clients []OIDCClient
	// Accounts maps a login name at the provider to the claims of that
	// person (email, email_verified, preferred_username, given_name,
	// family_name, name); the name is the sub.
	Accounts map[string]map[string]any
	// Port is the port on 127.0.0.1 to listen on; 0 picks a free one.
	// Give the port of a stopped provider to restart it at the same
	// issuer (with another KeyID: a key rotation).
	Port int
	// KeyID is the kid of the RSA signing key made at start; "" is
	// "key-1".
	KeyID string
}

// OIDCProvider is a running OpenID provider: panva's oidc-provider 9
// (https://github.com/panva/node-oidc-provider) in a Node.js process, with
// its development login form, which takes any password (the login name
// picks the account), and consent implied. PKCE is required.
type OIDCProvider struct {
	port int
	cmd  *exec.Cmd
	done chan struct{}
	once sync.Once
}

// Issuer is the provider's issuer URL, http://127.0.0.1:PORT.
func (p *OIDCProvider) Issuer() string { return fmt.Sprintf("http://127.0.0.1:%d", p.port) }

// Port is the port the provider listens on.
func (p *OIDCProvider) Port() int { return p.port }

// Stop ends the process; it may be called more than once.
func (p *OIDCProvider) Stop() {
	p.once.Do(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
}

// NeedNode skips t, or fails it when the environment variable CI is
// true, unless node and npm are on PATH; it installs the provider's
// packages (npm ci, once) when they are not installed yet. It is also
// skipped under go test -short.
func NeedNode(t testing.TB) {
	t.Helper()
	testenv.SkipIfShort(t, "starts a Node.js OpenID provider")
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Skip(t, testenv.Node, "no "+tool+" on PATH")
		}
	}
	if _, err := providerDir(); err != nil {
		t.Fatal(err)
	}
}

// StartOIDCProvider starts a provider for t (see NeedNode for when it
// skips t instead) and stops it when t ends.
func StartOIDCProvider(t testing.TB, cfg OIDCProviderConfig) *OIDCProvider {
	t.Helper()
	NeedNode(t)
	p, err := startProvider(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

// FreePort returns a port on 127.0.0.1 that nothing listens on, for a
// provider whose issuer must be known before it starts (its clients'
// callback URLs may depend on a server started meanwhile).
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

func startProvider(cfg OIDCProviderConfig) (*OIDCProvider, error) {
	dir, err := providerDir()
	if err != nil {
		return nil, err
	}
	if cfg.Port == 0 {
		if cfg.Port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	if cfg.KeyID == "" {
		cfg.KeyID = "key-1"
	}
	clients, err := json.Marshal(cfg.Clients)
	if err != nil {
		return nil, fmt.Errorf("testkit: clients: %w", err)
	}
	accounts, err := json.Marshal(cfg.Accounts)
	if err != nil {
		return nil, fmt.Errorf("testkit: accounts: %w", err)
	}
	cmd := exec.Command("node", "provider.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", cfg.Port), "CLIENTS="+string(clients),
		"ACCOUNTS="+string(accounts), "KEY_ID="+cfg.KeyID)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testkit: start the OpenID provider: %w", err)
	}
	p := &OIDCProvider{port: cfg.Port, cmd: cmd, done: make(chan struct{})}
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
	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case ok := <-ready:
		if !ok {
			<-p.done
			return nil, fmt.Errorf("testkit: the OpenID provider exited before it was ready: %s", stderr.String())
		}
	case <-timer.C:
		p.Stop()
		return nil, errors.New("testkit: the OpenID provider did not start in 30s")
	}
	return p, nil
}

// limitedWriter keeps the first n bytes written to it.
type limitedWriter struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n > 0 {
		k := min(len(p), l.n)
		_, _ = l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}

var installs sync.Map // directory -> *install

type install struct {
	once sync.Once
	err  error
}

// providerDir returns a directory with the provider's sources and its
// node_modules: ProviderDirEnv, else this package's testdata when it is
// writable (a checkout of the module), else a copy in the user's cache
// directory; npm ci runs there once when the packages are missing.
func providerDir() (string, error) {
	dir := os.Getenv(ProviderDirEnv)
	if dir == "" {
		dir = sourceDir()
	}
	if dir == "" {
		var err error
		if dir, err = cacheCopy(); err != nil {
			return "", err
		}
	}
	v, _ := installs.LoadOrStore(dir, &install{})
	in := v.(*install)
	in.once.Do(func() { in.err = npmCI(dir) })
	return dir, in.err
}

// sourceDir is testdata/oidc-provider beside this file when it exists
// and can be written to, or "".
func sourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	dir := filepath.Join(filepath.Dir(file), "testdata", "oidc-provider")
	if _, err := os.Stat(filepath.Join(dir, "provider.js")); err != nil {
		return ""
	}
	if installed(dir) {
		return dir
	}
	f, err := os.CreateTemp(dir, ".writable-")
	if err != nil {
		return ""
	}
	_ = f.Close()
	_ = os.Remove(f.Name())
	return dir
}

// cacheCopy writes the embedded sources into the user's cache directory,
// under a name that changes with them.
func cacheCopy() (string, error) {
	lock, err := providerFS.ReadFile("testdata/oidc-provider/package-lock.json")
	if err != nil {
		return "", err
	}
	js, err := providerFS.ReadFile("testdata/oidc-provider/provider.js")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(append(lock, js...))
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "djauth-testkit", "oidc-provider-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("testkit: %w", err)
	}
	for _, name := range []string{"provider.js", "package.json", "package-lock.json"} {
		b, err := providerFS.ReadFile("testdata/oidc-provider/" + name)
		if err != nil {
			return "", err
		}
		if err := writeAtomic(filepath.Join(dir, name), b); err != nil {
			return "", err
		}
	}
	return dir, nil
}

func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-")
	if err != nil {
		return fmt.Errorf("testkit: %w", err)
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("testkit: %w", err)
	}
	return os.Rename(f.Name(), path)
}

func installed(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json"))
	return err == nil
}

// npmCI installs the packages of dir unless they are there. It installs
// into a fresh directory and renames its node_modules into place, so
// that test processes of several packages that install at once never
// see a half-made node_modules.
func npmCI(dir string) error {
	if installed(dir) {
		return nil
	}
	tmp, err := os.MkdirTemp(dir, ".install-")
	if err != nil {
		return fmt.Errorf("testkit: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("testkit: %w", err)
		}
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
			return fmt.Errorf("testkit: %w", err)
		}
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("testkit: npm ci in %s: %w\n%s", dir, err, out)
	}
	if err := os.Rename(filepath.Join(tmp, "node_modules"), filepath.Join(dir, "node_modules")); err != nil && !installed(dir) {
		return fmt.Errorf("testkit: %w", err)
	}
	return nil
}
