package commonlist

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseZxcvbn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		js   string
		want []string
		err  string
	}{
		{"Plain", "frequency_lists = {\n  passwords: \"123456,password,qwerty\".split(\",\"),\n  surnames: \"smith\".split(\",\")\n};",
			[]string{"123456", "password", "qwerty"}, ""},
		{"Escapes", `  passwords: "it\'s,a\\b,say\"hi\"".split(",")`, []string{"it's", `a\b`, `say"hi"`}, ""},
		{"OtherListsIgnored", "  surnames: \"smith\".split(\",\"),\n  passwords: \"x\".split(\",\")", []string{"x"}, ""},
		{"Missing", `  surnames: "smith".split(",")`, nil, "no passwords list"},
		{"Empty", `  passwords: "".split(",")`, nil, "empty"},
		{"UnknownEscape", `  passwords: "a\nb".split(",")`, nil, "unsupported escape"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseZxcvbn([]byte(tc.js))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	got, err := Merge([]string{"b", "a", "пароль"}, []string{" A", "C\t", "b", "c", "d"}, []string{"E"})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "a", "пароль", "c", "d", "e"}, got, "first appearance wins, normalised")

	for name, bad := range map[string][]string{
		"Blank":          {"ok", "  "},
		"Empty":          {""},
		"UpperNonASCII":  {"Пароль"},
		"PaddedNonASCII": {" пароль"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Merge(bad)
			require.Error(t, err)
		})
	}
}

func TestWriteRead(t *testing.T) {
	t.Parallel()
	entries := []string{"123456", "пароль", "a b", "!@#"}
	var b bytes.Buffer
	require.NoError(t, Write(&b, entries))
	got, err := Read(bytes.NewReader(b.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, entries, got)

	var again bytes.Buffer
	require.NoError(t, Write(&again, entries))
	assert.Equal(t, b.Bytes(), again.Bytes(), "the output depends only on the entries")

	require.Error(t, Write(&b, []string{"two\nlines"}))
	_, err = Read(strings.NewReader("not gzip"))
	require.Error(t, err)
}

// FuzzParseZxcvbn checks that the parser never panics and that what it
// returns, when written and read back, survives unchanged.
func FuzzParseZxcvbn(f *testing.F) {
	f.Add([]byte(`  passwords: "123456,password".split(",")`))
	f.Add([]byte(`  passwords: "it\'s,a\\b".split(",")`))
	f.Add([]byte(`  passwords: "a\`))
	f.Add([]byte(`passwords: "\"".split(",")`))
	f.Fuzz(func(t *testing.T, js []byte) {
		got, err := ParseZxcvbn(js)
		if err != nil {
			return
		}
		if len(got) == 0 {
			t.Fatal("no error and no entries")
		}
		var b bytes.Buffer
		if err := Write(&b, got); err != nil {
			return // an entry with a line break
		}
		back, err := Read(&b)
		if err != nil {
			t.Fatal(err)
		}
		if len(back) != len(got) {
			t.Fatalf("wrote %d entries, read %d", len(got), len(back))
		}
	})
}
