package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/testenv"
)

// loadAxe returns axe-core's browser build, or skips t when it is not
// installed (run npm ci in e2e/testdata/axe, as .ci/run does).
func loadAxe(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(axePath)
	if err != nil {
		testenv.Skip(t, testenv.Node, fmt.Sprintf("no %s (%v): run npm ci in e2e/testdata/axe; .ci/run does", axePath, err))
	}
	return string(src)
}

// pageWalk drives a browser through a site's pages and runs axe-core on
// each page it is asked to check, in every one of views; it collects
// the violations so that one run reports them all. With
// DJAUTH_SCREENSHOTS=dir it also saves each checked page in each view
// there as NAME<shotSuffix>-VIEW.png.
type pageWalk struct {
	t          *testing.T
	ctx        context.Context
	d          *webDriver
	origin     string
	axeSrc     string
	shotDir    string
	shotSuffix string

	pages    int
	failures []string
}

// newPageWalk returns a pageWalk over the site at origin, creating the
// screenshot folder when DJAUTH_SCREENSHOTS names one.
func newPageWalk(ctx context.Context, t *testing.T, d *webDriver, origin, axeSrc, shotSuffix string) *pageWalk {
	t.Helper()
	w := &pageWalk{t: t, ctx: ctx, d: d, origin: origin, axeSrc: axeSrc,
		shotDir: os.Getenv("DJAUTH_SCREENSHOTS"), shotSuffix: shotSuffix}
	if w.shotDir != "" {
		require.NoError(t, os.MkdirAll(w.shotDir, 0o755))
	}
	return w
}

// check waits for the open page's HTML to contain want, then runs axe
// on it in every view (and saves its screenshots), and leaves the page
// in views[0].
func (w *pageWalk) check(name, want string) {
	t := w.t
	t.Helper()
	require.NoError(t, w.d.waitSource(w.ctx, want), name)
	w.pages++
	for _, v := range views {
		require.NoError(t, w.d.emulate(w.ctx, v))
		vs, err := w.d.axeRun(w.ctx, w.axeSrc)
		require.NoError(t, err, "%s (%s)", name, v.name)
		for _, x := range vs {
			w.failures = append(w.failures, fmt.Sprintf("%s (%s): %s", name, v.name, x))
		}
		if w.shotDir != "" {
			png, err := w.d.screenshot(w.ctx)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(w.shotDir, name+w.shotSuffix+"-"+v.name+".png"), png, 0o644))
		}
	}
	require.NoError(t, w.d.emulate(w.ctx, views[0]))
}

// visit navigates to path on the site without checking the page.
func (w *pageWalk) visit(path string) {
	w.t.Helper()
	require.NoError(w.t, w.d.navigate(w.ctx, w.origin+path))
}

// open navigates to path on the site and checks the page as check does.
func (w *pageWalk) open(path, name, want string) {
	w.t.Helper()
	w.visit(path)
	w.check(name, want)
}

// fill types text into the field labelled label.
func (w *pageWalk) fill(label, text string) {
	w.t.Helper()
	require.NoError(w.t, w.d.fillLabel(w.ctx, label, text), label)
}

// press clicks the button or link that says text.
func (w *pageWalk) press(text string) {
	w.t.Helper()
	require.NoError(w.t, w.d.press(w.ctx, text), text)
}

// logIn fills the open English login form with username and password
// and submits it.
func (w *pageWalk) logIn(username, password string) {
	w.t.Helper()
	w.fill("Username", username)
	w.fill("Password", password)
	w.press("Log in")
}

// done logs how many pages (described by what, e.g. "French pages") axe
// checked, and fails the test with every violation found.
func (w *pageWalk) done(what string) {
	w.t.Helper()
	w.t.Logf("axe-core %s checked %d %s in %d views", axeVersion(w.axeSrc), w.pages, what, len(views))
	if len(w.failures) > 0 {
		w.t.Fatalf("%d accessibility violations:\n  %s", len(w.failures), strings.Join(w.failures, "\n  "))
	}
}
