// Webapp is a small site built on djauth: login and logout pages, a page
// that needs a login, two pages that need a permission, a JSON view of the
// current user and a health check.
//
//	go run ./examples/webapp                      # in-memory store, http://127.0.0.1:8000
//	go run ./examples/webapp -database-url postgres://... -secret-key ...
//	go run ./examples/webapp -redis-url redis://127.0.0.1:6379/0 -secret-key ...
//
// # Pages
//
//   - / shows who is logged in, with links to the other pages. The
//     example's own pages share the login page's look and have a
//     viewport; docs/screenshots/webapp-*.png show them at 1280 and 390
//     pixels wide.
//   - /accounts/login/ and /accounts/logout/ are the library's handlers
//     (logout is POST only); after a login without "next" the browser goes
//     to /accounts/profile/, which needs a login.
//   - /reports/ needs reports.view_report and /reports/publish/ needs
//     reports.publish_report. The example registers the reports app's
//     report model with auth.Register: Django's four default permissions
//     plus the custom publish_report. Anonymous visitors are sent to the
//     login page with ?next=; logged-in users without the permission get 403.
//   - /orgs/ is package orgs' pages (the user's organizations and switcher,
//     members, invitations, roles); /o/{org}/reports/ needs
//     reports.publish_report in the organization of its URL (a role's or a
//     global permission) and is 404 for non-members. Organizations live in
//     django-organizations' tables with PostgreSQL, in memory otherwise.
//   - /api/me answers JSON: {"authenticated", "id", "username", "email",
//     "is_staff", "is_superuser", "groups", "permissions"} with group names
//     and "app_label.codename" permissions sorted, or exactly
//     {"authenticated": false} for an anonymous visitor.
//   - /healthz answers {"ok": true}. It is mounted outside the auth
//     middleware, so it reads no session and sets no cookie.
//
// # Flags
//
//   - -addr (default 127.0.0.1:8000). The app binds it before printing
//     "Listening on", so with -addr 127.0.0.1:0 the line names the port
//     the system chose.
//   - -database-url, or $DATABASE_URL: keep users and sessions in
//     PostgreSQL. The schema is created or checked on start with
//     postgres.Migrate, which leaves a database that Django migrated as it
//     is, so the app runs unchanged on a Django project's database.
//     Sessions go to the djauth_session table, so several instances on one
//     database behave as one site.
//   - -django-sessions: with -database-url, keep the sessions in Django's
//     django_session table, so that a login on the Django site sharing
//     the database is a login here and the reverse.
//   - -redis-url, or $REDIS_URL (redis://host:port/db, as go-redis's
//     ParseURL reads it): keep the sessions in Redis, under keys
//     "djauth:session:<token>" that expire with the sessions, whether the
//     users are in memory or in PostgreSQL (store/redis).
//   - -secret-key, or $SECRET_KEY: signs the session auth hash. Without it
//     the in-memory mode makes a random key for the run and says so; the
//     PostgreSQL and Redis modes refuse to start, because every instance
//     sharing the sessions must use the same key (and sessions must
//     survive restarts).
//   - -demo: create a superuser "admin" and a user "alice" holding only
//     reports.view_report, with random passwords that are printed, and
//     the organization "demo" that admin owns and where alice's role
//     Publishers gives her reports.publish_report. It
//     defaults to true in memory and to false with PostgreSQL, so that a
//     real database is not given demo accounts by accident; even when set
//     it does nothing if the store has any user already.
//   - -django-version, such as 3.2: hash passwords with that Django
//     release's settings (hashers.ForDjango), so that a Django site on the
//     same database and the app never re-hash, and so log out, each
//     other's users (MIGRATING.md). Empty means hashers.Default(), Django
//     6.0's; an unknown version is refused with the list of known ones.
//   - -insecure-cookies (default true): the app serves plain HTTP, and
//     browsers other than Chromium and Firefox do not keep a Secure cookie
//     from http://127.0.0.1, so the development default leaves Secure off.
//     Run it with -insecure-cookies=false behind a proxy that terminates
//     HTTPS.
//
// The server has read-header, read, write and idle timeouts and a 64 KiB
// header limit (productionLimits in main.go says why each value), so a
// client that never finishes its headers is cut off.
//
// SIGINT and SIGTERM shut the server down gracefully: requests in flight
// get up to ten seconds to finish.
package main
