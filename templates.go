package auth

import (
	"embed"
	"html/template"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates are the pages of the login and logout handlers. Replace one by
// setting Config.Templates to a value whose field holds your own
// html/template, executed with the page data documented on the field.
type Templates struct {
	// Login renders the login form with a *LoginPage.
	Login *template.Template
	// LoggedOut renders the page shown after logout when no redirect
	// applies, with a *LoggedOutPage.
	LoggedOut *template.Template
	// Forbidden renders the 403 page that the guards (and Deny) show a
	// logged-in user who lacks a permission, with a *ForbiddenPage.
	Forbidden *template.Template
	// Profile renders the profile page that Routes mounts (the default
	// LoginRedirectURL), with a *ProfilePage.
	Profile *template.Template
	// Logout renders the page that a GET (or any method but POST) on the
	// logout URL gets, with status 405 and a *LogoutPage: a button that
	// posts to the same URL, for the links and bookmarks that cannot log
	// out by themselves.
	Logout *template.Template
}

// DefaultTemplates returns the embedded pages: a minimal, self-contained
// layout (templates/base.html) with the login form (templates/login.html),
// the logged-out page (templates/logged_out.html), the 403 page
// (templates/forbidden.html), the profile page (templates/profile.html)
// and the logout button that a GET on the logout URL gets
// (templates/logout.html).
func DefaultTemplates() *Templates { return defaultLook.templates() }

// templates returns the embedded pages with this look.
func (l *Look) templates() *Templates {
	page := func(name string) *template.Template { return l.mustPage(templateFS, "templates/"+name) }
	return &Templates{
		Login:     page("login.html"),
		LoggedOut: page("logged_out.html"),
		Forbidden: page("forbidden.html"),
		Profile:   page("profile.html"),
		Logout:    page("logout.html"),
	}
}

// withDefaults returns a copy of t with every nil page set to the
// embedded default with look l; a nil t gives the defaults.
func (t *Templates) withDefaults(l *Look) *Templates {
	def := l.templates()
	if t == nil {
		return def
	}
	out := *t
	if out.Login == nil {
		out.Login = def.Login
	}
	if out.LoggedOut == nil {
		out.LoggedOut = def.LoggedOut
	}
	if out.Forbidden == nil {
		out.Forbidden = def.Forbidden
	}
	if out.Profile == nil {
		out.Profile = def.Profile
	}
	if out.Logout == nil {
		out.Logout = def.Logout
	}
	return &out
}

// Layout returns a new copy of the embedded page layout with the default
// look (DefaultLook), for the pages of other packages that want the same
// look; Auth.Look().Layout() and Auth.Look().Page give an Auth's own look
// (its Config.UI). The layout is the template "base"; it calls the
// templates "title" and "content", which the caller defines by parsing
// its page into the copy:
//
//	page := template.Must(auth.Layout().Parse(`{{define "title"}}Hi{{end}}{{define "content"}}<p>Hi</p>{{end}}`))
//	err := page.ExecuteTemplate(w, "base", data)
func Layout() *template.Template { return defaultLook.Layout() }

// LoginPage is the data of the login template.
type LoginPage struct {
	// Action is the URL the form posts to: the login page's path, without
	// the query (Next travels in a hidden field).
	Action string
	// RedirectFieldName is the name of the hidden field that carries Next.
	RedirectFieldName string
	// Next is the safe page to go to after login, or "".
	Next string
	// Username is the username that was submitted, to fill the field again.
	Username string
	// Errors are errors about the form as a whole, such as wrong
	// credentials.
	Errors []string
	// UsernameErrors and PasswordErrors are errors of one field.
	UsernameErrors []string
	PasswordErrors []string
	// PasswordResetURL is where to start a password reset (see
	// Auth.LoginHandlerLinking), or "" for no link.
	PasswordResetURL string
	// PasskeyURL is the prefix of the passkey routes (RouteLinks), or ""
	// when passkeys are not offered; PasskeyRedirect is where the page
	// goes after a passkey sign-in (Next, else Config.LoginRedirectURL).
	PasskeyURL      string
	PasskeyRedirect string
	// SignupURL is the sign-up page (RouteLinks), or "" for no link.
	SignupURL string
	// SocialLogins are the "Log in with ..." buttons (RouteLinks), or
	// nil.
	SocialLogins []LoginButton
	// PasswordlessURL is the "Email me a login link" page (RouteLinks),
	// or "" for no link.
	PasswordlessURL string
}

// LoginButton is a "Log in with ..." button of the login page: a form
// that POSTs to URL, with "next", starts a login with the provider.
type LoginButton struct {
	// Provider is the provider's ID ("github"), Name its name for
	// people ("GitHub").
	Provider string
	Name     string
	URL      string
}

// ForbiddenPage is the data of the 403 template.
type ForbiddenPage struct {
	// Username is the logged-in user's username.
	Username string
	// LoginURL is the login page with the refused page in "next", to log
	// in as another user and come back.
	LoginURL string
}

// ProfilePage is the data of the profile template.
type ProfilePage struct {
	// Username is the logged-in user's username.
	Username string
	// LogoutURL is the logout page, which the page's button posts to.
	LogoutURL string
	// PasswordChangeURL is the password change page, or "" when none is
	// mounted.
	PasswordChangeURL string
	// SessionsURL is the page listing the user's sessions (package
	// accounts), or "" when none is mounted.
	SessionsURL string
	// EmailsURL is the email management page (package accounts), or ""
	// when none is mounted.
	EmailsURL string
}

// LogoutPage is the data of the logout template.
type LogoutPage struct {
	// Action is the URL the form posts to: the logout page's path.
	Action string
	// RedirectFieldName is the name of the hidden field that carries Next.
	RedirectFieldName string
	// Next is the safe "next" value of the query, or "".
	Next string
}

// LoggedOutPage is the data of the logged-out template.
type LoggedOutPage struct {
	// LoginURL is the login page.
	LoginURL string
}
