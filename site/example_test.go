package site_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/djauth/auth"
	"github.com/djauth/auth/mail"
	"github.com/djauth/auth/site"
)

// ExampleNew builds a site in memory and shows what its routes answer a
// visitor who is not logged in: the sign-up page, a redirect to the login
// page from the dashboard and an organization's page, and the API's 401.
func ExampleNew() {
	ctx := context.Background()
	s, err := site.New(ctx, site.Config[auth.User]{
		SecretKey: "example-secret-key-0123456789-abcdefghijklmnop",
		Models:    []auth.ModelSpec{{AppLabel: "reports", Model: "report"}},
		Mailer:    &mail.Outbox{},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	mux := http.NewServeMux()
	s.Routes(mux)
	mux.Handle("GET /o/{org}/reports/", s.Orgs.PermissionRequired("reports.view_report")(http.NotFoundHandler()))
	h := s.Handler(mux)
	for _, path := range []string{"/accounts/signup/", "/admin/", "/o/acme/reports/", "/api/auth/me"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodGet, "http://localhost:8000"+path, nil))
		fmt.Println(strings.TrimSpace(fmt.Sprintln(path, rec.Code, rec.Header().Get("Location"))))
	}
	// Output:
	// /accounts/signup/ 200
	// /admin/ 302 /accounts/login/?next=/admin/
	// /o/acme/reports/ 302 /accounts/login/?next=/o/acme/reports/
	// /api/auth/me 401
}
