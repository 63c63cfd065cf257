package auth

import (
	"html/template"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/djauth/auth/internal/pystr"
	"golang.org/x/text/unicode/norm"
)

// MaxRedirectURLLength is the longest URL, in characters, that
// URLHasAllowedHostAndScheme accepts (Django's MAX_URL_LENGTH).
const MaxRedirectURLLength = 2048

// URLHasAllowedHostAndScheme reports whether url is safe to redirect to:
// a relative URL, or an absolute one whose host is in allowedHosts and
// whose scheme is http or https (only https when requireHTTPS). It is a
// faithful port of Django's url_has_allowed_host_and_scheme, including its
// reading of URLs through Python's urlsplit, so that the tricky inputs
// that browsers treat as absolute ("//evil", "\\evil", "/\evil",
// "http:///evil", leading control characters, "javascript:") are refused.
// An empty url, one longer than MaxRedirectURLLength characters and one
// that is not valid UTF-8 are refused too, and, unlike Django, one that
// starts with three slashes once tabs and newlines are removed (Django
// accepts "//\t/evil", which a browser given it raw reads as the host
// evil).
//
// A true result does not make url safe to put in HTML; templates escape
// it.
func URLHasAllowedHostAndScheme(url string, allowedHosts []string, requireHTTPS bool) bool {
	if !utf8.ValidString(url) {
		return false
	}
	url = pystr.Strip(url)
	if url == "" {
		return false
	}
	// Chrome treats \ as / in paths, but \ may also be part of basic-auth
	// credentials, so both readings must pass.
	return urlAllowed(url, allowedHosts, requireHTTPS) &&
		urlAllowed(strings.ReplaceAll(url, `\`, "/"), allowedHosts, requireHTTPS)
}

func urlAllowed(url string, allowedHosts []string, requireHTTPS bool) bool {
	// Chrome reads any URL with three leading slashes as absolute. Unlike
	// Django, look for them also where a browser does, after removing tabs
	// and newlines: Django accepts "//", tab, "/evil" (and "/", tab,
	// "\\evil"), safe in Django only because HttpResponseRedirect
	// percent-encodes the tab; sent raw, as http.Redirect sends it, a
	// browser drops the tab and goes to evil.
	if strings.HasPrefix(url, "///") || strings.HasPrefix(whatwgClean(url), "///") ||
		utf8.RuneCountInString(url) > MaxRedirectURLLength {
		return false
	}
	scheme, netloc, ok := pyURLSplit(url)
	if !ok {
		return false
	}
	// "http:///example.com": a scheme without a host, which Chrome still
	// reads as pointing at example.com.
	if netloc == "" && scheme != "" {
		return false
	}
	// Browsers skip some control characters at the start of a URL.
	if r, _ := utf8.DecodeRuneInString(url); pyIsControlCategory(r) {
		return false
	}
	if scheme == "" && netloc != "" {
		scheme = "http"
	}
	if netloc != "" && !slices.Contains(allowedHosts, netloc) {
		return false
	}
	if scheme == "" {
		return true
	}
	return scheme == "https" || (!requireHTTPS && scheme == "http")
}

// pyIsControlCategory reports whether r is in Unicode general category C
// (Cc, Cf, Cs, Co or unassigned Cn), Python's
// unicodedata.category(c)[0] == "C".
func pyIsControlCategory(r rune) bool {
	if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Cs, unicode.Co) {
		return true
	}
	// Unassigned code points (Cn) belong to no other category.
	return !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z)
}

// Replacers of pyURLSplit and checkNetlocNFKC, built once: a Replacer of
// single bytes holds a 256-entry table, too much to build per call.
var (
	dropTabCRLF      = strings.NewReplacer("\t", "", "\r", "", "\n", "")
	dropNetlocDelims = strings.NewReplacer("@", "", ":", "", "#", "", "?", "")
)

// pyURLSplit returns the scheme (lowercased) and network location of url
// as Python's urllib.parse.urlsplit reads them, and false where urlsplit
// raises ValueError (a bad IPv6 literal, or a netloc that NFKC
// normalization turns into one with URL delimiters).
func pyURLSplit(url string) (scheme, netloc string, ok bool) {
	url = whatwgClean(url)
	if i := strings.IndexByte(url, ':'); i > 0 && isASCIIAlpha(url[0]) {
		valid := true
		for j := 0; j < i; j++ {
			c := url[j]
			if !(isASCIIAlpha(c) || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
				valid = false
				break
			}
		}
		if valid {
			scheme, url = strings.ToLower(url[:i]), url[i+1:]
		}
	}
	if strings.HasPrefix(url, "//") {
		rest := url[2:]
		end := len(rest)
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			end = i
		}
		netloc = rest[:end]
		open, closed := strings.Contains(netloc, "["), strings.Contains(netloc, "]")
		if open != closed {
			return "", "", false
		}
		if open && !checkBracketedNetloc(netloc) {
			return "", "", false
		}
	}
	if !checkNetlocNFKC(netloc) {
		return "", "", false
	}
	return scheme, netloc, true
}

// whatwgClean is the first step of Python's urlsplit and of the WHATWG
// URL parser: strip leading C0 control characters and space, and remove
// tab, CR and LF everywhere.
func whatwgClean(url string) string {
	url = strings.TrimLeftFunc(url, func(r rune) bool { return r <= 0x20 })
	if strings.ContainsAny(url, "\t\r\n") {
		url = dropTabCRLF.Replace(url)
	}
	return url
}

func isASCIIAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// checkBracketedNetloc is Python's _check_bracketed_netloc: the text in
// brackets must be an IPv6 address or an IPvFuture literal, with nothing
// before the bracket and only a port after it.
func checkBracketedNetloc(netloc string) bool {
	hostport := netloc
	if i := strings.LastIndexByte(netloc, '@'); i >= 0 {
		hostport = netloc[i+1:]
	}
	before, bracketed, found := strings.Cut(hostport, "[")
	if !found {
		return true
	}
	if before != "" {
		return false
	}
	host, port, _ := strings.Cut(bracketed, "]")
	if port != "" && !strings.HasPrefix(port, ":") {
		return false
	}
	return checkBracketedHost(host)
}

// checkBracketedHost is Python's _check_bracketed_host.
func checkBracketedHost(host string) bool {
	if strings.HasPrefix(host, "v") {
		// IPvFuture, as Python checks it: v, hex digits, ".", anything.
		rest := host[1:]
		dot := strings.IndexByte(rest, '.')
		if dot < 1 || dot == len(rest)-1 {
			return false
		}
		for i := 0; i < dot; i++ {
			if !isHex(rest[i]) {
				return false
			}
		}
		return true
	}
	return isIPv6(host)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// isIPv6 reports whether s is an IPv6 address as Python's ipaddress module
// accepts it (including an embedded IPv4 tail and a %zone).
func isIPv6(s string) bool {
	if addr, scope, found := strings.Cut(s, "%"); found {
		if scope == "" || strings.Contains(scope, "%") {
			return false
		}
		s = addr
	}
	if s == "" {
		return false
	}
	parts := strings.Split(s, ":")
	if len(parts) < 3 {
		return false
	}
	maxParts := 8 + 1
	if last := parts[len(parts)-1]; strings.Contains(last, ".") {
		if !isIPv4(last) {
			return false
		}
		parts[len(parts)-1] = "0"
		parts = append(parts, "0")
	}
	if len(parts) > maxParts {
		return false
	}
	skip := -1
	for i := 1; i < len(parts)-1; i++ {
		if parts[i] == "" {
			if skip >= 0 {
				return false
			}
			skip = i
		}
	}
	if skip >= 0 {
		hi, lo := skip, len(parts)-skip-1
		if parts[0] == "" {
			hi--
			if hi != 0 {
				return false
			}
		}
		if parts[len(parts)-1] == "" {
			lo--
			if lo != 0 {
				return false
			}
		}
		if hi+lo > 7 {
			return false
		}
	} else {
		if len(parts) != 8 || parts[0] == "" || parts[len(parts)-1] == "" {
			return false
		}
	}
	for _, p := range parts {
		if p == "" {
			continue
		}
		if len(p) > 4 {
			return false
		}
		for i := 0; i < len(p); i++ {
			if !isHex(p[i]) {
				return false
			}
		}
	}
	return true
}

// isIPv4 is Python's IPv4Address parsing: four decimal octets of one to
// three digits, at most 255, without leading zeros.
func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') {
			return false
		}
		n := 0
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
			n = n*10 + int(p[i]-'0')
		}
		if n > 255 {
			return false
		}
	}
	return true
}

// checkNetlocNFKC is Python's _checknetloc: a non-ASCII netloc must not
// gain "/", "?", "#", "@" or ":" under NFKC normalization.
func checkNetlocNFKC(netloc string) bool {
	ascii := true
	for i := 0; i < len(netloc); i++ {
		if netloc[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if netloc == "" || ascii {
		return true
	}
	n := dropNetlocDelims.Replace(netloc)
	n2 := norm.NFKC.String(n)
	if n == n2 {
		return true
	}
	return !strings.ContainsAny(n2, "/?#@:")
}

// SafeRedirectURL returns next if URLHasAllowedHostAndScheme accepts it
// for the request's host (and allowedHosts), requiring https when the
// request came over TLS, and "" otherwise, as Django's
// RedirectURLMixin.get_redirect_url does.
func SafeRedirectURL(next, requestHost string, secure bool, allowedHosts []string) string {
	hosts := make([]string, 0, len(allowedHosts)+1)
	hosts = append(hosts, requestHost)
	hosts = append(hosts, allowedHosts...)
	if URLHasAllowedHostAndScheme(next, hosts, secure) {
		return next
	}
	return ""
}

// Redirect answers with a redirect to target, which the caller has
// checked (SafeRedirectURL) or built, as the handlers of the library do:
// unlike http.Redirect it sends target as it is, without resolving dot
// segments, only percent-encoded as Django's HttpResponseRedirect
// encodes it. Packages built on this one (accounts, mfa) redirect with
// it.
func Redirect(w http.ResponseWriter, r *http.Request, target string, code int) {
	redirect(w, r, target, code)
}

// redirect answers with a redirect to target. Unlike http.Redirect, which
// resolves the dot segments of a relative target (so that "/./\evil",
// accepted by URLHasAllowedHostAndScheme as a path on this site, would
// leave as "/\evil", which browsers read as the host "evil"), it sends
// the target that was checked, only percent-encoded as Django's
// HttpResponseRedirect encodes it (iriToURI). Every redirect of this
// package goes through it. Like http.Redirect it writes a short HTML body
// for GET.
func redirect(w http.ResponseWriter, r *http.Request, target string, code int) {
	loc := iriToURI(target)
	h := w.Header()
	_, hadCT := h["Content-Type"]
	h.Set("Location", loc)
	if !hadCT && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		h.Set("Content-Type", "text/html; charset=utf-8")
	}
	w.WriteHeader(code)
	if !hadCT && r.Method == http.MethodGet {
		_, _ = io.WriteString(w, `<a href="`+template.HTMLEscapeString(loc)+`">`+http.StatusText(code)+"</a>.\n")
	}
}

// iriToURI is Django's iri_to_uri, which HttpResponseRedirect applies to
// Location: urllib.parse.quote with RFC 3986's reserved characters and
// "%" kept. Everything else that is not an unreserved character is
// percent-encoded: controls (so no CR or LF reaches the header, and no tab
// that a browser would silently remove), space, DEL, non-ASCII bytes and
// the backslash, which a browser would otherwise read as a slash. Nothing
// is resolved or removed.
func iriToURI(u string) string {
	return pyQuote(u, "/#%[]=:;$&()+,!?*@'~")
}
