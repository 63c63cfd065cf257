package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/testenv"
)

const (
	chromiumPath     = "/usr/bin/chromium"
	chromedriverPath = "/usr/bin/chromedriver"
)

// requireBrowser skips the test under -short and without Chromium and
// chromedriver, and fails it in the latter case when CI=true (CI installs
// them).
func requireBrowser(t *testing.T) {
	t.Helper()
	testenv.SkipIfShort(t, "browser test (starts Chromium, chromedriver and the example app)")
	var missing []string
	for _, p := range []string{chromiumPath, chromedriverPath} {
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return
	}
	testenv.Skip(t, testenv.Chromium, fmt.Sprintf("missing %s: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver) to run the browser test; .ci/run installs them",
		strings.Join(missing, " and ")))
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitHTTP polls url until it answers, or fails the test.
func waitHTTP(t *testing.T, url string, exited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("the process serving %s exited", url)
		default:
		}
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within 30s", url)
}

// startBrowser starts chromedriver and, through it, a headless Chromium
// whose profile lives in dir; both stop when the test ends.
func startBrowser(ctx context.Context, t *testing.T, dir string) *webDriver {
	t.Helper()
	drvPort := freePort(t)
	drv := exec.Command(chromedriverPath, fmt.Sprintf("--port=%d", drvPort))
	drv.Stderr = testWriter{t, "chromedriver"}
	drvExited := start(t, drv)
	d := &webDriver{base: fmt.Sprintf("http://127.0.0.1:%d", drvPort), http: &http.Client{Timeout: time.Minute}}
	waitHTTP(t, d.base+"/status", drvExited)
	require.NoError(t, d.newSession(ctx, chromiumPath, filepath.Join(dir, "chromium-profile")))
	t.Cleanup(func() { _ = d.quit(context.Background()) })
	return d
}

// start runs cmd until the test ends; its stderr goes to the test log.
func start(t *testing.T, cmd *exec.Cmd) <-chan struct{} {
	t.Helper()
	exited := make(chan struct{})
	require.NoError(t, cmd.Start())
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	return exited
}

// demoPasswords reads the webapp's start-up notes until both demo users'
// passwords have been printed.
func demoPasswords(t *testing.T, stdout io.Reader) map[string]string {
	t.Helper()
	re := regexp.MustCompile(`username\s+(\S+)\s+password\s+(\S+)`)
	found := map[string]string{}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && len(found) < 2 {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			found[m[1]] = m[2]
		}
	}
	require.Contains(t, found, "alice", "the webapp printed alice's password")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return found
}

// TestBrowserAccountFlow drives headless Chromium against the example app:
// log in, see a protected page, get a 403 without the permission, change
// the password, log out, and be sent to the login page again; then log in
// with the new password.
func TestBrowserAccountFlow(t *testing.T) {
	requireBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tmp := t.TempDir()

	// Build and start the example app.
	bin := filepath.Join(tmp, "webapp")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./examples/webapp")
	build.Dir = ".."
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build ./examples/webapp: %s", out)
	appPort := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", appPort)
	app := exec.Command(bin, "-addr", fmt.Sprintf("127.0.0.1:%d", appPort))
	app.Env = append(os.Environ(), "DATABASE_URL=", "SECRET_KEY=")
	app.Stderr = testWriter{t, "webapp"}
	stdout, err := app.StdoutPipe()
	require.NoError(t, err)
	appExited := start(t, app)
	passwords := demoPasswords(t, stdout)
	waitHTTP(t, base+"/healthz", appExited)

	d := startBrowser(ctx, t, tmp)

	shot := func(name string) {
		png, err := d.screenshot(ctx)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(tmp, name), png, 0o644))
		if dir := os.Getenv("E2E_SCREENSHOT_DIR"); dir != "" {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), png, 0o644))
		}
		t.Logf("screenshot %s (%d bytes)", name, len(png))
	}
	page := func() string {
		s, err := d.source(ctx)
		require.NoError(t, err)
		return s
	}
	onReports := func(u string) bool { return strings.HasSuffix(u, "/reports/") && !strings.Contains(u, "login") }
	login := func(password string) {
		require.NoError(t, d.typeInto(ctx, "#id_username", "alice"))
		require.NoError(t, d.typeInto(ctx, "#id_password", password))
		require.NoError(t, d.click(ctx, "button[type=submit]"))
	}

	// 1. A protected page sends an anonymous visitor to the login page.
	require.NoError(t, d.navigate(ctx, base+"/reports/"))
	u, err := d.waitURL(ctx, hasSuffixPath("/accounts/login/?next=/reports/"))
	require.NoError(t, err)
	t.Logf("anonymous /reports/ -> %s", u)
	shot("login.png")

	// 2. Log in: back on the protected page.
	login(passwords["alice"])
	_, err = d.waitURL(ctx, onReports)
	require.NoError(t, err)
	assert.Contains(t, page(), "here are the reports")

	// 3. A page that needs a permission alice lacks: 403.
	require.NoError(t, d.navigate(ctx, base+"/reports/publish/"))
	assert.Contains(t, page(), "403 · Permission denied")
	assert.NotContains(t, page(), "you may publish reports")
	shot("forbidden.png")

	// 4. Change the password.
	const newPassword = "correct-horse-battery-staple"
	require.NoError(t, d.navigate(ctx, base+"/accounts/password_change/"))
	require.NoError(t, d.typeInto(ctx, "#id_old_password", passwords["alice"]))
	require.NoError(t, d.typeInto(ctx, "#id_new_password1", newPassword))
	require.NoError(t, d.typeInto(ctx, "#id_new_password2", newPassword))
	require.NoError(t, d.click(ctx, "button[type=submit]"))
	_, err = d.waitURL(ctx, hasSuffixPath("/accounts/password_change/done/"))
	require.NoError(t, err)
	assert.Contains(t, page(), "Your password was changed.")
	shot("password_changed.png")

	// The session survived the change.
	require.NoError(t, d.navigate(ctx, base+"/reports/"))
	assert.Contains(t, page(), "here are the reports")

	// 5. Log out with the home page's button.
	require.NoError(t, d.navigate(ctx, base+"/"))
	require.NoError(t, d.click(ctx, "form[action='/accounts/logout/'] button"))
	_, err = d.waitURL(ctx, hasSuffixPath("/accounts/logout/"))
	require.NoError(t, err)
	assert.Contains(t, page(), "Logged out")

	// 6. The protected page sends us to log in again.
	require.NoError(t, d.navigate(ctx, base+"/reports/"))
	_, err = d.waitURL(ctx, hasSuffixPath("/accounts/login/?next=/reports/"))
	require.NoError(t, err)

	// The old password no longer works; the new one does.
	login(passwords["alice"])
	require.NoError(t, d.waitSource(ctx, "Please enter a correct username and password."))
	assert.Contains(t, page(), `name="next" value="/reports/"`)
	require.NoError(t, d.navigate(ctx, base+"/reports/"))
	login(newPassword)
	_, err = d.waitURL(ctx, onReports)
	require.NoError(t, err)
	assert.Contains(t, page(), "here are the reports")
}

// testWriter sends a subprocess's output to the test log, line by line.
type testWriter struct {
	t    *testing.T
	name string
}

func (w testWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.t.Logf("%s: %s", w.name, line)
	}
	return len(p), nil
}
