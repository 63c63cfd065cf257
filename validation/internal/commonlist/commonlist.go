package commonlist

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// zxcvbnPasswords finds the JavaScript string literal that holds the
// comma-separated passwords list in zxcvbn's lib/frequency_lists.js
// (`passwords: "123456,password,...".split(",")`).
var zxcvbnPasswords = regexp.MustCompile(`(?m)^\s*passwords:\s*("(?:[^"\\\n]|\\.)*")\.split\(","\)`)

// ParseZxcvbn returns the entries of the "passwords" list in the text of
// zxcvbn's lib/frequency_lists.js, in the file's order (most frequent
// first).
func ParseZxcvbn(js []byte) ([]string, error) {
	m := zxcvbnPasswords.FindSubmatch(js)
	if m == nil {
		return nil, errors.New("commonlist: no passwords list in the zxcvbn frequency lists")
	}
	s, err := unquoteJS(m[1])
	if err != nil {
		return nil, fmt.Errorf("commonlist: zxcvbn passwords string: %w", err)
	}
	if s == "" {
		return nil, errors.New("commonlist: the zxcvbn passwords list is empty")
	}
	return strings.Split(s, ","), nil
}

// unquoteJS decodes a double-quoted JavaScript string literal whose only
// escapes are \\, \" and \' (all that CoffeeScript wrote into zxcvbn's
// list); any other escape is an error rather than a guess.
func unquoteJS(lit []byte) (string, error) {
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return "", errors.New("not a double-quoted string")
	}
	body := lit[1 : len(lit)-1]
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(body) {
			return "", errors.New("backslash at the end")
		}
		switch e := body[i]; e {
		case '\\', '"', '\'':
			b.WriteByte(e)
		default:
			return "", fmt.Errorf("unsupported escape \\%c at byte %d", e, i)
		}
	}
	return b.String(), nil
}

// Merge returns the union of the lists, each entry lowercased and
// stripped of surrounding white space, in order of first appearance: the
// entries of the first list in its order, then the new entries of the
// second, and so on. An entry that is empty after stripping, or a
// non-ASCII entry that is not already lowercase and stripped, is an
// error.
func Merge(lists ...[]string) ([]string, error) {
	seen := make(map[string]struct{})
	var out []string
	for i, list := range lists {
		for j, e := range list {
			n := strings.ToLower(strings.TrimSpace(e))
			if n == "" {
				return nil, fmt.Errorf("commonlist: list %d entry %d is blank", i, j)
			}
			if n != e && !isASCII(e) {
				return nil, fmt.Errorf("commonlist: list %d entry %d (%q) is non-ASCII and not lowercase and stripped", i, j, e)
			}
			if _, dup := seen[n]; dup {
				continue
			}
			seen[n] = struct{}{}
			out = append(out, n)
		}
	}
	return out, nil
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Read returns the lines of a gzip-compressed list with one entry per
// line ending in "\n", as Django's common-passwords.txt.gz is written.
func Read(r io.Reader) ([]string, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("commonlist: %w", err)
	}
	defer zr.Close()
	var out []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("commonlist: %w", err)
	}
	return out, nil
}

// Write writes the entries gzip-compressed, one per line ending in "\n".
// The gzip header carries no name or time, so the output depends only on
// the entries (and the Go version's compressor).
func Write(w io.Writer, entries []string) error {
	var text bytes.Buffer
	for _, e := range entries {
		if strings.ContainsAny(e, "\r\n") {
			return fmt.Errorf("commonlist: entry %q holds a line break", e)
		}
		text.WriteString(e)
		text.WriteByte('\n')
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(text.Bytes()); err != nil {
		return fmt.Errorf("commonlist: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("commonlist: %w", err)
	}
	return nil
}
