package emails_test

import (
	"context"
	"fmt"

	"github.com/djauth/auth/emails"
)

func Example() {
	ctx := context.Background()
	store := emails.NewMemoryStore(true, nil)
	m, err := emails.NewManager(emails.Config{Store: store, SecretKey: "secret"})
	if err != nil {
		panic(err)
	}
	a, _, _ := store.AddAddress(ctx, 42, "ann@example.com")
	key, _ := m.Key(a)

	// The link's page only looks.
	seen, _ := m.AddressForKey(ctx, key)
	fmt.Println(seen.Email, seen.Verified)
	// Its form's POST confirms.
	a, _ = m.ConfirmKey(ctx, key)
	fmt.Println(a.Email, a.Verified, a.Primary)
	_, err = m.ConfirmKey(ctx, key)
	fmt.Println(err)
	// Output:
	// ann@example.com false
	// ann@example.com true true
	// emails: invalid or expired confirmation
}
