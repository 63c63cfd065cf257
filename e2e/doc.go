// Package e2e holds the end-to-end browser tests. They drive headless
// Chromium through chromedriver's W3C WebDriver HTTP API and walk through
// the pages as a person would: the example app (examples/webapp) built
// and started as a process; the passkey pages with a virtual
// authenticator; sign-up with email verification by link and by code,
// fields found by their labels, mail read from a mail.Outbox; and a
// social login at a real OpenID provider (oidc-provider under Node.js,
// package testkit).
//
// # Running
//
//	go test ./e2e/
//
// It needs Debian's chromium and chromium-driver (/usr/bin/chromium and
// /usr/bin/chromedriver; .ci/run installs them because .ci/needs-chromium
// exists), and node and npm for the social login. Without them the tests
// are skipped with a message, except when CI=true, where they fail.
// Screenshots of the pages are written to each test's temporary
// directory; set E2E_SCREENSHOT_DIR to keep copies.
package e2e
