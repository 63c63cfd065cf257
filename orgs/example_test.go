package orgs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/djauth/auth"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/orgs"
	"github.com/djauth/auth/store/memory"
	"github.com/djauth/auth/testkit"
)

func Example() {
	ctx := context.Background()
	users := memory.New[auth.User]()
	a, err := auth.New(auth.Config[auth.User]{Store: users, SecretKey: "example-secret-key-0123456789abcdef"})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	store := orgs.NewMemoryStore()
	outbox := &mail.Outbox{}
	o, err := orgs.New(orgs.Config[auth.User]{Auth: a, Store: store, Mailer: outbox, BaseURL: "https://example.com"})
	if err != nil {
		panic(err)
	}
	// The permission a role will carry, known to the stores.
	if _, err := users.EnsurePermissions(ctx, "reports", "report", []auth.Permission{{Codename: "view_report", Name: "Can view report"}}); err != nil {
		panic(err)
	}
	store.AddPermissions("reports.view_report")

	newUser := func(name string) *auth.User {
		u := auth.NewUser(name)
		u.Email = name + "@example.com"
		if err := users.CreateUser(ctx, &u); err != nil {
			panic(err)
		}
		return &u
	}
	ann, bob := newUser("ann"), newUser("bob")

	acme, _ := o.CreateOrganization(ctx, ann, "Acme Corp", "")
	viewer, _ := o.CreateRole(ctx, ann, acme.ID, "viewer")
	_ = o.SetRolePermissions(ctx, ann, acme.ID, viewer.ID, []string{"reports.view_report"})
	_, link, _ := o.Invite(ctx, ann, acme.ID, "bob@example.com", []int64{viewer.ID}, false)
	fmt.Println("mailed to", outbox.Messages()[0].To[0])

	token := strings.TrimSuffix(strings.TrimPrefix(link, "https://example.com"+orgs.DefaultAcceptPath), "/")
	if _, err := o.Accept(ctx, nil, bob, token); err != nil {
		panic(err)
	}
	inAcme, _ := o.HasPerm(ctx, bob, acme.ID, "reports.view_report")
	global, _ := a.HasPerm(ctx, bob, "reports.view_report", nil)
	fmt.Println("bob may view reports in", acme.Slug+":", inAcme, "- globally:", global)

	mux := http.NewServeMux()
	mux.Handle("GET /o/{org}/reports/", o.PermissionRequired("reports.view_report")(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			org, _, _ := orgs.Current(r.Context())
			fmt.Fprintf(w, "reports of %s", org.Name)
		})))
	cookie, _ := testkit.LoginUser(ctx, a, bob, testkit.LoginOptions{})
	for _, path := range []string{"/o/acme-corp/reports/", "/o/other/reports/"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		a.Middleware(mux).ServeHTTP(rec, req)
		fmt.Println(path, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// mailed to bob@example.com
	// bob may view reports in acme-corp: true - globally: false
	// /o/acme-corp/reports/ 200 reports of Acme Corp
	// /o/other/reports/ 404 404 page not found
}

// ExampleOrgs_Routes mounts the organization pages: a signed-in user's
// list is a page, and an organization they are not a member of is 404.
func ExampleOrgs_Routes() {
	ctx := context.Background()
	users := memory.New[auth.User]()
	a, err := auth.New(auth.Config[auth.User]{Store: users, SecretKey: "example-secret-key-0123456789abcdef"})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	o, err := orgs.New(orgs.Config[auth.User]{Auth: a, Store: orgs.NewMemoryStore()})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	a.Routes(mux, "/accounts/")
	if err := o.Routes(mux, "/orgs/"); err != nil {
		panic(err)
	}
	ann, bob := auth.NewUser("ann"), auth.NewUser("bob")
	_ = users.CreateUser(ctx, &ann)
	_ = users.CreateUser(ctx, &bob)
	if _, err := o.CreateOrganization(ctx, &bob, "Bob's team", ""); err != nil {
		panic(err)
	}
	cookie, err := testkit.LoginUser(ctx, a, &ann, testkit.LoginOptions{})
	if err != nil {
		panic(err)
	}
	for _, path := range []string{"/orgs/", "/orgs/bobs-team/"} {
		req := httptest.NewRequest(http.MethodGet, "http://example.com"+path, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(path, rec.Code)
	}
	// Output:
	// /orgs/ 200
	// /orgs/bobs-team/ 404
}
