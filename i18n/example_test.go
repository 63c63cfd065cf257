package i18n_test

import (
	"fmt"
	"html/template"
	"net/http/httptest"
	"os"

	"github.com/djauth/auth/i18n"
)

func Example() {
	b, err := i18n.New(i18n.Config{Languages: []string{"en", "fr"}})
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "fr-CA,fr;q=0.9,en;q=0.5")
	tr := b.FromRequest(r)
	n := 8
	fmt.Println(tr.Language())
	fmt.Println(tr.Translate(i18n.Message{
		ID:     "This password is too short. It must contain at least %(min_length)d character.",
		Plural: "This password is too short. It must contain at least %(min_length)d characters.",
		N:      n, Args: map[string]any{"min_length": n},
	}))
	fmt.Println(tr.Gettext("A message that no catalog has"))
	// Output:
	// fr
	// Ce mot de passe est trop court. Il doit comporter au moins 8 caractères.
	// A message that no catalog has
}

func ExampleBundle_Localize() {
	b, err := i18n.New(i18n.Config{Languages: []string{"en", "fr"}})
	if err != nil {
		panic(err)
	}
	page := template.Must(template.New("page").Funcs(i18n.Funcs()).Parse(
		`<html lang="{{language}}"><label>{{t "Password"}}</label> {{t "Welcome, %(name)s." "name" .}}` + "\n"))
	l, err := b.Localize(page)
	if err != nil {
		panic(err)
	}
	for _, lang := range []string{"en", "fr"} {
		_ = l.Execute(os.Stdout, b.Translator(lang), "<Zoë>")
	}
	// Output:
	// <html lang="en"><label>Password</label> Welcome, &lt;Zoë&gt;.
	// <html lang="fr"><label>Mot de passe</label> Bienvenue, &lt;Zoë&gt;.
}
