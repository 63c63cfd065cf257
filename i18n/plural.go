package i18n

import (
	"errors"
	"fmt"
	"strings"
)

// ErrPluralForms is wrapped by the error of a catalog whose Plural-Forms
// header this package does not know; give the rule in
// Config.PluralRules.
var ErrPluralForms = errors.New("i18n: unknown Plural-Forms expression")

// PluralRule chooses the index of the plural form (the n of msgstr[n])
// for a count.
type PluralRule func(n int) int

// pluralRules are the Plural-Forms expressions of gettext's most common
// families, with spaces and outer parentheses removed: Django's own
// catalogs use the first three for 68 of its languages, English and
// French among them.
var pluralRules = map[string]PluralRule{
	// English, German, Spanish, Italian, Dutch... (gettext's default).
	"n!=1": func(n int) int {
		if n != 1 {
			return 1
		}
		return 0
	},
	// French, Brazilian Portuguese...: 0 and 1 are singular.
	"n>1": func(n int) int {
		if n > 1 {
			return 1
		}
		return 0
	},
	// Chinese, Japanese, Korean...: one form.
	"0": func(int) int { return 0 },
}

// germanic is gettext's rule when a catalog has no Plural-Forms header.
var germanic = pluralRules["n!=1"]

// pluralRule returns the rule of a Plural-Forms header value such as
// "nplurals=2; plural=(n > 1);", looking first in custom (keyed by the
// expression exactly as written after "plural=", without the final ";").
func pluralRule(header string, custom map[string]PluralRule) (PluralRule, error) {
	if header == "" {
		return germanic, nil
	}
	_, expr, ok := strings.Cut(header, "plural=")
	if !ok {
		return nil, fmt.Errorf("%w: %q has no plural=", ErrPluralForms, header)
	}
	expr = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(expr), ";"))
	if r, ok := custom[expr]; ok && r != nil {
		return r, nil
	}
	norm := strings.Join(strings.Fields(expr), "")
	for len(norm) >= 2 && norm[0] == '(' && norm[len(norm)-1] == ')' {
		norm = norm[1 : len(norm)-1]
	}
	if r, ok := pluralRules[norm]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("%w: %q (set Config.PluralRules[%q])", ErrPluralForms, expr, expr)
}
