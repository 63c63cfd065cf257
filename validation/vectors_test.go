package validation

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/djauth/auth"
	"github.com/djauth/auth/internal/pystr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// djangoVectors is testdata/django_vectors.json, written by
// testdata/gen_vectors.py from Python 3.11 and Django 3.2's validators.
type djangoVectors struct {
	Python      string            `json:"python"`
	Django      string            `json:"django"`
	Lower       [][2]string       `json:"lower"`
	Strip       [][2]string       `json:"strip"`
	Split       []json.RawMessage `json:"split"`
	IsDigit     []json.RawMessage `json:"isdigit"`
	QuickRatio  []json.RawMessage `json:"quick_ratio"`
	CommonCount int               `json:"common_count"`
	Common      []json.RawMessage `json:"common"`
	Numeric     []json.RawMessage `json:"numeric"`
	MinLength   []json.RawMessage `json:"min_length"`
	Similarity  []struct {
		User struct {
			Username  string `json:"username"`
			FirstName string `json:"first_name"`
			LastName  string `json:"last_name"`
			Email     string `json:"email"`
		} `json:"user"`
		Attributes    []string     `json:"attributes"`
		MaxSimilarity float64      `json:"max_similarity"`
		Password      string       `json:"password"`
		Error         *djangoError `json:"error"`
	} `json:"similarity"`
}

type djangoError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func loadVectors(t *testing.T) *djangoVectors {
	t.Helper()
	data, err := os.ReadFile("testdata/django_vectors.json")
	require.NoError(t, err)
	var v djangoVectors
	require.NoError(t, json.Unmarshal(data, &v))
	require.NotEmpty(t, v.Similarity)
	return &v
}

// tuple decodes a JSON array into the given pointers.
func tuple(t *testing.T, raw json.RawMessage, into ...any) {
	t.Helper()
	var parts []json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &parts))
	require.Len(t, parts, len(into))
	for i, p := range into {
		require.NoError(t, json.Unmarshal(parts[i], p))
	}
}

// checkErr compares a validator's result with Django's.
func checkErr(t *testing.T, got error, want *djangoError, context string) {
	t.Helper()
	if want == nil {
		assert.NoError(t, got, context)
		return
	}
	var ve *ValidationError
	if assert.ErrorAs(t, got, &ve, context) {
		assert.Equal(t, want.Code, ve.Code, context)
		assert.Equal(t, want.Message, ve.Message, context)
	}
}

func TestPythonStringSemantics(t *testing.T) {
	t.Parallel()
	v := loadVectors(t)
	t.Run("lower", func(t *testing.T) {
		t.Parallel()
		for _, c := range v.Lower {
			assert.Equal(t, c[1], pyLower(c[0]), "%q", c[0])
		}
	})
	t.Run("strip", func(t *testing.T) {
		t.Parallel()
		for _, c := range v.Strip {
			assert.Equal(t, c[1], pystr.Strip(c[0]), "%q", c[0])
		}
	})
	t.Run("split", func(t *testing.T) {
		t.Parallel()
		for _, raw := range v.Split {
			var in string
			var want []string
			tuple(t, raw, &in, &want)
			assert.Equal(t, want, pySplitNonWord(in), "%q", in)
		}
	})
	t.Run("isdigit", func(t *testing.T) {
		t.Parallel()
		for _, raw := range v.IsDigit {
			var in string
			var want bool
			tuple(t, raw, &in, &want)
			assert.Equal(t, want, pyIsDigit(in), "%q", in)
		}
	})
	t.Run("quick_ratio", func(t *testing.T) {
		t.Parallel()
		require.NotEmpty(t, v.QuickRatio)
		for _, raw := range v.QuickRatio {
			var a, b string
			var want float64
			tuple(t, raw, &a, &b, &want)
			// Same operations in the same order: the floats are identical.
			assert.Equal(t, want, quickRatio(a, b), "%q vs %q", a, b)
		}
	})
}

func TestValidatorsMatchDjango(t *testing.T) {
	t.Parallel()
	v := loadVectors(t)
	t.Run("UserAttributeSimilarity", func(t *testing.T) {
		t.Parallel()
		rejected := 0
		for _, c := range v.Similarity {
			u := &auth.User{Username: c.User.Username, FirstName: c.User.FirstName, LastName: c.User.LastName, Email: c.User.Email}
			val, err := NewUserAttributeSimilarity(c.Attributes, c.MaxSimilarity)
			require.NoError(t, err)
			if c.Error != nil {
				rejected++
			}
			checkErr(t, val.Validate(c.Password, u), c.Error, c.User.Username+"/"+c.Password)
		}
		assert.Positive(t, rejected, "the vectors must exercise rejections")
	})
	t.Run("CommonPassword", func(t *testing.T) {
		t.Parallel()
		// The vectors record Django's validator with Django's own list:
		// NewCommonPassword with that list answers exactly as Django does,
		// and the embedded list also rejects what is only in zxcvbn's.
		djangoList, err := os.ReadFile(djangoListPath)
		require.NoError(t, err)
		django, err := NewCommonPassword(bytes.NewReader(djangoList))
		require.NoError(t, err)
		zxcvbn := zxcvbnOnly(t)
		extra := 0
		for _, raw := range v.Common {
			var pw string
			var want *djangoError
			tuple(t, raw, &pw, &want)
			checkErr(t, django.Validate(pw, nil), want, pw)
			if _, ok := zxcvbn[pystr.Strip(pyLower(pw))]; ok && want == nil {
				want = &djangoError{Code: CodeTooCommon, Message: "This password is too common."}
				extra++
			}
			checkErr(t, CommonPassword{}.Validate(pw, nil), want, pw)
		}
		t.Logf("%d of %d vectors are common only through zxcvbn's list", extra, len(v.Common))
	})
	t.Run("Numeric", func(t *testing.T) {
		t.Parallel()
		for _, raw := range v.Numeric {
			var pw string
			var want *djangoError
			tuple(t, raw, &pw, &want)
			checkErr(t, Numeric{}.Validate(pw, nil), want, pw)
		}
	})
	t.Run("MinimumLength", func(t *testing.T) {
		t.Parallel()
		for _, raw := range v.MinLength {
			var pw string
			var n int
			var want *djangoError
			tuple(t, raw, &pw, &n, &want)
			checkErr(t, MinimumLength{Min: n}.Validate(pw, nil), want, pw)
		}
	})
}

func TestCommonPasswordListSize(t *testing.T) {
	t.Parallel()
	set, err := defaultCommonPasswords()
	require.NoError(t, err)
	// Django's 19,640 entries (its list as shipped since Django 5.2, hex
	// entries decoded, duplicates removed) and the 20,461 of zxcvbn's
	// 30,000 that Django's lacks.
	assert.GreaterOrEqual(t, len(set), 20000)
	assert.Len(t, set, 40101)
	for p := range set {
		if p != pyLower(p) || p != pystr.Strip(p) {
			t.Fatalf("entry %q is not lowercase and stripped", p)
		}
	}
	// Django's CommonPasswordValidator loads as many entries from its own
	// list as NewCommonPassword does (common_count in the vectors).
	data, err := os.ReadFile(djangoListPath)
	require.NoError(t, err)
	django, err := readPasswordList(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Len(t, django, 19640)
	assert.Equal(t, loadVectors(t).CommonCount, len(django))
}
