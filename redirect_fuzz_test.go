package auth_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	whatwg "github.com/nlnwa/whatwg-url/url"

	auth "github.com/djauth/auth"
)

// fuzzAllowedHosts are Config.RedirectAllowedHosts of FuzzRedirectLocation; the
// request's own host, testserver, is allowed too.
var fuzzAllowedHosts = []string{"sso.example"}

// redirectSeeds are Django's url_has_allowed_host_and_scheme tables
// (tests/utils_tests/test_http.py), the next values of Django's
// LoginTest.test_security_check, and dot-segment, backslash, percent and
// whitespace variants of the kind that http.Redirect's path cleaning
// turned into another host.
func redirectSeeds() []string {
	seeds := slices.Concat(djangoBadURLs, djangoGoodURLs, []string{
		// test_basic_auth, test_no_allowed_hosts, test_secure_param_*
		"http://user:pass@testserver/", "/confirm/me@example.com", "http://good.com/good",
		"https://example.com/p", "HTTPS://example.com/p", "//example.com/p",
		// LoginTest.test_security_check
		"///example.com", "//example.com", "https://testserver/", "//testserver/",
		// Dot segments and backslashes.
		`/./\evil.com`, "/..//evil.com", `/.\\evil`, `\/\/evil`, "/%2e%2e/", `/%2e%2e/\evil.com`,
		`/a/../\evil.com`, "/a/..//evil.com", `/x/..\/evil.com`, `/.\/evil.com/`, `view/../\evil.com`,
		`/./\/evil.com`, `/.//\evil.com`, `/.%2e/\evil.com`, `./\evil.com`, `.\\evil.com`, `..\/evil.com`,
		"https://testserver/..//evil.com", `https://testserver\@evil.com`, "https://sso.example/../\\evil",
		// Tabs, newlines, spaces and controls inside.
		"/.\t/\\evil.com", "/\t/evil.com", "\t//evil.com", "/\n\\evil.com", "/\r/evil.com", " /./\\evil.com",
		"/.\x00/\\evil.com", "\x01/./\\evil.com", "/./\\evil.com\t", "/\u00a0/evil.com", "\u3000//evil.com",
		"/a b/../\\evil", "/caf\u00e9/./\\evil",
	})
	return seeds
}

// FuzzRedirectLocation runs the real login and logout handlers with a
// fuzzed next value and checks the Location header that leaves the
// server: it holds no control character, space or non-ASCII byte, and
// resolved by a WHATWG URL parser (what a browser does) against the page
// it answers, it is an http or https URL on an allowed host, or no URL at
// all (a browser follows nothing).
func FuzzRedirectLocation(f *testing.F) {
	for _, s := range redirectSeeds() {
		f.Add(s, false)
		f.Add(s, true)
	}
	e := newEnv(f, func(c *auth.Config[auth.User], _ *env[auth.User]) { c.RedirectAllowedHosts = fuzzAllowedHosts })
	e.createUser("testclient", "password")
	app := e.app()
	allowed := append([]string{"testserver"}, fuzzAllowedHosts...)
	f.Fuzz(func(t *testing.T, next string, secure bool) {
		scheme := "http"
		if secure {
			scheme = "https"
		}
		for _, page := range []string{"/accounts/login/", "/accounts/logout/"} {
			site := scheme + "://testserver" + page
			c := newClient(t, app)
			resp := c.post(site, url.Values{"username": {"testclient"}, "password": {"password"}, "next": {next}})
			if resp.StatusCode != http.StatusFound {
				continue
			}
			loc := resp.Header.Get("Location")
			for i := 0; i < len(loc); i++ {
				if c := loc[i]; c <= 0x20 || c >= 0x7f {
					t.Fatalf("%s next=%q: Location %q has byte %#x", page, next, loc, c)
				}
			}
			u, err := whatwg.ParseRef(site, loc)
			if err != nil {
				continue // not a URL: a browser goes nowhere
			}
			if s := u.Scheme(); s != "http" && s != "https" {
				t.Fatalf("%s next=%q: Location %q resolves to %s, scheme %q", page, next, loc, u.Href(false), s)
			}
			if !slices.Contains(allowed, u.Host()) {
				t.Fatalf("%s next=%q: Location %q resolves to %s, host %q", page, next, loc, u.Href(false), u.Host())
			}
		}
	})
}
