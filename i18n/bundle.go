package i18n

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Defaults of Config, Django's settings of the same meaning.
const (
	// DefaultLanguage is Django's LANGUAGE_CODE default.
	DefaultLanguage = "en-us"
	// DefaultCookieName is Django's LANGUAGE_COOKIE_NAME.
	DefaultCookieName = "django_language"
)

// ErrConfig is wrapped by the errors of New.
var ErrConfig = errors.New("i18n: invalid configuration")

//go:embed locale
var embedded embed.FS

// Config chooses the languages offered and where their catalogs come
// from. The zero value offers English only, which needs no catalog.
type Config struct {
	// Languages are the codes of the languages offered, lowercase as
	// Django's LANGUAGES setting spells them: "en", "fr", "pt-br". Only
	// these are ever chosen for a request. nil means []string{"en"}.
	// Every language but English needs a catalog, from Locales or
	// embedded in this package (which has "fr").
	Languages []string
	// Default is the language when the request asks for none that is
	// offered (Django's LANGUAGE_CODE); it must be offered itself or
	// through its generic code ("en-us" is served by "en"). "" means
	// DefaultLanguage.
	Default string
	// CookieName is the cookie whose value chooses the language before
	// Accept-Language does (Django's LANGUAGE_COOKIE_NAME, which its
	// set_language view writes). "" means DefaultCookieName.
	CookieName string
	// Locales are directories laid out as Django's LOCALE_PATHS:
	// <locale>/LC_MESSAGES/django.po, where <locale> is "fr" or "pt_BR"
	// (Django's to_locale of the language code). Their messages take
	// precedence over the embedded ones, the first FS over the next, as
	// in Django; a language may be missing from any of them.
	Locales []fs.FS
	// PluralRules are plural rules for Plural-Forms expressions that
	// this package does not know, keyed by the expression exactly as the
	// catalog writes it after "plural=" (without the final ";"). The
	// families of English, French and Chinese are built in.
	PluralRules map[string]PluralRule
}

// Bundle holds the catalogs of the configured languages and chooses the
// language of a request. Build it once with New; it is read-only and
// safe for concurrent use. A nil *Bundle is English only.
type Bundle struct {
	languages   []string
	def         string
	cookieName  string
	translators map[string]*Translator
}

// New loads the catalogs of cfg.Languages and returns the Bundle, or an
// error wrapping ErrConfig (a malformed language code, a language without
// a catalog, a Default that is not offered) or the catalog's own error
// (ErrSyntax, ErrPluralForms).
func New(cfg Config) (*Bundle, error) {
	langs := cfg.Languages
	if langs == nil {
		langs = []string{"en"}
	}
	b := &Bundle{
		def:         cmpOr(cfg.Default, DefaultLanguage),
		cookieName:  cmpOr(cfg.CookieName, DefaultCookieName),
		translators: make(map[string]*Translator, len(langs)),
	}
	if len(langs) == 0 {
		return nil, fmt.Errorf("%w: Languages is empty (nil means English only)", ErrConfig)
	}
	sources := append(slices.Clone(cfg.Locales), fs.FS(mustSub(embedded, "locale")))
	for _, code := range langs {
		if !languageCodeRe.MatchString(code) || code != strings.ToLower(code) {
			return nil, fmt.Errorf("%w: language code %q is not a lowercase code such as \"fr\" or \"pt-br\"", ErrConfig, code)
		}
		if _, dup := b.translators[code]; dup {
			return nil, fmt.Errorf("%w: language %q is listed twice", ErrConfig, code)
		}
		tr := &Translator{lang: code}
		for _, src := range sources {
			data, err := fs.ReadFile(src, ToLocale(code)+"/LC_MESSAGES/django.po")
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("i18n: read catalog of %q: %w", code, err)
			}
			c, err := ParseCatalog(data, cfg.PluralRules)
			if err != nil {
				return nil, fmt.Errorf("i18n: catalog of %q: %w", code, err)
			}
			tr.catalogs = append(tr.catalogs, c)
		}
		if len(tr.catalogs) == 0 && generic(code) != "en" {
			return nil, fmt.Errorf("%w: no catalog for language %q (add <locale>/LC_MESSAGES/django.po to Locales)", ErrConfig, code)
		}
		b.languages = append(b.languages, code)
		b.translators[code] = tr
	}
	if _, ok := b.supportedVariant(b.def); !ok {
		return nil, fmt.Errorf("%w: Default %q is not among Languages %q", ErrConfig, b.def, b.languages)
	}
	return b, nil
}

// Languages returns the offered language codes, in the configured order.
func (b *Bundle) Languages() []string {
	if b == nil {
		return []string{"en"}
	}
	return slices.Clone(b.languages)
}

// CookieName returns the name of the language cookie.
func (b *Bundle) CookieName() string {
	if b == nil {
		return DefaultCookieName
	}
	return b.cookieName
}

// Translator returns the translator of an offered language, of its
// closest offered variant ("fr-ca" gives "fr"), or of the default
// language when code matches none.
func (b *Bundle) Translator(code string) *Translator {
	if b == nil {
		return nil
	}
	if lang, ok := b.supportedVariant(code); ok {
		return b.translators[lang]
	}
	return b.translators[b.defaultLanguage()]
}

// ToLocale turns a language code into the name of its locale directory,
// as Django's to_locale: "fr" stays "fr", "pt-br" becomes "pt_BR" and
// "sr-latn" becomes "sr_Latn".
func ToLocale(code string) string {
	lang, country, ok := strings.Cut(strings.ToLower(code), "-")
	if !ok {
		return lang
	}
	country, rest, _ := strings.Cut(country, "-")
	if len(country) > 2 {
		country = strings.ToUpper(country[:1]) + country[1:]
	} else {
		country = strings.ToUpper(country)
	}
	if rest != "" {
		country += "-" + rest
	}
	return lang + "_" + country
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		// fs.Sub fails only for an invalid path, and dir is a constant.
		panic(err)
	}
	return sub
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
