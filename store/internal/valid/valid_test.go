package valid_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/djauth/auth/store/internal/valid"
)

func TestText(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"": true, "alice": true, "émile": true, "\uFFFD": true, "😀": true,
		"a\x00": false, "\x00": false, "a\xff": false, "\xef\xbf": false, "\xed\xa0\x80": false,
	} {
		assert.Equal(t, want, valid.Text(s), "%q", s)
	}
}
