package i18n

import (
	"bytes"
	"io"
	"testing"
)

// The two ways to give a page's funcs the request's language, measured
// on the test page (go test -run X -bench . ./i18n/). Cloning per request
// makes html/template escape the clone again at its first Execute; a
// Localized set clones once per language at start-up.

func BenchmarkCloneTemplatePerRequest(b *testing.B) {
	bundle := newTestBundle(b, Config{Languages: []string{"en", "fr"}})
	master := parsePage(b)
	tr := bundle.Translator("fr")
	data := pageData{Name: "Zoë", Sessions: 2, Errors: []any{tooShort(8)}}
	b.ReportAllocs()
	for b.Loop() {
		c, err := master.Clone()
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Funcs(FuncMap(tr)).Execute(io.Discard, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLocalizedTemplate(b *testing.B) {
	bundle := newTestBundle(b, Config{Languages: []string{"en", "fr"}})
	l, err := bundle.Localize(parsePage(b))
	if err != nil {
		b.Fatal(err)
	}
	tr := bundle.Translator("fr")
	data := pageData{Name: "Zoë", Sessions: 2, Errors: []any{tooShort(8)}}
	b.ReportAllocs()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := l.Execute(&buf, tr, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromRequest(b *testing.B) {
	bundle := newTestBundle(b, Config{Languages: []string{"en", "fr"}})
	r := request("", "de-DE,de;q=0.9,fr-CA;q=0.8,fr;q=0.7,en;q=0.5")
	b.ReportAllocs()
	for b.Loop() {
		if bundle.FromRequest(r).Language() != "fr" {
			b.Fatal("wrong language")
		}
	}
}
