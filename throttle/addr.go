package throttle

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies parses CIDR prefixes ("10.0.0.0/8", "::1/128") or
// single addresses ("192.0.2.7") into the prefixes of Config.TrustedProxies.
func ParseTrustedProxies(list ...string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("throttle: trusted proxy %q is neither a CIDR prefix nor an address", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// ClientAddr returns the address of the client of r. It starts from
// r.RemoteAddr; only while that hop is in trusted does it step to the
// previous hop, reading X-Forwarded-For from right to left (every
// X-Forwarded-For header in order, as one comma-separated list). It stops
// at the first hop that is not trusted, which is the client; an entry
// that is not an address stops it at the trusted hop before it. With no
// trusted proxies it is r.RemoteAddr alone, and X-Forwarded-For is never
// read. The zero Addr means r.RemoteAddr is not an address (a Unix
// socket, a test without one).
func ClientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	addr := parseRemote(r.RemoteAddr)
	if !addr.IsValid() || !isTrusted(addr, trusted) {
		return addr
	}
	hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return addr
		}
		addr = hop.Unmap()
		if !isTrusted(addr, trusted) {
			return addr
		}
	}
	return addr
}

func forwardedFor(values []string) []string {
	var hops []string
	for _, v := range values {
		for h := range strings.SplitSeq(v, ",") {
			hops = append(hops, h)
		}
	}
	return hops
}

func parseRemote(remote string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return ap.Addr().Unmap()
	}
	a, err := netip.ParseAddr(remote)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// addressKey is the counter value of a client address: an IPv4 address
// as it is, an IPv6 address as its /64 (one customer's allocation, which
// a single attacker can draw any number of addresses from), and "unknown"
// for the zero Addr.
func addressKey(a netip.Addr) string {
	switch {
	case !a.IsValid():
		return "unknown"
	case a.Is4():
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}
