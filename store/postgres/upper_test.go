package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/pgtest"
)

// TestUpperAgreesWithGo checks, for every Unicode code point, that
// PostgreSQL's upper() gives what Go's strings.ToUpper gives. The memory
// store compares usernames (GetUserByUsernameFold) and emails
// (UserQuery.Email) upper-cased in Go, and this store with upper() in SQL;
// the two stores find the same users only while the two mappings agree.
// Both follow the Unicode version of their build (Go's unicode tables,
// the C library's locale data), so an upgrade of either can break this.
func TestUpperAgreesWithGo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	var ctype string
	require.NoError(t, pool.QueryRow(ctx, `SHOW lc_ctype`).Scan(&ctype))

	// The code points that upper() changes, with their upper case.
	rows, err := pool.Query(ctx, `SELECT i, upper(chr(i)) FROM generate_series(1, 1114111) AS i
		WHERE (i < 55296 OR i > 57343) AND upper(chr(i)) <> chr(i)`)
	require.NoError(t, err)
	pg := make(map[rune]string)
	for rows.Next() {
		var cp int32
		var up string
		require.NoError(t, rows.Scan(&cp, &up))
		pg[rune(cp)] = up
	}
	require.NoError(t, rows.Err())
	require.NotEmpty(t, pg)
	require.Equal(t, "É", pg['é'], "upper() must map non-ASCII letters (LC_CTYPE is %q)", ctype)

	var diffs []string
	for r := rune(1); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue // surrogates: chr() rejects them, Go strings cannot hold them
		}
		want, ok := pg[r]
		if !ok {
			want = string(r)
		}
		if got := strings.ToUpper(string(r)); got != want {
			diffs = append(diffs, fmt.Sprintf("U+%04X %q: upper() %q, strings.ToUpper %q", r, r, want, got))
		}
	}
	require.Empty(t, diffs, "upper() under LC_CTYPE %q and Go's strings.ToUpper disagree on %d code points",
		ctype, len(diffs))
}
