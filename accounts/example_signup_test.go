package accounts_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/emails"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/store/memory"
)

// ExampleManager_SignUp signs a user up with mandatory email
// verification: the address is recorded unverified, a mail with a link
// and a code goes out, and the login gate refuses the user until the
// code is typed.
func ExampleManager_SignUp() {
	ctx := context.Background()
	const key = "example-secret-key-0123456789-abcdefghijklmnopqrs"
	em, err := emails.NewManager(emails.Config{Store: emails.NewMemoryStore(true, nil), SecretKey: key})
	if err != nil {
		panic(err)
	}
	gate := &emails.Gate[auth.User]{Manager: em, URL: accounts.VerificationRequiredURL("")}
	a, err := auth.New(auth.Config[auth.User]{
		Store: memory.New[auth.User](), Hashers: hashers.New(hashers.MD5{}), SecretKey: key,
		LoginGate: gate, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	var outbox mail.Outbox
	acc, err := accounts.New(a, accounts.Config{Mailer: &outbox, SiteURL: "https://example.com", Emails: em})
	if err != nil {
		panic(err)
	}
	res, err := acc.SignUp(ctx, nil, accounts.SignupForm{
		Username: "jane", Email: "jane@example.com",
		Password1: "a-long-passphrase", Password2: "a-long-passphrase",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(gate.AllowLogin(ctx, res.User) != nil)
	if err := acc.Close(); err != nil { // sends the queued mail
		panic(err)
	}
	msg := outbox.Messages()[0]
	fmt.Println(msg.To, msg.Subject)
	fmt.Println(strings.Contains(msg.Text, "https://example.com/accounts/confirm-email/"))

	_, err = em.ConfirmCode(ctx, "jane@example.com", em.Code(res.Address))
	fmt.Println(err, gate.AllowLogin(ctx, res.User))
	// Output:
	// true
	// [jane@example.com] Please confirm your email address on example.com
	// true
	// <nil> <nil>
}
