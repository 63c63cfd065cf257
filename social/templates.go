package social

import (
	"embed"
	"html/template"
	"net/http"

	auth "github.com/djauth/auth"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates are the pages of Social, each executed as the template
// "base" (auth.Layout) with the data documented on its field.
type Templates struct {
	// Start is the page of a GET on a login URL, a button that POSTs to
	// start the login, with a *StartPage.
	Start *template.Template
	// Message is every page that ends a flow (an error, a link made or
	// refused), with a *MessagePage.
	Message *template.Template
	// LinkRequired tells that the identity's email belongs to an account
	// that must log in first, with a *LinkRequiredPage.
	LinkRequired *template.Template
	// Link asks the logged-in user to confirm a pending link, with a
	// *LinkPage.
	Link *template.Template
	// Identities is the page of the user's linked identities, with an
	// *IdentitiesPage.
	Identities *template.Template
}

// DefaultTemplates returns the embedded pages with the default look.
func DefaultTemplates() *Templates { return defaultTemplates(auth.DefaultLook()) }

// defaultTemplates returns the embedded pages with the look l (an
// Auth's Look: its theme and blocks).
func defaultTemplates(l *auth.Look) *Templates {
	page := func(name string) *template.Template {
		return template.Must(l.Page(templateFS, "templates/"+name))
	}
	return &Templates{Start: page("start.html"), Message: page("message.html"),
		LinkRequired: page("link_required.html"), Link: page("link.html"),
		Identities: page("identities.html")}
}

func (t *Templates) withDefaults(l *auth.Look) *Templates {
	def := defaultTemplates(l)
	if t == nil {
		return def
	}
	out := *t
	for _, f := range []struct{ dst, src **template.Template }{
		{&out.Start, &def.Start}, {&out.Message, &def.Message},
		{&out.LinkRequired, &def.LinkRequired}, {&out.Link, &def.Link},
		{&out.Identities, &def.Identities},
	} {
		if *f.dst == nil {
			*f.dst = *f.src
		}
	}
	return &out
}

// StartPage is the data of Templates.Start.
type StartPage struct {
	Provider          string
	Action            string
	RedirectFieldName string
	Next              string
}

// MessagePage is the data of Templates.Message.
type MessagePage struct {
	Title   string
	Message string
	// Error marks a failure, announced with role="alert".
	Error    bool
	LinkURL  string
	LinkText string
}

// LinkRequiredPage is the data of Templates.LinkRequired.
type LinkRequiredPage struct {
	Provider string
	Email    string
	// LoginURL is the login page, which comes back to the link page.
	LoginURL string
}

// LinkPage is the data of Templates.Link.
type LinkPage struct {
	Provider string
	Email    string
	Username string
	Action   string
}

func (s *Social[U]) render(w http.ResponseWriter, r *http.Request, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.pages.Template(s.a.Translator(r), t).ExecuteTemplate(w, "base", data); err != nil {
		s.logger.ErrorContext(r.Context(), "social: render page", "err", err)
	}
}
