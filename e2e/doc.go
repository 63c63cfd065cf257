// Package e2e holds the end-to-end browser test: it builds and starts the
// example app (examples/webapp), drives headless Chromium through
// chromedriver's W3C WebDriver HTTP API, and walks through the account
// pages as a person would.
//
// # Running
//
//	go test ./e2e/
//
// It needs Debian's chromium and chromium-driver (/usr/bin/chromium and
// /usr/bin/chromedriver; .ci/run installs them because .ci/needs-chromium
// exists). Without them the test is skipped with a message, except when
// CI=true, where it fails. Screenshots of the login page and of the 403
// page are written to the test's temporary directory; set
// E2E_SCREENSHOT_DIR to keep copies.
package e2e
