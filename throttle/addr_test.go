package throttle_test

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/throttle"
)

func TestClientAddr(t *testing.T) {
	trusted, err := throttle.ParseTrustedProxies("10.0.0.0/8", "::1", "192.0.2.9")
	require.NoError(t, err)
	tests := []struct {
		name    string
		remote  string
		xff     []string
		trusted []netip.Prefix
		want    string
	}{
		{"RemoteOnly", "203.0.113.5:4711", nil, nil, "203.0.113.5"},
		{"XFFIgnoredWithoutTrust", "203.0.113.5:4711", []string{"198.51.100.1"}, nil, "203.0.113.5"},
		{"XFFIgnoredFromUntrustedPeer", "203.0.113.5:4711", []string{"198.51.100.1"}, trusted, "203.0.113.5"},
		{"OneTrustedHop", "10.1.2.3:80", []string{"198.51.100.1"}, trusted, "198.51.100.1"},
		{"SpoofedLeftEntriesIgnored", "10.1.2.3:80", []string{"1.1.1.1, 198.51.100.1"}, trusted, "198.51.100.1"},
		{"TwoTrustedHops", "10.1.2.3:80", []string{"1.1.1.1, 198.51.100.1, 192.0.2.9"}, trusted, "198.51.100.1"},
		{"SeveralHeaders", "10.1.2.3:80", []string{"1.1.1.1", "198.51.100.1, 10.9.9.9"}, trusted, "198.51.100.1"},
		{"AllTrusted", "10.1.2.3:80", []string{"10.4.4.4"}, trusted, "10.4.4.4"},
		{"NoHeader", "10.1.2.3:80", nil, trusted, "10.1.2.3"},
		{"GarbageStopsAtTrustedHop", "10.1.2.3:80", []string{"198.51.100.1, not-an-ip"}, trusted, "10.1.2.3"},
		{"IPv6Loopback", "[::1]:80", []string{"2001:db8::7"}, trusted, "2001:db8::7"},
		{"MappedIPv4", "[::ffff:10.1.2.3]:80", []string{"198.51.100.1"}, trusted, "198.51.100.1"},
		{"NoPort", "203.0.113.5", nil, nil, "203.0.113.5"},
		{"NotAnAddress", "@unix", nil, trusted, "invalid IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			require.Equal(t, tt.want, throttle.ClientAddr(r, tt.trusted).String())
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := throttle.ParseTrustedProxies("10.1.2.3/8", " 2001:db8::1 ")
	require.NoError(t, err)
	require.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::1/128")}, got)
	_, err = throttle.ParseTrustedProxies("10.0.0.0/33")
	require.Error(t, err)
	_, err = throttle.ParseTrustedProxies("proxy.example")
	require.Error(t, err)
}

func TestAddressKeyOf(t *testing.T) {
	require.Equal(t, "192.0.2.1", throttle.AddressKeyOf(netip.MustParseAddr("::ffff:192.0.2.1")))
	// One IPv6 /64 is one counter: its owner can draw any address from it.
	require.Equal(t, "2001:db8:1:2::/64", throttle.AddressKeyOf(netip.MustParseAddr("2001:db8:1:2:aaaa::1")))
	require.Equal(t, "fe80::/64", throttle.AddressKeyOf(netip.MustParseAddr("fe80::1%eth0")))
	require.Equal(t, "unknown", throttle.AddressKeyOf(netip.Addr{}))
}

// FuzzClientAddr: whatever the headers, the result is the remote address
// or an entry of X-Forwarded-For, and without trusted proxies always the
// remote address.
func FuzzClientAddr(f *testing.F) {
	f.Add("10.1.2.3:80", "1.1.1.1, 198.51.100.1")
	f.Add("[::1]:80", "2001:db8::7,,")
	f.Add("10.0.0.1:1", " , 10.0.0.2 ,x")
	trusted, _ := throttle.ParseTrustedProxies("10.0.0.0/8", "::1")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		plain := throttle.ClientAddr(r, nil)
		got := throttle.ClientAddr(r, trusted)
		if !got.IsValid() {
			require.False(t, plain.IsValid())
			return
		}
		if got != plain {
			require.True(t, trusted[0].Contains(plain) || trusted[1].Contains(plain), "left an untrusted peer %v", plain)
			found := false
			for _, h := range strings.Split(xff, ",") {
				if a, err := netip.ParseAddr(strings.TrimSpace(h)); err == nil && a.Unmap() == got {
					found = true
				}
			}
			require.True(t, found, "%v is no entry of %q", got, xff)
		}
	})
}
