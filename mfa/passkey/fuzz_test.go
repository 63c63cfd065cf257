package passkey_test

import (
	"errors"
	"testing"

	"github.com/djauth/auth/mfa/passkey"
)

// FuzzFinishPasswordless feeds arbitrary responses to a begun ceremony:
// never a panic, never a success.
func FuzzFinishPasswordless(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AA","signature":"AA","userHandle":"AA"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, ctx := newPasskeys(t, nil)
		if _, err := p.BeginPasswordless(ctx, false); err != nil {
			t.Fatal(err)
		}
		_, err := p.FinishPasswordless(ctx, body)
		if err == nil || !(errors.Is(err, passkey.ErrVerification) || errors.Is(err, passkey.ErrNotFound)) {
			t.Fatalf("FinishPasswordless(%q) = %v", body, err)
		}
	})
}
