// Package hosts checks Host header values as Django's request.get_host
// does: their form (host_validation_re), ALLOWED_HOSTS patterns
// (validate_host) and loopback hosts. Package auth and package accounts
// share it.
package hosts

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// IsLoopback reports whether h (with an optional port) is localhost or
// a subdomain of it (RFC 6761), or an address in 127.0.0.0/8 or ::1.
func IsLoopback(h string) bool {
	name, _ := splitHostPort(h)
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(name, "["), "]"))
	return ip != nil && ip.IsLoopback()
}

// Valid is Django's host_validation_re: a name or bracketed IPv6
// address with an optional port, and nothing that could break out of a
// URL.
func Valid(h string) bool {
	if h == "" {
		return false
	}
	name, port := splitHostPort(h)
	if port != "" {
		for _, c := range port {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	if strings.HasPrefix(name, "[") {
		return strings.HasSuffix(name, "]") && ValidLiteral(name)
	}
	if name == "" {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// splitHostPort splits "host:port", "[v6]:port", "host" and "[v6]".
func splitHostPort(h string) (host, port string) {
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return h, ""
		}
		host, rest := h[:end+1], h[end+1:]
		if strings.HasPrefix(rest, ":") {
			return host, rest[1:]
		}
		if rest != "" {
			return "", ""
		}
		return host, ""
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		return h[:i], h[i+1:]
	}
	return h, ""
}

// loopbackHosts are allowed when the patterns are empty, like
// Django's ALLOWED_HOSTS in DEBUG mode.
var loopbackHosts = []string{".localhost", "127.0.0.1", "[::1]"}

// Allowed is Django's validate_host: the host without its port,
// lowercased and without a trailing dot, equals a pattern, or is a
// subdomain of (or equal to) a pattern that starts with "."; "*" matches
// every host.
func Allowed(h string, allowed []string) bool {
	if len(allowed) == 0 {
		allowed = loopbackHosts
	}
	name, _ := splitHostPort(h)
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if ip := net.ParseIP(strings.Trim(name, "[]")); ip != nil && strings.HasPrefix(name, "[") {
		name = "[" + ip.String() + "]"
	}
	for _, pattern := range allowed {
		pattern = strings.ToLower(pattern)
		switch {
		case pattern == "*":
			return true
		case strings.HasPrefix(pattern, "."):
			if name == pattern[1:] || strings.HasSuffix(name, pattern) {
				return true
			}
		case name == pattern:
			return true
		}
	}
	return false
}

// CheckPatterns rejects an AllowedHosts entry that can never match.
func CheckPatterns(allowed []string) error {
	for i, h := range allowed {
		if h == "" || strings.ContainsAny(h, "/:@ ") && !strings.HasPrefix(h, "[") {
			return fmt.Errorf("[%d] %q is not a host name (no scheme, port or path)", i, h)
		}
	}
	return nil
}

// ValidLiteral reports whether s is a bracketed IPv4 or IPv6 address
// without a zone.
func ValidLiteral(s string) bool {
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return false
	}
	ip, err := netip.ParseAddr(s[1 : len(s)-1])
	return err == nil && ip.Zone() == ""
}
