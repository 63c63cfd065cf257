package i18n

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrSyntax is wrapped by every error of ParsePO: the text is not a
// gettext catalog that msgfmt would compile.
var ErrSyntax = errors.New("i18n: .po syntax error")

// maxPluralForms bounds the msgstr[n] index of an entry; no language has
// more than six plural forms.
const maxPluralForms = 16

// POEntry is one message of a .po file.
type POEntry struct {
	// Context is the msgctxt, or "" for none.
	Context string
	// ID is the msgid, Plural the msgid_plural ("" for a message
	// without plural forms).
	ID, Plural string
	// Str holds the msgstr, or msgstr[0], msgstr[1]... of a plural
	// message. An empty string is an untranslated form.
	Str []string
	// Fuzzy reports a "#, fuzzy" flag: the translation is a guess that
	// msgfmt (and Django's compilemessages) leave out of the catalog.
	Fuzzy bool
}

// POFile is a parsed .po file: its header (the entry with an empty msgid)
// and its other entries, in file order.
type POFile struct {
	// Header maps the header's field names ("Language",
	// "Plural-Forms") to their values.
	Header map[string]string
	// Entries are every entry but the header, fuzzy ones included.
	Entries []POEntry
}

// ParseError is the error of ParsePO: where the catalog stopped making
// sense. errors.Is(err, ErrSyntax) reports true for it.
type ParseError struct {
	// Line is the 1-based line of the problem.
	Line int
	// Msg says what is wrong.
	Msg string
}

// Error returns "i18n: .po line N: ...".
func (e *ParseError) Error() string { return fmt.Sprintf("i18n: .po line %d: %s", e.Line, e.Msg) }

// Is reports whether target is ErrSyntax.
func (e *ParseError) Is(target error) bool { return target == ErrSyntax }

// ParsePO parses a gettext catalog in the .po format that Django's
// makemessages writes and its translators edit: comments ("#", "#.",
// "#:", "#|" and obsolete "#~" entries are skipped), flags ("#, fuzzy,
// python-format"), msgctxt, msgid, msgid_plural, msgstr and msgstr[n],
// each followed by one or more C-quoted strings that are concatenated
// (the multi-line form). The escapes are C's: \n \t \r \" \\ \a \b \f \v,
// octal \NNN and hexadecimal \xHH. The text must be UTF-8.
//
// Two entries with the same msgctxt and msgid, a keyword out of order,
// a msgstr[n] out of sequence or a malformed string are errors
// (*ParseError), as they are for msgfmt.
func ParsePO(data []byte) (*POFile, error) {
	p := poParser{file: &POFile{Header: map[string]string{}}, seen: map[string]bool{}}
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		p.line = i + 1
		if err := p.feed(strings.TrimRight(line, "\r")); err != nil {
			return nil, err
		}
	}
	if err := p.flush(); err != nil {
		return nil, err
	}
	return p.file, nil
}

// poParser is the state of ParsePO between lines.
type poParser struct {
	file *POFile
	line int
	seen map[string]bool

	// cur is the entry being read; started once a msgctxt or msgid is
	// seen. fuzzy is the flag of the comment block before it.
	cur     *POEntry
	start   int
	fuzzy   bool
	started bool
	// field points at the string that continuation lines extend; kw
	// names it for the ordering rules.
	field *string
	kw    string
}

func (p *poParser) fail(format string, args ...any) error {
	return &ParseError{Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

func (p *poParser) feed(line string) error {
	trimmed := strings.TrimSpace(line)
	switch {
	case trimmed == "":
		return nil
	case strings.HasPrefix(trimmed, "#"):
		if p.cur != nil && p.kw != "" && strings.HasPrefix(p.kw, "msgstr") {
			// A comment after a msgstr begins the next entry's block.
			if err := p.flush(); err != nil {
				return err
			}
		}
		if strings.HasPrefix(trimmed, "#,") {
			for flag := range strings.SplitSeq(trimmed[2:], ",") {
				if strings.TrimSpace(flag) == "fuzzy" {
					p.fuzzy = true
				}
			}
		}
		return nil
	case trimmed[0] == '"':
		if p.field == nil {
			return p.fail("string without a keyword")
		}
		s, err := p.unquote(trimmed)
		if err != nil {
			return err
		}
		*p.field += s
		return nil
	}
	kw, rest, _ := strings.Cut(trimmed, " ")
	if i := strings.IndexByte(kw, '\t'); i >= 0 {
		kw, rest = kw[:i], kw[i+1:]+" "+rest
	}
	rest = strings.TrimSpace(rest)
	if rest == "" || rest[0] != '"' {
		return p.fail("%s without a quoted string", kw)
	}
	s, err := p.unquote(rest)
	if err != nil {
		return err
	}
	switch {
	case kw == "msgctxt":
		if err := p.begin(); err != nil {
			return err
		}
		p.cur.Context = s
		p.field, p.kw = &p.cur.Context, kw
	case kw == "msgid":
		if p.kw != "msgctxt" {
			if err := p.begin(); err != nil {
				return err
			}
		}
		p.cur.ID = s
		p.field, p.kw = &p.cur.ID, kw
	case kw == "msgid_plural":
		if p.kw != "msgid" {
			return p.fail("msgid_plural not after msgid")
		}
		p.cur.Plural = s
		p.field, p.kw = &p.cur.Plural, kw
	case kw == "msgstr":
		if p.kw != "msgid" {
			return p.fail("msgstr not after msgid (a plural message needs msgstr[n])")
		}
		p.cur.Str = []string{s}
		p.field, p.kw = &p.cur.Str[0], kw
	case strings.HasPrefix(kw, "msgstr[") && strings.HasSuffix(kw, "]"):
		n, err := strconv.Atoi(kw[len("msgstr[") : len(kw)-1])
		if err != nil || n < 0 || n >= maxPluralForms {
			return p.fail("bad plural index in %s", kw)
		}
		if p.cur == nil || p.cur.Plural == "" || (p.kw != "msgid_plural" && !strings.HasPrefix(p.kw, "msgstr[")) {
			return p.fail("%s not after msgid_plural", kw)
		}
		if n != len(p.cur.Str) {
			return p.fail("%s out of sequence", kw)
		}
		p.cur.Str = append(p.cur.Str, s)
		p.field, p.kw = &p.cur.Str[n], kw
	default:
		return p.fail("unknown keyword %q", kw)
	}
	return nil
}

// begin ends the entry being read, if any, and starts a new one.
func (p *poParser) begin() error {
	if p.cur != nil {
		if err := p.flush(); err != nil {
			return err
		}
	}
	p.cur = &POEntry{Fuzzy: p.fuzzy}
	p.start = p.line
	p.fuzzy = false
	return nil
}

// flush adds the entry being read to the file.
func (p *poParser) flush() error {
	if p.cur == nil {
		return nil
	}
	e := *p.cur
	p.cur, p.field, p.kw = nil, nil, ""
	fail := func(format string, args ...any) error {
		return &ParseError{Line: p.start, Msg: fmt.Sprintf(format, args...)}
	}
	if e.Str == nil {
		return fail("entry %q has no msgstr", e.ID)
	}
	if e.Plural != "" && len(e.Str) == 0 {
		return fail("plural entry %q has no msgstr[0]", e.ID)
	}
	key := e.Context + "\x04" + e.ID
	if p.seen[key] {
		return fail("duplicate message %q", e.ID)
	}
	p.seen[key] = true
	if e.ID == "" && e.Context == "" {
		for line := range strings.SplitSeq(e.Str[0], "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok {
				p.file.Header[strings.TrimSpace(name)] = strings.TrimSpace(value)
			}
		}
		return nil
	}
	p.file.Entries = append(p.file.Entries, e)
	return nil
}

// unquote decodes one C-quoted string that must end the line.
func (p *poParser) unquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' {
		return "", p.fail("expected a quoted string")
	}
	var b strings.Builder
	i := 1
	for {
		if i >= len(s) {
			return "", p.fail("unterminated string")
		}
		c := s[i]
		switch {
		case c == '"':
			if strings.TrimSpace(s[i+1:]) != "" {
				return "", p.fail("text after the closing quote")
			}
			out := b.String()
			if !utf8.ValidString(out) {
				return "", p.fail("string is not UTF-8")
			}
			return out, nil
		case c != '\\':
			b.WriteByte(c)
			i++
			continue
		}
		i++
		if i >= len(s) {
			return "", p.fail("unterminated string")
		}
		c = s[i]
		i++
		switch c {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '\\', '"', '\'', '?':
			b.WriteByte(c)
		case 'x':
			j := i
			for j < len(s) && j-i < 2 && isHex(s[j]) {
				j++
			}
			if j == i {
				return "", p.fail(`\x without hex digits`)
			}
			v, _ := strconv.ParseUint(s[i:j], 16, 8)
			b.WriteByte(byte(v))
			i = j
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i - 1
			for j < len(s) && j-(i-1) < 3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, err := strconv.ParseUint(s[i-1:j], 8, 16)
			if err != nil || v > 0xff {
				return "", p.fail("octal escape out of range")
			}
			b.WriteByte(byte(v))
			i = j
		default:
			return "", p.fail("unknown escape \\%c", c)
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
