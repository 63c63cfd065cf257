package auth_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	auth "github.com/djauth/auth"
)

func TestNormalizeUsername(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"ASCIIUnchanged", "alice", "alice"},
		{"CaseKept", "Alice", "Alice"},
		{"Ligature", "\ufb01le", "file"},                         // ﬁ LATIN SMALL LIGATURE FI
		{"FullWidth", "\uff41\uff44\uff4d\uff49\uff4e", "admin"}, // ａｄｍｉｎ
		{"FullWidthDigits", "user\uff11\uff12", "user12"},
		{"OhmSign", "iamthe\u2126", "iamthe\u03a9"}, // Django's test_clean_normalize_username
		{"Superscript", "x\u00b2", "x2"},
		{"ComposedAccent", "Rene\u0301", "Ren\u00e9"},
		{"AlreadyComposed", "Ren\u00e9", "Ren\u00e9"},
		{"Empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := auth.NormalizeUsername(tc.in)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, got, auth.NormalizeUsername(got), "idempotent")
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		// Django's tests in auth_tests/test_models.py.
		{"DomainLowercased", "normal@DOMAIN.COM", "normal@domain.com"},
		{"AtInLocalPartRFC3696", `Abc\@DEF@EXAMPLE.com`, `Abc\@DEF@example.com`},
		{"WhitespaceInLocalPart", `email\ with_whitespace@D.COM`, `email\ with_whitespace@d.com`},
		{"AlreadyNormal", "normal@normal.com", "normal@normal.com"},
		{"NoDomainUnchanged", "email with no domain", "email with no domain"},
		{"MultipleAt", "email.with.multiple@at.symbols@DOMAIN.COM", "email.with.multiple@at.symbols@domain.com"},
		{"Empty", "", ""},
		// Python's str.strip and str.lower.
		{"LocalPartKeepsCase", "John.Doe@Example.COM", "John.Doe@example.com"},
		{"SurroundingSpaceTrimmed", "  a@B.COM \t\n", "a@b.com"},
		{"NoAtKeepsSpace", "  no at  ", "  no at  "},
		{"InformationSeparatorsTrimmed", "\x1ca@B.COM\x1f", "a@b.com"},
		{"NoBreakSpaceTrimmed", "\u00a0a@B.COM\u3000", "a@b.com"},
		{"EmptyDomain", "user@", "user@"},
		{"OnlyAt", "@", "@"},
		{"UnicodeDomain", "a@ÜBER.DE", "a@über.de"},
		{"DottedCapitalI", "a@\u0130.COM", "a@i\u0307.com"},
		{"FinalSigma", "a@ΟΔΟΣ", "a@οδος"},
		{"SigmaBeforeDotIsNotFinal", "a@ΟΔΟΣ.GR", "a@οδοσ.gr"}, // "." is case-ignorable in Python too
		{"SigmaBeforeLetters", "a@ΣΟΦΙΑ.GR", "a@σοφια.gr"},
		{"SigmaAlone", "a@Σ", "a@σ"},
		{"InvalidUTF8Kept", "a@B\xff", "a@b\xff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, auth.NormalizeEmail(tc.in))
		})
	}
}

// Django's UsernameValidatorsTests (auth_tests/test_validators.py), plus
// edge cases.
func TestUsernameValidator(t *testing.T) {
	t.Parallel()
	unicodeMsg := "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
	asciiMsg := "Enter a valid username. This value may contain only unaccented lowercase a-z and uppercase A-Z letters, numbers, and @/./+/-/_ characters."
	tests := []struct {
		name      string
		validator auth.UsernameValidator
		valid     []string
		invalid   []string
		message   string
	}{
		{
			name:      "Unicode",
			validator: auth.UsernameValidator{},
			valid: []string{"joe", "René", "ᴮᴵᴳᴮᴵᴿᴰ", "أحمد",
				"a.b@c+d-e_f", "用户", "user123", "١٢٣", "Ⅻ", "_", "@", strings.Repeat("a", 200)},
			invalid: []string{"o'connell", "عبد ال", "zerowidth\u200bspace", "nonbreaking\u00a0space",
				"en\u2013dash", "trailingnewline\u000a", "", " ", "tab\there", "nul\x00",
				"emoji😀", "Rene\u0301", "bad\xff", "slash/", "a,b", "#hash"},
			message: unicodeMsg,
		},
		{
			name:      "ASCII",
			validator: auth.UsernameValidator{ASCII: true},
			valid:     []string{"glenn", "GLEnN", "jean-marc", "a.b@c+d-e_f", "0123456789"},
			invalid: []string{"o'connell", "Éric", "jean marc", "أحمد", "trailingnewline\n",
				"", "René", "١٢٣", "ᴮᴵᴳ", "\uff41"},
			message: asciiMsg,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, u := range tc.valid {
				assert.NoError(t, tc.validator.Validate(u), "%q should be valid", u)
			}
			for _, u := range tc.invalid {
				err := tc.validator.Validate(u)
				require.ErrorIs(t, err, auth.ErrInvalid, "%q should be invalid", u)
				var ve *auth.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "Username", ve.Field)
				assert.Equal(t, "invalid", ve.Code)
				assert.Equal(t, tc.message, ve.Message)
			}
		})
	}
}

func TestUserNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		first, last, full string
	}{
		{"Ann", "Archer", "Ann Archer"},
		{"Ann", "", "Ann"},
		{"", "Archer", "Archer"},
		{"", "", ""},
		{" Ann ", " Archer ", "Ann   Archer"},
		{"Ελένη", "Παπαδοπούλου", "Ελένη Παπαδοπούλου"},
	}
	for _, tc := range tests {
		t.Run(tc.full, func(t *testing.T) {
			t.Parallel()
			u := auth.User{FirstName: tc.first, LastName: tc.last, Username: "u"}
			assert.Equal(t, tc.full, u.FullName())
			assert.Equal(t, tc.first, u.ShortName())
			assert.Equal(t, "u", u.GetUsername())
		})
	}
}

func TestNewUser(t *testing.T) {
	t.Parallel()
	before := time.Now()
	u := auth.NewUser("\ufb01sh")
	assert.Equal(t, "fish", u.Username, "normalized with NFKC")
	assert.True(t, u.IsActive)
	assert.False(t, u.IsStaff)
	assert.False(t, u.IsSuperuser)
	assert.Zero(t, u.ID)
	assert.Nil(t, u.LastLogin)
	assert.Equal(t, time.UTC, u.DateJoined.Location())
	assert.Equal(t, u.DateJoined, u.DateJoined.Truncate(time.Microsecond), "microsecond precision")
	assert.False(t, u.DateJoined.Before(before.Truncate(time.Microsecond)))
	assert.True(t, u.IsAuthenticated())
	assert.False(t, u.IsAnonymous())
	assert.Same(t, &u, u.AuthUser())
	require.NoError(t, u.Validate())
}

func TestUserValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(*auth.User)
		field string
		code  string
	}{
		{"Valid", func(*auth.User) {}, "", ""},
		{"UsernameAtLimit", func(u *auth.User) { u.Username = strings.Repeat("a", 150) }, "", ""},
		{"MultiByteUsernameAtLimit", func(u *auth.User) { u.Username = strings.Repeat("é", 150) }, "", ""},
		{"FourByteUsernameAtLimit", func(u *auth.User) { u.Username = strings.Repeat("😀", 150) }, "", ""},
		{"EmptyUsername", func(u *auth.User) { u.Username = "" }, "Username", "required"},
		{"LongUsername", func(u *auth.User) { u.Username = strings.Repeat("a", 151) }, "Username", "max_length"},
		{"LongMultiByteUsername", func(u *auth.User) { u.Username = strings.Repeat("é", 151) }, "Username", "max_length"},
		{"NULUsername", func(u *auth.User) { u.Username = "a\x00" }, "Username", "null_characters_not_allowed"},
		{"InvalidUTF8Username", func(u *auth.User) { u.Username = "a\xc3" }, "Username", "invalid"},
		{"PasswordAtLimit", func(u *auth.User) { u.Password = "md5$$" + strings.Repeat("p", 123) }, "", ""},
		{"PlaintextPassword", func(u *auth.User) { u.Password = "s3cret" }, "Password", "not_hashed"},
		{"LongPassword", func(u *auth.User) { u.Password = strings.Repeat("p", 129) }, "Password", "max_length"},
		{"EmailAtLimit", func(u *auth.User) { u.Email = strings.Repeat("e", 242) + "@example.com" }, "", ""},
		{"LongEmail", func(u *auth.User) { u.Email = strings.Repeat("e", 243) + "@example.com" }, "Email", "max_length"},
		{"LongFirstName", func(u *auth.User) { u.FirstName = strings.Repeat("f", 151) }, "FirstName", "max_length"},
		{"LongLastName", func(u *auth.User) { u.LastName = strings.Repeat("l", 151) }, "LastName", "max_length"},
		{"NULLastName", func(u *auth.User) { u.LastName = "\x00" }, "LastName", "null_characters_not_allowed"},
		{"EmptyOptionalFields", func(u *auth.User) { u.Email, u.FirstName, u.LastName, u.Password = "", "", "", "" }, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := auth.NewUser("valid")
			tc.edit(&u)
			err := u.Validate()
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, auth.ErrInvalid)
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Equal(t, tc.code, ve.Code)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
}

func TestHasUsablePassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		password string
		usable   bool
	}{
		{"pbkdf2_sha256$870000$salt$hash", true},
		{"", true}, // Django: usable but never verifies
		{"some-gibbberish", true},
		{"!", false},
		{"!x4Fq0hWmG3t", false},
	}
	for _, tc := range tests {
		u := auth.User{Password: tc.password}
		assert.Equal(t, tc.usable, u.HasUsablePassword(), "%q", tc.password)
	}
}

func TestValidationError(t *testing.T) {
	t.Parallel()
	err := error(&auth.ValidationError{Field: "Username", Code: "required", Message: "this field cannot be blank"})
	assert.Equal(t, "auth: Username: this field cannot be blank", err.Error())
	assert.ErrorIs(t, err, auth.ErrInvalid)
	assert.NotErrorIs(t, err, auth.ErrUserNotFound)
	noField := &auth.ValidationError{Message: "bad"}
	assert.Equal(t, "auth: bad", noField.Error())
	wrapped := errors.Join(errors.New("context"), err)
	assert.ErrorIs(t, wrapped, auth.ErrInvalid)
}

// usernameRules is an independent statement of Django's regular expression
// ^[\w.@+-]+\Z, using Go's Unicode classes for Python's \w.
var (
	usernameRules      = regexp.MustCompile(`^[\p{L}\p{N}_.@+\-]+$`)
	asciiUsernameRules = regexp.MustCompile(`^[A-Za-z0-9_.@+\-]+$`)
)

func FuzzUsernameValidator(f *testing.F) {
	for _, s := range []string{"joe", "René", "ᴮᴵᴳᴮᴵᴿᴰ", "أحمد", "o'connell", "عبد ال",
		"zerowidth\u200bspace", "nonbreaking\u00a0space", "en\u2013dash", "trailingnewline\n",
		"Éric", "jean marc", "", "\xff", "a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		uerr := auth.UsernameValidator{}.Validate(s)
		aerr := auth.UsernameValidator{ASCII: true}.Validate(s)
		wantUnicode := utf8.ValidString(s) && usernameRules.MatchString(s)
		wantASCII := asciiUsernameRules.MatchString(s)
		if (uerr == nil) != wantUnicode {
			t.Fatalf("Unicode validator on %q: err %v, want valid=%v", s, uerr, wantUnicode)
		}
		if (aerr == nil) != wantASCII {
			t.Fatalf("ASCII validator on %q: err %v, want valid=%v", s, aerr, wantASCII)
		}
		for _, err := range []error{uerr, aerr} {
			if err != nil && !errors.Is(err, auth.ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
		}
	})
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"normal@DOMAIN.COM", `Abc\@DEF@EXAMPLE.com`, `email\ with_whitespace@D.COM`,
		"email with no domain", "email.with.multiple@at.symbols@DOMAIN.COM", " a@B ", "a@\u0130", "a@ΟΔΟΣ",
		"\x1ca@b", "a@\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := auth.NormalizeEmail(s)
		if !strings.Contains(s, "@") {
			if got != s {
				t.Fatalf("NormalizeEmail(%q) = %q; an address without @ is unchanged", s, got)
			}
			return
		}
		at := strings.LastIndexByte(got, '@')
		if at < 0 {
			t.Fatalf("NormalizeEmail(%q) = %q lost its @", s, got)
		}
		if !strings.Contains(s, got[:at+1]) {
			t.Fatalf("NormalizeEmail(%q) = %q changed the local part", s, got)
		}
		if again := auth.NormalizeEmail(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("NormalizeEmail(%q) = %q is not valid UTF-8", s, got)
		}
	})
}

func FuzzNormalizeUsername(f *testing.F) {
	for _, s := range []string{"\ufb01", "\uff41dmin", "iamthe\u2126", "Rene\u0301", "\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := auth.NormalizeUsername(s)
		if !norm.NFKC.IsNormalString(got) {
			t.Fatalf("NormalizeUsername(%q) = %q is not NFKC", s, got)
		}
		if again := auth.NormalizeUsername(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}

// TestValidateEncodedPasswordRefusesPlaintext: a store keeps what it is given, so the
// password must already be an encoded hash (or unusable, or Django's
// never-matching empty value); plain text is refused.
func TestValidateEncodedPasswordRefusesPlaintext(t *testing.T) {
	t.Parallel()
	accepted := []string{
		"",  // Django's empty value: it never matches, and Django databases hold it
		"!", // unusable
		"!Xq3bU7cTzW1aGkP0nYr5sLdE9vHjMf2oBiC8uNw4",
		"!not$a$hash but unusable",
		"pbkdf2_sha256$870000$c2FsdA$aGFzaA=",
		"argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA",
		"bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuv",
		"scrypt$16384$salt$8$1$hash=",
		"md5$seasalt$f5531bef9f3687d0ccf0f617f0e25573",
		"sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8",
		"crypt$$ab1Hv2Lg7ltQo",
		"5f4dcc3b5aa765d61d8327deb882cf99",                      // unsalted MD5
		"5F4DCC3B5AA765D61D8327DEB882CF99",                      // unsalted MD5, upper-case hex
		"md5$$5f4dcc3b5aa765d61d8327deb882cf99",                 // unsalted MD5, Django's md5$$ form
		"sha1$$5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8",        // unsalted SHA1
		"custom_algo2$1000$salt$hash",                           // a hasher this registry lacks
		"md5$$" + strings.Repeat("é", auth.MaxPasswordLength-5), // at the length limit
	}
	for _, encoded := range accepted {
		assert.NoError(t, auth.ValidateEncodedPassword(encoded), "%q", encoded)
		u := auth.NewUser("valid")
		u.Password = encoded
		assert.NoError(t, u.Validate(), "%q", encoded)
	}
	rejected := []struct{ encoded, code string }{
		{"s3cret", "not_hashed"},
		{"hunter2", "not_hashed"},
		{"correct horse battery staple", "not_hashed"},
		{"5f4dcc3b5aa765d61d8327deb882cf9", "not_hashed"},  // 31 hex characters
		{"5f4dcc3b5aa765d61d8327deb882cf9z", "not_hashed"}, // 32 characters, not hex
		{"passwordpasswordpasswordpassword", "not_hashed"}, // 32 characters, not hex
		{"Pbkdf2_sha256$870000$salt$hash", "not_hashed"},   // algorithm names are lower-case
		{"pbkdf2-sha256$870000$salt$hash", "not_hashed"},   // ... letters, digits and underscores
		{"my password$has a dollar", "not_hashed"},
		{"$pbkdf2_sha256$870000$salt$hash", "not_hashed"}, // empty algorithm
		{"hunter2$", "not_hashed"},                        // one '$' (from the security review)
		{"p4ss$word", "not_hashed"},                       // one '$'
		{"md5$salt$", "not_hashed"},                       // ends in an empty field
		{"md5$salt with space$hash", "not_hashed"},        // white space is in no format
		{"hunter2\x00", "null_characters_not_allowed"},
		{"md5$\xff$x", "invalid"},
		{"md5$$" + strings.Repeat("p", auth.MaxPasswordLength-4), "max_length"},
	}
	for _, tc := range rejected {
		err := auth.ValidateEncodedPassword(tc.encoded)
		var ve *auth.ValidationError
		require.ErrorAs(t, err, &ve, "%q", tc.encoded)
		assert.Equal(t, "Password", ve.Field, "%q", tc.encoded)
		assert.Equal(t, tc.code, ve.Code, "%q", tc.encoded)
		assert.NotContains(t, err.Error(), tc.encoded, "the error must not echo what may be a plain-text password")
		u := auth.NewUser("valid")
		u.Password = tc.encoded
		require.ErrorIs(t, u.Validate(), auth.ErrInvalid, "%q", tc.encoded)
	}
	err := auth.ValidateEncodedPassword("s3cret")
	assert.ErrorContains(t, err, "Make")
	assert.ErrorContains(t, err, "unusable")
}
