package totp

import (
	"encoding/hex"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/testenv"
)

var rfcKey = hex.EncodeToString([]byte("12345678901234567890"))

// TestRFC6238 checks RFC 6238 Appendix B's SHA-1 values (8 digits, step
// 30) and RFC 4226 Appendix D's HOTP values (6 digits, counters 0 to 9),
// which are also django-otp's doctests.
func TestRFC6238(t *testing.T) {
	t.Parallel()
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		d := Device{Key: rfcKey, Step: 30, Digits: 8}
		got, err := d.CodeAt(time.Unix(v.unix, 0))
		require.NoError(t, err)
		require.Equal(t, v.code, got, "at %d", v.unix)
	}
	for i, want := range []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"} {
		d := Device{Key: rfcKey, Step: 30, T0: -int64(i) * 30, Digits: 6}
		got, err := d.CodeAt(time.Unix(0, 0))
		require.NoError(t, err)
		require.Equal(t, want, got, "counter %d", i)
	}
}

// TestOathtool checks codes against Debian's oathtool, an independent
// implementation, over keys, steps, t0, digits and times.
func TestOathtool(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("oathtool"); err != nil {
		testenv.Skip(t, testenv.Oathtool, "needs oathtool (apt-get install oathtool)")
	}
	for _, tc := range []struct {
		key    string
		step   int
		t0     int64
		digits int
		unix   int64
	}{
		{rfcKey, 30, 0, 6, 1_800_000_000},
		{"00112233445566778899aabbccddeeff00112233", 30, 0, 6, 1_700_000_123},
		{"3f", 60, 0, 8, 1_234_567_890},
		{"ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100ffeeddccbbaa9988", 30, 1_000_000_000, 7, 1_600_000_000},
		{"DEADBEEFDEADBEEFDEADBEEF", 45, 12345, 6, 2_000_000_001},
	} {
		d := Device{Key: tc.key, Step: tc.step, T0: tc.t0, Digits: tc.digits}
		got, err := d.CodeAt(time.Unix(tc.unix, 0))
		require.NoError(t, err)
		out, err := exec.CommandContext(t.Context(), "oathtool", "--totp", "-d", strconv.Itoa(tc.digits),
			"-s", strconv.Itoa(tc.step)+"s", "-S", "@"+strconv.FormatInt(tc.t0, 10),
			"-N", "@"+strconv.FormatInt(tc.unix, 10), tc.key).CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Equal(t, strings.TrimSpace(string(out)), got, "%+v", tc)

		// and the Factor's window accepts it
		d.Confirmed, d.Tolerance, d.LastT = true, 1, -1
		_, _, ok, err := d.match(got, time.Unix(tc.unix+int64(tc.step), 0))
		require.NoError(t, err)
		require.True(t, ok, "%+v one step later", tc)
	}
}

func TestNormalizeCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"123456": "123456", " 123 456 ": "123456", "12\t34\n56": "123456", "\u00a0123456": "123456",
		"0000000000": "0000000000", "": "", "   ": "", "12345a": "", "+123456": "", "-123456": "",
		"１２３４５６": "", "12345678901": "", "123_456": "", "12.3456": "",
		strings.Repeat(" ", 60) + "123456": "",
	} {
		got, ok := normalizeCode(in)
		require.Equal(t, want, got, "%q", in)
		require.Equal(t, want != "", ok, "%q", in)
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{
		"00": true, "AbCd": true, rfcKey: true, strings.Repeat("ab", 40): true,
		"": false, "0": false, "abc": false, "zz": false, strings.Repeat("ab", 41): false, "ab cd": false,
	} {
		_, err := parseKey(in)
		require.Equal(t, ok, err == nil, "%q: %v", in, err)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidDevice)
		}
	}
}

func TestDeviceParams(t *testing.T) {
	t.Parallel()
	good := Device{Key: rfcKey, Step: 30, Digits: 6, Tolerance: 1}
	for name, mod := range map[string]func(*Device){
		"step 0": func(d *Device) { d.Step = 0 }, "digits 0": func(d *Device) { d.Digits = 0 },
		"digits 11": func(d *Device) { d.Digits = 11 }, "tolerance -1": func(d *Device) { d.Tolerance = -1 },
	} {
		d := good
		mod(&d)
		_, err := d.CodeAt(time.Now())
		require.ErrorIs(t, err, ErrInvalidDevice, name)
	}
	// before t0 there is no code
	d := good
	d.T0 = time.Now().Unix() + 3600
	_, err := d.CodeAt(time.Now())
	require.ErrorIs(t, err, ErrInvalidDevice)
	require.Equal(t, int64(-1), d.step(time.Unix(d.T0-1, 0)), "floor division as Python's //")
}

func TestCheckName(t *testing.T) {
	t.Parallel()
	require.NoError(t, checkName(strings.Repeat("é", 64)))
	for _, bad := range []string{"", strings.Repeat("a", 65), "a\x00b", "\xff"} {
		require.ErrorIs(t, checkName(bad), ErrInvalidName, "%q", bad)
	}
}

func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"123456", " 123 456", "12a456", "１２３", "", "99999999999", "\u2003000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := normalizeCode(s)
		if !ok {
			if got != "" {
				t.Fatalf("%q: malformed but %q", s, got)
			}
			return
		}
		if len(got) < 1 || len(got) > 10 || len(s) > maxCodeInput {
			t.Fatalf("%q gives %q", s, got)
		}
		for i := range len(got) {
			if got[i] < '0' || got[i] > '9' {
				t.Fatalf("%q gives %q", s, got)
			}
		}
		if again, ok := normalizeCode(got); !ok || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
		// the code is matched without panicking whatever its length
		d := Device{Key: rfcKey, Step: 30, Digits: len(got), Tolerance: 1, LastT: -1}
		if _, _, _, err := d.match(got, time.Unix(1_800_000_000, 0)); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseKey(f *testing.F) {
	for _, s := range []string{rfcKey, "", "0", "zz", "ABCDEF", strings.Repeat("0", 82)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, err := parseKey(s)
		if err != nil {
			if key != nil {
				t.Fatal("key with error")
			}
			return
		}
		if len(key) < 1 || len(key) > MaxKeySize || !strings.EqualFold(hex.EncodeToString(key), s) {
			t.Fatalf("%q gives %x", s, key)
		}
		d := Device{Key: s, Step: 30, Digits: 6}
		if _, err := d.CodeAt(time.Unix(1_800_000_000, 0)); err != nil {
			t.Fatal(err)
		}
	})
}
