package auth_test

import (
	"fmt"
	"strings"
	"testing/fstest"

	auth "github.com/djauth/auth"
)

// A look with a brand, a teal accent and one block replaced, used for a
// page of the app's own with the library's layout.
func ExampleNewLook() {
	look, err := auth.NewLook(auth.UI{
		SiteName: "Acme",
		Theme:    auth.Theme{Light: auth.Palette{Accent: "#0f766e"}},
		Blocks:   `{{define "footer"}}<a href="/terms">Terms</a>{{end}}`,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	page, err := look.Page(fstest.MapFS{"hello.html": {Data: []byte(
		`{{define "title"}}Hello{{end}}{{define "content"}}<h1>Hello, {{.}}</h1>{{end}}`)}}, "hello.html")
	if err != nil {
		fmt.Println(err)
		return
	}
	var b strings.Builder
	if err := page.Execute(&b, "ann"); err != nil {
		fmt.Println(err)
		return
	}
	for _, line := range strings.Split(b.String(), "\n") {
		for _, want := range []string{"<title>", "--djauth-accent:#0f766e", "<h1>", "<footer"} {
			if strings.Contains(line, want) {
				fmt.Println(strings.TrimSpace(line))
			}
		}
	}

	_, err = auth.NewLook(auth.UI{Theme: auth.Theme{Light: auth.Palette{Accent: "red;}</style>"}}})
	fmt.Println(err)
	// Output:
	// <title>Hello · Acme</title>
	// :root{--djauth-accent:#0f766e;}</style>
	// <h1>Hello, ann</h1>
	// <footer class="site-footer"><a href="/terms">Terms</a></footer>
	// auth: invalid UI setting: Theme.Light.Accent "red;}</style>" is not a CSS colour
}
