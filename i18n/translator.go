package i18n

// Translator translates messages into one language, through the catalogs
// of that language in order of precedence (an app's own catalogs first,
// then this package's). Get one from Bundle.Translator or
// Bundle.FromRequest; it is read-only and safe for concurrent use.
//
// A nil *Translator is English: every method returns the msgid, as
// Django does when translation is off.
type Translator struct {
	lang     string
	catalogs []*Catalog
}

// Language returns the language code ("fr", "en"), or "en-us" (Django's
// LANGUAGE_CODE default) for a nil Translator.
func (t *Translator) Language() string {
	if t == nil {
		return DefaultLanguage
	}
	return t.lang
}

// Gettext returns the translation of msgid, or msgid when there is none.
func (t *Translator) Gettext(msgid string) string { return t.Pgettext("", msgid) }

// Pgettext returns the translation of msgid in context, or msgid.
func (t *Translator) Pgettext(context, msgid string) string {
	if s, ok := t.lookup(context, msgid, false, 0); ok {
		return s
	}
	return msgid
}

// Ngettext returns the plural form for n of the translation of singular,
// or singular when n is 1 and plural otherwise (English's rule) when
// there is none.
func (t *Translator) Ngettext(singular, plural string, n int) string {
	return t.Npgettext("", singular, plural, n)
}

// Npgettext is Ngettext in a context.
func (t *Translator) Npgettext(context, singular, plural string, n int) string {
	if s, ok := t.lookup(context, singular, true, n); ok {
		return s
	}
	if n == 1 {
		return singular
	}
	return plural
}

// Translate returns m in t's language with its arguments put in. A
// message without a translation is shown in English.
func (t *Translator) Translate(m Message) string {
	var s string
	if m.Plural != "" {
		s = t.Npgettext(m.Context, m.ID, m.Plural, m.N)
	} else {
		s = t.Pgettext(m.Context, m.ID)
	}
	if m.Args == nil {
		return s
	}
	return Interpolate(t, s, m.Args)
}

// TranslateAll translates every message, in order.
func (t *Translator) TranslateAll(msgs []Message) []string {
	if msgs == nil {
		return nil
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = t.Translate(m)
	}
	return out
}

func (t *Translator) lookup(context, id string, plural bool, n int) (string, bool) {
	if t == nil {
		return "", false
	}
	for _, c := range t.catalogs {
		if s, ok := c.lookup(context, id, plural, n); ok {
			return s, true
		}
	}
	return "", false
}
