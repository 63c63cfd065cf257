package i18n

import (
	"html/template"
	texttemplate "text/template"
)

// Pages is a set of page templates, each localized once (Localize), for
// a package that executes the pages of its Templates struct through one
// render function: it looks up the clone of the request's language by
// the template it was given. Build it once with Bundle.LocalizePages; it
// is read-only and safe for concurrent use.
type Pages struct {
	byTemplate map[*template.Template]*Localized
}

// LocalizePages localizes every non-nil template of ts (see Localize).
// The same template listed twice is localized once.
func (b *Bundle) LocalizePages(ts ...*template.Template) (*Pages, error) {
	p := &Pages{byTemplate: make(map[*template.Template]*Localized, len(ts))}
	for _, t := range ts {
		if t == nil || p.byTemplate[t] != nil {
			continue
		}
		l, err := b.Localize(t)
		if err != nil {
			return nil, err
		}
		p.byTemplate[t] = l
	}
	return p, nil
}

// Template returns the clone of t in tr's language, or t itself when t
// is not one of the set (or p is nil).
func (p *Pages) Template(tr *Translator, t *template.Template) *template.Template {
	if p != nil {
		if l, ok := p.byTemplate[t]; ok {
			return l.Template(tr)
		}
	}
	return t
}

// TextFuncs returns the funcs of FuncMap(nil) for text/template: parse a
// plain-text template (a mail) with them, then execute its
// LocalizeText copy.
func TextFuncs() texttemplate.FuncMap { return texttemplate.FuncMap(FuncMap(nil)) }

// LocalizeText returns a copy of the text template t whose t, tn, tp and
// language funcs are tr's. Unlike html/template, text/template clones
// cheaply and after execution, so a mail is localized when it is sent,
// in the language of the request that caused it.
func LocalizeText(t *texttemplate.Template, tr *Translator) (*texttemplate.Template, error) {
	c, err := t.Clone()
	if err != nil {
		return nil, err
	}
	return c.Funcs(texttemplate.FuncMap(FuncMap(tr))), nil
}
