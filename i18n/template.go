package i18n

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"reflect"
)

// ErrTemplateArgs is wrapped by the error of a template func called with
// arguments that are not name/value pairs; the template's Execute
// returns it.
var ErrTemplateArgs = errors.New("i18n: template func arguments")

// FuncMap returns the template funcs that translate into tr's language
// (nil for English). Parse a template after Funcs(FuncMap(nil)) — or
// Funcs(i18n.Funcs()) — so that the names exist, then let Localize bind
// them to each language. Their results are plain strings, which
// html/template escapes like any other value: a translation cannot add
// markup.
//
//	{{t "Password"}}
//	{{t "Welcome, %(name)s." "name" .Username}}
//	{{t .Error}}                                  a Message (or a msgid held in a string)
//	{{tn "%(count)d session" "%(count)d sessions" .N "count" .N}}
//	{{tp "button" "Remove"}}                      with a msgctxt
//	<html lang="{{language}}">
//
// Arguments after the message are name/value pairs for the %(name)s
// placeholders (Django's blocktranslate with ... as ...); msgids are
// Django's, verbatim.
func FuncMap(tr *Translator) template.FuncMap {
	return template.FuncMap{
		"t": func(msg any, args ...any) (string, error) {
			kv, err := pairs(args)
			if err != nil {
				return "", err
			}
			switch m := msg.(type) {
			case Message:
				return tr.Translate(withArgs(m, kv)), nil
			case *Message:
				if m == nil {
					return "", nil
				}
				return tr.Translate(withArgs(*m, kv)), nil
			case string:
				return tr.Translate(Message{ID: m, Args: kv}), nil
			case fmt.Stringer:
				return tr.Translate(Message{ID: m.String(), Args: kv}), nil
			}
			return "", fmt.Errorf("%w: t of a %T, want a string or a Message", ErrTemplateArgs, msg)
		},
		"tn": func(singular, plural string, n any, args ...any) (string, error) {
			count, ok := toInt(n)
			if !ok {
				return "", fmt.Errorf("%w: tn count is a %T, want an integer", ErrTemplateArgs, n)
			}
			kv, err := pairs(args)
			if err != nil {
				return "", err
			}
			return tr.Translate(Message{ID: singular, Plural: plural, N: count, Args: kv}), nil
		},
		"tp": func(context, msgid string, args ...any) (string, error) {
			kv, err := pairs(args)
			if err != nil {
				return "", err
			}
			return tr.Translate(Message{Context: context, ID: msgid, Args: kv}), nil
		},
		"language": tr.Language,
	}
}

// Funcs returns FuncMap(nil): the English funcs to parse templates with.
func Funcs() template.FuncMap { return FuncMap(nil) }

func withArgs(m Message, kv map[string]any) Message {
	if kv == nil {
		return m
	}
	merged := make(map[string]any, len(m.Args)+len(kv))
	for k, v := range m.Args {
		merged[k] = v
	}
	for k, v := range kv {
		merged[k] = v
	}
	m.Args = merged
	return m
}

func pairs(args []any) (map[string]any, error) {
	if len(args) == 0 {
		return nil, nil
	}
	if len(args)%2 != 0 {
		return nil, fmt.Errorf("%w: %d values, want name/value pairs", ErrTemplateArgs, len(args))
	}
	kv := make(map[string]any, len(args)/2)
	for i := 0; i < len(args); i += 2 {
		name, ok := args[i].(string)
		if !ok {
			return nil, fmt.Errorf("%w: name %d is a %T, want a string", ErrTemplateArgs, i/2, args[i])
		}
		kv[name] = args[i+1]
	}
	return kv, nil
}

func toInt(v any) (int, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int(min(rv.Uint(), 1<<31)), true
	}
	return 0, false
}

// Localized is a template cloned once per offered language, each clone's
// funcs bound to that language's translator, so that a request picks its
// language's clone instead of cloning (and escaping again) per request.
// Build it once, at start-up, with Bundle.Localize; it is read-only and
// safe for concurrent use.
type Localized struct {
	byLang map[string]*template.Template
	def    *template.Template
}

// Localize clones t (which must have been parsed with the funcs of
// FuncMap, and not executed yet: html/template cannot clone an executed
// template) for every language of b. A nil Bundle gives English only.
func (b *Bundle) Localize(t *template.Template) (*Localized, error) {
	l := &Localized{byLang: map[string]*template.Template{}}
	for _, lang := range b.Languages() {
		c, err := t.Clone()
		if err != nil {
			return nil, fmt.Errorf("i18n: localize template %q: %w", t.Name(), err)
		}
		c.Funcs(FuncMap(b.Translator(lang)))
		l.byLang[lang] = c
	}
	l.def = l.byLang[b.defaultLanguage()]
	return l, nil
}

// Template returns the clone of tr's language (the default language's
// for a nil or foreign Translator).
func (l *Localized) Template(tr *Translator) *template.Template {
	if tr != nil {
		if t, ok := l.byLang[tr.lang]; ok {
			return t
		}
	}
	return l.def
}

// Execute renders the clone of tr's language with data.
func (l *Localized) Execute(w io.Writer, tr *Translator, data any) error {
	return l.Template(tr).Execute(w, data)
}
