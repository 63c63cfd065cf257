package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	auth "github.com/djauth/auth"
)

// testFoldUnicode pins the case-insensitive matching of
// GetUserByUsernameFold and UserQuery.Search to upper-casing one code point
// at a time (Go's unicode.ToUpper, PostgreSQL's upper()), as
// testListUsersByEmail pins UserQuery.Email: the cases where it differs
// from full case folding or from a collation's comparison.
func (x suite[U]) testFoldUnicode(t *testing.T, s auth.UserStore[U]) {
	ctx := context.Background()
	mike := x.create(t, s, "mike")
	longS := x.create(t, s, "\u017fam") // ſ LATIN SMALL LETTER LONG S
	sigma := x.create(t, s, "\u03c2x")  // ς GREEK SMALL LETTER FINAL SIGMA
	strasse := x.create(t, s, "straße")
	kay := x.create(t, s, "xkx")
	eye := x.create(t, s, "qiq")
	accent := x.create(t, s, "émile")
	decomposed := x.create(t, s, "e\u0301mile") // e + COMBINING ACUTE ACCENT: not "émile"
	tests := []struct {
		name, query string
		want        *U // nil: no user
	}{
		{"DotlessI", "m\u0131ke", mike},              // ı upper-cases to I
		{"LongS", "SAM", longS},                      // ſ upper-cases to S
		{"FinalSigma", "\u03c3X", sigma},             // ς and σ upper-case to Σ
		{"CapitalSigma", "\u03a3x", sigma},           //
		{"SharpSIsNotSS", "STRASSE", nil},            // ß has no one-code-point upper case
		{"SharpSKeptAsIs", "STRAßE", strasse},        //
		{"KelvinSignIsNotK", "X\u212aX", nil},        // K (U+212A) upper-cases to itself
		{"LatinK", "XKX", kay},                       //
		{"DottedCapitalIIsNotI", "Q\u0130Q", nil},    // İ upper-cases to itself
		{"LatinI", "QIQ", eye},                       //
		{"Accent", "ÉMILE", accent},                  //
		{"NotNormalized", "E\u0301MILE", decomposed}, // no Unicode normalisation either
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.GetUserByUsernameFold(ctx, tc.query)
			if tc.want == nil {
				require.ErrorIs(t, err, auth.ErrUserNotFound, "GetUserByUsernameFold(%q)", tc.query)
			} else {
				require.NoError(t, err, "GetUserByUsernameFold(%q)", tc.query)
				require.Equal(t, x.au(tc.want).ID, x.au(got).ID, "GetUserByUsernameFold(%q)", tc.query)
			}
			// Search is a substring match under the same upper-casing.
			list, err := s.ListUsers(ctx, auth.UserQuery{Search: tc.query})
			require.NoError(t, err)
			var want []int64
			if tc.want != nil {
				want = []int64{x.au(tc.want).ID}
			}
			if want == nil {
				require.Empty(t, list, "Search %q", tc.query)
			} else {
				require.Equal(t, want, x.ids(list), "Search %q", tc.query)
			}
		})
	}
}

// byteOrderNames are in byte order (the code point order of their UTF-8),
// which is neither the order of a linguistic collation (alpha, Äpfel,
// ärger, Émile, émile, Zulu, zulu) nor a case-insensitive one.
var byteOrderNames = []string{"Zulu", "alpha", "zulu", "Äpfel", "Émile", "ärger", "émile"}

// createdOutOfOrder creates with create the names in an order that is
// neither byte order nor its reverse, and returns them in byte order.
func createdOutOfOrder[T any](create func(name string) T) []T {
	order := []int{4, 1, 6, 0, 3, 5, 2}
	out := make([]T, len(byteOrderNames))
	for _, i := range order {
		out[i] = create(byteOrderNames[i])
	}
	return out
}

// testGroupOrder: ListGroups orders by name in byte order.
func (x suite[U]) testGroupOrder(t *testing.T, s auth.GroupStore) {
	ctx := context.Background()
	want := createdOutOfOrder(func(name string) auth.Group { return createGroup(t, s, name) })
	got, err := s.ListGroups(ctx)
	require.NoError(t, err)
	require.Equal(t, want, got, "ListGroups orders names bytewise")
}

// testPermissionOrder: content types and permissions order by app label,
// model and codename, each in byte order.
func (x suite[U]) testPermissionOrder(t *testing.T, s auth.PermissionStore) {
	ctx := context.Background()
	var cts []auth.ContentType
	for _, ct := range createdOutOfOrder(func(name string) auth.ContentType {
		ct, err := s.GetOrCreateContentType(ctx, name, "m")
		require.NoError(t, err)
		return ct
	}) {
		cts = append(cts, ct)
	}
	models := createdOutOfOrder(func(name string) auth.ContentType {
		ct, err := s.GetOrCreateContentType(ctx, "app", name)
		require.NoError(t, err)
		return ct
	})
	// "app" sorts between "alpha" and "zulu".
	want := append(append(append([]auth.ContentType{}, cts[:2]...), models...), cts[2:]...)
	got, err := s.ListContentTypes(ctx)
	require.NoError(t, err)
	require.Equal(t, want, got, "ListContentTypes orders app labels, then models, bytewise")

	codenames := createdOutOfOrder(func(name string) string {
		p := auth.Permission{Codename: name, Name: "Can " + name, AppLabel: "app", Model: "m"}
		_, err := s.GetOrCreateContentType(ctx, "app", "m")
		require.NoError(t, err)
		require.NoError(t, s.CreatePermission(ctx, &p))
		return name
	})
	perms, err := s.ListPermissions(ctx, "app")
	require.NoError(t, err)
	var gotCodes []string
	for _, p := range perms {
		gotCodes = append(gotCodes, p.Codename)
	}
	require.Equal(t, codenames, gotCodes, "ListPermissions orders codenames bytewise")
}

// testUserGroupOrder: ListUserGroups orders by name in byte order, as
// ListGroups does, and GetUserWithPermissions' group names too.
func (x suite[U]) testUserGroupOrder(t *testing.T, s auth.Store[U]) {
	ctx := context.Background()
	u := x.create(t, s, "member")
	want := createdOutOfOrder(func(name string) auth.Group {
		g := createGroup(t, s, name)
		require.NoError(t, s.AddUserGroups(ctx, x.au(u).ID, g.ID))
		return g
	})
	got, err := s.ListUserGroups(ctx, x.au(u).ID)
	require.NoError(t, err)
	require.Equal(t, want, got, "ListUserGroups orders names bytewise")
	names := make([]string, len(want))
	for i, g := range want {
		names[i] = g.Name
	}
	_, perms, err := s.GetUserWithPermissions(ctx, x.au(u).ID)
	require.NoError(t, err)
	require.Equal(t, names, perms.Groups, "GetUserWithPermissions orders group names as ListUserGroups does")
}
