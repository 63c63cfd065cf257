package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/mfa/passkey"
	"github.com/djauth/auth/mfa/recovery"
	"github.com/djauth/auth/mfa/totp"
	"github.com/djauth/auth/passwordless"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/store/memory"
)

// pagesSite is an app with the account pages of package accounts under
// /accounts/, sign-up with mandatory email verification (emails.Gate),
// mail to an Outbox and, when providers are given, package social under
// /accounts/social/.
type pagesSite struct {
	origin  string
	users   *memory.Store[auth.User]
	emails  *emails.MemoryStore
	outbox  *mail.Outbox
	social  *social.Social[auth.User]
	accts   *social.MemoryStore
	manager *accounts.Manager[auth.User]
	auth    *auth.Auth[auth.User]
	flow    *mfa.Flow[auth.User]
	totp    *totp.Factor
}

// pagesOptions adds to the site: social providers (built once the
// origin is known), a second factor (TOTP, recovery codes and passkeys
// under a policy with a grace period), passwordless login, a page that
// needs a permission (/forbidden/) and a look.
type pagesOptions struct {
	providers    func(origin string) []social.Provider
	mfa          bool
	passwordless bool
	ui           auth.UI
	// languages are the Auth's languages (i18n.Config.Languages); nil
	// is English only.
	languages []string
}

// newPagesSite starts the site on a loopback port; providers builds the
// social providers once the origin is known (nil: no social login).
func newPagesSite(t *testing.T, providers func(origin string) []social.Provider) *pagesSite {
	t.Helper()
	return newPagesSiteWith(t, pagesOptions{providers: providers})
}

// newPagesSiteWith starts the site with the options.
func newPagesSiteWith(t *testing.T, o pagesOptions) *pagesSite {
	t.Helper()
	providers := o.providers
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &pagesSite{origin: "http://" + l.Addr().String(), users: memory.New[auth.User](), outbox: new(mail.Outbox)}
	if o.mfa {
		// WebAuthn wants a domain: the passkeys live on localhost.
		s.origin = fmt.Sprintf("http://localhost:%d", l.Addr().(*net.TCPAddr).Port)
	}
	s.emails = emails.NewMemoryStore(true, func(ctx context.Context, id int64, email string) error {
		u, err := s.users.GetUser(ctx, id)
		if err != nil {
			return err
		}
		u.Email = email
		return s.users.UpdateUser(ctx, u)
	})
	em, err := emails.NewManager(emails.Config{Store: s.emails, SecretKey: pagesSecret})
	require.NoError(t, err)
	backends := []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, social.NewBackend[auth.User]("")}
	var pl *passwordless.Backend[auth.User]
	if o.passwordless {
		pl, err = passwordless.New[auth.User](passwordless.Config{Store: passwordless.NewMemoryStore(), Mailer: s.outbox, Emails: em})
		require.NoError(t, err)
		backends = append(backends, pl)
	}
	var pk *passkey.Passkeys
	if o.mfa {
		s.totp, err = totp.New(totp.Config{Store: totp.NewMemoryStore(), Issuer: "e2e"})
		require.NoError(t, err)
		rec, err := recovery.New(recovery.Config{Store: recovery.NewMemoryStore()})
		require.NoError(t, err)
		pk, err = passkey.New(passkey.Config{RPID: "localhost", RPOrigins: []string{s.origin}, Store: passkey.NewMemoryStore()})
		require.NoError(t, err)
		policy := mfa.NewMemoryPolicyStore()
		require.NoError(t, policy.SetPolicy(context.Background(), mfa.Policy{Everyone: true, Grace: 7 * 24 * time.Hour}))
		s.flow, err = mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{s.totp, rec, pk}, Policy: policy})
		require.NoError(t, err)
	}
	cfg := auth.Config[auth.User]{
		Store: s.users, Hashers: hashers.New(hashers.MD5{}), SecretKey: pagesSecret,
		Logger:   slog.New(slog.DiscardHandler),
		Sessions: auth.SessionConfig{InsecureCookie: true},
		Backends: backends,
		// Mandatory verification: a login waits for a verified address.
		LoginGate: &emails.Gate[auth.User]{Manager: em, URL: accounts.VerificationRequiredURL("")},
		UI:        o.ui,
		I18n:      i18n.Config{Languages: o.languages},
	}
	if s.flow != nil {
		cfg.SecondFactor = s.flow
	}
	a, err := auth.New(cfg)
	require.NoError(t, err)
	s.auth = a
	t.Cleanup(func() { _ = a.Close() })
	if pl != nil {
		t.Cleanup(func() { _ = pl.Close() }) // runs before the Auth's Close
	}
	s.manager, err = accounts.New(a, accounts.Config{Mailer: s.outbox, Emails: em, SiteURL: s.origin, SiteName: "e2e",
		Passwordless: o.passwordless})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.manager.Close() })
	mux := http.NewServeMux()
	s.manager.Routes(mux, "")
	mux.Handle("/forbidden/", a.PermissionRequired("reports.view_report")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("reports"))
	})))
	if providers != nil {
		s.accts = social.NewMemoryStore()
		s.social, err = social.New(a, social.Config[auth.User]{Store: s.accts, BaseURL: s.origin, SignUp: true,
			Emails: s.emails, Providers: providers(s.origin)})
		require.NoError(t, err)
		mux.Handle("/accounts/social/", s.social.Handler())
	}
	srv := httptest.NewUnstartedServer(a.Middleware(mux))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return s
}

const pagesSecret = "pages-browser-test-secret-key-0123456789-abcdefgh"

// address returns the one stored address email.
func (s *pagesSite) address(t *testing.T, email string) emails.Address {
	t.Helper()
	found, err := s.emails.FindAddresses(context.Background(), email)
	require.NoError(t, err)
	require.Len(t, found, 1, email)
	return found[0]
}

var (
	mailLinkRE = regexp.MustCompile(`(?m)^(http://\S+/accounts/confirm-email/[^/\s]+/)$`)
	mailCodeRE = regexp.MustCompile(`(?m)^([0-9A-Z]{8})$`)
)

// verificationMail waits for the verification mail to email (the
// accounts mail queue sends it in the background) and returns its link
// and code.
func (s *pagesSite) verificationMail(t *testing.T, email string) (link, code string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range s.outbox.Messages() {
			if len(m.To) != 1 || m.To[0] != email {
				continue
			}
			l, c := mailLinkRE.FindStringSubmatch(m.Text), mailCodeRE.FindStringSubmatch(m.Text)
			require.NotNil(t, l, "a link in:\n%s", m.Text)
			require.NotNil(t, c, "a code in:\n%s", m.Text)
			return l[1], c[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no mail to %s within 10s", email)
	return "", ""
}

// screenshotTo saves the viewport as dir/name (and in
// E2E_SCREENSHOT_DIR when set).
func screenshotTo(t *testing.T, ctx context.Context, d *webDriver, dir, name string) {
	t.Helper()
	png, err := d.screenshot(ctx)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), png, 0o644))
	if keep := os.Getenv("E2E_SCREENSHOT_DIR"); keep != "" {
		require.NoError(t, os.WriteFile(filepath.Join(keep, name), png, 0o644))
	}
	t.Logf("screenshot %s (%d bytes)", name, len(png))
}

// findXPath returns the first element matching an XPath expression.
func (d *webDriver) findXPath(ctx context.Context, xpath string) (string, error) {
	var el map[string]string
	if err := d.call(ctx, http.MethodPost, d.path("/element"), map[string]string{"using": "xpath", "value": xpath}, &el); err != nil {
		return "", fmt.Errorf("find %s: %w", xpath, err)
	}
	return el[elementKey], nil
}

// property returns a DOM property of an element as a string.
func (d *webDriver) property(ctx context.Context, id, name string) (string, error) {
	var v any
	if err := d.call(ctx, http.MethodGet, d.path("/element/"+id+"/property/"+name), nil, &v); err != nil {
		return "", err
	}
	if v == nil {
		return "", nil
	}
	return fmt.Sprint(v), nil
}

// xpathText is s as an XPath string literal (s holds no double quote).
func xpathText(s string) string { return `"` + s + `"` }

// labelled returns the element that the label whose text is label names
// with its for attribute, as a person using a screen reader finds the
// field.
func (d *webDriver) labelled(ctx context.Context, label string) (string, error) {
	lab, err := d.findXPath(ctx, "//label[normalize-space()="+xpathText(label)+"]")
	if err != nil {
		return "", err
	}
	id, err := d.property(ctx, lab, "htmlFor")
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", fmt.Errorf("the label %q has no for attribute", label)
	}
	return d.find(ctx, `[id="`+id+`"]`)
}

// fillLabel types text into the field of the label, after clearing it.
func (d *webDriver) fillLabel(ctx context.Context, label, text string) error {
	el, err := d.labelled(ctx, label)
	if err != nil {
		return err
	}
	if err := d.call(ctx, http.MethodPost, d.path("/element/"+el+"/clear"), map[string]any{}, nil); err != nil {
		return err
	}
	return d.call(ctx, http.MethodPost, d.path("/element/"+el+"/value"), map[string]string{"text": text}, nil)
}

// labelValue returns the value of the label's field.
func (d *webDriver) labelValue(ctx context.Context, label string) (string, error) {
	el, err := d.labelled(ctx, label)
	if err != nil {
		return "", err
	}
	return d.property(ctx, el, "value")
}

// press clicks the button or the link whose text is text.
func (d *webDriver) press(ctx context.Context, text string) error {
	el, err := d.findXPath(ctx, "(//button|//a)[normalize-space()="+xpathText(text)+"]")
	if err != nil {
		return err
	}
	return d.call(ctx, http.MethodPost, d.path("/element/"+el+"/click"), map[string]any{}, nil)
}

// waitPath waits until the page's path is p (any query).
func (d *webDriver) waitPath(ctx context.Context, origin, p string) error {
	_, err := d.waitURL(ctx, func(u string) bool {
		rest, ok := strings.CutPrefix(u, origin)
		return ok && (rest == p || strings.HasPrefix(rest, p+"?"))
	})
	return err
}
