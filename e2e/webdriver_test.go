package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// elementKey is the W3C WebDriver key of an element reference.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// webDriver is a minimal W3C WebDriver client for one session.
type webDriver struct {
	base    string // chromedriver's URL
	session string
	http    *http.Client
}

// call sends one command and decodes its "value" into out (may be nil).
func (d *webDriver) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.http.Do(req)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("webdriver %s %s: status %d, body %.200s", method, path, resp.StatusCode, raw)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error, Message string }
		_ = json.Unmarshal(env.Value, &e)
		return fmt.Errorf("webdriver %s %s: %d %s: %s", method, path, resp.StatusCode, e.Error, e.Message)
	}
	if out != nil {
		return json.Unmarshal(env.Value, out)
	}
	return nil
}

// newSession starts a headless Chromium.
func (d *webDriver) newSession(ctx context.Context, binary, userDataDir string) error {
	caps := map[string]any{
		"capabilities": map[string]any{
			"alwaysMatch": map[string]any{
				"browserName": "chrome",
				"goog:chromeOptions": map[string]any{
					"binary": binary,
					"args": []string{
						"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
						"--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
						"--disable-dev-shm-usage", "--window-size=1000,800", "--user-data-dir=" + userDataDir,
					},
				},
			},
		},
	}
	var out struct {
		SessionID string `json:"sessionId"`
	}
	if err := d.call(ctx, http.MethodPost, "/session", caps, &out); err != nil {
		return err
	}
	if out.SessionID == "" {
		return fmt.Errorf("webdriver: no session id")
	}
	d.session = out.SessionID
	return nil
}

func (d *webDriver) path(p string) string { return "/session/" + d.session + p }

// addVirtualAuthenticator gives the session a WebDriver virtual
// authenticator (CTAP2, resident keys, user verification that always
// succeeds) for passkey ceremonies.
func (d *webDriver) addVirtualAuthenticator(ctx context.Context) error {
	var id string
	return d.call(ctx, http.MethodPost, d.path("/webauthn/authenticator"), map[string]any{
		"protocol": "ctap2", "transport": "internal", "hasResidentKey": true,
		"hasUserVerification": true, "isUserVerified": true,
	}, &id)
}

// quit ends the session and closes the browser.
func (d *webDriver) quit(ctx context.Context) error {
	return d.call(ctx, http.MethodDelete, d.path(""), nil, nil)
}

// navigate loads url and waits for the page.
func (d *webDriver) navigate(ctx context.Context, url string) error {
	return d.call(ctx, http.MethodPost, d.path("/url"), map[string]string{"url": url}, nil)
}

// currentURL returns the page's URL.
func (d *webDriver) currentURL(ctx context.Context) (string, error) {
	var u string
	err := d.call(ctx, http.MethodGet, d.path("/url"), nil, &u)
	return u, err
}

// source returns the page's HTML.
func (d *webDriver) source(ctx context.Context) (string, error) {
	var s string
	err := d.call(ctx, http.MethodGet, d.path("/source"), nil, &s)
	return s, err
}

// find returns the first element matching a CSS selector.
func (d *webDriver) find(ctx context.Context, css string) (string, error) {
	var el map[string]string
	if err := d.call(ctx, http.MethodPost, d.path("/element"), map[string]string{"using": "css selector", "value": css}, &el); err != nil {
		return "", fmt.Errorf("find %q: %w", css, err)
	}
	return el[elementKey], nil
}

// typeInto types text into the element matching css.
func (d *webDriver) typeInto(ctx context.Context, css, text string) error {
	id, err := d.find(ctx, css)
	if err != nil {
		return err
	}
	return d.call(ctx, http.MethodPost, d.path("/element/"+id+"/value"), map[string]string{"text": text}, nil)
}

// click clicks the element matching css.
func (d *webDriver) click(ctx context.Context, css string) error {
	id, err := d.find(ctx, css)
	if err != nil {
		return err
	}
	return d.call(ctx, http.MethodPost, d.path("/element/"+id+"/click"), map[string]any{}, nil)
}

// screenshot returns a PNG of the viewport.
func (d *webDriver) screenshot(ctx context.Context) ([]byte, error) {
	var b64 string
	if err := d.call(ctx, http.MethodGet, d.path("/screenshot"), nil, &b64); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(b64)
}

// waitURL waits until the page's URL satisfies ok (a click that submits a
// form returns before the next page has loaded).
func (d *webDriver) waitURL(ctx context.Context, ok func(string) bool) (string, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		u, err := d.currentURL(ctx)
		if err == nil && ok(u) {
			return u, nil
		}
		if time.Now().After(deadline) {
			return u, fmt.Errorf("waiting for the URL: still %q (%v)", u, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitSource waits until the page's HTML contains text.
func (d *webDriver) waitSource(ctx context.Context, text string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := d.source(ctx)
		if err == nil && strings.Contains(s, text) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("waiting for %q in the page (%v)", text, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// hasSuffixPath reports whether the URL's path and query end with p.
func hasSuffixPath(p string) func(string) bool {
	return func(u string) bool { return strings.HasSuffix(u, p) }
}
