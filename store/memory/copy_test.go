package memory

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// node is a self-referential type, to prove cycles terminate.
type node struct {
	Name string
	Next *node
}

type profile struct {
	Bio   string
	Links []string
}

// richUser has every kind of field a deep copy must follow.
type richUser struct {
	auth.User
	Tags     []string
	Scores   map[string][]int
	Profile  *profile
	Profiles []*profile
	Any      any
	Plain    any
	Ring     *node
	Fixed    [2]*profile
	secret   *profile // unexported: shared, as documented
	Birthday time.Time
}

func TestDeepCopyCustomUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := New[richUser]()

	ring := &node{Name: "a"}
	ring.Next = &node{Name: "b", Next: ring}
	shared := &profile{Bio: "shared", Links: []string{"x"}}
	u := &richUser{
		User:     auth.NewUser("rich"),
		Tags:     []string{"a", "b"},
		Scores:   map[string][]int{"math": {1, 2}},
		Profile:  shared,
		Profiles: []*profile{shared, {Bio: "second"}},
		Any:      &profile{Bio: "boxed", Links: []string{"y"}},
		Plain:    42,
		Ring:     ring,
		Fixed:    [2]*profile{{Bio: "fixed"}, nil},
		secret:   &profile{Bio: "secret"},
		Birthday: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	require.NoError(t, s.CreateUser(ctx, u))

	// Change everything the caller can reach through u.
	u.Tags[0] = "changed"
	u.Scores["math"][0] = 100
	u.Scores["new"] = nil
	u.Profile.Bio = "changed"
	u.Profile.Links[0] = "changed"
	u.Profiles[1].Bio = "changed"
	u.Any.(*profile).Links[0] = "changed"
	u.Ring.Next.Name = "changed"
	u.Fixed[0].Bio = "changed"

	got, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, got.Tags)
	assert.Equal(t, map[string][]int{"math": {1, 2}}, got.Scores)
	assert.Equal(t, "shared", got.Profile.Bio)
	assert.Equal(t, []string{"x"}, got.Profile.Links)
	assert.Equal(t, "second", got.Profiles[1].Bio)
	assert.Equal(t, []string{"y"}, got.Any.(*profile).Links)
	assert.Equal(t, 42, got.Plain)
	assert.Equal(t, "b", got.Ring.Next.Name)
	assert.Same(t, got.Ring, got.Ring.Next.Next, "the cycle is preserved")
	assert.Same(t, got.Profile, got.Profiles[0], "aliasing is preserved")
	assert.Equal(t, "fixed", got.Fixed[0].Bio)
	assert.Nil(t, got.Fixed[1])
	assert.Same(t, u.secret, got.secret, "unexported fields are copied shallowly")
	assert.True(t, u.Birthday.Equal(got.Birthday))

	// A returned copy is independent of the store and of other copies.
	got.Tags[1] = "changed"
	got.Profile.Links = append(got.Profile.Links, "more")
	again, err := s.GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, again.Tags)
	assert.Equal(t, []string{"x"}, again.Profile.Links)
	assert.NotSame(t, got.Profile, again.Profile)
}

func TestCopyNilFields(t *testing.T) {
	t.Parallel()
	c := newCopier(reflect.TypeFor[richUser]())
	var u richUser
	cp := u
	c.fix(reflect.ValueOf(&cp).Elem())
	assert.Equal(t, u, cp, "nil pointers, slices, maps and interfaces stay nil")
}

func TestCopierAnalysis(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		typ  any
		deep bool
	}{
		{"User", auth.User{}, true}, // LastLogin is a pointer
		{"Time", time.Time{}, false},
		{"Scalars", struct {
			A int
			B string
		}{}, false},
		{"UnexportedPointer", struct{ p *int }{}, false},
		{"Slice", []int{}, true},
		{"ArrayOfInts", [3]int{}, false},
		{"ArrayOfPointers", [3]*int{}, true},
		{"Recursive", node{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ := reflect.ValueOf(tc.typ).Type()
			assert.Equal(t, tc.deep, newCopier(typ).root != nil)
		})
	}
}

func TestIDsStartAtOneAndIncrease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := New[auth.User]()
	for want := int64(1); want <= 3; want++ {
		u := auth.NewUser("user" + string(rune('0'+want)))
		require.NoError(t, s.CreateUser(ctx, &u))
		assert.Equal(t, want, u.ID)
	}
	require.NoError(t, s.DeleteUser(ctx, 3))
	u := auth.NewUser("user4")
	require.NoError(t, s.CreateUser(ctx, &u))
	assert.Equal(t, int64(4), u.ID, "IDs are not reused")

	dup := auth.NewUser("user1")
	require.ErrorIs(t, s.CreateUser(ctx, &dup), auth.ErrDuplicateUsername)
	next := auth.NewUser("user5")
	require.NoError(t, s.CreateUser(ctx, &next))
	assert.Equal(t, int64(5), next.ID, "a failed create does not use up an ID")

	g := auth.Group{Name: "first"}
	require.NoError(t, s.CreateGroup(ctx, &g))
	assert.Equal(t, int64(1), g.ID)
	perms, err := auth.Register(ctx, s, auth.AuthModels()...)
	require.NoError(t, err)
	assert.Equal(t, int64(1), perms[0].ID)
	assert.Equal(t, int64(1), perms[0].ContentTypeID)
	assert.Equal(t, int64(16), perms[15].ID)
}

func TestFoldKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		same bool
	}{
		{"Bob", "bob", true},
		{"BOB", "bOb", true},
		{"Émile", "éMILE", true},
		{"ſ", "s", true},       // LATIN SMALL LETTER LONG S upper-cases to S
		{"ς", "σ", true},       // both sigmas upper-case to Σ
		{"ı", "i", true},       // dotless i upper-cases to I, as in PostgreSQL
		{"\u212a", "k", false}, // KELVIN SIGN stays itself under upper(), as in PostgreSQL
		{"\u2126", "ω", false}, // so does OHM SIGN
		{"bob", "bobb", false},
		{"straße", "STRASSE", false}, // per-rune mapping, not full case mapping
	}
	for _, tc := range tests {
		t.Run(tc.a+"_"+tc.b, func(t *testing.T) {
			assert.Equal(t, tc.same, foldKey(tc.a) == foldKey(tc.b))
		})
	}
}

func FuzzFoldKey(f *testing.F) {
	for _, s := range []string{"Bob", "émile", "\u212a", "ß", "İstanbul", "\xff"} {
		f.Add(s, strings.ToLower(s))
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ka, kb := foldKey(a), foldKey(b)
		if foldKey(ka) != ka {
			t.Fatalf("foldKey is not idempotent on %q", a)
		}
		if isASCII(a) && isASCII(b) && (ka == kb) != strings.EqualFold(a, b) {
			t.Fatalf("ASCII %q and %q: foldKey equal is %v, strings.EqualFold is %v", a, b, ka == kb, strings.EqualFold(a, b))
		}
		if utf8.ValidString(a) && utf8.RuneCountInString(ka) != utf8.RuneCountInString(a) {
			t.Fatalf("foldKey(%q) = %q changed the number of runes", a, ka)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
