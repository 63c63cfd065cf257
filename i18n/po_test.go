package i18n

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePO(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		header  map[string]string
		entries []POEntry
	}{
		{name: "empty", in: "", header: map[string]string{}},
		{
			name: "header and one message",
			in: "msgid \"\"\nmsgstr \"\"\n\"Language: fr\\n\"\n\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n\n" +
				"msgid \"Password\"\nmsgstr \"Mot de passe\"\n",
			header:  map[string]string{"Language": "fr", "Plural-Forms": "nplurals=2; plural=(n > 1);"},
			entries: []POEntry{{ID: "Password", Str: []string{"Mot de passe"}}},
		},
		{
			name: "multi-line strings are joined",
			in:   "msgid \"\"\n\"Please enter \"\n\"a correct %(username)s.\"\nmsgstr \"\"\n\"Saisissez \"\n  \"un %(username)s.\"\n",
			entries: []POEntry{{ID: "Please enter a correct %(username)s.",
				Str: []string{"Saisissez un %(username)s."}}},
		},
		{
			name:    "context",
			in:      "msgctxt \"button\"\nmsgid \"Remove\"\nmsgstr \"Retirer\"\n\nmsgid \"Remove\"\nmsgstr \"Supprimer\"\n",
			entries: []POEntry{{Context: "button", ID: "Remove", Str: []string{"Retirer"}}, {ID: "Remove", Str: []string{"Supprimer"}}},
		},
		{
			name: "plural",
			in:   "msgid \"%(n)d file\"\nmsgid_plural \"%(n)d files\"\nmsgstr[0] \"%(n)d fichier\"\nmsgstr[1] \"%(n)d fichiers\"\n",
			entries: []POEntry{{ID: "%(n)d file", Plural: "%(n)d files",
				Str: []string{"%(n)d fichier", "%(n)d fichiers"}}},
		},
		{
			name: "escapes",
			in:   `msgid "a\"b\\c\n\td\101\x42\r\a\b\f\v"` + "\n" + `msgstr "é\303\251"` + "\n",
			entries: []POEntry{{ID: "a\"b\\c\n\tdAB\r\a\b\f\v",
				Str: []string{"éé"}}},
		},
		{
			name: "fuzzy flag marks only the next entry; comments skipped",
			in: "# translator comment\n#. extracted\n#: file.py:12\n#, fuzzy, python-format\n#| msgid \"Old\"\nmsgid \"A\"\nmsgstr \"a\"\n" +
				"#, python-format\nmsgid \"B\"\nmsgstr \"b\"\n#~ msgid \"Gone\"\n#~ msgstr \"Parti\"\n",
			entries: []POEntry{{ID: "A", Str: []string{"a"}, Fuzzy: true}, {ID: "B", Str: []string{"b"}}},
		},
		{
			name:    "CRLF line ends and tabs",
			in:      "msgid\t\"A\"\r\nmsgstr \"a\"\r\n",
			entries: []POEntry{{ID: "A", Str: []string{"a"}}},
		},
		{
			name:    "untranslated entry is kept by the parser",
			in:      "msgid \"A\"\nmsgstr \"\"\n",
			entries: []POEntry{{ID: "A", Str: []string{""}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := ParsePO([]byte(tt.in))
			require.NoError(t, err)
			if tt.header == nil {
				tt.header = map[string]string{}
			}
			assert.Equal(t, tt.header, f.Header)
			assert.Equal(t, tt.entries, f.Entries)
		})
	}
}

func TestParsePOErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		line int
	}{
		{"string without keyword", "\"x\"\n", 1},
		{"unknown keyword", "msgid \"a\"\nmsgfoo \"b\"\n", 2},
		{"keyword without string", "msgid\n", 1},
		{"unterminated", "msgid \"abc\nmsgstr \"\"\n", 1},
		{"text after quote", "msgid \"a\" x\nmsgstr \"\"\n", 1},
		{"unknown escape", "msgid \"a\\q\"\nmsgstr \"\"\n", 1},
		{"octal out of range", "msgid \"\\777\"\nmsgstr \"\"\n", 1},
		{"hex without digits", "msgid \"\\xZ\"\nmsgstr \"\"\n", 1},
		{"not UTF-8", "msgid \"\\377\"\nmsgstr \"\"\n", 1},
		{"missing msgstr", "msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"\"\n", 1},
		{"missing msgstr at the end", "msgid \"a\"\n", 1},
		{"msgstr before msgid", "msgstr \"a\"\n", 1},
		{"plural msgstr without msgid_plural", "msgid \"a\"\nmsgstr[0] \"b\"\n", 2},
		{"plain msgstr in plural entry", "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr \"b\"\n", 3},
		{"plural out of sequence", "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[1] \"b\"\n", 3},
		{"plural index huge", "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[99999999999999999999] \"b\"\n", 3},
		{"duplicate", "msgid \"a\"\nmsgstr \"b\"\nmsgid \"a\"\nmsgstr \"c\"\n", 3},
		{"msgid_plural alone", "msgid_plural \"a\"\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePO([]byte(tt.in))
			require.ErrorIs(t, err, ErrSyntax)
			var pe *ParseError
			require.True(t, errors.As(err, &pe))
			assert.Equal(t, tt.line, pe.Line, err.Error())
		})
	}
}

// TestParseDjangoCatalogs parses Django's own catalogs, when Debian's
// Django is installed: the parser must read what makemessages writes.
func TestParseDjangoCatalogs(t *testing.T) {
	t.Parallel()
	for _, path := range []string{
		"/usr/lib/python3/dist-packages/django/contrib/auth/locale/fr/LC_MESSAGES/django.po",
		"/usr/lib/python3/dist-packages/django/conf/locale/fr/LC_MESSAGES/django.po",
	} {
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) && testing.Short() {
			t.Skip("Django is not installed")
		}
		require.NoError(t, err)
		c, err := ParseCatalog(data, nil)
		require.NoError(t, err, path)
		assert.Greater(t, c.Len(), 50)
		tr := &Translator{lang: "fr", catalogs: []*Catalog{c}}
		if strings.Contains(path, "contrib/auth") {
			assert.Equal(t, "Ce compte est inactif.", tr.Gettext("This account is inactive."))
			assert.Equal(t, "Ce mot de passe est trop court. Il doit contenir au minimum 1 caractère.",
				tr.Translate(Message{
					ID:     "This password is too short. It must contain at least %(min_length)d character.",
					Plural: "This password is too short. It must contain at least %(min_length)d characters.",
					N:      1, Args: map[string]any{"min_length": 1}}))
		}
	}
}

func FuzzParsePO(f *testing.F) {
	seed, err := os.ReadFile("locale/fr/LC_MESSAGES/django.po")
	require.NoError(f, err)
	f.Add(seed)
	for _, s := range []string{
		"", "msgid \"\"\nmsgstr \"\"\n\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n",
		"msgctxt \"c\"\nmsgid \"a\"\nmsgid_plural \"b\"\nmsgstr[0] \"x\"\nmsgstr[1] \"y\"\n",
		"#, fuzzy\nmsgid \"a\\x41\\101\\n\"\nmsgstr \"b\"\n", "msgid \"\\", "\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePO(data)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v does not wrap ErrSyntax", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, e := range p.Entries {
			if len(e.Str) == 0 || len(e.Str) > maxPluralForms {
				t.Fatalf("entry %q has %d msgstr", e.ID, len(e.Str))
			}
			if e.Plural == "" && len(e.Str) != 1 {
				t.Fatalf("singular entry %q has %d msgstr", e.ID, len(e.Str))
			}
			k := catalogKey(e.Context, e.ID)
			if seen[k] {
				t.Fatalf("duplicate %q accepted", e.ID)
			}
			seen[k] = true
		}
		// A parsed file compiles (or names its unknown plural rule)
		// and translates without panicking.
		c, err := NewCatalog(p, nil)
		if err != nil {
			if !errors.Is(err, ErrPluralForms) {
				t.Fatalf("NewCatalog: %v", err)
			}
			return
		}
		tr := &Translator{lang: "xx", catalogs: []*Catalog{c}}
		for _, e := range p.Entries {
			_ = tr.Translate(Message{Context: e.Context, ID: e.ID, Plural: e.Plural, N: 2, Args: map[string]any{"n": 2}})
		}
	})
}
