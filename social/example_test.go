package social_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/social"
	"github.com/djauth/auth/store/memory"
)

// A GitHub login end to end, against a tiny GitHub-shaped server: the
// browser posts the "Log in with GitHub" button, GitHub sends it back with
// a code, and the new user is logged in.
func Example() {
	// A stand-in for github.com and api.github.com.
	gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/login/oauth/authorize":
			q := r.URL.Query()
			http.Redirect(w, r, q.Get("redirect_uri")+"?code=c0de&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
		case "/login/oauth/access_token":
			fmt.Fprint(w, `{"access_token":"gho_example","token_type":"bearer"}`)
		case "/user":
			fmt.Fprint(w, `{"id":583231,"login":"octocat","name":"The Octocat"}`)
		case "/user/emails":
			fmt.Fprint(w, `[{"email":"octocat@example.com","primary":true,"verified":true}]`)
		}
	}))
	defer gh.Close()

	var h http.Handler
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer site.Close()

	users := memory.New[auth.User]()
	a, err := auth.New(auth.Config[auth.User]{Store: users, SecretKey: testSecret,
		Backends: []auth.Backend[auth.User]{&auth.ModelBackend[auth.User]{}, social.NewBackend[auth.User]("")},
		Sessions: auth.SessionConfig{InsecureCookie: true}})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	github, err := social.NewGitHub(social.GitHubConfig{ClientID: "id", ClientSecret: "secret", WebURL: gh.URL, APIURL: gh.URL})
	if err != nil {
		panic(err)
	}
	s, err := social.New(a, social.Config[auth.User]{Store: social.NewMemoryStore(), BaseURL: site.URL,
		Providers: []social.Provider{github}, SignUp: true})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	a.Routes(mux, "")
	mux.Handle("/accounts/social/", s.Handler())
	mux.Handle("/whoami/", a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, a.User(r).Username())
	})))
	h = mux

	for _, b := range s.Buttons() {
		fmt.Printf("%s: POST %s\n", b.Name, b.URL)
	}
	fmt.Println("callback:", strings.TrimPrefix(s.CallbackURL("github"), site.URL))

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.PostForm(site.URL+s.LoginURL("github"), url.Values{"next": {"/whoami/"}})
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Request.URL.Path, "says", string(body))
	// Output:
	// GitHub: POST /accounts/social/github/login/
	// callback: /accounts/social/github/callback/
	// /whoami/ says octocat
}
