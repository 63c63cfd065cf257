package auth_test

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

func TestSessionCodecRoundTrip(t *testing.T) {
	t.Parallel()
	deadline := time.Date(2026, 11, 26, 12, 0, 0, 123456789, time.UTC)
	for _, tc := range []struct {
		name   string
		values map[string]any
	}{
		{"empty", map[string]any{}},
		{"login", map[string]any{
			auth.SessionKeyUserID: "42", auth.SessionKeyBackend: "django.contrib.auth.backends.ModelBackend",
			auth.SessionKeyHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		}},
		{"types", map[string]any{
			"s": "héllo", "e": "", "b": []byte{0, 1, 255}, "t": true, "f": false, "i": -7, "l": int64(1) << 62,
			"x": 3.25, "when": time.Date(2001, 2, 3, 4, 5, 6, 7, time.FixedZone("X", 3600)), "": "empty key",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := auth.SessionCodec{}.Encode(deadline, tc.values)
			require.NoError(t, err)
			d, v, err := auth.SessionCodec{}.Decode(b)
			require.NoError(t, err)
			assert.True(t, deadline.Equal(d))
			require.Len(t, v, len(tc.values))
			for k, want := range tc.values {
				if wt, ok := want.(time.Time); ok {
					assert.True(t, wt.Equal(v[k].(time.Time)), k)
					continue
				}
				assert.Equal(t, want, v[k], k)
			}
			again, err := auth.SessionCodec{}.Encode(d, v)
			require.NoError(t, err)
			assert.Equal(t, b, again, "encoding is canonical")
		})
	}
}

func TestSessionCodecRejectsUnsupportedType(t *testing.T) {
	t.Parallel()
	_, err := auth.SessionCodec{}.Encode(time.Now(), map[string]any{"cart": []string{"a"}})
	assert.ErrorContains(t, err, `"cart" has unsupported type []string`)
}

// TestSessionCodecStrict: every malformed payload is refused with
// ErrSessionCorrupt.
func TestSessionCodecStrict(t *testing.T) {
	t.Parallel()
	good, err := auth.SessionCodec{}.Encode(time.Unix(1700000000, 0), map[string]any{"a": "x", "b": "y"})
	require.NoError(t, err)
	swapped := bytes.Clone(good)
	// Entries are [len=1]'a'['s'][len=1]'x' ...; swap the two keys.
	i := bytes.IndexByte(swapped, 'a')
	j := bytes.IndexByte(swapped, 'b')
	swapped[i], swapped[j] = 'b', 'a'
	dup := bytes.Clone(good)
	dup[j] = 'a'
	for name, b := range map[string][]byte{
		"empty":             {},
		"version":           append([]byte{2}, good[1:]...),
		"gob":               gobPayload(t),
		"truncated":         good[:len(good)-1],
		"trailing":          append(bytes.Clone(good), 0),
		"keys out of order": swapped,
		"duplicate key":     dup,
		"huge count":        {1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"bad nanos":         {1, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0},
		"bad tag":           {1, 0, 0, 1, 1, 'k', 'z', 0},
		"bad bool":          {1, 0, 0, 1, 1, 'k', 'b', 2},
		"short float":       {1, 0, 0, 1, 1, 'k', 'f', 0, 0},
		"overlong string":   {1, 0, 0, 1, 1, 'k', 's', 10, 'a'},
		"bad time":          {1, 0, 0, 1, 1, 'k', 't', 1, 9},
	} {
		_, _, err := auth.SessionCodec{}.Decode(b)
		assert.ErrorIs(t, err, auth.ErrSessionCorrupt, name)
	}
}

func gobPayload(t *testing.T) []byte {
	b, err := scs.GobCodec{}.Encode(time.Now(), map[string]any{"a": "b"})
	require.NoError(t, err)
	return b
}

// FuzzSessionCodec: Decode never panics, and whatever it accepts survives
// a re-encode and decode unchanged.
func FuzzSessionCodec(f *testing.F) {
	for _, v := range []map[string]any{
		{},
		{auth.SessionKeyUserID: "1", auth.SessionKeyBackend: "b", auth.SessionKeyHash: "h"},
		{"i": 1, "l": int64(-1), "f": 1.5, "t": true, "y": []byte("x"), "w": time.Unix(5, 6)},
	} {
		b, err := auth.SessionCodec{}.Encode(time.Unix(1700000000, 5), v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, v, err := auth.SessionCodec{}.Decode(b)
		if err != nil {
			return
		}
		again, err := auth.SessionCodec{}.Encode(d, v)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		d2, v2, err := auth.SessionCodec{}.Decode(again)
		if err != nil || !d.Equal(d2) || len(v) != len(v2) {
			t.Fatalf("round trip changed the data: %v", err)
		}
		for k, x := range v {
			y, ok := v2[k]
			if !ok {
				t.Fatalf("key %q lost", k)
			}
			if xt, isTime := x.(time.Time); isTime {
				if !xt.Equal(y.(time.Time)) {
					t.Fatalf("time %q changed", k)
				}
				continue
			}
			if xf, isFloat := x.(float64); isFloat && xf != xf {
				continue // NaN
			}
			if !reflect.DeepEqual(x, y) {
				t.Fatalf("value %q changed: %#v -> %#v", k, x, y)
			}
		}
	})
}

// BenchmarkSessionCodec compares with scs's default gob codec on a
// logged-in session.
func BenchmarkSessionCodec(b *testing.B) {
	values := map[string]any{
		auth.SessionKeyUserID: "42", auth.SessionKeyBackend: "django.contrib.auth.backends.ModelBackend",
		auth.SessionKeyHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	}
	deadline := time.Now()
	for _, c := range []struct {
		name  string
		codec scs.Codec
	}{{"SessionCodec", auth.SessionCodec{}}, {"GobCodec", scs.GobCodec{}}} {
		enc, err := c.codec.Encode(deadline, values)
		require.NoError(b, err)
		b.Run(c.name+"/Decode", func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(float64(len(enc)), "bytes")
			for b.Loop() {
				if _, _, err := c.codec.Decode(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/Encode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.codec.Encode(deadline, values); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	_ = gob.NewEncoder
}
