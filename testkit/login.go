package testkit

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// SocialLogin describes a login through a provider that RunSocialLogin
// drives: the app's POST that starts it, the provider's login form, and
// the redirect back to the app's callback.
type SocialLogin struct {
	// StartURL is the app's page whose POST starts the login (package
	// social's Social.LoginURL, made absolute: "http://127.0.0.1:8000/accounts/social/test/login/").
	StartURL string
	// Form is extra fields of the starting POST, such as next or
	// process=connect.
	Form url.Values
	// Login and Password are typed into the provider's login form: into
	// the field named login, username or email, and the password field.
	// An OIDCProvider takes any password; Login picks its account.
	Login    string
	Password string
	// Client is the browser; nil is a new client with a cookie jar.
	// Its redirects are followed one by one by RunSocialLogin, whatever
	// its CheckRedirect.
	Client *http.Client
	// SessionCookie is the name of the app's session cookie; "" is
	// "sessionid", Django's and the Auth's default.
	SessionCookie string
	// MaxSteps bounds the requests made; 0 is 30.
	MaxSteps int
}

// SocialLoginResult is the end of a login that RunSocialLogin drove.
type SocialLoginResult struct {
	// Client is the browser, with the app's and the provider's cookies.
	Client *http.Client
	// Session is the app's session cookie after the login.
	Session *http.Cookie
	// URL is the last page the app answered (where the callback's
	// redirects ended), Status its status and Body its text.
	URL    string
	Status int
	Body   string
}

// ErrLoginNotFinished is returned by RunSocialLogin when the provider's
// pages never sent the browser back to the app.
var ErrLoginNotFinished = errors.New("testkit: the provider login did not come back to the app")

var (
	formRe  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRe = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	attrRe  = regexp.MustCompile(`(?is)([a-z_:-]+)\s*=\s*("([^"]*)"|'([^']*)')`)
)

// RunSocialLogin runs l with a browser: it POSTs the app's start page,
// follows the redirect to the provider, fills in its login (and any
// consent) forms, follows the redirect back to the app's callback and
// the app's redirects after it, and returns the app's session cookie.
// It works with OIDCProvider's pages and with any provider whose login
// form is a plain HTML form (the first form of each page is submitted).
// The login succeeded when the app's answer says so: check
// SocialLoginResult (the session, or a page that needs the user).
func RunSocialLogin(ctx context.Context, l SocialLogin) (*SocialLoginResult, error) {
	app, err := url.Parse(l.StartURL)
	if err != nil || app.Host == "" {
		return nil, fmt.Errorf("testkit: StartURL %q is not an absolute URL", l.StartURL)
	}
	c := l.Client
	if c == nil {
		jar, err := cookiejar.New(nil)
		if err != nil {
			return nil, err
		}
		c = &http.Client{Jar: jar, Timeout: 20 * time.Second}
	}
	step := *c
	step.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if l.SessionCookie == "" {
		l.SessionCookie = "sessionid"
	}
	if l.MaxSteps == 0 {
		l.MaxSteps = 30
	}
	form := url.Values{}
	for k, v := range l.Form {
		form[k] = v
	}
	res, err := do(ctx, &step, http.MethodPost, l.StartURL, form)
	if err != nil {
		return nil, err
	}
	leftApp := false
	for range l.MaxSteps {
		onApp := res.url.Host == app.Host
		leftApp = leftApp || !onApp
		switch {
		case res.loc != nil:
			res, err = do(ctx, &step, http.MethodGet, res.loc.String(), nil)
		case onApp:
			if !leftApp {
				return nil, fmt.Errorf("testkit: the app did not send the browser to the provider: %s answered %d", res.url, res.status)
			}
			out := &SocialLoginResult{Client: c, URL: res.url.String(), Status: res.status, Body: res.body}
			if c.Jar != nil {
				for _, ck := range c.Jar.Cookies(app) {
					if ck.Name == l.SessionCookie {
						out.Session = ck
					}
				}
			}
			return out, nil
		default:
			res, err = submit(ctx, &step, res, l.Login, l.Password)
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, ErrLoginNotFinished
}

type answer struct {
	url    *url.URL
	status int
	loc    *url.URL
	body   string
}

func do(ctx context.Context, c *http.Client, method, target string, form url.Values) (*answer, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// The app's CSRF protection wants a same-origin request.
		req.Header.Set("Origin", req.URL.Scheme+"://"+req.URL.Host)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	a := &answer{url: req.URL, status: resp.StatusCode, body: string(raw)}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if a.loc, err = req.URL.Parse(loc); err != nil {
			return nil, fmt.Errorf("testkit: redirect from %s: %w", req.URL, err)
		}
	}
	return a, nil
}

// submit fills in and posts the first form of a provider's page.
func submit(ctx context.Context, c *http.Client, a *answer, login, password string) (*answer, error) {
	m := formRe.FindStringSubmatch(a.body)
	if m == nil {
		return nil, fmt.Errorf("testkit: the provider's page %s (%d) has no form", a.url, a.status)
	}
	attrs := attributes(m[1])
	action, err := a.url.Parse(attrs["action"])
	if err != nil {
		return nil, fmt.Errorf("testkit: form action on %s: %w", a.url, err)
	}
	form := url.Values{}
	for _, in := range inputRe.FindAllStringSubmatch(m[2], -1) {
		f := attributes(in[1])
		name := f["name"]
		if name == "" {
			continue
		}
		switch typ := strings.ToLower(f["type"]); {
		case typ == "password":
			form.Set(name, password)
		case typ == "submit" || typ == "button" || typ == "checkbox" || typ == "radio":
		case name == "login" || name == "username" || name == "email":
			form.Set(name, login)
		default:
			form.Set(name, f["value"])
		}
	}
	method := strings.ToUpper(attrs["method"])
	if method == http.MethodGet {
		action.RawQuery = form.Encode()
		return do(ctx, c, http.MethodGet, action.String(), nil)
	}
	return do(ctx, c, http.MethodPost, action.String(), form)
}

func attributes(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRe.FindAllStringSubmatch(s, -1) {
		v := m[3]
		if m[2] != "" && m[2][0] == '\'' {
			v = m[4]
		}
		out[strings.ToLower(m[1])] = html.UnescapeString(v)
	}
	return out
}
