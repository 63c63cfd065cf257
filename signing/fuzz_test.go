package signing_test

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/djauth/auth/signing"
)

// fuzzKey signs the fuzzers' payloads.
const fuzzKey = "fuzz-key"

// FuzzUnsign: Unsign never panics, and a value it accepts is one it
// signs to the same string.
func FuzzUnsign(f *testing.F) {
	for _, s := range []string{"foo:EE4qGC5MEKyQG5msxYA0sBohAxLC0BJf8uRhemh0BGU", "", ":", "a:b:c", "foo/jZQoX_FtSO70jX9HLRGg2A_2s4kdDBxz1QoO_OpEQb0", "\u2019:dlLe36d72rMTJA-Nx4rZmsbVBttx4TfQ4hk3i_WNycU"} {
		f.Add(s)
	}
	s, err := signing.NewSigner(signing.Config{Key: "predictable-secret", FallbackKeys: []string{"\xe7"}, LegacySHA1: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := s.Unsign(in)
		if err != nil {
			return
		}
		if !strings.HasPrefix(in, v+":") {
			t.Fatalf("Unsign(%q) = %q, not a prefix", in, v)
		}
	})
}

// FuzzTimestampUnsign: UnsignMaxAge never panics on any input, and on the
// input signed it either returns the value or reports the timestamp.
func FuzzTimestampUnsign(f *testing.F) {
	f.Add("hello:8M0kX:0pJB1_TN9Bno2aK29thnZKKHn76ngzcQVnIrp_DNs5M", "hello:8M0kX", int64(12))
	f.Add("", "v:-", int64(0))
	f.Add("x:y", "v:AzL8n0Y58m8", int64(-1))
	f.Add(":::", "no timestamp", int64(1<<40))
	now := time.Unix(123456800, 0)
	ts, err := signing.NewTimestampSigner(signing.Config{Key: "predictable-key", Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	plain, err := signing.NewSigner(signing.Config{Key: "predictable-key", Salt: "django.core.signing.TimestampSigner"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in, inner string, maxAgeSeconds int64) {
		maxAge := time.Duration(maxAgeSeconds) * time.Second
		_, _ = ts.UnsignMaxAge(in, maxAge)
		_, _ = ts.Unsign(in)
		v, err := ts.UnsignMaxAge(plain.Sign(inner), maxAge)
		if err == nil && !strings.HasPrefix(inner, v+":") {
			t.Fatalf("UnsignMaxAge of %q = %q", inner, v)
		}
	})
}

// FuzzLoads: Loads never panics, whether the input is signed or not, and
// whatever it accepts re-signs with Dumps (plain and compressed) to a
// value that Loads accepts again, equal to the first.
func FuzzLoads(f *testing.F) {
	for _, p := range []string{
		"ImEgc3RyaW5nIFx1MjAxOSBcdWQ4M2RcdWRjMGQgPCY-IFxiXGZcdTAwMDFcbiI",
		"eyJmb28iOiJiYXIiLCJiYXoiOjF9",
		".eJwFwcERACAIwLCF-rCiILN47r-GyZVJsNgkxaFxoDgxcOHGxMKD_T7vhAml",
		base64.RawURLEncoding.EncodeToString([]byte(`"\ud800 caf` + "\xe9\"")),
		base64.RawURLEncoding.EncodeToString([]byte(`[1e400]`)),
		base64.RawURLEncoding.EncodeToString([]byte(`{"a":1,"a":2}`)),
		".", "", "!",
	} {
		f.Add(p, "")
	}
	f.Add("", "eyJmb28iOiJiYXIiLCJiYXoiOjF9:8M0kX:EBc3XyFiMGPwJhgU-A8mWrEhA0lTkuhC4LEyuRLREy0")
	ts, err := signing.NewTimestampSigner(signing.Config{Key: fuzzKey, Salt: signing.DefaultSalt, MaxDecompressedSize: 1 << 16})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload, raw string) {
		var v any
		_ = signing.Loads("predictable-key", nil, raw, &v)
		v = nil
		if err := ts.UnsignObject(ts.Sign(payload), &v); err != nil {
			return
		}
		for _, compress := range []bool{false, true} {
			again, err := signing.Dumps(fuzzKey, v, compress)
			if err != nil {
				t.Fatalf("Dumps(%#v) after Loads: %v", v, err)
			}
			var w any
			if err := signing.Loads(fuzzKey, nil, again, &w); err != nil {
				t.Fatalf("Loads(Dumps(%#v)) = %v", v, err)
			}
			if !reflect.DeepEqual(v, w) {
				t.Fatalf("Loads(Dumps(%#v)) = %#v", v, w)
			}
		}
	})
}

// FuzzDecodeSession: DecodeSession never panics, and a session it reads
// EncodeSession writes back to the same session.
func FuzzDecodeSession(f *testing.F) {
	f.Add("OWUzNTNmNWQxNTBjOWExZmM4MmQ3NzNhMDRmMjU4NmYwNDUyNGI2NDp7ImEgdGVzdCBrZXkiOiJhIHRlc3QgdmFsdWUifQ==", `{"a test key":"a test value"}`)
	f.Add("bad:encoded:value", `{"n":12345678901234567890}`)
	f.Add(base64.StdEncoding.EncodeToString([]byte("flaskdj:alkdjf")), `[]`)
	f.Add("", `{"\u00e9":"\ud83d\udc0d"}`)
	ts, err := signing.NewTimestampSigner(signing.Config{Key: fuzzKey, Salt: signing.SessionSalt, Compress: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw, json string) {
		_, _ = signing.DecodeSession("django_tests_secret_key", []string{fuzzKey}, raw)
		s := ts.Sign("." + base64.RawURLEncoding.EncodeToString([]byte(json)))
		_, _ = signing.DecodeSession(fuzzKey, nil, s)
		s = ts.Sign(base64.RawURLEncoding.EncodeToString([]byte(json)))
		got, err := signing.DecodeSession(fuzzKey, nil, s)
		if err != nil {
			return
		}
		again, err := signing.EncodeSession(fuzzKey, got)
		if err != nil {
			t.Fatalf("EncodeSession(%#v): %v", got, err)
		}
		back, err := signing.DecodeSession("other", []string{fuzzKey}, again)
		if err != nil || !reflect.DeepEqual(got, back) {
			t.Fatalf("DecodeSession(EncodeSession(%#v)) = %#v, %v", got, back, err)
		}
	})
}

// FuzzBase62Decode: Base62Decode never panics, and what it accepts
// encodes back to the input without its leading zeros.
func FuzzBase62Decode(f *testing.F) {
	for _, s := range []string{"0", "8M0kX", "-AzL8n0Y58m8", "AzL8n0Y58m8", "007", "-", "", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := signing.Base62Decode(s)
		if err != nil {
			return
		}
		want := strings.TrimLeft(strings.TrimPrefix(s, "-"), "0")
		if strings.HasPrefix(s, "-") && want != "" {
			want = "-" + want
		}
		if want == "" {
			want = "0"
		}
		if got := signing.Base62Encode(n); got != want {
			t.Fatalf("Base62Encode(Base62Decode(%q)) = %q, want %q", s, got, want)
		}
	})
}
