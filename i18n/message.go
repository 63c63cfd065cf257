package i18n

import (
	"fmt"
	"strings"
)

// Message is a text to show to people, kept as Django's English msgid and
// its parameters so that it is translated when the page is rendered, in
// the request's language (Django's lazy gettext). Build one with a
// composite literal, so that the extraction check finds the msgid:
//
//	i18n.Message{ID: "This password is too common."}
//	i18n.Message{
//		ID:     "This password is too short. It must contain at least %(min_length)d character.",
//		Plural: "This password is too short. It must contain at least %(min_length)d characters.",
//		N:      n, Args: map[string]any{"min_length": n},
//	}
//
// The zero Message is the empty text.
type Message struct {
	// Context is Django's pgettext context, or "".
	Context string
	// ID is the msgid, verbatim from Django where Django has the text.
	ID string
	// Plural is the msgid_plural of a text that depends on N (ngettext),
	// or "".
	Plural string
	// N is the count that chooses the plural form.
	N int
	// Args are the values of the %(name)s placeholders (Python's
	// "%"-formatting with a dict, as Django's messages use). A value that
	// is itself a Message is translated too, as Django translates a
	// field's verbose_name inside a message.
	Args map[string]any
}

// String returns the English text: the msgid (or msgid_plural when N is
// not 1) with the arguments put in. html/template prints a Message this
// way.
func (m Message) String() string { return (*Translator)(nil).Translate(m) }

// IsZero reports whether m is the zero Message.
func (m Message) IsZero() bool {
	return m.ID == "" && m.Plural == "" && m.Context == "" && m.Args == nil
}

// Interpolate puts args into format as Python's "format % dict" does for
// the conversions Django's messages use: %(name)s, %(name)d (also i, u),
// %(name)r and %%. A placeholder whose name is not in args, or that is
// malformed, stays as it is: a translation with a typo shows the typo
// rather than failing the page. A Message argument is translated by tr
// (nil for English).
func Interpolate(tr *Translator, format string, args map[string]any) string {
	if !strings.Contains(format, "%") {
		return format
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(format, '%')
		if i < 0 || i == len(format)-1 {
			b.WriteString(format)
			return b.String()
		}
		b.WriteString(format[:i])
		format = format[i:]
		if format[1] == '%' {
			b.WriteByte('%')
			format = format[2:]
			continue
		}
		if format[1] != '(' {
			b.WriteByte('%')
			format = format[1:]
			continue
		}
		end := strings.IndexByte(format, ')')
		if end < 0 || end+1 >= len(format) {
			b.WriteString(format)
			return b.String()
		}
		name, verb := format[2:end], format[end+1]
		v, ok := args[name]
		if !ok || !strings.ContainsRune("sdiur", rune(verb)) {
			b.WriteString(format[:end+2])
			format = format[end+2:]
			continue
		}
		b.WriteString(formatArg(tr, v, verb))
		format = format[end+2:]
	}
}

func formatArg(tr *Translator, v any, verb byte) string {
	switch v := v.(type) {
	case Message:
		return tr.Translate(v)
	case *Message:
		if v == nil {
			return ""
		}
		return tr.Translate(*v)
	}
	switch verb {
	case 'd', 'i', 'u':
		switch v.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			return fmt.Sprintf("%d", v)
		case float32, float64:
			return fmt.Sprintf("%d", int64(toFloat(v)))
		}
	case 'r':
		if s, ok := v.(string); ok {
			return "'" + s + "'"
		}
	}
	return fmt.Sprint(v)
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return 0
}
