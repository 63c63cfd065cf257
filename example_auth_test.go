package auth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/store/memory"
)

// exampleHashers keeps the examples fast; production code uses
// hashers.Default().
func exampleHashers() *hashers.Registry { return hashers.New(hashers.PBKDF2{Iterations: 1000}) }

// exampleSecret stands for 50 random characters kept out of the code.
const exampleSecret = "example-only-secret-key-0123456789-abcdefghijklmno"

// New needs a store and a secret key; every other setting has a
// Django-like default: the model backend, Django's hashers, in-memory
// sessions with Django's cookie settings.
func ExampleNew() {
	store := memory.New[auth.User]()
	a, err := auth.New(auth.Config[auth.User]{Store: store, SecretKey: exampleSecret})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	fmt.Println(a.LoginURL(), a.Sessions().Cookie.Name, a.Sessions().Lifetime, a.Backends()[0].Name())
	// Output: /accounts/login/ sessionid 336h0m0s django.contrib.auth.backends.ModelBackend
}

// A custom user type flows through every API.
func ExampleNew_customUser() {
	type Customer struct {
		auth.User
		Plan string `db:"plan"`
	}
	store := memory.New[Customer]()
	a, err := auth.New(auth.Config[Customer]{Store: store, Hashers: exampleHashers(), SecretKey: exampleSecret})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	ctx := context.Background()
	c := Customer{User: auth.NewUser("carol"), Plan: "pro"}
	c.Password, _ = a.Hashers().Make(ctx, "pw")
	_ = store.CreateUser(ctx, &c)
	got, _, _ := a.Authenticate(ctx, nil, auth.Credentials{"username": "carol", "password": "pw"})
	fmt.Println(got.Username, got.Plan) // got is a *Customer
	// Output: carol pro
}

// Middleware loads the session and the user; handlers read the user from
// the request and the guards protect pages.
func ExampleAuth_Middleware() {
	ctx := context.Background()
	store := memory.New[auth.User]()
	h := exampleHashers()
	a, _ := auth.New(auth.Config[auth.User]{
		Store: store, Hashers: h, SecretKey: exampleSecret,
	})
	defer a.Close()
	_, _ = auth.Register(ctx, store, auth.ModelSpec{AppLabel: "reports", Model: "report"})
	alice := auth.NewUser("alice")
	alice.Password, _ = h.Make(ctx, "correct horse")
	_ = store.CreateUser(ctx, &alice)
	_ = store.AddUserPermissions(ctx, alice.ID, "reports.view_report")

	mux := http.NewServeMux()
	a.Routes(mux, "") // /accounts/login/ and /accounts/logout/
	mux.Handle("/reports/", a.PermissionRequired("reports.view_report")(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "reports for %s", a.User(r).Username())
		})))
	app := a.Middleware(mux)

	do := func(method, target, form, cookie string) *http.Response {
		r := httptest.NewRequest(method, target, strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: "sessionid", Value: cookie})
		}
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		return w.Result()
	}

	resp := do("GET", "/reports/?page=2", "", "")
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))

	form := url.Values{"username": {"alice"}, "password": {"correct horse"}, "next": {"/reports/"}}
	resp = do("POST", "/accounts/login/", form.Encode(), "")
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
	session := resp.Cookies()[0].Value

	resp = do("GET", "/reports/", "", session)
	fmt.Println(resp.StatusCode, readAll(resp))
	// Output:
	// 302 /accounts/login/?next=/reports/%3Fpage%3D2
	// 302 /reports/
	// 200 reports for alice
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// Authenticate tries the backends; Login would then store the result in
// the session of a request.
func ExampleAuth_Authenticate() {
	ctx := context.Background()
	store := memory.New[auth.User]()
	h := exampleHashers()
	a, _ := auth.New(auth.Config[auth.User]{
		Store: store, Hashers: h, SecretKey: exampleSecret,
	})
	defer a.Close()
	bob := auth.NewUser("bob")
	bob.Password, _ = h.Make(ctx, "s3cret")
	_ = store.CreateUser(ctx, &bob)
	a.Signals().UserLoginFailed.Connect(func(_ context.Context, ev auth.LoginFailed) {
		fmt.Println("failed:", ev.Credentials["username"], ev.Credentials["password"])
	})

	u, backend, err := a.Authenticate(ctx, nil, auth.Credentials{"username": "bob", "password": "s3cret"})
	fmt.Println(u.Username, backend, err)
	_, _, err = a.Authenticate(ctx, nil, auth.Credentials{"username": "bob", "password": "guess"})
	fmt.Println(err)
	// Output:
	// bob django.contrib.auth.backends.ModelBackend <nil>
	// failed: bob ********************
	// auth: invalid credentials
}

func ExampleURLHasAllowedHostAndScheme() {
	hosts := []string{"example.com"}
	for _, next := range []string{"/account/", "https://example.com/x", "//evil.example/", `/\evil.example`, "javascript:alert(1)"} {
		fmt.Println(next, auth.URLHasAllowedHostAndScheme(next, hosts, false))
	}
	// Output:
	// /account/ true
	// https://example.com/x true
	// //evil.example/ false
	// /\evil.example false
	// javascript:alert(1) false
}

func ExampleRedirectToLoginURL() {
	fmt.Println(auth.RedirectToLoginURL("/accounts/login/", "/reports/?page=2", auth.RedirectFieldName))
	// Output: /accounts/login/?next=/reports/%3Fpage%3D2
}

// Signals are hubs on the Auth; Connect returns the function that
// disconnects.
func ExampleSignal_Connect() {
	var s auth.Signal[string]
	stop := s.Connect(func(_ context.Context, who string) { fmt.Println("hello", who) })
	s.Send(context.Background(), "alice")
	stop()
	s.Send(context.Background(), "bob")
	// Output: hello alice
}
