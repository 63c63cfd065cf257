package testclient_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/djauth/auth/internal/testclient"
	"github.com/djauth/auth/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, "internal/testclient")) }

// echo answers with what it received and sets or deletes a cookie when
// asked to.
func echo(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if v := r.Form.Get("set"); v != "" {
		http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: v})
	}
	if r.Form.Get("delete") != "" {
		http.SetCookie(w, &http.Cookie{Name: "sessionid", MaxAge: -1})
	}
	c, _ := r.Cookie("sessionid")
	cookie := ""
	if c != nil {
		cookie = c.Value
	}
	fmt.Fprintf(w, "%s %s host=%s type=%s x=%s cookie=%s", r.Method, r.URL.Path, r.Host,
		r.Header.Get("Content-Type"), r.Header.Get("X-Test"), cookie)
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func TestDo(t *testing.T) {
	h := http.HandlerFunc(echo)
	jar := map[string]string{}
	assert.Equal(t, "GET /a host=testserver type= x= cookie=", body(t, testclient.Do(h, jar, http.MethodGet, "/a", nil)))
	assert.Equal(t, "POST /b host=testserver type=application/x-www-form-urlencoded x=1 cookie=",
		body(t, testclient.Do(h, jar, http.MethodPost, "/b", url.Values{"set": {"s1"}}, "X-Test", "1")))
	assert.Equal(t, map[string]string{"sessionid": "s1"}, jar)
	assert.Equal(t, "GET /c host=evil.example type= x= cookie=s1",
		body(t, testclient.Do(h, jar, http.MethodGet, "/c", nil, "Host", "evil.example")))
	assert.Equal(t, "GET /d host=other.example type= x= cookie=s1",
		body(t, testclient.Do(h, jar, http.MethodGet, "http://other.example/d", nil)))
	testclient.Do(h, jar, http.MethodPost, "/e", url.Values{"delete": {"1"}})
	assert.Empty(t, jar, "a deleted cookie leaves the jar")
}

func ExampleDo() {
	h := http.HandlerFunc(echo)
	jar := map[string]string{}
	testclient.Do(h, jar, http.MethodPost, "/login/", url.Values{"set": {"abc"}})
	resp := testclient.Do(h, jar, http.MethodGet, "/whoami/", nil)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(string(b))
	// Output: GET /whoami/ host=testserver type= x= cookie=abc
}
