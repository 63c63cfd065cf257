package i18n

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// maxLanguageHeader is Django's LANGUAGE_CODE_MAX_LENGTH: longer
// Accept-Language values and codes are cut before parsing.
const maxLanguageHeader = 500

// Django's accept_language_re and language_code_re.
var (
	acceptLanguageRe = regexp.MustCompile(`([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)(?:\s*;\s*q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?))?(?:\s*,\s*|$)`)
	languageCodeRe   = regexp.MustCompile(`(?i)^[a-z]{1,8}(?:-[a-z0-9]{1,8})*(?:@[a-z0-9]{1,20})?$`)
)

// AcceptLanguage is one language range of an Accept-Language header.
type AcceptLanguage struct {
	// Tag is the lowercased range: "fr-ca", "en" or "*".
	Tag string
	// Q is its quality, 0 to 1.
	Q float64
}

// ParseAcceptLanguage parses an Accept-Language header as Django's
// parse_accept_lang_header does: lowercased, sorted by quality (highest
// first, ties in header order), and nil for any malformed value. A value
// longer than 500 bytes is cut at its last comma before that length (and
// is nil without one).
func ParseAcceptLanguage(header string) []AcceptLanguage {
	if len(header) > maxLanguageHeader {
		i := strings.LastIndexByte(header[:maxLanguageHeader], ',')
		if i <= 0 {
			return nil
		}
		header = header[:i]
	}
	header = strings.ToLower(header)
	var out []AcceptLanguage
	pos := 0
	for _, m := range acceptLanguageRe.FindAllStringSubmatchIndex(header, -1) {
		if m[0] != pos {
			return nil // text between two ranges that is not a separator
		}
		pos = m[1]
		q := 1.0
		if m[4] >= 0 {
			q, _ = strconv.ParseFloat(header[m[4]:m[5]], 64)
		}
		out = append(out, AcceptLanguage{Tag: header[m[2]:m[3]], Q: q})
	}
	if pos != len(header) {
		return nil
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Q > out[j].Q })
	return out
}

// Language returns the language of a request among the offered ones, in
// the order of Django's LocaleMiddleware (get_language_from_request): the
// language cookie when it names an offered language or a variant of one,
// then the ranges of Accept-Language in order of quality (stopping at
// "*"), each matched exactly, then by its generic code ("fr-ca" gives
// "fr"), then by another variant of that code ("fr-fr" gives "fr-ca"
// when only that is offered), and last Config.Default. As in Django a
// range of quality 0 is still a match. A nil r (code that runs outside a
// request, such as a sign-up from a command) gets Config.Default.
func (b *Bundle) Language(r *http.Request) string {
	if b == nil {
		return "en"
	}
	if r == nil {
		return b.defaultLanguage()
	}
	if c, err := r.Cookie(b.cookieName); err == nil {
		if lang, ok := b.supportedVariant(c.Value); ok {
			return lang
		}
	}
	for _, al := range ParseAcceptLanguage(r.Header.Get("Accept-Language")) {
		if al.Tag == "*" {
			break
		}
		if !languageCodeRe.MatchString(al.Tag) {
			continue
		}
		if lang, ok := b.supportedVariant(al.Tag); ok {
			return lang
		}
	}
	return b.defaultLanguage()
}

// defaultLanguage is the offered language of Config.Default.
func (b *Bundle) defaultLanguage() string {
	if b == nil {
		return "en"
	}
	lang, _ := b.supportedVariant(b.def)
	return lang
}

// FromRequest returns the translator of the request's language
// (Language). It is what a page handler calls before rendering.
func (b *Bundle) FromRequest(r *http.Request) *Translator {
	if b == nil {
		return nil
	}
	return b.translators[b.Language(r)]
}

// supportedVariant is Django's get_supported_language_variant (not
// strict): code itself, then each shorter prefix ("zh-hant-tw",
// "zh-hant", "zh"), then any offered code that begins with the generic
// code and a hyphen.
func (b *Bundle) supportedVariant(code string) (string, bool) {
	if code == "" {
		return "", false
	}
	if len(code) > maxLanguageHeader {
		i := strings.LastIndexByte(code[:maxLanguageHeader], '-')
		if i <= 0 {
			return "", false
		}
		code = code[:i]
	}
	code = strings.ToLower(code)
	for c := code; ; {
		if _, ok := b.translators[c]; ok {
			return c, true
		}
		i := strings.LastIndexByte(c, '-')
		if i < 0 {
			break
		}
		c = c[:i]
	}
	g := generic(code)
	for _, lang := range b.languages {
		if strings.HasPrefix(lang, g+"-") {
			return lang, true
		}
	}
	return "", false
}

// generic is the language part of a code: "fr" of "fr-ca".
func generic(code string) string {
	g, _, _ := strings.Cut(code, "-")
	return g
}

// Match returns the offered language that serves code: code itself, its
// generic code or another variant of it (as for the cookie), and false
// when none is offered. A language switcher checks the chosen code with
// it before setting the cookie.
func (b *Bundle) Match(code string) (string, bool) {
	if b == nil {
		if generic(strings.ToLower(code)) == "en" {
			return "en", true
		}
		return "", false
	}
	return b.supportedVariant(code)
}
