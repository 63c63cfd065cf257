package testkit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/testkit"
)

// A handler test with a logged-in user, and a mail sent from another
// goroutine awaited in the outbox.
func Example() {
	ctx := context.Background()
	users := memory.New[auth.User]()
	alice := auth.NewUser("alice")
	_ = users.CreateUser(ctx, &alice)
	a, err := auth.New(auth.Config[auth.User]{Store: users, SecretKey: "example-secret-key-0123456789-abcdefghijklmnopqrs",
		Sessions: auth.SessionConfig{InsecureCookie: true}})
	if err != nil {
		panic(err)
	}
	defer a.Close()

	cookie, err := testkit.LoginUser(ctx, a, &alice, testkit.LoginOptions{})
	if err != nil {
		panic(err)
	}
	page := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", a.User(r).Username())
	}))
	req := httptest.NewRequest("GET", "/dashboard/", nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, req)
	fmt.Println(rec.Body.String())

	var outbox testkit.Outbox
	go func() {
		_ = outbox.Send(ctx, mail.Message{From: "site@example.com", To: []string{"alice@example.com"},
			Subject: "Welcome", Text: "Confirm: https://example.com/confirm/abc/ or type 123456."})
	}()
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m, err := outbox.WaitTo(wctx, "Alice@example.com")
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Subject, testkit.Link(m, "https://example.com/confirm/"))
	// Output:
	// hello alice
	// Welcome https://example.com/confirm/abc/
}
