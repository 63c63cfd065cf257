package i18n

import (
	"bytes"
	"html/template"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type pageData struct {
	Name     string
	Sessions int
	Errors   []any
}

// extraSrc is the part of the test page with msgids that the embedded
// French catalog does not have (and that the extraction check, which
// reads the repository's .html files, must not see): one missing
// everywhere, one that only testdata/locale translates, into markup.
const extraSrc = `{{define "extra"}}<p>{{t "Not in any catalog, shown as it is"}}</p>
<p title="{{t "Bold"}}">{{t "Bold"}}</p>{{end}}`

func parsePage(t testing.TB) *template.Template {
	t.Helper()
	page := template.Must(template.New("page").Funcs(Funcs()).ParseFiles("testdata/page.html"))
	return template.Must(page.Parse(extraSrc)).Lookup("page")
}

func TestTemplateFuncs(t *testing.T) {
	t.Parallel()
	b := newTestBundle(t, Config{Languages: []string{"en", "fr"}, Locales: []fs.FS{os.DirFS("testdata/locale")}})
	l, err := b.Localize(parsePage(t))
	require.NoError(t, err)
	data := pageData{Name: `<script>alert("x")</script>`, Sessions: 1, Errors: []any{
		tooShort(8), "This password is too common.", &Message{ID: "This field is required."},
	}}
	render := func(cookie, accept string) string {
		var buf bytes.Buffer
		require.NoError(t, l.Execute(&buf, b.FromRequest(request(cookie, accept)), data))
		return buf.String()
	}

	fr := render("", "fr-CA,en;q=0.5")
	assert.Contains(t, fr, `<html lang="fr">`)
	assert.Contains(t, fr, "<h1>Se connecter</h1>")
	assert.Contains(t, fr, "<label>Nom d’utilisateur</label> <label>Mot de passe</label>")
	assert.Contains(t, fr, "<p>1 session</p>")
	assert.Contains(t, fr, "<button>Retirer</button>")
	assert.Contains(t, fr, "<li>Ce mot de passe est trop court. Il doit comporter au moins 8 caractères.</li>")
	assert.Contains(t, fr, "<li>Ce mot de passe est trop répandu.</li>")
	assert.Contains(t, fr, "<li>Ce champ est obligatoire.</li>")
	assert.Contains(t, fr, "<p>Not in any catalog, shown as it is</p>")
	// Arguments and translations are escaped, in text and in attributes.
	assert.Contains(t, fr, "<p>Bienvenue, &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;.</p>")
	assert.Contains(t, fr, `<p title="&lt;b&gt;Gras&lt;/b&gt; &amp; &#34;cité&#34;">&lt;b&gt;Gras&lt;/b&gt; &amp; &#34;cité&#34;</p>`)
	assert.NotContains(t, fr, "<script>")
	assert.NotContains(t, fr, "<b>")

	en := render("en", "fr")
	assert.Contains(t, en, `<html lang="en">`)
	assert.Contains(t, en, "<h1>Log in</h1>")
	assert.Contains(t, en, "<li>This password is too short. It must contain at least 8 characters.</li>")
	assert.NotContains(t, en, "Bienvenue")

	data.Sessions = 2
	assert.Contains(t, render("fr", ""), "<p>2 sessions</p>")
	data.Sessions = 0
	assert.Contains(t, render("fr", ""), "<p>0 session</p>", "French singular for 0")
	assert.Contains(t, render("", ""), "<p>0 sessions</p>")

	// A Translator of no offered language gets the default's page.
	assert.Same(t, l.Template(nil), l.Template(b.Translator("en")))
}

func TestTemplateFuncErrors(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		`{{t "a" "name"}}`, `{{t "a" 1 2}}`, `{{t 3}}`, `{{tn "a" "b" "x"}}`, `{{tp "c" "a" "odd"}}`,
	} {
		tmpl := template.Must(template.New("x").Funcs(Funcs()).Parse(src))
		err := tmpl.Execute(&bytes.Buffer{}, nil)
		assert.ErrorIs(t, err, ErrTemplateArgs, src)
	}
	// A nil *Message prints nothing, a Stringer its text.
	tmpl := template.Must(template.New("x").Funcs(Funcs()).Parse(`[{{t .M}}][{{t .S}}]`))
	var buf bytes.Buffer
	require.NoError(t, tmpl.Execute(&buf, map[string]any{"M": (*Message)(nil), "S": time.Second}))
	assert.Equal(t, "[][1s]", buf.String())
}

func TestLocalizeExecutedTemplate(t *testing.T) {
	t.Parallel()
	tmpl := parsePage(t)
	require.NoError(t, tmpl.Execute(&bytes.Buffer{}, pageData{}))
	_, err := (*Bundle)(nil).Localize(tmpl)
	assert.Error(t, err, "html/template cannot clone an executed template")
}
