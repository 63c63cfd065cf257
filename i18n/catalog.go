package i18n

import "fmt"

// Catalog is the compiled form of one .po file: the translated,
// non-fuzzy messages and the language's plural rule. It is read-only
// once built, so one Catalog serves every request.
type Catalog struct {
	msgs   map[string][]string
	plural PluralRule
}

// catalogKey is gettext's key of a message: the context and the msgid
// joined by EOT.
func catalogKey(context, id string) string { return context + "\x04" + id }

// NewCatalog compiles a parsed .po file as msgfmt does: fuzzy entries
// and untranslated ones (every msgstr empty) are left out. rules are
// extra plural rules by Plural-Forms expression (see Config.PluralRules);
// nil is fine for English, French and the other common families.
func NewCatalog(f *POFile, rules map[string]PluralRule) (*Catalog, error) {
	rule, err := pluralRule(f.Header["Plural-Forms"], rules)
	if err != nil {
		return nil, err
	}
	c := &Catalog{msgs: make(map[string][]string, len(f.Entries)), plural: rule}
	for _, e := range f.Entries {
		if e.Fuzzy || allEmpty(e.Str) {
			continue
		}
		c.msgs[catalogKey(e.Context, e.ID)] = e.Str
	}
	return c, nil
}

// ParseCatalog parses and compiles a .po file (ParsePO then NewCatalog).
func ParseCatalog(data []byte, rules map[string]PluralRule) (*Catalog, error) {
	f, err := ParsePO(data)
	if err != nil {
		return nil, err
	}
	c, err := NewCatalog(f, rules)
	if err != nil {
		return nil, fmt.Errorf("i18n: catalog: %w", err)
	}
	return c, nil
}

// Len returns the number of translated messages.
func (c *Catalog) Len() int { return len(c.msgs) }

// lookup returns the translation of a message, choosing the plural form
// for n when plural is set; ok is false when the catalog has none (or
// not that form).
func (c *Catalog) lookup(context, id string, plural bool, n int) (string, bool) {
	strs, ok := c.msgs[catalogKey(context, id)]
	if !ok {
		return "", false
	}
	i := 0
	if plural {
		i = c.plural(n)
	}
	if i < 0 || i >= len(strs) || strs[i] == "" {
		return "", false
	}
	return strs[i], true
}

func allEmpty(ss []string) bool {
	for _, s := range ss {
		if s != "" {
			return false
		}
	}
	return true
}
