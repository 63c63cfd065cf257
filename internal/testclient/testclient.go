package testclient

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
)

// Host is the host of a request to a relative target, as Django's test
// client uses.
const Host = "testserver"

// Do sends method to target through h with the cookies of jar and keeps
// in jar the cookies the response sets. A non-nil form is the
// form-encoded body. A relative target is asked of Host. hdr holds
// header name and value pairs; the name "Host" sets the request's host
// instead of a header.
func Do(h http.Handler, jar map[string]string, method, target string, form url.Values, hdr ...string) *http.Response {
	var body io.Reader = http.NoBody
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if strings.HasPrefix(target, "/") {
		req.Host = Host
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return Send(h, jar, req)
}

// Send serves req through h with the cookies of jar and keeps in jar the
// cookies the response sets; a cookie the response deletes (an empty
// value or a negative MaxAge) leaves jar.
func Send(h http.Handler, jar map[string]string, req *http.Request) *http.Response {
	for k, v := range jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(jar, ck.Name)
		} else {
			jar[ck.Name] = ck.Value
		}
	}
	return resp
}
