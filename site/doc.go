// Package site wires the usual pieces of djauth into one site with one
// constructor: users and sessions, sign-up with mandatory email
// verification, logins by username or verified email, TOTP, recovery
// codes and passkeys (package mfa), social logins (package social),
// organizations with roles (package orgs), the staff dashboard (package
// dashboard), the JSON API (package api), the audit log (package audit)
// and impersonation, with throttling of every form.
//
// Every piece is still the package's own: Site's fields are the values
// New built, for everything it does not wire (guards, signals, an app's
// own pages). An app that needs another arrangement builds the pieces
// itself; New is a short program of the packages' public API.
//
// # A site in memory
//
// The zero Stores keep everything in memory, for development and tests:
//
//	s, err := site.New(ctx, site.Config[auth.User]{SecretKey: os.Getenv("SECRET_KEY"),
//		Models: []auth.ModelSpec{{AppLabel: "reports", Model: "report"}}})
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer s.Close()
//	mux := http.NewServeMux()
//	s.Routes(mux) // /accounts/…, /accounts/social/…, /admin/, /api/auth/…
//	mux.Handle("GET /o/{org}/reports/", s.Orgs.PermissionRequired("reports.view_report")(reports))
//	srv := &http.Server{Addr: ":8000", Handler: s.Handler(mux), ReadHeaderTimeout: 5 * time.Second}
//
// # PostgreSQL
//
// Postgres migrates a database (Django's tables and those of allauth,
// django-otp and django-organizations, plus djauth's own) and returns its
// stores:
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	stores, err := site.Postgres[auth.User](ctx, pool)
//	s, err := site.New(ctx, site.Config[auth.User]{SecretKey: key, Origin: "https://example.com",
//		Mailer: smtp, Stores: stores})
//
// # Defaults
//
// Origin, the site's address as browsers see it, is where mail links,
// social callbacks and passkeys point; empty means http://localhost:8000.
// A plain-http Origin turns off the session cookie's Secure flag, which a
// browser would otherwise drop there. Without a Mailer, mails are printed
// to standard error, and only for a loopback Origin: anywhere else New
// refuses, since the mails hold codes and links that must not reach logs.
package site
