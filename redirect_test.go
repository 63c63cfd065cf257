package auth_test

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// Django's tests/utils_tests/test_http.py URLHasAllowedHostAndSchemeTests.
var djangoBadURLs = []string{
	"http://example.com",
	"http:///example.com",
	"https://example.com",
	"ftp://example.com",
	`\\example.com`,
	`\\\example.com`,
	`/\\/example.com`,
	`\\\example.com`,
	`\\example.com`,
	`\\//example.com`,
	`/\/example.com`,
	`\/example.com`,
	`/\example.com`,
	"http:///example.com",
	`http:/\//example.com`,
	`http:\/example.com`,
	`http:/\example.com`,
	`javascript:alert("XSS")`,
	"\njavascript:alert(x)",
	"java\nscript:alert(x)",
	"\x08//example.com",
	`http://otherserver\@example.com`,
	`http:\\testserver\@example.com`,
	`http://testserver\me:pass@example.com`,
	`http://testserver\@example.com`,
	`http:\\testserver\confirm\me@example.com`,
	"http:999999999",
	"ftp:9999999999",
	"\n",
	"http://[2001:cdba:0000:0000:0000:0000:3257:9652/",
	"http://2001:cdba:0000:0000:0000:0000:3257:9652]/",
}

var djangoGoodURLs = []string{
	"/view/?param=http://example.com",
	"/view/?param=https://example.com",
	"/view?param=ftp://example.com",
	"view/?param=//example.com",
	"https://testserver/",
	"HTTPS://testserver/",
	"//testserver/",
	"http://testserver/confirm?email=me@example.com",
	"/url%20with%20spaces/",
	"path/http:2222222222",
}

func TestURLHasAllowedHostAndSchemeDjangoTables(t *testing.T) {
	t.Parallel()
	for _, u := range djangoBadURLs {
		assert.False(t, auth.URLHasAllowedHostAndScheme(u, []string{"testserver", "testserver2"}, false), "bad %q", u)
	}
	for _, u := range djangoGoodURLs {
		assert.True(t, auth.URLHasAllowedHostAndScheme(u, []string{"otherserver", "testserver"}, false), "good %q", u)
	}
	// test_basic_auth, test_no_allowed_hosts, test_allowed_hosts_str
	assert.True(t, auth.URLHasAllowedHostAndScheme("http://user:pass@testserver/", []string{"user:pass@testserver"}, false))
	assert.True(t, auth.URLHasAllowedHostAndScheme("/confirm/me@example.com", nil, false))
	assert.False(t, auth.URLHasAllowedHostAndScheme(`http://testserver\@example.com`, nil, false))
	assert.True(t, auth.URLHasAllowedHostAndScheme("http://good.com/good", []string{"good.com"}, false))
	assert.False(t, auth.URLHasAllowedHostAndScheme("http://good.co/evil", []string{"good.com"}, false))
	// test_secure_param_https_urls / non_https_urls
	for _, u := range []string{"https://example.com/p", "HTTPS://example.com/p", "/view/?param=http://example.com"} {
		assert.True(t, auth.URLHasAllowedHostAndScheme(u, []string{"example.com"}, true), u)
	}
	for _, u := range []string{"http://example.com/p", "ftp://example.com/p", "//example.com/p"} {
		assert.False(t, auth.URLHasAllowedHostAndScheme(u, []string{"example.com"}, true), u)
	}
	// test_max_url_length: counted in characters, not bytes.
	boundary := "example.com/" + strings.Repeat("é", auth.MaxRedirectURLLength-len("example.com")-1)
	assert.True(t, auth.URLHasAllowedHostAndScheme(boundary, []string{"example.com"}, false))
	assert.False(t, auth.URLHasAllowedHostAndScheme(boundary+"ú", []string{"example.com"}, false))
	// Not in Django's table: empty, blank and invalid UTF-8.
	for _, u := range []string{"", "   ", "\t\n", "/ok\xff"} {
		assert.False(t, auth.URLHasAllowedHostAndScheme(u, nil, false), "%q", u)
	}
}

// TestURLHasAllowedHostAndSchemeVectors compares with answers computed by
// Django 6.1's own url_has_allowed_host_and_scheme (see the generator
// named in the file) on Django's cases and 5,000 random tricky strings.
func TestURLHasAllowedHostAndSchemeVectors(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/redirect_vectors.json")
	require.NoError(t, err)
	var v struct {
		Generator    string   `json:"generator"`
		AllowedHosts []string `json:"allowed_hosts"`
		Cases        []struct {
			URL     string `json:"url"`
			Plain   bool   `json:"plain"`
			HTTPS   bool   `json:"https"`
			NoHosts bool   `json:"nohosts"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(raw, &v))
	require.Greater(t, len(v.Cases), 5000)
	// Deliberate departures: three slashes once tabs and newlines are gone
	// (see URLHasAllowedHostAndScheme), which Django accepts.
	stricter := func(u string) bool {
		u = strings.TrimLeftFunc(u, func(r rune) bool { return r <= 0x20 })
		u = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(u)
		return strings.HasPrefix(u, "///") || strings.HasPrefix(strings.ReplaceAll(u, `\`, "/"), "///")
	}
	bad, departures := 0, 0
	for _, c := range v.Cases {
		if stricter(strings.TrimSpace(c.URL)) && (c.Plain || c.HTTPS || c.NoHosts) {
			departures++
			assert.False(t, auth.URLHasAllowedHostAndScheme(c.URL, v.AllowedHosts, false), "%q", c.URL)
			continue
		}
		got := [3]bool{
			auth.URLHasAllowedHostAndScheme(c.URL, v.AllowedHosts, false),
			auth.URLHasAllowedHostAndScheme(c.URL, v.AllowedHosts, true),
			auth.URLHasAllowedHostAndScheme(c.URL, nil, false),
		}
		if want := [3]bool{c.Plain, c.HTTPS, c.NoHosts}; got != want {
			bad++
			if bad <= 20 {
				t.Errorf("%q: got %v, Django %v", c.URL, got, want)
			}
		}
	}
	assert.Zero(t, bad, "mismatches with Django")
	assert.Equal(t, 3, departures, "deliberate departures from Django")
}

// TestURLHasAllowedHostAndSchemeTabSlashes: three slashes hidden by tabs
// or newlines are refused, though Django accepts them.
func TestURLHasAllowedHostAndSchemeTabSlashes(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"//\t/evil.example", "/\t//evil.example", "/\n\\\\evil.example", "\\\t\\evil.example", "/\r/\\evil.example"} {
		assert.False(t, auth.URLHasAllowedHostAndScheme(u, []string{"testserver"}, false), "%q", u)
	}
	assert.True(t, auth.URLHasAllowedHostAndScheme("/a\t/b", []string{"testserver"}, false))
}

// FuzzURLHasAllowedHostAndScheme: never panics, and a URL accepted with no
// allowed hosts is one that a browser resolves on the current origin.
func FuzzURLHasAllowedHostAndScheme(f *testing.F) {
	for _, u := range append(append([]string{}, djangoBadURLs...), djangoGoodURLs...) {
		f.Add(u)
	}
	f.Fuzz(func(t *testing.T, u string) {
		if !auth.URLHasAllowedHostAndScheme(u, nil, false) {
			return
		}
		// What a browser would see: surrounding C0 and space dropped, tab and
		// newlines removed, backslashes read as slashes.
		b := strings.TrimFunc(u, func(r rune) bool { return r <= 0x20 || unicode.IsSpace(r) })
		b = strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(b)
		if rest, ok := strings.CutPrefix(b, "//"); ok {
			// "//" with an empty host is accepted by Django too; it names
			// no other host.
			if host, _, _ := strings.Cut(strings.SplitN(strings.SplitN(rest, "?", 2)[0], "#", 2)[0], "/"); host != "" {
				t.Fatalf("accepted %q, which a browser reads as host %q", u, host)
			}
			return
		}
		if p, err := url.Parse(b); err == nil && (p.Host != "" || (p.Scheme != "" && p.Opaque != "")) {
			t.Fatalf("accepted %q, which has host %q scheme %q", u, p.Host, p.Scheme)
		}
	})
}

func TestSafeRedirectURL(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "/next/", auth.SafeRedirectURL("/next/", "testserver", false, nil))
	assert.Equal(t, "http://testserver/x", auth.SafeRedirectURL("http://testserver/x", "testserver", false, nil))
	assert.Equal(t, "", auth.SafeRedirectURL("http://testserver/x", "testserver", true, nil), "https requests need https")
	assert.Equal(t, "https://sso.example/x", auth.SafeRedirectURL("https://sso.example/x", "testserver", true, []string{"sso.example"}))
	assert.Equal(t, "", auth.SafeRedirectURL("https://evil.example/x", "testserver", true, []string{"sso.example"}))
}
