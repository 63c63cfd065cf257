package i18n

import (
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var tooShort = func(n int) Message {
	return Message{
		ID:     "This password is too short. It must contain at least %(min_length)d character.",
		Plural: "This password is too short. It must contain at least %(min_length)d characters.",
		N:      n, Args: map[string]any{"min_length": n},
	}
}

func TestPluralForms(t *testing.T) {
	t.Parallel()
	b := newTestBundle(t, Config{Languages: []string{"en", "fr"}})
	fr, en := b.Translator("fr"), b.Translator("en")
	tests := []struct {
		n      int
		fr, en string
	}{
		// French uses the singular for 0 and 1; English for 1 only.
		{0, "Ce mot de passe est trop court. Il doit comporter au moins 0 caractère.",
			"This password is too short. It must contain at least 0 characters."},
		{1, "Ce mot de passe est trop court. Il doit comporter au moins 1 caractère.",
			"This password is too short. It must contain at least 1 character."},
		{2, "Ce mot de passe est trop court. Il doit comporter au moins 2 caractères.",
			"This password is too short. It must contain at least 2 characters."},
		{8, "Ce mot de passe est trop court. Il doit comporter au moins 8 caractères.",
			"This password is too short. It must contain at least 8 characters."},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.fr, fr.Translate(tooShort(tt.n)))
		assert.Equal(t, tt.en, en.Translate(tooShort(tt.n)))
		assert.Equal(t, tt.en, tooShort(tt.n).String())
		assert.Equal(t, tt.en, (*Translator)(nil).Translate(tooShort(tt.n)))
	}
	for rule, cases := range map[string]map[int]int{
		"nplurals=2; plural=(n != 1);": {0: 1, 1: 0, 2: 1},
		"nplurals=2; plural=(n > 1);":  {0: 0, 1: 0, 2: 1},
		"nplurals=2; plural=n>1;":      {0: 0, 1: 0, 2: 1},
		"nplurals=1; plural=0;":        {0: 0, 1: 0, 7: 0},
		"":                             {0: 1, 1: 0, 2: 1},
	} {
		r, err := pluralRule(rule, nil)
		require.NoError(t, err, rule)
		for n, want := range cases {
			assert.Equal(t, want, r(n), "%s n=%d", rule, n)
		}
	}
	custom := "(n%10==1 && n%100!=11 ? 0 : 1)"
	r, err := pluralRule("nplurals=2; plural="+custom+";", map[string]PluralRule{custom: func(n int) int {
		if n%10 == 1 && n%100 != 11 {
			return 0
		}
		return 1
	}})
	require.NoError(t, err)
	assert.Equal(t, 0, r(21))
	assert.Equal(t, 1, r(11))
}

func TestTranslateFallbacks(t *testing.T) {
	t.Parallel()
	b := newTestBundle(t, Config{Languages: []string{"en", "fr"}, Locales: []fs.FS{os.DirFS("testdata/locale")}})
	fr := b.Translator("fr")
	// Missing translation: the msgid, with its arguments put in.
	assert.Equal(t, "No such message", fr.Gettext("No such message"))
	assert.Equal(t, "3 widgets", fr.Translate(Message{ID: "%(n)d widget", Plural: "%(n)d widgets", N: 3, Args: map[string]any{"n": 3}}))
	assert.Equal(t, "1 widget", fr.Ngettext("1 widget", "%d widgets", 1))
	// Locales first, then the embedded catalog; a fuzzy entry is not used.
	assert.Equal(t, "Se connecter", fr.Gettext("Log in"))
	assert.Equal(t, "Tableau de bord", fr.Gettext("Dashboard"))
	assert.Equal(t, "Mot de passe", fr.Gettext("Password"), "the fuzzy override is skipped")
	assert.Equal(t, "Ce mot de passe est trop répandu.", fr.Gettext("This password is too common."))
	// Contexts are separate messages.
	assert.Equal(t, "Retirer", fr.Pgettext("button", "Remove"))
	assert.Equal(t, "Remove", fr.Gettext("Remove"))
	// Message arguments are translated too (Django's lazy verbose_name).
	similar := Message{ID: "The password is too similar to the %(verbose_name)s.",
		Args: map[string]any{"verbose_name": Message{ID: "email address"}}}
	assert.Equal(t, "Le mot de passe ressemble trop au champ « adresse e-mail ».", fr.Translate(similar))
	assert.Equal(t, "The password is too similar to the email address.", similar.String())
	// An unknown language gets the default's translator.
	assert.Equal(t, "en", b.Translator("de").Language())
	assert.Equal(t, "fr", b.Translator("fr-BE").Language())
	assert.Equal(t, []string{"fr", "en"}, fr.TranslateAll([]Message{{ID: "fr"}, {ID: "en"}}))
}

func TestInterpolate(t *testing.T) {
	t.Parallel()
	args := map[string]any{"name": "Zoë", "n": 3, "f": 2.9, "s": "x"}
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"%(name)s has %(n)d", "Zoë has 3"},
		{"100%% of %(name)s", "100% of Zoë"},
		{"%(f)d and %(n)s", "2 and 3"},
		{"%(s)r", "'x'"},
		{"%(missing)s stays", "%(missing)s stays"},
		{"%(name)q unknown verb", "%(name)q unknown verb"},
		{"%(unclosed", "%(unclosed"},
		{"%(name)", "%(name)"},
		{"trailing %", "trailing %"},
		{"%d positional stays", "%d positional stays"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Interpolate(nil, tt.in, args), tt.in)
	}
}

func FuzzInterpolate(f *testing.F) {
	for _, s := range []string{"%(a)s", "%%", "%(", "%(a)d%(b)r", "%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, format string) {
		out := Interpolate(nil, format, map[string]any{"a": 1, "b": Message{ID: "x"}})
		if _, ok := strings.CutPrefix(format, "%"); !ok && !strings.Contains(format, "%") && out != format {
			t.Fatalf("%q without %% changed to %q", format, out)
		}
	})
}
