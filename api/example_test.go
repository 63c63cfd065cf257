package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/accounts"
	"github.com/djauth/auth/api"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/store/memory"
)

// Example mounts the API and signs in with token transport, as a mobile
// app does: the token comes in the body and goes back as a bearer
// header; no cookie is involved.
func Example() {
	store := memory.New[auth.User]()
	a, err := auth.New(auth.Config[auth.User]{
		Store: store, SecretKey: "example-secret-key-0123456789-abcdefghijklmnop",
		Hashers:  hashers.New(hashers.MD5{}),
		Sessions: auth.SessionConfig{HeaderTokens: true},
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	acc, err := accounts.New(a, accounts.Config{})
	if err != nil {
		panic(err)
	}
	defer acc.Close()
	u := auth.NewUser("jane")
	if err := acc.CreateUser(context.Background(), &u, "a-long-passphrase"); err != nil {
		panic(err)
	}
	x, err := api.New(api.Config[auth.User]{Accounts: acc})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	x.Routes(mux)
	srv := httptest.NewServer(a.Middleware(mux))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/api/auth/signin", "application/json",
		strings.NewReader(`{"username":"jane","password":"a-long-passphrase","transport":"token"}`))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	token := resp.Header.Get(auth.SessionTokenHeader)
	fmt.Println(resp.StatusCode, token != "")

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/auth/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, strings.Contains(string(body), `"username":"jane"`))

	req.Header.Set("Authorization", "Bearer stale-token")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.StatusCode, " ", string(body))
	// Output:
	// 200 true
	// 200 true
	// 401 {"error":{"code":"invalid_token","message":"The session token is unknown or has expired. Sign in again."}}
}
