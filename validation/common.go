package validation

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/djauth/auth"
	"github.com/djauth/auth/i18n"
	"github.com/djauth/auth/internal/pystr"
)

// commonPasswordsGz is the list of common passwords: Django's list,
// unchanged, followed by the entries of zxcvbn's "passwords" list that
// Django's lacks. internal/gen writes it from the two sources in testdata;
// see LICENSE-common-passwords for their licences.
//
//go:generate go run ./internal/gen
//go:embed common-passwords.txt.gz
var commonPasswordsGz []byte

// defaultCommonPasswords decompresses the embedded list on first use. The
// set is never modified afterwards, so it is shared by every CommonPassword.
var defaultCommonPasswords = sync.OnceValues(func() (map[string]struct{}, error) {
	return readPasswordList(bytes.NewReader(commonPasswordsGz))
})

// maxPasswordListSize bounds how much NewCommonPassword reads (after
// decompression), so that a wrong file cannot exhaust memory.
const maxPasswordListSize = 64 << 20

// CommonPassword rejects passwords found in a list of common passwords
// (Django's CommonPasswordValidator). The comparison uses the password
// lowercased and stripped of surrounding white space, as Django does
// (Python's str.lower and str.strip).
//
// The zero value uses the list embedded in this package, decompressed
// once per process on first use: 40,101 entries, which are Django's own
// list (19,640 entries after Django removed hex-encoded and duplicate
// lines) followed by the 20,461 entries of zxcvbn's list of its 30,000
// most frequent passwords (Dropbox's password strength estimator, MIT
// licence) that Django's lacks. Every password Django's validator rejects
// is rejected, and some more. Use NewCommonPassword for another list,
// such as Django's alone.
type CommonPassword struct {
	// passwords is nil for Django's list.
	passwords map[string]struct{}
}

// NewCommonPassword returns a CommonPassword that uses the list read from r:
// one password per line, gzip-compressed or plain UTF-8 text (detected from
// the first bytes), like Django's password_list_path. Each line is stripped
// of surrounding white space. The entries must already be lowercase, as
// Django requires, since passwords are lowercased before the lookup; an
// entry with upper-case letters is an error rather than a silent miss.
func NewCommonPassword(r io.Reader) (*CommonPassword, error) {
	set, err := readPasswordList(r)
	if err != nil {
		return nil, err
	}
	return &CommonPassword{passwords: set}, nil
}

func readPasswordList(r io.Reader) (map[string]struct{}, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("validation: read password list: %w", err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	data, err := io.ReadAll(io.LimitReader(r, maxPasswordListSize+1))
	if err != nil {
		return nil, fmt.Errorf("validation: read password list: %w", err)
	}
	if len(data) > maxPasswordListSize {
		return nil, fmt.Errorf("validation: password list larger than %d bytes", maxPasswordListSize)
	}
	text := string(data)
	// Python's text mode reads "\r\n" and "\r" as line ends too.
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.TrimSuffix(text, "\n")
	set := make(map[string]struct{}, strings.Count(text, "\n")+1)
	if text == "" && len(data) == 0 {
		return set, nil
	}
	for line := range strings.SplitSeq(text, "\n") {
		entry := pystr.Strip(line)
		if entry != pyLower(entry) {
			return nil, fmt.Errorf("validation: password list entry %q is not lowercase", entry)
		}
		set[entry] = struct{}{}
	}
	return set, nil
}

func (v CommonPassword) list() (map[string]struct{}, error) {
	if v.passwords != nil {
		return v.passwords, nil
	}
	return defaultCommonPasswords()
}

// errNoList is returned (wrapped) if the embedded list cannot be read,
// which would mean a corrupt build.
var errNoList = errors.New("validation: common password list unavailable")

// Validate returns a *ValidationError with code CodeTooCommon when the
// lowercased, stripped password is in the list. It returns another error,
// never nil, if the list could not be loaded.
func (v CommonPassword) Validate(password string, _ *auth.User) error {
	set, err := v.list()
	if err != nil {
		return fmt.Errorf("%w: %w", errNoList, err)
	}
	if _, ok := set[pystr.Strip(pyLower(password))]; ok {
		return newError(CodeTooCommon, i18n.Message{ID: "This password is too common."})
	}
	return nil
}

// HelpText returns Django's help text.
func (v CommonPassword) HelpText() string { return v.HelpMessage().String() }

// HelpMessage returns HelpText as Django's msgid, to translate.
func (CommonPassword) HelpMessage() i18n.Message {
	return i18n.Message{ID: "Your password can’t be a commonly used password."}
}
