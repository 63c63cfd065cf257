package validation

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/djauth/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testUser() *auth.User {
	// The user of Django's UserAttributeSimilarityValidatorTest.
	return &auth.User{Username: "testclient", Email: "testclient@example.com", FirstName: "Test", LastName: "Client"}
}

// Ported from Django's PasswordValidationTest.test_validate_password, with
// the same two validators (CommonPassword, MinimumLength 12).
func TestValidateCollectsEveryError(t *testing.T) {
	t.Parallel()
	vs := []Validator{CommonPassword{}, MinimumLength{Min: 12}}
	tooShort := "This password is too short. It must contain at least 12 characters."
	tests := []struct {
		password string
		messages []string
		codes    []string
	}{
		{"sufficiently-long", nil, nil},
		{"django4242", []string{tooShort}, []string{CodeTooShort}},
		{"password", []string{"This password is too common.", tooShort}, []string{CodeTooCommon, CodeTooShort}},
	}
	for _, tc := range tests {
		t.Run(tc.password, func(t *testing.T) {
			t.Parallel()
			err := Validate(tc.password, nil, vs...)
			if tc.messages == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, auth.ErrInvalid)
			var es Errors
			require.ErrorAs(t, err, &es)
			assert.Equal(t, tc.messages, es.Messages())
			assert.Equal(t, tc.codes, es.Codes())
			assert.Equal(t, strings.Join(tc.messages, " "), err.Error())
			var first *ValidationError
			require.ErrorAs(t, err, &first)
			assert.Equal(t, tc.codes[0], first.Code)
		})
	}
	t.Run("no validators", func(t *testing.T) {
		t.Parallel()
		assert.NoError(t, Validate("password", nil))
	})
}

func TestValidateDefault(t *testing.T) {
	t.Parallel()
	u := testUser()
	tests := []struct {
		password string
		codes    []string
	}{
		{"correct horse battery staple", nil},
		{"testclient", []string{CodeTooSimilar}},
		{"password", []string{CodeTooCommon}},
		{"1234", []string{CodeTooShort, CodeTooCommon, CodeEntirelyNumeric}},
		{"90183746", []string{CodeEntirelyNumeric}},
		{"", []string{CodeTooShort}},
	}
	for _, tc := range tests {
		t.Run(tc.password, func(t *testing.T) {
			t.Parallel()
			err := Validate(tc.password, u, Default()...)
			if tc.codes == nil {
				assert.NoError(t, err)
				return
			}
			var es Errors
			require.ErrorAs(t, err, &es)
			assert.Equal(t, tc.codes, es.Codes())
		})
	}
}

type brokenValidator struct{}

var errBroken = errors.New("list unavailable")

func (brokenValidator) Validate(string, *auth.User) error { return errBroken }
func (brokenValidator) HelpText() string                  { return "broken" }

type multiValidator struct{}

func (multiValidator) Validate(string, *auth.User) error {
	return Errors{{Code: "a", Message: "A."}, {Code: "b", Message: "B."}}
}
func (multiValidator) HelpText() string { return "multi" }

func TestValidateFailsClosed(t *testing.T) {
	t.Parallel()
	err := Validate("x", nil, MinimumLength{}, brokenValidator{})
	require.ErrorIs(t, err, errBroken)
	assert.NotErrorIs(t, err, auth.ErrInvalid, "a broken check is not a user error")

	err = Validate("x", nil, nil)
	require.Error(t, err)

	err = Validate("x", testUser(), UserAttributeSimilarity{MaxSimilarity: 0.05})
	require.ErrorIs(t, err, ErrMaxSimilarity)
}

func TestValidateFlattensErrors(t *testing.T) {
	t.Parallel()
	var es Errors
	require.ErrorAs(t, Validate("12", nil, multiValidator{}, Numeric{}), &es)
	assert.Equal(t, []string{"a", "b", CodeEntirelyNumeric}, es.Codes())
}

func TestHelpTexts(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{
		"Your password can’t be too similar to your other personal information.",
		"Your password must contain at least 8 characters.",
		"Your password can’t be a commonly used password.",
		"Your password can’t be entirely numeric.",
	}, HelpTexts(Default()...))
	assert.Equal(t, []string{}, HelpTexts())
	assert.Equal(t, "Your password must contain at least 1 character.", MinimumLength{Min: 1}.HelpText())
	assert.Equal(t, "Your password must contain at least 12 characters.", MinimumLength{Min: 12}.HelpText())
}

type recorder struct {
	MinimumLength
	mu       sync.Mutex
	password string
	user     *auth.User
}

func (r *recorder) PasswordChanged(password string, user *auth.User) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.password, r.user = password, user
}

// Ported from test_password_changed_with_custom_validator.
func TestPasswordChanged(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	u := testUser()
	PasswordChanged("password", u, Numeric{}, r)
	assert.Equal(t, "password", r.password)
	assert.Same(t, u, r.user)
	PasswordChanged("password", nil) // no validators: nothing to do
}

// Ported from MinimumLengthValidatorTest.test_validate.
func TestMinimumLength(t *testing.T) {
	t.Parallel()
	tests := []struct {
		min      int
		password string
		wantMsg  string
		wantMin  int
	}{
		{0, "12345678", "", 8},
		{3, "123", "", 3},
		{0, "1234567", "This password is too short. It must contain at least 8 characters.", 8},
		{3, "12", "This password is too short. It must contain at least 3 characters.", 3},
		{1, "", "This password is too short. It must contain at least 1 character.", 1},
		// Counted in characters: 8 two-byte runes pass, 7 do not.
		{0, "éééééééé", "", 8},
		{0, "ééééééé", "This password is too short. It must contain at least 8 characters.", 8},
		{-5, "1234567", "This password is too short. It must contain at least 8 characters.", 8},
	}
	for _, tc := range tests {
		t.Run(tc.password, func(t *testing.T) {
			t.Parallel()
			err := MinimumLength{Min: tc.min}.Validate(tc.password, nil)
			if tc.wantMsg == "" {
				assert.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.wantMsg, ve.Message)
			assert.Equal(t, CodeTooShort, ve.Code)
			assert.Equal(t, map[string]any{"min_length": tc.wantMin}, ve.Params)
			assert.ErrorIs(t, err, auth.ErrInvalid)
		})
	}
}

// Ported from UserAttributeSimilarityValidatorTest.test_validate.
func TestUserAttributeSimilarity(t *testing.T) {
	t.Parallel()
	u := testUser()
	msg := func(name string) string { return "The password is too similar to the " + name + "." }
	tests := []struct {
		name     string
		v        UserAttributeSimilarity
		password string
		user     *auth.User
		want     string
	}{
		{"no user", UserAttributeSimilarity{}, "testclient", nil, ""},
		{"username", UserAttributeSimilarity{}, "testclient", u, msg("username")},
		{"email part", UserAttributeSimilarity{}, "example.com", u, msg("email address")},
		{"low threshold", UserAttributeSimilarity{Attributes: []string{"first_name"}, MaxSimilarity: 0.3}, "testclient", u, msg("first name")},
		{"identical at 1", UserAttributeSimilarity{Attributes: []string{"first_name"}, MaxSimilarity: 1}, u.FirstName, u, msg("first name")},
		{"last name", UserAttributeSimilarity{Attributes: []string{"last_name"}}, "CLIENT", u, msg("last name")},
		{"passes", UserAttributeSimilarity{Attributes: []string{"first_name"}}, "testclient", u, ""},
		{"unknown attribute ignored", UserAttributeSimilarity{Attributes: []string{"phone"}}, "testclient", u, ""},
		{"empty attributes list", UserAttributeSimilarity{Attributes: []string{}}, "testclient", u, ""},
		{"long password skips short parts", UserAttributeSimilarity{}, strings.Repeat("t", 100) + "com", u, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.v.Validate(tc.password, tc.user)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.want, ve.Message)
			assert.Equal(t, CodeTooSimilar, ve.Code)
			assert.Equal(t, strings.TrimSuffix(strings.TrimPrefix(tc.want, "The password is too similar to the "), "."), ve.Params["verbose_name"])
		})
	}
}

func TestNewUserAttributeSimilarity(t *testing.T) {
	t.Parallel()
	for _, bad := range []float64{0.09, -1, 0.0999} {
		_, err := NewUserAttributeSimilarity(nil, bad)
		assert.ErrorIs(t, err, ErrMaxSimilarity, "%v", bad)
		assert.ErrorContains(t, err, "max_similarity must be at least 0.1")
	}
	for _, good := range []float64{0, 0.1, 0.5, 1} {
		_, err := NewUserAttributeSimilarity(nil, good)
		assert.NoError(t, err, "%v", good)
	}
}

// Ported from CommonPasswordValidatorTest.
func TestCommonPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		password string
		common   bool
	}{
		{"a-safe-password", false},
		{"godzilla", true},
		{"asdfjkl:", true}, // test_common_hexed_codes
		{"&#2336:", true},
		{"  GodZilla\n", true}, // lowercased and stripped as Django does
		{"password", true},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.password, func(t *testing.T) {
			t.Parallel()
			err := CommonPassword{}.Validate(tc.password, nil)
			if !tc.common {
				assert.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "This password is too common.", ve.Message)
			assert.Equal(t, CodeTooCommon, ve.Code)
		})
	}
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

// Ported from test_validate_custom_list, with plain and gzipped lists.
func TestNewCommonPassword(t *testing.T) {
	t.Parallel()
	list := "from-my-custom-list\r\nanother \n\n"
	for name, data := range map[string][]byte{"plain": []byte(list), "gzip": gz(t, list)} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			v, err := NewCommonPassword(bytes.NewReader(data))
			require.NoError(t, err)
			assert.NoError(t, v.Validate("a-safe-password", nil))
			assert.NoError(t, v.Validate("godzilla", nil), "only the custom list is used")
			var ve *ValidationError
			require.ErrorAs(t, v.Validate("from-my-custom-list", nil), &ve)
			assert.Equal(t, CodeTooCommon, ve.Code)
			assert.Error(t, v.Validate("ANOTHER", nil))
			// The blank line is an empty entry, as in Django.
			assert.Error(t, v.Validate("  ", nil))
		})
	}
	t.Run("upper case entry", func(t *testing.T) {
		t.Parallel()
		_, err := NewCommonPassword(strings.NewReader("fine\nNotLower\n"))
		assert.ErrorContains(t, err, "not lowercase")
	})
	t.Run("corrupt gzip", func(t *testing.T) {
		t.Parallel()
		data := gz(t, "abc\n")
		_, err := NewCommonPassword(bytes.NewReader(data[:len(data)-6]))
		assert.Error(t, err)
	})
	t.Run("empty", func(t *testing.T) {
		t.Parallel()
		v, err := NewCommonPassword(strings.NewReader(""))
		require.NoError(t, err)
		assert.NoError(t, v.Validate("", nil))
	})
}

// Ported from NumericPasswordValidatorTest.
func TestNumeric(t *testing.T) {
	t.Parallel()
	tests := []struct {
		password string
		numeric  bool
	}{
		{"a-safe-password", false},
		{"42424242", true},
		{"٤٢٤٢", true}, // Arabic-Indic digits
		{"²³①", true},  // isdigit accepts these too
		{"½", false},   // numeric but not a digit
		{"12 34", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.password, func(t *testing.T) {
			t.Parallel()
			err := Numeric{}.Validate(tc.password, nil)
			if !tc.numeric {
				assert.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "This password is entirely numeric.", ve.Message)
			assert.Equal(t, CodeEntirelyNumeric, ve.Code)
		})
	}
}

func TestQuickRatio(t *testing.T) {
	t.Parallel()
	// The table in the docstring of Django's exceeds_maximum_length_ratio.
	tests := []struct {
		n    int
		want float64
	}{
		{1, 1.0},
		{10, 0.18181818181818182},
		{100, 0.019801980198019802},
		{1000, 0.001998001998001998},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, quickRatio("A", strings.Repeat("A", tc.n)))
	}
	assert.Equal(t, 1.0, quickRatio("", ""))
	assert.Equal(t, 0.0, quickRatio("abc", ""))
}

// FuzzNewCommonPassword checks that the list parser never panics and that
// every accepted list can be queried.
func FuzzNewCommonPassword(f *testing.F) {
	f.Add([]byte("password\n123456\n"))
	f.Add([]byte("a\r\nb\rc"))
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	f.Add(gzNoT("godzilla\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := NewCommonPassword(bytes.NewReader(data))
		if err != nil {
			return
		}
		for p := range v.passwords {
			var ve *ValidationError
			if !errors.As(v.Validate(p, nil), &ve) {
				t.Fatalf("entry %q not rejected", p)
			}
		}
	})
}

func gzNoT(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

// FuzzUserAttributeSimilarity checks the Python string helpers on arbitrary
// input: no panics, ratios within [0, 1], and an attribute equal to the
// password always rejected.
func FuzzUserAttributeSimilarity(f *testing.F) {
	f.Add("testclient", "testclient@example.com")
	f.Add("ΟΔΥΣΣΕΥΣ", "İstanbul.ΣΑΣ")
	f.Add("", "--")
	f.Fuzz(func(t *testing.T, password, value string) {
		r := quickRatio(password, value)
		if r < 0 || r > 1 {
			t.Fatalf("ratio %v", r)
		}
		_ = pySplitNonWord(value)
		u := &auth.User{Username: password, Email: value}
		if password != "" {
			if err := (UserAttributeSimilarity{}).Validate(password, u); err == nil {
				t.Fatalf("password equal to the username accepted: %q", password)
			}
		}
	})
}
