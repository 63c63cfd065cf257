package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	otptotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/social"
)

// axeTags are the rule sets every page must pass: WCAG 2.0, 2.1 and 2.2,
// levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axePath is axe-core's browser build, installed by `npm ci` in
// e2e/testdata/axe (as .ci/run does).
const axePath = "testdata/axe/node_modules/axe-core/axe.min.js"

// axeViolation is one failed axe rule with the nodes it failed on.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n      %v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " / "))
	}
	return b.String()
}

// execute runs a synchronous script and decodes its result into out.
func (d *webDriver) execute(ctx context.Context, script string, args []any, out any) error {
	if args == nil {
		args = []any{}
	}
	return d.call(ctx, http.MethodPost, d.path("/execute/sync"), map[string]any{"script": script, "args": args}, out)
}

// cdp sends a Chrome DevTools Protocol command through chromedriver.
func (d *webDriver) cdp(ctx context.Context, cmd string, params map[string]any) error {
	return d.call(ctx, http.MethodPost, d.path("/goog/cdp/execute"), map[string]any{"cmd": cmd, "params": params}, nil)
}

// view is one way of looking at a page: a colour scheme and a width.
type view struct {
	name   string
	dark   bool
	width  int
	height int
	mobile bool
}

var views = []view{
	{"desktop", false, 1280, 900, false},
	{"desktop-dark", true, 1280, 900, false},
	{"phone", false, 390, 844, true},
	{"phone-dark", true, 390, 844, true},
}

// emulate makes the open page look as v: the viewport's size and
// prefers-color-scheme change in place, without reloading (some pages
// answer a POST).
func (d *webDriver) emulate(ctx context.Context, v view) error {
	scheme := "light"
	if v.dark {
		scheme = "dark"
	}
	if err := d.cdp(ctx, "Emulation.setEmulatedMedia", map[string]any{
		"features": []map[string]string{{"name": "prefers-color-scheme", "value": scheme}},
	}); err != nil {
		return err
	}
	return d.cdp(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": v.width, "height": v.height, "deviceScaleFactor": 1, "mobile": v.mobile,
	})
}

// axeRun injects axe-core into the open page (once) and returns its
// violations of axeTags.
func (d *webDriver) axeRun(ctx context.Context, axeJS string) ([]axeViolation, error) {
	var loaded bool
	if err := d.execute(ctx, `return typeof window.axe === "object";`, nil, &loaded); err != nil {
		return nil, err
	}
	if !loaded {
		if err := d.execute(ctx, axeJS+"\n;return true;", nil, &loaded); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	tags, _ := json.Marshal(axeTags)
	var out string
	err := d.executeAsync(ctx, `const done = arguments[arguments.length-1];
		axe.run(document, {runOnly: {type: "tag", values: `+string(tags)+`}, resultTypes: ["violations"]})
			.then(r => done(JSON.stringify(r.violations)))
			.catch(e => done("ERROR " + e));`, &out)
	if err != nil {
		return nil, err
	}
	if rest, ok := strings.CutPrefix(out, "ERROR "); ok {
		return nil, fmt.Errorf("axe.run: %s", rest)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		return nil, fmt.Errorf("axe.run result: %w", err)
	}
	return vs, nil
}

// TestBrowserEveryPageAccessible walks through every page of the
// library (core, accounts with emails, MFA, passkeys and passwordless,
// social's identities page) in Chromium and runs axe-core's WCAG 2.2 A
// and AA rules on each, in the light and the dark colour scheme and at a
// desktop's and a phone's width: any violation fails the test with its
// rule, impact and nodes. With DJAUTH_SCREENSHOTS=dir it also saves a PNG
// of each page in each view there (docs/screenshots/ holds a selection).
func TestBrowserEveryPageAccessible(t *testing.T) {
	requireBrowser(t)
	axeSrc := loadAxe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	tmp := t.TempDir()

	s := newPagesSiteWith(t, pagesOptions{
		mfa: true, passwordless: true,
		providers: func(origin string) []social.Provider {
			gh, err := social.NewGitHub(social.GitHubConfig{ClientID: "e2e-client", ClientSecret: "e2e-secret"})
			require.NoError(t, err)
			return []social.Provider{gh}
		},
		ui: auth.UI{SiteName: "Example"},
		// Two languages: every page has the footer's language switcher.
		languages: []string{"en", "fr"},
	})
	d := startBrowser(ctx, t, tmp)

	// w checks each page with axe in every view.
	w := newPageWalk(ctx, t, d, s.origin, axeSrc, "")
	check, open, fill, press := w.check, w.open, w.fill, w.press
	const password = "correct horse battery staple"
	const newPassword = "another horse battery staple"

	// Anonymous pages: login, sign-up, verification.
	open("/accounts/login/", "login", "<h1>Log in</h1>")
	fill("Username", "nobody")
	fill("Password", "wrong")
	press("Log in")
	check("login-errors", `id="id_errors"`)
	open("/accounts/signup/", "signup", "<h1>Sign up</h1>")
	fill("Username", "ann")
	fill("Email address", "ann@example.com")
	fill("Password", "short")
	fill("Password (again)", "different")
	press("Sign up")
	check("signup-errors", `id="id_errors"`)
	fill("Password", password)
	fill("Password (again)", password)
	press("Sign up")
	check("verify-email", "<h1>Verify your email address</h1>")
	link, _ := s.verificationMail(t, "ann@example.com")
	press("Type the code")
	check("verify-code", "<h1>Enter your verification code</h1>")
	fill("Code from the mail", "WRONG000")
	press("Verify")
	check("verify-code-errors", `id="id_errors"`)
	require.NoError(t, d.navigate(ctx, link))
	check("confirm-email", "<h1>Confirm email address</h1>")
	press("Confirm")
	check("email-confirmed", "<h1>Email address verified</h1>")
	open("/accounts/confirm-email/not-a-key/", "confirm-email-invalid", "<h1>Invalid link</h1>")

	// Password reset, by mail.
	open("/accounts/password_reset/", "password-reset", "<h1>Password reset</h1>")
	fill("Email address", "ann@example.com")
	press("Reset my password")
	check("password-reset-done", "<h1>Password reset sent</h1>")
	resetLink := s.mailLink(t, "ann@example.com", resetLinkRE)
	require.NoError(t, d.navigate(ctx, resetLink))
	check("password-reset-confirm", "<h1>Enter new password</h1>")
	fill("New password", newPassword)
	fill("Confirm password", "not the same")
	press("Change my password")
	check("password-reset-confirm-errors", `id="id_errors"`)
	fill("New password", newPassword)
	fill("Confirm password", newPassword)
	press("Change my password")
	check("password-reset-complete", "<h1>Password reset complete</h1>")
	open("/accounts/reset/MQ/bad-token/", "password-reset-invalid", "<h1>Password reset unsuccessful</h1>")

	// Passwordless: the form, the code page and the link's page.
	open("/accounts/passwordless/", "passwordless-start", "<h1>Email me a login link</h1>")
	fill("Email address", "ann@example.com")
	press("Email me a login link")
	check("passwordless-code", "<h1>Check your email</h1>")
	pwLink := s.mailLink(t, "ann@example.com", passwordlessLinkRE)
	require.NoError(t, d.navigate(ctx, pwLink))
	check("passwordless-link", "<h1>Log in by email</h1>")

	// Logged in: the profile and the account's pages.
	open("/accounts/login/", "login-again", "<h1>Log in</h1>")
	w.logIn("ann", newPassword)
	_, err := d.waitURL(ctx, func(u string) bool { return !strings.HasSuffix(u, "/accounts/login/") })
	require.NoError(t, err)
	open(s.flow.ReminderURL(), "mfa-reminder", "<h1>Set up two-factor authentication</h1>")
	open("/accounts/profile/", "profile", "<h1>Your account</h1>")
	open("/accounts/email/", "emails", "<h1>Email addresses</h1>")
	open("/accounts/password_change/", "password-change", "<h1>Password change</h1>")
	fill("Old password", "wrong")
	fill("New password", password)
	fill("New password confirmation", "not the same")
	press("Change my password")
	check("password-change-errors", `id="id_errors"`)
	fill("Old password", newPassword)
	fill("New password", password)
	fill("New password confirmation", password)
	press("Change my password")
	check("password-change-done", "<h1>Password change successful</h1>")
	open("/accounts/sessions/", "sessions", "<h1>Your sessions</h1>")
	open(s.flow.VerifyURL(), "mfa-verify", "<h1>Confirm it’s you</h1>")
	open(s.social.IdentitiesURL(), "identities", "<h1>Linked identities</h1>")
	open("/accounts/social/github/login/", "social-start", "<h1>Log in with GitHub</h1>")
	open("/accounts/social/github/callback/?state=forged&code=x", "social-failed", `role="alert"`)
	open("/forbidden/", "forbidden", "Permission denied")

	// Two-factor authentication: overview, an authenticator app, its
	// page, recovery codes and passkeys.
	open(s.flow.EnrolURL(), "mfa-overview", "<h1>Two-factor authentication</h1>")
	open(s.flow.EnrolURL()+"totp/add/", "mfa-totp-add", "<h1>Add an authenticator app</h1>")
	fill("Name", "Phone")
	press("Continue")
	check("mfa-totp-setup", `id="id_secret"`)
	secretEl, err := d.find(ctx, "#id_secret")
	require.NoError(t, err)
	secret, err := d.property(ctx, secretEl, "textContent")
	require.NoError(t, err)
	code, err := otptotp.GenerateCode(strings.ReplaceAll(secret, " ", ""), time.Now())
	require.NoError(t, err)
	fill("Code from your authenticator app", code)
	press("Confirm")
	_, err = d.waitURL(ctx, func(u string) bool { return !strings.Contains(u, "/totp/add/") })
	require.NoError(t, err)
	open(s.flow.EnrolURL(), "mfa-overview-enrolled", "Phone</a>")
	press("Phone")
	check("mfa-totp-device", "<h1>Phone</h1>")
	open(s.flow.EnrolURL()+"recovery/", "mfa-recovery", "<h1>Recovery codes</h1>")
	if err := d.press(ctx, "Generate new recovery codes"); err != nil {
		press("Generate recovery codes")
	}
	check("mfa-recovery-codes", `class="codes"`)
	open(s.manager.PasskeysURL(""), "passkeys", "<h1>Passkeys</h1>")

	// Log out (the GET page, then the button), and the second step of a
	// login with the authenticator app.
	open("/accounts/logout/", "logout", "<h1>Log out</h1>")
	press("Log out")
	check("logged-out", "<h1>Logged out</h1>")
	open("/accounts/login/", "login-mfa", "<h1>Log in</h1>")
	w.logIn("ann", password)
	check("mfa-challenge", "<h1>Two-factor authentication</h1>")
	fill("Code from your authenticator app", "000000")
	press("Verify")
	check("mfa-challenge-errors", `id="id_errors"`)

	w.done("pages")
}

var (
	resetLinkRE        = regexp.MustCompile(`(http://\S+/accounts/reset/[^/\s]+/[^/\s]+/)`)
	passwordlessLinkRE = regexp.MustCompile(`(http://\S+/accounts/passwordless/link/[^/\s]+/[^/\s]+/)`)
	axeVersionRE       = regexp.MustCompile(`axe v([0-9.]+)`)
)

func axeVersion(src string) string {
	if m := axeVersionRE.FindStringSubmatch(src[:min(len(src), 400)]); m != nil {
		return m[1]
	}
	return "?"
}

// mailLink waits for a mail to email with a link matching re (its first
// group) and returns the newest such link.
func (s *pagesSite) mailLink(t *testing.T, email string, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs := s.outbox.Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			m := msgs[i]
			if len(m.To) == 1 && m.To[0] == email {
				if l := re.FindStringSubmatch(m.Text); l != nil {
					return l[1]
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no mail to %s with a link like %s within 10s", email, re)
	return ""
}
