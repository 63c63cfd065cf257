package auth

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"regexp"
	"strings"
	"sync/atomic"
	"text/template/parse"

	"github.com/djauth/auth/i18n"
)

// UI is the look of every page of the library (the core's, and those of
// packages accounts, social and any other that builds its pages with
// Auth.Look): a theme, a brand, the page language and template blocks
// that replace parts of the pages. The zero value is the default look.
type UI struct {
	// Theme sets colours, corner radius, font and spacing.
	Theme Theme
	// SiteName names the site in the header (and is the logo's text
	// alternative). Empty means no header brand.
	SiteName string
	// LogoURL is an image shown in the header before SiteName: a path
	// ("/static/logo.svg") or an http(s) URL. Empty means none.
	LogoURL string
	// HomeURL is where the brand links to. Empty means "/".
	HomeURL string
	// Lang forces the lang attribute of <html>. Empty means the
	// language each page is rendered in (the request's, among those of
	// Config.I18n); set it only when the pages are in one language.
	Lang string
	// Blocks is html/template source made only of {{define}}s, parsed
	// after each page, so that each defined template replaces the block
	// of that name on every page of every package (Django's template
	// override, one block at a time): "header", "footer", "head" (extra
	// elements of <head>), "styles" (extra CSS), "title", and the pages'
	// own blocks such as "login_help". See docs/ui.md for the list.
	Blocks string
}

// Palette is the colours of one colour scheme. Each is a CSS colour: a
// hex colour (#1d4ed8), a colour function (rgb(29 78 216), oklch(...))
// or a named colour. Empty fields keep the default.
type Palette struct {
	// Accent colours links, buttons and focus rings; OnAccent is the
	// text on an Accent background.
	Accent   string
	OnAccent string
	// Text and Muted colour text; Background the page, Surface the card,
	// Border its lines; Error error text and borders.
	Text       string
	Muted      string
	Background string
	Surface    string
	Border     string
	Error      string
}

// Theme is the part of UI rendered into CSS custom properties. Colours
// an app picks must keep WCAG AA contrast (4.5:1 for text) themselves:
// the defaults do, in both schemes.
type Theme struct {
	// Light and Dark are the two colour schemes; the browser's
	// prefers-color-scheme picks one unless Scheme forces it.
	Light Palette
	Dark  Palette
	// Scheme is "" (follow the browser), "light" or "dark": the
	// data-theme attribute of <html>.
	Scheme string
	// Radius is the corner radius of fields, buttons and the card, a CSS
	// length ("0.4rem", "6px", "0").
	Radius string
	// Font is the font-family list ("Inter, system-ui, sans-serif").
	Font string
	// Spacing is the base unit of the layout's gaps, a CSS length
	// ("1rem").
	Spacing string
}

// ErrUI is wrapped by the errors of NewLook (and so of New) for a UI
// setting that is not a valid value.
var ErrUI = errors.New("auth: invalid UI setting")

var (
	hexColour   = regexp.MustCompile(`^#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$`)
	funcColour  = regexp.MustCompile(`^(rgb|rgba|hsl|hsla|hwb|lab|lch|oklab|oklch)\([0-9a-zA-Z.,%/ +-]{1,80}\)$`)
	namedColour = regexp.MustCompile(`^[a-zA-Z]{3,30}$`)
	cssLength   = regexp.MustCompile(`^(0|[0-9]{1,4}(\.[0-9]{1,4})?(px|rem|em|%))$`)
	fontList    = regexp.MustCompile(`^[A-Za-z0-9 ,'"_-]{1,200}$`)
	langTag     = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,6}$`)
	logoURL     = regexp.MustCompile(`^(/[^/\\]|https?://)[^\s"'<>\\]*$`)
)

// Look is a validated UI, ready to build pages: every page template
// made from it has its theme, brand and blocks. Make one with NewLook;
// an Auth has one (Auth.Look), made from Config.UI. It is safe for
// concurrent use and never changes.
type Look struct {
	view   *uiView
	blocks string
}

// LanguageChoice is one language of the footer's language switcher: its
// code ("fr") and its name in itself ("Français").
type LanguageChoice struct {
	Code string
	Name string
}

// languageSwitch is the footer's language switcher of an Auth's look:
// the languages of Config.I18n and the URL of SetLanguageHandler, known
// once Routes has mounted it.
type languageSwitch struct {
	Languages []LanguageChoice
	url       atomic.Pointer[string]
}

// URL returns where the switcher posts, or "" before Routes mounted
// SetLanguageHandler.
func (s *languageSwitch) URL() string {
	if p := s.url.Load(); p != nil {
		return *p
	}
	return ""
}

// languageNames are the names of common languages in themselves (as
// Django's LANG_INFO name_local), for the language switcher.
var languageNames = map[string]string{
	"en": "English", "en-gb": "British English", "en-us": "English", "fr": "Français", "de": "Deutsch",
	"es": "Español", "it": "Italiano", "nl": "Nederlands", "pt": "Português", "pt-br": "Português Brasileiro",
	"pl": "Polski", "sv": "Svenska", "da": "Dansk", "nb": "Norsk (bokmål)", "fi": "Suomi", "cs": "Čeština",
	"ru": "Русский", "uk": "Українська", "ja": "日本語", "ko": "한국어", "zh-hans": "简体中文", "zh-hant": "繁體中文",
}

// withLanguages returns a copy of l whose pages show a language switcher
// for langs (when there are two or more) posting to the URL that sw
// holds.
func (l *Look) withLanguages(langs []string) (*Look, *languageSwitch) {
	sw := &languageSwitch{}
	for _, code := range langs {
		sw.Languages = append(sw.Languages, LanguageChoice{Code: code, Name: cmpOr(languageNames[code], code)})
	}
	v := *l.view
	if len(langs) > 1 {
		v.Switch = sw
	}
	return &Look{view: &v, blocks: l.blocks}, sw
}

// uiView is what base.html reads through the djauthUI function.
type uiView struct {
	// Lang is UI.Lang, "" for the page's language.
	Lang     string
	Scheme   string
	SiteName string
	LogoURL  string
	HomeURL  string
	CSS      template.CSS
	// Switch is the language switcher, nil for none.
	Switch *languageSwitch
}

// NewLook checks ui and returns its Look. It returns an error wrapping
// ErrUI when a colour, length, font list, language, logo URL or the
// scheme is malformed, or when Blocks does not parse or holds anything
// but {{define}}s and blank text.
func NewLook(ui UI) (*Look, error) {
	bad := func(format string, args ...any) (*Look, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrUI}, args...)...)
	}
	v := &uiView{Lang: ui.Lang, Scheme: ui.Theme.Scheme, SiteName: ui.SiteName, LogoURL: ui.LogoURL, HomeURL: ui.HomeURL}
	if v.HomeURL == "" {
		v.HomeURL = "/"
	}
	if v.Lang != "" && !langTag.MatchString(v.Lang) {
		return bad("Lang %q is not a language tag", ui.Lang)
	}
	switch v.Scheme {
	case "", "light", "dark":
	default:
		return bad(`Theme.Scheme %q is not "", "light" or "dark"`, v.Scheme)
	}
	if v.LogoURL != "" && !logoURL.MatchString(v.LogoURL) {
		return bad("LogoURL %q is not a path or an http(s) URL", v.LogoURL)
	}
	if !logoURL.MatchString(v.HomeURL) && v.HomeURL != "/" {
		return bad("HomeURL %q is not a path or an http(s) URL", v.HomeURL)
	}
	css, err := themeCSS(ui.Theme)
	if err != nil {
		return bad("%v", err)
	}
	v.CSS = template.CSS(css)
	if ui.Blocks != "" {
		t, err := template.New("djauth_blocks").Funcs(uiFuncs(v)).Parse(ui.Blocks)
		if err != nil {
			return bad("Blocks: %v", err)
		}
		if t.Tree != nil && !parse.IsEmptyTree(t.Tree.Root) {
			return bad("Blocks holds text outside {{define}}")
		}
		if t.Lookup("base") != nil {
			return bad(`Blocks redefines "base": override its blocks instead`)
		}
	}
	return &Look{view: v, blocks: ui.Blocks}, nil
}

// defaultLook is the zero UI's look.
var defaultLook = func() *Look {
	l, err := NewLook(UI{})
	if err != nil {
		panic(err)
	}
	return l
}()

// DefaultLook returns the look of the zero UI.
func DefaultLook() *Look { return defaultLook }

// Layout returns a new copy of the page layout with this look: the
// template "base", which calls "title" and "content". The caller parses
// its page into the copy; unlike Page, the UI's Blocks are parsed before
// the caller's page, so they replace only blocks the page does not
// define itself.
func (l *Look) Layout() *template.Template {
	t := template.Must(template.New("base").Funcs(uiFuncs(l.view)).ParseFS(templateFS, "templates/base.html"))
	if l.blocks != "" {
		template.Must(t.Parse(l.blocks))
	}
	return t.Lookup("base")
}

// Page parses the files of fsys matching patterns (a page defining
// "title" and "content", and any blocks) into a copy of the layout,
// then the UI's Blocks, and returns the template "base" to execute with
// the page's data.
func (l *Look) Page(fsys fs.FS, patterns ...string) (*template.Template, error) {
	t, err := template.New("base").Funcs(uiFuncs(l.view)).ParseFS(templateFS, "templates/base.html")
	if err != nil {
		return nil, err
	}
	if _, err := t.ParseFS(fsys, patterns...); err != nil {
		return nil, err
	}
	if l.blocks != "" {
		if _, err := t.Parse(l.blocks); err != nil {
			return nil, err
		}
	}
	return t.Lookup("base"), nil
}

// mustPage is Page for the embedded pages, which always parse.
func (l *Look) mustPage(fsys fs.FS, name string) *template.Template {
	return template.Must(l.Page(fsys, name))
}

// FieldErrors are the errors of one form field, for the "field_errors"
// template and the error summary: ID is the input's id, Label the text
// of its label.
type FieldErrors struct {
	ID     string
	Label  string
	Errors []string
}

// ErrorSummary is the data of the "error_summary" template: the form's
// own errors, then each field's, linked to the field.
type ErrorSummary struct {
	Errors []string
	Fields []FieldErrors
}

// uiFuncs are the functions of every page: djauthUI (the look), field
// and errorSummary (the error helpers of base.html), describedBy, and
// package i18n's t, tn, tp and language in English (Localize binds them
// to each language).
func uiFuncs(v *uiView) template.FuncMap {
	funcs := i18n.Funcs()
	maps.Copy(funcs, template.FuncMap{
		"djauthUI": func() *uiView { return v },
		"field": func(id, label string, errs []string) FieldErrors {
			return FieldErrors{ID: id, Label: label, Errors: errs}
		},
		"errorSummary": func(errs []string, fields ...FieldErrors) *ErrorSummary {
			s := &ErrorSummary{Errors: errs}
			for _, f := range fields {
				if len(f.Errors) > 0 {
					s.Fields = append(s.Fields, f)
				}
			}
			if len(s.Errors) == 0 && len(s.Fields) == 0 {
				return nil
			}
			return s
		},
		// describedBy joins the non-empty ids of an aria-describedby.
		// Arguments that are not strings (the falsy result of an
		// "and") are skipped.
		"describedBy": func(ids ...any) string {
			var out []string
			for _, id := range ids {
				if s, ok := id.(string); ok && s != "" {
					out = append(out, s)
				}
			}
			return strings.Join(out, " ")
		},
	})
	return funcs
}

// themeCSS renders the theme's settings as custom properties: light
// ones on :root, dark ones under the same selectors as the default dark
// palette, so each scheme keeps its defaults for what the theme leaves
// empty.
func themeCSS(th Theme) (string, error) {
	light, err := paletteDecls("Light", th.Light)
	if err != nil {
		return "", err
	}
	dark, err := paletteDecls("Dark", th.Dark)
	if err != nil {
		return "", err
	}
	for _, f := range []struct{ name, val, prop string }{
		{"Radius", th.Radius, "--djauth-radius"},
		{"Spacing", th.Spacing, "--djauth-space"},
	} {
		if f.val == "" {
			continue
		}
		if !cssLength.MatchString(f.val) {
			return "", fmt.Errorf("Theme.%s %q is not a CSS length such as 0.5rem", f.name, f.val)
		}
		light += f.prop + ":" + f.val + ";"
	}
	if th.Font != "" {
		if !fontList.MatchString(th.Font) || strings.Count(th.Font, `"`)%2 != 0 || strings.Count(th.Font, `'`)%2 != 0 {
			return "", fmt.Errorf("Theme.Font %q is not a font-family list", th.Font)
		}
		light += "--djauth-font:" + th.Font + ";"
	}
	var b strings.Builder
	if light != "" {
		b.WriteString(":root{" + light + "}")
	}
	if dark != "" {
		b.WriteString("@media (prefers-color-scheme: dark){:root:not([data-theme=light]){" + dark + "}}")
		b.WriteString(":root[data-theme=dark]{" + dark + "}")
	}
	return b.String(), nil
}

func paletteDecls(scheme string, p Palette) (string, error) {
	var b strings.Builder
	for _, f := range []struct{ name, val, prop string }{
		{"Accent", p.Accent, "accent"}, {"OnAccent", p.OnAccent, "on-accent"},
		{"Text", p.Text, "text"}, {"Muted", p.Muted, "muted"},
		{"Background", p.Background, "bg"}, {"Surface", p.Surface, "surface"},
		{"Border", p.Border, "border"}, {"Error", p.Error, "error"},
	} {
		if f.val == "" {
			continue
		}
		if !hexColour.MatchString(f.val) && !funcColour.MatchString(f.val) && !namedColour.MatchString(f.val) {
			return "", fmt.Errorf("Theme.%s.%s %q is not a CSS colour", scheme, f.name, f.val)
		}
		b.WriteString("--djauth-" + f.prop + ":" + f.val + ";")
	}
	return b.String(), nil
}

// Look returns the Auth's look, made from Config.UI, for the pages of
// the packages built on the Auth.
func (a *Auth[U]) Look() *Look { return a.look }
