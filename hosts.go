package auth

import (
	"fmt"
	"net/http"

	"github.com/djauth/auth/internal/hosts"
)

// RequestHost returns the request's Host header when it is a well-formed
// host and matches Config.AllowedHosts (Django's request.get_host), and an
// error wrapping ErrDisallowedHost otherwise. Use it, never r.Host, to
// build links that leave the site: a client chooses its Host header.
func (a *Auth[U]) RequestHost(r *http.Request) (string, error) {
	if !hosts.Valid(r.Host) || !hosts.Allowed(r.Host, a.allowedHosts) {
		return "", fmt.Errorf("%w: %q", ErrDisallowedHost, truncateForLog(r.Host))
	}
	return r.Host, nil
}

// truncateForLog shortens a client-chosen value for an error message.
func truncateForLog(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// IsLoopbackRequest reports whether r was sent to a loopback host
// (localhost or its subdomains, 127.0.0.0/8, [::1]) over plain HTTP: a
// development server, the one case in which links may be http://.
func IsLoopbackRequest(r *http.Request) bool {
	return r.TLS == nil && hosts.IsLoopback(r.Host)
}
