package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/dashboard"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/testkit"
)

// Example mounts the dashboard: an anonymous visitor is sent to the
// login page, a superuser changes a user, and the audit hook hears it.
func Example() {
	ctx := context.Background()
	store := memory.New[auth.User]()
	if _, err := auth.Register(ctx, store, auth.AuthModels()...); err != nil {
		panic(err)
	}
	a, err := auth.New(auth.Config[auth.User]{Store: store, SecretKey: testSecret})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	d, err := dashboard.New(dashboard.Config[auth.User]{Auth: a})
	if err != nil {
		panic(err)
	}
	d.Signals().UserChanged.Connect(func(_ context.Context, e dashboard.UserChanged) {
		fmt.Println(e.Actor.Username, e.Action, e.Target.Username, e.Fields)
	})
	mux := http.NewServeMux()
	a.Routes(mux, "")
	d.Mount(mux)

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/admin/auth/user/", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))

	root := auth.NewUser("root")
	root.IsStaff, root.IsSuperuser = true, true
	bob := auth.NewUser("bob")
	for _, u := range []*auth.User{&root, &bob} {
		if err := store.CreateUser(ctx, u); err != nil {
			panic(err)
		}
	}
	cookie, err := testkit.LoginUser(ctx, a, &root, testkit.LoginOptions{})
	if err != nil {
		panic(err)
	}
	form := url.Values{"username": {"bob"}, "first_name": {"Bob"}, "is_active": {"on"}}
	req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/admin/auth/user/%d/change/", bob.ID), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	// Output:
	// 302 /accounts/login/?next=/admin/auth/user/
	// root changed bob [first_name]
	// 302 /admin/auth/user/2/change/
}
