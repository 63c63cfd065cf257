package i18n

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/djangotest"
)

const djangoDir = "/usr/lib/python3/dist-packages/django/"

// TestAgainstDjango compares the language choice, the Accept-Language
// parser and the .po reader with Django 3.2's own: the same requests
// through get_language_from_request (LANGUAGES en, fr, pt-br), the same
// headers through parse_accept_lang_header, and Django's French .po
// files against the .mo files that Django compiled from them (read by
// Python's gettext).
func TestAgainstDjango(t *testing.T) {
	t.Parallel()
	py := djangotest.Python(t)
	type reqCase struct {
		Cookie string `json:"cookie"`
		Accept string `json:"accept"`
	}
	var cases []reqCase
	cookies := []string{"", "fr", "FR", "fr-ca", "pt", "pt-pt", "pt-BR", "de", "en-gb", "zz-zz-zz", "fr@latin", strings.Repeat("fr-", 200) + "x"}
	accepts := []string{"", "fr", "fr-CA,en;q=0.5", "de, fr;q=0", "de,*,fr", "es-419, pt;q=0.9", "pt-PT", "en-gb;q=0.8, fr;q=0.9",
		"fr;q=2", "zh-hant-tw, fr", "x-klingon, fr;q=0.1", "en-au-xx,fr", "*", "fr-fr-fr-fr", strings.Repeat("de,", 170) + "fr"}
	for _, c := range cookies {
		for _, a := range accepts {
			cases = append(cases, reqCase{c, a})
		}
	}
	headers := append(slices.Clone(accepts), "da, en-gb;q=0.25, en;q=0.5", "en-gb;q=1.0000", "abcdefghi-au", "en,,gb", "en; q=1,",
		"de;q=0.", "xxxxxxxx-xxxxxxxx-xxx", "a;b", "en-", strings.Repeat("a", 501), "fr ; q = 0.5", "fr;Q=0.5", "EN-GB")
	mo := []string{djangoDir + "contrib/auth/locale/fr/LC_MESSAGES/django.mo", djangoDir + "conf/locale/fr/LC_MESSAGES/django.mo"}

	in, err := json.Marshal(map[string]any{"cases": cases, "headers": headers, "mo": mo})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "testdata/django_i18n.py")
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var res struct {
		Languages []string
		Parsed    [][][2]any
		Catalogs  []map[string]map[string]string
	}
	require.NoError(t, json.Unmarshal(out, &res))

	b := newTestBundle(t, Config{Languages: []string{"en", "fr", "pt-br"}, Locales: []fs.FS{os.DirFS("testdata/locale")}})
	require.Len(t, res.Languages, len(cases))
	for i, c := range cases {
		// Django returns the cookie's own spelling ("FR", "pt-BR") when
		// its lowercase is offered; Language returns the offered code.
		assert.Equal(t, strings.ToLower(res.Languages[i]), b.Language(request(c.Cookie, c.Accept)), "cookie %.40q accept %.40q", c.Cookie, c.Accept)
	}
	require.Len(t, res.Parsed, len(headers))
	for i, h := range headers {
		var want []AcceptLanguage
		for _, p := range res.Parsed[i] {
			want = append(want, AcceptLanguage{Tag: p[0].(string), Q: p[1].(float64)})
		}
		assert.Equal(t, want, ParseAcceptLanguage(h), "%.40q", h)
	}
	for i, path := range mo {
		data, err := os.ReadFile(strings.TrimSuffix(path, ".mo") + ".po")
		require.NoError(t, err)
		c, err := ParseCatalog(data, nil)
		require.NoError(t, err)
		got := map[string]map[string]string{}
		for key, strs := range c.msgs {
			ctx, id, _ := strings.Cut(key, "\x04")
			if ctx != "" {
				id = ctx + "\x04" + id
			}
			forms := map[string]string{}
			if len(strs) == 1 { // French plurals have two forms

				forms["-"] = strs[0]
			} else {
				for n, s := range strs {
					forms[strconv.Itoa(n)] = s
				}
			}
			got[id] = forms
		}
		assert.Equal(t, res.Catalogs[i], got, path)
		assert.Greater(t, len(got), 50, path)
	}
}
