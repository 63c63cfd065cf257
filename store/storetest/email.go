package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// testListUsersByEmail checks UserQuery.Email, Django's email__iexact on
// PostgreSQL: UPPER(email) = UPPER(x), an exact match of the upper-cased
// strings, one code point at a time.
func (x suite[U]) testListUsersByEmail(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	mail := func(addr string) func(*auth.User) { return func(a *auth.User) { a.Email = addr } }
	ann := x.create(t, s, "ann", mail("ann@example.com"))
	annTwo := x.create(t, s, "ann.two", mail("ANN@Example.com"))
	annOff := x.create(t, s, "ann.off", mail("ann@example.com"), func(a *auth.User) { a.IsActive = false })
	xann := x.create(t, s, "xann", mail("xann@example.com"))
	wild := x.create(t, s, "wild", mail("a%b_c@example.com"))
	emile := x.create(t, s, "emile", mail("Émile@exemple.fr"))
	mike := x.create(t, s, "mike", mail("mike@example.org"))
	longS := x.create(t, s, "longs", mail("\u017fam@example.org")) // ſ LATIN SMALL LETTER LONG S
	strasse := x.create(t, s, "strasse", mail("straße@example.de"))
	sigma := x.create(t, s, "sigma", mail("\u03c2@example.gr")) // ς GREEK SMALL LETTER FINAL SIGMA
	kay := x.create(t, s, "kay", mail("k@example.net"))
	eye := x.create(t, s, "eye", mail("i@example.tr"))
	none := x.create(t, s, "noemail")
	group := createGroup(t, s, "email-group")
	require.NoError(t, s.AddUserGroups(ctx, x.au(annTwo).ID, group.ID))

	id := func(us ...*U) []int64 { return x.ids(us) }
	allAnns := id(ann, annTwo, annOff)
	tests := []struct {
		name string
		q    auth.UserQuery
		want []int64
	}{
		{"Exact", auth.UserQuery{Email: "xann@example.com"}, id(xann)},
		{"SharedAddressInAnyCase", auth.UserQuery{Email: "ann@example.com"}, allAnns},
		{"UpperCaseQuery", auth.UserQuery{Email: "ANN@EXAMPLE.COM"}, allAnns},
		{"MixedCaseQuery", auth.UserQuery{Email: "aNn@eXample.Com"}, allAnns},
		{"NotASuffix", auth.UserQuery{Email: "nn@example.com"}, id()},
		{"NotADomain", auth.UserQuery{Email: "example.com"}, id()},
		{"NotAPrefix", auth.UserQuery{Email: "ann@example.co"}, id()},
		{"NothingTrimmed", auth.UserQuery{Email: " ann@example.com"}, id()},
		{"WildcardsAreLiteral", auth.UserQuery{Email: "A%B_C@EXAMPLE.COM"}, id(wild)},
		{"PercentIsNotAWildcard", auth.UserQuery{Email: "%@example.com"}, id()},
		// As LIKE patterns both would match "a%b_c@example.com".
		{"UnderscoreIsNotAWildcard", auth.UserQuery{Email: "a_b%c@example.com"}, id()},
		{"NoMatch", auth.UserQuery{Email: "nobody@example.com"}, id()},
		{"Active", auth.UserQuery{Email: "ann@example.com", IsActive: ptr(true)}, id(ann, annTwo)},
		{"Inactive", auth.UserQuery{Email: "ANN@example.com", IsActive: ptr(false)}, id(annOff)},
		{"InactiveNoMatch", auth.UserQuery{Email: "mike@example.org", IsActive: ptr(false)}, id()},
		{"Group", auth.UserQuery{Email: "ann@example.com", GroupID: group.ID}, id(annTwo)},
		{"GroupNoMatch", auth.UserQuery{Email: "xann@example.com", GroupID: group.ID}, id()},
		{"Search", auth.UserQuery{Email: "ann@example.com", Search: "OFF"}, id(annOff)},
		{"Page", auth.UserQuery{Email: "ann@example.com", Offset: 1, Limit: 1}, id(annTwo)},
		{"Empty", auth.UserQuery{}, id(ann, annTwo, annOff, xann, wild, emile, mike, longS, strasse, sigma, kay, eye, none)},
		{"EmptyActive", auth.UserQuery{IsActive: ptr(false)}, id(annOff)},
		{"MaxLength", auth.UserQuery{Email: repeat("é", auth.MaxEmailLength)}, id()},
		// Non-ASCII letters are upper-cased too.
		{"Accent", auth.UserQuery{Email: "émile@EXEMPLE.FR"}, id(emile)},
		{"AccentStoredUpper", auth.UserQuery{Email: "ÉMILE@exemple.fr"}, id(emile)},
		// Upper-casing maps one code point at a time, so some distinct
		// addresses compare equal. The password reset form rejects these
		// candidates afterwards with a full Unicode comparison, as Django
		// does (CVE-2019-19844).
		{"DotlessI", auth.UserQuery{Email: "m\u0131ke@example.org"}, id(mike)}, // ı upper-cases to I
		{"LongS", auth.UserQuery{Email: "sam@example.org"}, id(longS)},         // ſ upper-cases to S
		{"FinalSigma", auth.UserQuery{Email: "\u03c3@EXAMPLE.GR"}, id(sigma)},  // ς and σ upper-case to Σ
		{"CapitalSigma", auth.UserQuery{Email: "\u03a3@example.gr"}, id(sigma)},
		// ...and some that full case folding would equate do not.
		{"SharpSIsNotSS", auth.UserQuery{Email: "STRASSE@EXAMPLE.DE"}, id()},
		{"SharpSKeptAsIs", auth.UserQuery{Email: "STRAßE@EXAMPLE.DE"}, id(strasse)},
		{"KelvinSignIsNotK", auth.UserQuery{Email: "\u212a@example.net"}, id()},
		{"LatinK", auth.UserQuery{Email: "K@EXAMPLE.NET"}, id(kay)},
		{"DottedCapitalIIsNotI", auth.UserQuery{Email: "\u0130@example.tr"}, id()},
		{"LatinI", auth.UserQuery{Email: "I@example.tr"}, id(eye)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListUsers(ctx, tc.q)
			require.NoError(t, err)
			require.Equal(t, tc.want, x.ids(got), "ListUsers %+v", tc.q)

			unpaged := tc.q
			unpaged.Offset, unpaged.Limit = 0, 0
			all, err := s.ListUsers(ctx, unpaged)
			require.NoError(t, err)
			n, err := s.CountUsers(ctx, tc.q)
			require.NoError(t, err)
			require.Equal(t, len(all), n, "CountUsers agrees with ListUsers")
		})
	}

	// The filter follows writes: a changed email matches its new value
	// only, a cleared one matches nothing, a deleted user nothing.
	list := func(email string) []int64 {
		t.Helper()
		got, err := s.ListUsers(ctx, auth.UserQuery{Email: email})
		require.NoError(t, err)
		return x.ids(got)
	}
	x.au(annTwo).Email = "Other@Example.com"
	require.NoError(t, s.UpdateUser(ctx, annTwo))
	require.Equal(t, id(ann, annOff), list("ann@example.com"))
	require.Equal(t, id(annTwo), list("OTHER@example.COM"))
	x.au(ann).Email = ""
	require.NoError(t, s.UpdateUser(ctx, ann))
	require.Equal(t, id(annOff), list("ANN@EXAMPLE.COM"))
	require.NoError(t, s.DeleteUser(ctx, x.au(annOff).ID))
	require.Empty(t, list("ann@example.com"))
	// One-column writes leave the email as it was.
	require.NoError(t, s.SetPassword(ctx, x.au(annTwo).ID, "!unusable"))
	require.Equal(t, id(annTwo), list("other@example.com"))

	// Returned users are whole users.
	got, err := s.ListUsers(ctx, auth.UserQuery{Email: "MIKE@example.org"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	x.requireSameUser(t, mike, got[0])
}

// testListUsersByEmailMany checks that an email shared by more users than
// one page holds is paged in ID order like any other filter.
func (x suite[U]) testListUsersByEmailMany(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	var want []int64
	for i := range 25 {
		addr := "shared@example.com"
		if i%2 == 1 {
			addr = "SHARED@EXAMPLE.COM"
		}
		want = append(want, x.au(x.create(t, s, fmt.Sprintf("shared%02d", i),
			func(a *auth.User) { a.Email = addr })).ID)
		x.create(t, s, fmt.Sprintf("other%02d", i), func(a *auth.User) { a.Email = addr + ".other" })
	}
	var walked []int64
	for offset := 0; ; offset += 10 {
		page, err := s.ListUsers(ctx, auth.UserQuery{Email: "Shared@Example.com", Offset: offset, Limit: 10})
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		require.LessOrEqual(t, len(page), 10)
		walked = append(walked, x.ids(page)...)
	}
	require.Equal(t, want, walked)
	n, err := s.CountUsers(ctx, auth.UserQuery{Email: "shared@example.com", Limit: 1, Offset: 3})
	require.NoError(t, err)
	require.Equal(t, len(want), n)
}
