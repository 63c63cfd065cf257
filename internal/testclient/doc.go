// Package testclient is the in-process browser of the package tests: it
// sends a request straight to an http.Handler, as a browser at
// http://testserver would (Django's test client host), with a cookie jar
// that keeps what the responses set and drops what they delete.
//
//	jar := map[string]string{}
//	resp := testclient.Do(handler, jar, http.MethodPost, "/accounts/login/",
//		url.Values{"username": {"alice"}, "password": {"pw"}})
//	resp = testclient.Do(handler, jar, http.MethodGet, "/whoami/", nil) // with alice's session cookie
//
// A package test keeps its own small client type (its test handler, its
// jar, shortcuts such as login) and sends through Do and Send.
package testclient
