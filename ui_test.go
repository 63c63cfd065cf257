package auth_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/store/memory"
)

func TestNewLookValidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		ui   auth.UI
		ok   bool
	}{
		{"zero", auth.UI{}, true},
		{"hex accent", auth.UI{Theme: auth.Theme{Light: auth.Palette{Accent: "#0a7"}}}, true},
		{"rgb text", auth.UI{Theme: auth.Theme{Dark: auth.Palette{Text: "rgb(240 240 240)"}}}, true},
		{"oklch", auth.UI{Theme: auth.Theme{Light: auth.Palette{Accent: "oklch(0.5 0.2 260)"}}}, true},
		{"named", auth.UI{Theme: auth.Theme{Light: auth.Palette{Background: "white"}}}, true},
		{"lengths and font", auth.UI{Theme: auth.Theme{Radius: "0", Spacing: "1.25rem", Font: `"Inter", system-ui, sans-serif`}}, true},
		{"scheme dark", auth.UI{Theme: auth.Theme{Scheme: "dark"}}, true},
		{"logo path", auth.UI{LogoURL: "/static/logo.svg", SiteName: "Acme"}, true},
		{"logo https", auth.UI{LogoURL: "https://cdn.example.com/logo.png"}, true},
		{"lang", auth.UI{Lang: "pt-BR"}, true},
		{"blocks", auth.UI{Blocks: `{{define "footer"}}© Acme{{end}}  `}, true},

		{"style breakout", auth.UI{Theme: auth.Theme{Light: auth.Palette{Accent: "red;}</style><script>alert(1)</script>"}}}, false},
		{"declaration injection", auth.UI{Theme: auth.Theme{Light: auth.Palette{Accent: "red; background: url(x)"}}}, false},
		{"url colour", auth.UI{Theme: auth.Theme{Light: auth.Palette{Text: "url(javascript:x)"}}}, false},
		{"bad hex", auth.UI{Theme: auth.Theme{Light: auth.Palette{Accent: "#12"}}}, false},
		{"radius expression", auth.UI{Theme: auth.Theme{Radius: "calc(1px)"}}, false},
		{"font braces", auth.UI{Theme: auth.Theme{Font: "x}body{display:none"}}, false},
		{"font open quote", auth.UI{Theme: auth.Theme{Font: `"Inter`}}, false},
		{"scheme", auth.UI{Theme: auth.Theme{Scheme: "blue"}}, false},
		{"logo javascript", auth.UI{LogoURL: "javascript:alert(1)"}, false},
		{"logo protocol-relative", auth.UI{LogoURL: "//evil.example/x.png"}, false},
		{"home javascript", auth.UI{HomeURL: "javascript:alert(1)"}, false},
		{"lang quote", auth.UI{Lang: `en" onload="x`}, false},
		{"blocks bad syntax", auth.UI{Blocks: `{{define "footer"}}`}, false},
		{"blocks loose text", auth.UI{Blocks: `hello {{define "footer"}}x{{end}}`}, false},
		{"blocks redefine base", auth.UI{Blocks: `{{define "base"}}x{{end}}`}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := auth.NewLook(tc.ui)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, auth.ErrUI)
		})
	}
}

func TestNewRefusesBadUI(t *testing.T) {
	_, err := auth.New(auth.Config[auth.User]{Store: memory.New[auth.User](), SecretKey: testSecret,
		UI: auth.UI{Theme: auth.Theme{Light: auth.Palette{Accent: "</style>"}}}})
	require.ErrorIs(t, err, auth.ErrConfig)
	require.ErrorIs(t, err, auth.ErrUI)
}

func render(t *testing.T, l *auth.Look, page string, data any) string {
	t.Helper()
	tmpl, err := l.Page(fstest.MapFS{"page.html": {Data: []byte(page)}}, "page.html")
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, tmpl.Execute(&b, data))
	return b.String()
}

func TestLookRendersThemeAndBrand(t *testing.T) {
	l, err := auth.NewLook(auth.UI{
		SiteName: "Acme & Co", LogoURL: "/static/logo.svg", Lang: "fr",
		Theme: auth.Theme{Scheme: "dark", Radius: "2px", Font: "Inter, sans-serif",
			Light: auth.Palette{Accent: "#0a7"}, Dark: auth.Palette{Accent: "#7fd"}},
	})
	require.NoError(t, err)
	out := render(t, l, `{{define "title"}}Hi{{end}}{{define "content"}}<h1>Hi</h1>{{end}}`, nil)
	assert.Contains(t, out, `<html lang="fr" data-theme="dark">`)
	assert.Contains(t, out, `<title>Hi · Acme &amp; Co</title>`)
	assert.Contains(t, out, `:root{--djauth-accent:#0a7;--djauth-radius:2px;--djauth-font:Inter, sans-serif;}`)
	assert.Contains(t, out, `:root[data-theme=dark]{--djauth-accent:#7fd;}`)
	assert.Contains(t, out, `@media (prefers-color-scheme: dark){:root:not([data-theme=light]){--djauth-accent:#7fd;}}`)
	assert.Contains(t, out, `<img src="/static/logo.svg" alt="" height="32"><span>Acme &amp; Co</span>`)
	assert.Contains(t, out, `<a class="skip-link" href="#main">`)
	assert.Contains(t, out, `<main id="main" tabindex="-1"`)
	assert.Equal(t, 1, strings.Count(out, "</style>"))

	def := render(t, auth.DefaultLook(), `{{define "title"}}Hi{{end}}{{define "content"}}<h1>Hi</h1>{{end}}`, nil)
	assert.Contains(t, def, `<html lang="en-us">`, "an unlocalized layout is in Django's LANGUAGE_CODE default")
	assert.NotContains(t, def, `<header`, "no brand, no header")
	assert.NotContains(t, def, `:root{--djauth-accent`)
}

// The blocks of UI.Blocks replace the layout's and the page's blocks,
// whichever package parsed the page, and leave other looks alone.
func TestLookBlocksOverrideOneBlock(t *testing.T) {
	page := `{{define "title"}}Form{{end}}{{define "content"}}<h1>Form</h1>{{block "form_help" .}}<p>default help</p>{{end}}{{end}}`
	l, err := auth.NewLook(auth.UI{Blocks: `{{define "form_help"}}<p>Call {{.}}</p>{{end}}{{define "footer"}}<a href="/terms">Terms</a>{{end}}`})
	require.NoError(t, err)
	out := render(t, l, page, "555-0100")
	assert.Contains(t, out, `<p>Call 555-0100</p>`)
	assert.NotContains(t, out, `default help`)
	assert.Contains(t, out, `<footer class="site-footer"><a href="/terms">Terms</a></footer>`)
	assert.Contains(t, out, `<h1>Form</h1>`, "the rest of the page stays")

	other := render(t, auth.DefaultLook(), page, nil)
	assert.Contains(t, other, `default help`, "another look is not changed")
	assert.Contains(t, other, `<footer class="site-footer"></footer>`)
}

// The core's pages use the Auth's look, and a per-page template still
// replaces a whole page.
func TestAuthPagesUseConfigUI(t *testing.T) {
	e := newEnv(t, func(c *auth.Config[auth.User], _ *env[auth.User]) {
		c.UI = auth.UI{SiteName: "Acme", Blocks: `{{define "login_help"}}<p class="help">Trouble? Call us.</p>{{end}}`}
	})
	c := newClient(t, e.app())
	body := readBody(t, c.get("/accounts/login/"))
	assert.Contains(t, body, `<p class="help">Trouble? Call us.</p>`)
	assert.Contains(t, body, `<span>Acme</span>`)
	assert.Contains(t, body, `<title>Log in · Acme</title>`)
}

func TestErrorSummaryLinksFields(t *testing.T) {
	page := `{{define "title"}}F{{end}}{{define "content"}}{{template "error_summary" (errorSummary .Form (field "id_a" "A" .A) (field "id_b" "B" .B))}}{{template "field_errors" (field "id_a" "A" .A)}}{{end}}`
	out := render(t, auth.DefaultLook(), page, map[string][]string{"A": {"Too short.", "Too plain."}})
	assert.Contains(t, out, `<div class="errors" id="id_errors" role="alert">`)
	assert.Contains(t, out, `<li><a href="#id_a">A: Too short.</a></li><li><a href="#id_a">A: Too plain.</a></li>`)
	assert.NotContains(t, out, `#id_b`)
	assert.Contains(t, out, `<p class="field-error" id="id_a_error">Too short. Too plain.</p>`)
	none := render(t, auth.DefaultLook(), page, map[string][]string{})
	assert.NotContains(t, none, `id_errors`)
}

// FuzzNewLook: whatever a colour, font or length holds, a look that
// NewLook accepts renders one style element and nothing that leaves it.
func FuzzNewLook(f *testing.F) {
	for _, s := range []string{"#fff", "rgb(1 2 3)", "red", "</style>", "a;b", "x}y{", `"a"`, "1rem", "oklch(0.5 0.1 20 / 50%)"} {
		f.Add(s, s, s)
	}
	page := `{{define "title"}}T{{end}}{{define "content"}}<p>x</p>{{end}}`
	f.Fuzz(func(t *testing.T, colour, font, length string) {
		l, err := auth.NewLook(auth.UI{Theme: auth.Theme{Light: auth.Palette{Accent: colour}, Dark: auth.Palette{Text: colour},
			Font: font, Radius: length}})
		if err != nil {
			if !errors.Is(err, auth.ErrUI) {
				t.Fatalf("error %v does not wrap ErrUI", err)
			}
			return
		}
		out := render(t, l, page, nil)
		if strings.Count(strings.ToLower(out), "</style") != 1 || strings.Contains(out, "<script") {
			t.Fatalf("accepted values escaped the style element:\n%s", out)
		}
		css := out[strings.Index(out, "<style>"):strings.Index(out, "</style>")]
		if strings.Count(css, "{") != strings.Count(css, "}") {
			t.Fatalf("accepted values unbalanced the stylesheet: %q %q %q", colour, font, length)
		}
	})
}
