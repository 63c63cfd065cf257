package postgres_test

import (
	"testing"
	"time"

	"github.com/djauth/auth/signing"
	"github.com/djauth/auth/store/postgres"
)

// FuzzDjangoSessionCodec: Decode never panics on any frame, and whatever
// it decodes encodes again and decodes to the same number of values.
func FuzzDjangoSessionCodec(f *testing.F) {
	c := &postgres.DjangoSessionCodec{SecretKey: djKey}
	good, _ := signing.EncodeSession(djKey, map[string]any{"_auth_user_id": "1", "t": map[string]any{"__djauth_time__": "2024-01-01T00:00:00Z"}, "n": 3})
	f.Add(postgres.FrameSession(time.Unix(1e9, 0), good))
	f.Add([]byte("D"))
	f.Add([]byte("junk"))
	f.Fuzz(func(t *testing.T, b []byte) {
		deadline, values, err := c.Decode(b)
		if err != nil {
			return
		}
		again, err := c.Encode(deadline, values)
		if err != nil {
			t.Fatalf("re-encode of decoded values: %v", err)
		}
		_, values2, err := c.Decode(again)
		if err != nil || len(values2) != len(values) {
			t.Fatalf("round trip: %v, %d != %d values", err, len(values2), len(values))
		}
	})
}
