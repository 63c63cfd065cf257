package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/store/memory"
)

// UserSessions lists a user's sessions by public ID, and RevokeSession
// ends one of them: its cookie is anonymous from then on.
func ExampleAuth_UserSessions() {
	store := memory.New[auth.User]()
	a, err := auth.New(auth.Config[auth.User]{Store: store, Hashers: exampleHashers(), SecretKey: exampleSecret})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	ctx := context.Background()
	alice := auth.NewUser("alice")
	_ = store.CreateUser(ctx, &alice)
	mux := http.NewServeMux()
	mux.HandleFunc("/login/", func(w http.ResponseWriter, r *http.Request) { _ = a.Login(r, &alice, "") })
	mux.HandleFunc("/whoami/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, a.UserFromContext(r.Context()))
	})
	h := a.Middleware(mux)
	login := func(agent string) *http.Cookie {
		req := httptest.NewRequest("POST", "/login/", nil)
		req.Header.Set("User-Agent", agent)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result().Cookies()[0]
	}
	phone, _ := login("Phone"), login("Laptop")

	list, _ := a.UserSessions(ctx, alice.ID)
	fmt.Println(len(list), "sessions")
	_ = a.RevokeSession(ctx, alice.ID, auth.SessionID(phone.Value))

	req := httptest.NewRequest("GET", "/whoami/", nil)
	req.AddCookie(phone)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	list, _ = a.UserSessions(ctx, alice.ID)
	fmt.Println(rec.Body.String(), len(list), list[0].UserAgent)
	// Output:
	// 2 sessions
	// AnonymousUser 1 Laptop
}
