package i18n

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAcceptLanguage(t *testing.T) {
	t.Parallel()
	// The cases of Django's tests (i18n.tests.MiscTests.test_parse_spec_http_header).
	tests := []struct {
		in   string
		want []AcceptLanguage
	}{
		{"de", []AcceptLanguage{{"de", 1}}},
		{"en-AU", []AcceptLanguage{{"en-au", 1}}},
		{"es-419", []AcceptLanguage{{"es-419", 1}}},
		{"*;q=1.00", []AcceptLanguage{{"*", 1}}},
		{"en-AU;q=0.123", []AcceptLanguage{{"en-au", 0.123}}},
		{"en-au;q=0.5", []AcceptLanguage{{"en-au", 0.5}}},
		{"en-au;q=1.0", []AcceptLanguage{{"en-au", 1}}},
		{"da, en-gb;q=0.25, en;q=0.5", []AcceptLanguage{{"da", 1}, {"en", 0.5}, {"en-gb", 0.25}}},
		{"en-au-xx", []AcceptLanguage{{"en-au-xx", 1}}},
		{"de,en-au;q=0.75,en-us;q=0.5,en;q=0.25,es;q=0.125,fa;q=0.125",
			[]AcceptLanguage{{"de", 1}, {"en-au", 0.75}, {"en-us", 0.5}, {"en", 0.25}, {"es", 0.125}, {"fa", 0.125}}},
		{"*", []AcceptLanguage{{"*", 1}}},
		{"de;q=0.", []AcceptLanguage{{"de", 0}}},
		{"en; q=1,", []AcceptLanguage{{"en", 1}}},
		{"", nil},
		// Malformed values give nothing.
		{"en-gb;q=1.0000", nil},
		{"en;q=0.1234", nil},
		{"en;q=.2", nil},
		{"abcdefghi-au", nil},
		{"**", nil},
		{"en,,gb", nil},
		{"en-au;q=0.1.0", nil},
		{"en-au;q=1.1", nil},
		{"en-gb;q=-1", nil},
		{"de;q=2", nil},
		{"xxxxxxxx-xxxxxxxx-xxx", []AcceptLanguage{{"xxxxxxxx-xxxxxxxx-xxx", 1}}},
		{"a;b", nil},
		{"en-", nil},
		{"fr\x00", nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ParseAcceptLanguage(tt.in), "%q", tt.in)
	}
}

func TestParseAcceptLanguageLong(t *testing.T) {
	t.Parallel()
	// Cut at the last comma before 500 bytes, as Django does.
	long := strings.Repeat("fr,", 200) + "de"
	got := ParseAcceptLanguage(long)
	require.NotEmpty(t, got)
	assert.Len(t, got, 166) // "fr," is 3 bytes: 166 ranges end before byte 500
	assert.Nil(t, ParseAcceptLanguage(strings.Repeat("a", 501)))
}

func newTestBundle(t testing.TB, cfg Config) *Bundle {
	t.Helper()
	b, err := New(cfg)
	require.NoError(t, err)
	return b
}

func request(cookie, accept string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: DefaultCookieName, Value: cookie})
	}
	if accept != "" {
		r.Header.Set("Accept-Language", accept)
	}
	return r
}

func TestLanguageFromRequest(t *testing.T) {
	t.Parallel()
	enfr := newTestBundle(t, Config{Languages: []string{"en", "fr"}})
	ptbr := newTestBundle(t, Config{Languages: []string{"en", "pt-br"}, Locales: []fs.FS{os.DirFS("testdata/locale")}, Default: "en"})
	frDefault := newTestBundle(t, Config{Languages: []string{"en", "fr"}, Default: "fr"})
	tests := []struct {
		name           string
		b              *Bundle
		cookie, accept string
		want           string
	}{
		{"nothing gives the default", enfr, "", "", "en"},
		{"configured default", frDefault, "", "", "fr"},
		{"accept exact", enfr, "", "fr", "fr"},
		{"accept prefix fallback", enfr, "", "fr-CA", "fr"},
		{"accept long prefix fallback", enfr, "", "fr-latn-ca", "fr"},
		{"accept q order", enfr, "", "de, en;q=0.5, fr;q=0.8", "fr"},
		{"accept header order for equal q", enfr, "", "en;q=0.5, fr;q=0.5", "en"},
		{"accept skips unknown", enfr, "", "de, es, fr;q=0.1", "fr"},
		{"accept q=0 still counts, as in Django", enfr, "", "de, fr;q=0", "fr"},
		{"accept stops at *", frDefault, "", "de, *, en", "fr"},
		{"accept malformed is ignored", frDefault, "", "en;q=2", "fr"},
		{"accept unknown language", frDefault, "", "de-DE, ja", "fr"},
		{"accept other variant of generic", ptbr, "", "pt-PT", "pt-br"},
		{"accept generic gives variant", ptbr, "", "pt", "pt-br"},
		{"cookie beats accept", enfr, "fr", "en", "fr"},
		{"cookie variant", enfr, "fr-ca", "en", "fr"},
		{"cookie case-insensitive", enfr, "FR", "en", "fr"},
		{"unknown cookie falls to accept", enfr, "de", "fr", "fr"},
		{"garbage cookie falls to accept", enfr, "../../etc", "fr", "fr"},
		{"not configured is never picked", newTestBundle(t, Config{}), "fr", "fr", "en"},
		{"nil bundle is English", nil, "fr", "fr", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := request(tt.cookie, tt.accept)
			assert.Equal(t, tt.want, tt.b.Language(r))
			tr := tt.b.FromRequest(r)
			if tt.b != nil {
				assert.Equal(t, tt.want, tr.Language())
			}
		})
	}
}

func TestNilRequest(t *testing.T) {
	t.Parallel()
	b := newTestBundle(t, Config{Languages: []string{"en", "fr"}, Default: "fr"})
	assert.Equal(t, "fr", b.Language(nil))
	assert.Equal(t, "fr", b.FromRequest(nil).Language())
	assert.Nil(t, (*Bundle)(nil).FromRequest(nil))
}

func TestCustomCookieName(t *testing.T) {
	t.Parallel()
	b := newTestBundle(t, Config{Languages: []string{"en", "fr"}, CookieName: "lang"})
	r := request("fr", "")
	assert.Equal(t, "en", b.Language(r), "the default cookie name is not read")
	r.AddCookie(&http.Cookie{Name: "lang", Value: "fr"})
	assert.Equal(t, "fr", b.Language(r))
	assert.Equal(t, "lang", b.CookieName())
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"no catalog":        {Languages: []string{"en", "de"}},
		"default not found": {Languages: []string{"fr"}},
		"uppercase code":    {Languages: []string{"en", "FR"}},
		"bad code":          {Languages: []string{"en", "f r"}},
		"duplicate":         {Languages: []string{"en", "en"}},
		"empty":             {Languages: []string{}},
	} {
		_, err := New(cfg)
		assert.ErrorIs(t, err, ErrConfig, name)
	}
	// A broken catalog in Locales is an error naming the language.
	_, err := New(Config{Languages: []string{"en", "fr"}, Locales: []fs.FS{fstest.MapFS{
		"fr/LC_MESSAGES/django.po": {Data: []byte("msgid \"a\"\n")},
	}}})
	assert.ErrorIs(t, err, ErrSyntax)
	assert.ErrorContains(t, err, `"fr"`)
	_, err = New(Config{Languages: []string{"en", "ru"}, Locales: []fs.FS{fstest.MapFS{
		"ru/LC_MESSAGES/django.po": {Data: []byte("msgid \"\"\nmsgstr \"Plural-Forms: nplurals=3; plural=(n%10==1 ? 0 : 1);\\n\"\n")},
	}}})
	assert.ErrorIs(t, err, ErrPluralForms)
}

func TestToLocale(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"fr": "fr", "pt-br": "pt_BR", "sr-latn": "sr_Latn", "EN-us": "en_US", "zh-hant-tw": "zh_Hant-tw"} {
		assert.Equal(t, want, ToLocale(in), in)
	}
}

func FuzzParseAcceptLanguage(f *testing.F) {
	for _, s := range []string{"", "fr-CA,fr;q=0.9,en;q=0.5", "*", "de;q=0.", "en-gb;q=1.0000", "a;b", strings.Repeat("fr,", 200)} {
		f.Add(s)
	}
	b, err := New(Config{Languages: []string{"en", "fr", "pt-br"}, Locales: []fs.FS{os.DirFS("testdata/locale")}})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, header string) {
		got := ParseAcceptLanguage(header)
		for i, al := range got {
			if al.Q < 0 || al.Q > 1 {
				t.Fatalf("q %v out of range", al.Q)
			}
			if i > 0 && got[i-1].Q < al.Q {
				t.Fatalf("not sorted: %v", got)
			}
			if al.Tag != "*" && !acceptLanguageRe.MatchString(al.Tag) {
				t.Fatalf("tag %q", al.Tag)
			}
		}
		// Whatever the header and cookie, the language is an offered one.
		r := request("", header)
		r.Header.Set("Cookie", DefaultCookieName+"="+header)
		if lang := b.Language(r); b.translators[lang] == nil {
			t.Fatalf("Language %q is not offered", lang)
		}
	})
}

func TestMatch(t *testing.T) {
	t.Parallel()
	b := newTestBundle(t, Config{Languages: []string{"en", "fr"}})
	for code, want := range map[string]string{"fr": "fr", "FR-be": "fr", "en-GB": "en", "de": "", "": "", "fr\x00": ""} {
		got, ok := b.Match(code)
		assert.Equal(t, want, got, "%q", code)
		assert.Equal(t, want != "", ok)
	}
	got, ok := (*Bundle)(nil).Match("en-us")
	assert.True(t, ok)
	assert.Equal(t, "en", got)
	_, ok = (*Bundle)(nil).Match("fr")
	assert.False(t, ok)
}
