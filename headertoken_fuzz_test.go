package auth

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzHeaderToken: the Authorization parser never panics, never returns
// a token with blanks or longer than maxHeaderToken, and reports a token
// only for the Bearer scheme.
func FuzzHeaderToken(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer abc", "Bearer ", "Bearer", "Basic abc", "Bearer a b", "Bearer  x ", "", "Bearer " + strings.Repeat("a", 300)} {
		f.Add(s)
	}
	a := &Auth[User]{headerTokens: true}
	f.Fuzz(func(t *testing.T, h string) {
		r := &http.Request{Header: http.Header{"Authorization": {h}}}
		tok, bearer := a.headerToken(r)
		if len(tok) > maxHeaderToken || strings.ContainsAny(tok, " \t") {
			t.Fatalf("token %q from %q", tok, h)
		}
		if tok != "" && !bearer {
			t.Fatalf("a token without the Bearer scheme from %q", h)
		}
		if bearer && !strings.HasPrefix(strings.ToLower(h), "bearer ") {
			t.Fatalf("bearer for %q", h)
		}
	})
}
