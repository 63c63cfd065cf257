package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/validation"
)

// Example mounts the password pages next to the login pages, creates a
// user through the validators and asks for a password reset.
func Example() {
	ctx := context.Background()
	store := memory.New[auth.User]()
	reg := hashers.New(hashers.MD5{}) // fast for the example; use hashers.Default()
	const key = "example-secret-key-0123456789-abcdefghijklmnopqrs"
	a, err := auth.New(auth.Config[auth.User]{
		Store: store, Hashers: reg, SecretKey: key,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	var outbox mail.Outbox // mail.Console{W: os.Stderr} in development
	acc, err := accounts.New(a, accounts.Config{Mailer: &outbox, SiteURL: "https://example.com"})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	acc.Routes(mux, "/accounts/") // login/, logout/, profile/, password_change/, password_reset/, reset/…
	site := a.Middleware(mux)

	u := auth.NewUser("jane")
	u.Email = "jane@example.com"
	err = acc.CreateUser(ctx, &u, "jane")
	var weak validation.Errors
	if errors.As(err, &weak) {
		fmt.Println("refused:", strings.Join(weak.Messages(), " / "))
	}
	if err := acc.CreateUser(ctx, &u, "a-long-passphrase"); err != nil {
		panic(err)
	}

	form := url.Values{"email": {"JANE@example.com"}}
	req := httptest.NewRequest(http.MethodPost, "/accounts/password_reset/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	site.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	// The mail is sent by the Manager's workers after the answer; Close
	// waits for it.
	if err := acc.Close(); err != nil {
		panic(err)
	}
	m := outbox.Messages()[0]
	fmt.Println(m.To, m.Subject)
	// Output:
	// refused: The password is too similar to the username. / This password is too short. It must contain at least 8 characters. / This password is too common.
	// 302 /accounts/password_reset/done/
	// [jane@example.com] Password reset on example.com
}
