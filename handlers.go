package auth

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/djauth/auth/internal/pystr"
)

// Messages of the login form, Django's AuthenticationForm.error_messages.
const (
	// MsgInvalidLogin is shown for every failed login, whatever the cause.
	MsgInvalidLogin = "Please enter a correct username and password. Note that both fields may be case-sensitive."
	// MsgInactive is shown only when the password was right for an inactive
	// account that a backend such as AllowAllUsersModelBackend let through.
	MsgInactive = "This account is inactive."
	// MsgRequired is the error of an empty field.
	MsgRequired = "This field is required."
	// MsgNullCharacters is the error of a field with a NUL character,
	// Django's ProhibitNullCharactersValidator message.
	MsgNullCharacters = "Null characters are not allowed."
	// MsgInvalidUTF8 is the error of a field whose bytes are not UTF-8
	// (Django decodes such bytes to U+FFFD before a form sees them; no
	// store can hold them as text).
	MsgInvalidUTF8 = "This value is not valid text (UTF-8)."
)

// InvalidTextMessage returns the form error of a text value that no
// store can hold: MsgInvalidUTF8 when value is not valid UTF-8,
// MsgNullCharacters when it has a NUL character, and "" otherwise. The
// login form and the forms of package accounts check every field with it
// before the value goes anywhere near a store.
func InvalidTextMessage(value string) string {
	switch {
	case !utf8.ValidString(value):
		return MsgInvalidUTF8
	case strings.IndexByte(value, 0) >= 0:
		return MsgNullCharacters
	}
	return ""
}

// cleanUsername is Django's UsernameField.clean of the login form: raw
// stripped by Python's str.strip and, unless it is longer than
// MaxUsernameLength characters (normalization only lengthens a name and
// is not worth running on one that cannot match), normalized by
// NormalizeUsername. msg is MsgInvalidUTF8 for bytes that are not UTF-8,
// MsgRequired for nothing left after stripping and MsgNullCharacters for
// a NUL; there is no max-length error, as AuthenticationForm sets the
// field's max_length after the field is built, so that it reaches the
// widget's maxlength and to_python but no MaxLengthValidator.
func cleanUsername(raw string) (username, msg string) {
	if !utf8.ValidString(raw) {
		return strings.ToValidUTF8(raw, "\uFFFD"), MsgInvalidUTF8
	}
	username = pystr.Strip(raw)
	if utf8.RuneCountInString(username) <= MaxUsernameLength {
		username = NormalizeUsername(username)
	}
	switch {
	case username == "":
		return "", MsgRequired
	case strings.IndexByte(username, 0) >= 0:
		return username, MsgNullCharacters
	}
	return username, ""
}

// MaxLengthMessage returns Django's MaxLengthValidator message, "Ensure
// this value has at most N characters (it has M).", when value has more
// than limit characters (code points, as Python counts them), and "" when
// it fits.
func MaxLengthMessage(value string, limit int) string {
	if n := utf8.RuneCountInString(value); n > limit {
		return fmt.Sprintf("Ensure this value has at most %d characters (it has %d).", limit, n)
	}
	return ""
}

// maxFormBytes bounds the body of the login and logout forms.
const maxFormBytes = 64 << 10

// neverCache is the Cache-Control value of Django's never_cache.
const neverCache = "max-age=0, no-cache, no-store, must-revalidate, private"

// DefaultRoutePrefix is where Routes mounts the handlers by default.
const DefaultRoutePrefix = "/accounts/"

// Routes mounts the auth pages on mux under prefix ("" means
// DefaultRoutePrefix, "/accounts/"): prefix+"login/" (LoginHandler),
// prefix+"logout/" (LogoutHandler) and prefix+"profile/"
// (a "You are logged in as …" page with a logout button, the default LoginRedirectURL, so that a new site has
// somewhere to land after login) and prefix+"i18n/setlang/"
// (SetLanguageHandler, which the pages' footer posts to when Config.I18n
// offers more than one language). Package accounts' Manager.Routes mounts
// these and the password change and reset pages in one call; use it
// instead when you want those. Register the rest of the app on the same
// mux and wrap the mux with Middleware.
func (a *Auth[U]) Routes(mux *http.ServeMux, prefix string) {
	a.RoutesLinking(mux, prefix, "", "")
}

// RoutesLinking is Routes with links to a password reset and a password
// change page ("" for none): on the login page ("Forgotten your
// password?", see LoginHandlerLinking) and on the profile page. It is
// RoutesWithLinks with those two links.
func (a *Auth[U]) RoutesLinking(mux *http.ServeMux, prefix, passwordResetURL, passwordChangeURL string) {
	a.RoutesWithLinks(mux, prefix, RouteLinks{PasswordResetURL: passwordResetURL, PasswordChangeURL: passwordChangeURL})
}

// RouteLinks are the pages, mounted elsewhere, that the pages of
// RoutesWithLinks link to; "" leaves a link out.
type RouteLinks struct {
	// PasswordResetURL is linked from the login page ("Forgotten your
	// password?").
	PasswordResetURL string
	// PasswordChangeURL and SessionsURL are linked from the profile page.
	PasswordChangeURL string
	SessionsURL       string
	// PasskeyURL is the prefix of package mfa/passkey's Handler routes
	// ("/accounts/passkey/"). When set, the login page offers "Sign in
	// with a passkey" and passkey autofill on the username field
	// (conditional mediation), through the routes' passkey.js; without
	// JavaScript the page is the plain password form.
	PasskeyURL string
	// SignupURL is linked from the login page ("Sign up") and EmailsURL
	// from the profile page ("Email addresses"); package accounts sets
	// them when it mounts those pages.
	SignupURL string
	EmailsURL string
	// SocialLogins are the "Log in with ..." buttons of the login page,
	// each a form that POSTs to its URL with the page's "next" (package
	// social's Social.Buttons gives them).
	SocialLogins []LoginButton
	// PasswordlessURL is linked from the login page ("Email me a login
	// link"), with the login's "next"; package accounts sets it when it
	// mounts the passwordless pages.
	PasswordlessURL string
}

// RoutesWithLinks is Routes with links to other pages. Package accounts
// calls it for the pages it mounts.
func (a *Auth[U]) RoutesWithLinks(mux *http.ServeMux, prefix string, links RouteLinks) {
	if prefix == "" {
		prefix = DefaultRoutePrefix
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	mux.Handle(prefix+"login/", a.loginHandler(links))
	mux.Handle(prefix+"logout/", a.LogoutHandler())
	mux.Handle(prefix+"profile/{$}", a.profileHandler(prefix+"logout/", links))
	setLang := prefix + "i18n/setlang/"
	mux.Handle(setLang+"{$}", a.SetLanguageHandler())
	a.langSwitch.url.Store(&setLang)
}

// profileHandler serves a minimal "You are logged in as …" page with a
// logout button, for logged-in users (anonymous ones are sent to the
// login page).
func (a *Auth[U]) profileHandler(logoutURL string, links RouteLinks) http.Handler {
	return a.Protect(a.LoginRequired(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.render(w, r, http.StatusOK, a.templates.Profile, &ProfilePage{
			Username: a.User(r).Username(), LogoutURL: logoutURL,
			PasswordChangeURL: links.PasswordChangeURL, SessionsURL: links.SessionsURL,
			EmailsURL: links.EmailsURL,
		})
	})))
}

// Protect wraps a page the way the auth pages are wrapped: Middleware
// (harmless when already applied), http.CrossOriginProtection against
// CSRF (configured by Config.CSRF), Django's never_cache headers
// (Cache-Control: no-store and friends) and its X-Frame-Options: DENY,
// with CSP frame-ancestors 'none', against clickjacking. Package accounts
// uses it for its pages; apps can use it for their own forms that deal
// with credentials.
func (a *Auth[U]) Protect(h http.Handler) http.Handler {
	return a.Middleware(a.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", neverCache)
		// Django's XFrameOptionsMiddleware: no page of the library may be
		// framed, or a framed "Log out" or form button could be clicked
		// through (a framed form posts same-origin, which the
		// cross-origin protection lets through).
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Content-Security-Policy", "frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})))
}

// LoginHandler serves the login page (Django's LoginView): GET shows the
// form, POST authenticates the "username" and "password" fields through
// the backends, logs the user in and redirects to the "next" field or
// query parameter when URLHasAllowedHostAndScheme accepts it for the
// request's host and Config.AllowedHosts, and to Config.LoginRedirectURL
// otherwise. Every failure shows the same message, MsgInvalidLogin, except
// that a right password for an inactive account that the backend let
// through shows MsgInactive. Cross-origin POSTs are refused
// (http.CrossOriginProtection) and responses are not cached. The handler
// is marked LoginNotRequired. When Config.SecondFactor asks for a second
// step, a right password leads to its ChallengeURL (with "next") instead.
func (a *Auth[U]) LoginHandler() http.Handler {
	return a.LoginHandlerLinking("")
}

// LoginHandlerLinking is LoginHandler with a "Forgotten your password?"
// link to passwordResetURL on the page, as Django's admin login shows when
// a password_reset URL exists; "" shows none. Package accounts mounts the
// login page this way when it mounts its reset pages.
func (a *Auth[U]) LoginHandlerLinking(passwordResetURL string) http.Handler {
	return a.loginHandler(RouteLinks{PasswordResetURL: passwordResetURL})
}

// loginHandler is the login page with the links of links that it shows
// (PasswordResetURL, PasskeyURL, PasswordlessURL).
func (a *Auth[U]) loginHandler(links RouteLinks) http.Handler {
	return LoginNotRequired(a.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.serveLogin(w, r, links)
	})))
}

func (a *Auth[U]) serveLogin(w http.ResponseWriter, r *http.Request, links RouteLinks) {
	page := &LoginPage{Action: r.URL.EscapedPath(), RedirectFieldName: RedirectFieldName,
		PasswordResetURL: links.PasswordResetURL, PasskeyURL: links.PasskeyURL, SignupURL: links.SignupURL,
		PasswordlessURL: links.PasswordlessURL, SocialLogins: links.SocialLogins}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		page.Next = a.redirectTarget(r)
		page.PasskeyRedirect = cmpOr(page.Next, a.loginRedirectURL)
		a.render(w, r, http.StatusOK, a.templates.Login, page)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
		return
	}
	page.Next = a.redirectTarget(r)
	page.PasskeyRedirect = cmpOr(page.Next, a.loginRedirectURL)
	tr := a.Translator(r)
	user, backend, err := a.AuthenticateLogin(r, lastValue(r.PostForm, "username"), lastValue(r.PostForm, "password"))
	var fe *LoginFormError
	var te *ThrottledError
	switch {
	case errors.As(err, &fe):
		page.Username = fe.Username
		for _, msg := range fe.UsernameErrors {
			page.UsernameErrors = append(page.UsernameErrors, loginText(tr, msg))
		}
		for _, msg := range fe.PasswordErrors {
			page.PasswordErrors = append(page.PasswordErrors, loginText(tr, msg))
		}
		a.render(w, r, http.StatusOK, a.templates.Login, page)
		return
	case errors.As(err, &te):
		page.Username = te.Key
		page.Errors = []string{tr.Translate(ThrottledMsg(te.RetryAfter))}
		SetRetryAfter(w, te.RetryAfter)
		a.render(w, r, http.StatusTooManyRequests, a.templates.Login, page)
		return
	case errors.Is(err, ErrInvalidCredentials), errors.Is(err, ErrInactiveUser):
		page.Username, _ = cleanUsername(lastValue(r.PostForm, "username"))
		page.Errors = []string{tr.Translate(InvalidLoginMessage())}
		if errors.Is(err, ErrInactiveUser) {
			page.Errors = []string{loginText(tr, MsgInactive)}
		}
		a.render(w, r, http.StatusOK, a.templates.Login, page)
		return
	case isBusy(err):
		a.logger.WarnContext(r.Context(), "auth: login: no hashing slot free", "error", err)
		a.ServeBusy(w, r)
		return
	case err != nil:
		a.logger.ErrorContext(r.Context(), "auth: login", "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	page.Username = authUserOf(user).Username
	err = a.Login(r, user, backend)
	if refused := (*LoginRefusedError)(nil); errors.As(err, &refused) {
		if refused.URL == "" {
			page.Errors = []string{loginText(tr, refused.Reason)}
			a.render(w, r, http.StatusOK, a.templates.Login, page)
			return
		}
		redirect(w, r, refused.URL, http.StatusFound)
		return
	}
	if errors.Is(err, ErrSecondFactorRequired) {
		// The password was right; the second step decides. Its page
		// carries the login's next on.
		target := a.secondFactor.ChallengeURL()
		if page.Next != "" {
			target = RedirectToLoginURL(target, page.Next, RedirectFieldName)
		}
		redirect(w, r, target, http.StatusFound)
		return
	}
	if err != nil {
		a.logger.ErrorContext(r.Context(), "auth: login", "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	target := page.Next
	if target == "" {
		target = a.loginRedirectURL
	}
	redirect(w, r, target, http.StatusFound)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// warnPlainHTTPLogin logs one warning per Auth when a login over plain
// HTTP (r.TLS == nil) sets a session cookie with the Secure attribute: the
// browser drops that cookie, so the login seems to work and the next
// request is anonymous, with no message anywhere else. Behind a proxy
// that terminates TLS the warning is spurious, and is given once only.
func (a *Auth[U]) warnPlainHTTPLogin(r *http.Request) {
	if r.TLS != nil || !a.sessions.Cookie.Secure || a.plainHTTPWarned.Swap(true) {
		return
	}
	a.logger.WarnContext(r.Context(), "auth: login over plain HTTP set a Secure session cookie, which browsers drop "+
		"(Chrome and Firefox keep it for localhost only): the user will look logged out on the next request. "+
		"Serve the site over HTTPS, or for local development over http:// set Config.Sessions.InsecureCookie",
		"cookie", a.sessions.Cookie.Name, "host", r.Host)
}

// LogoutHandler serves the logout page (Django's LogoutView): POST logs
// out and redirects to the safe "next" value, else to
// Config.LogoutRedirectURL, else to the request's path; when that target
// is the request's own path and query (a POST without a query and without
// a safe next, say) it shows the logged-out page instead. Other methods
// get 405 with a page (Templates.Logout) whose button posts the logout:
// a GET must not log anyone out. Cross-origin POSTs are refused
// and responses are not cached.
func (a *Auth[U]) LogoutHandler() http.Handler {
	return a.Protect(http.HandlerFunc(a.serveLogout))
}

func (a *Auth[U]) serveLogout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		// Django answers a plain 405; a page with the button is kinder to
		// the link or bookmark that brought the browser here.
		w.Header().Set("Allow", "POST")
		a.render(w, r, http.StatusMethodNotAllowed, a.templates.Logout, &LogoutPage{
			Action:            r.URL.EscapedPath(),
			RedirectFieldName: RedirectFieldName,
			Next:              a.redirectTarget(r),
		})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
		return
	}
	if err := a.Logout(r); err != nil {
		a.logger.ErrorContext(r.Context(), "auth: logout", "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	// Django's LogoutView.post (Django 4.1 to 6.1, RedirectURLMixin): the
	// safe next, else LOGOUT_REDIRECT_URL, else the request's path; a
	// redirect unless that is the request's full path, which shows the
	// logged-out page. The path is checked too, so that a handler mounted
	// behind a router that does not clean paths cannot be made to send
	// "//evil.example/...".
	target := a.redirectTarget(r)
	if target == "" {
		target = a.logoutRedirectURL
	}
	if target == "" {
		target = SafeRedirectURL(r.URL.EscapedPath(), r.Host, r.TLS != nil, a.allowedHosts)
	}
	if target != "" && target != fullPath(r) {
		redirect(w, r, target, http.StatusFound)
		return
	}
	a.render(w, r, http.StatusOK, a.templates.LoggedOut, &LoggedOutPage{LoginURL: a.loginURL})
}

// fullPath is Django's HttpRequest.get_full_path: the path, and the query
// after "?" when there is one.
func fullPath(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return r.URL.EscapedPath()
	}
	return r.URL.EscapedPath() + "?" + r.URL.RawQuery
}

// lastValue is Django's QueryDict.get: the last value of key.
func lastValue(vs url.Values, key string) string {
	v, _ := lastValueOK(vs, key)
	return v
}

func lastValueOK(vs url.Values, key string) (string, bool) {
	if l := vs[key]; len(l) > 0 {
		return l[len(l)-1], true
	}
	return "", false
}

// RedirectTarget returns the request's "next" (of the POST body, else of
// the query) when it is a safe target of a redirect for this request,
// Config.AllowedHosts and Config.RedirectAllowedHosts, and "" otherwise:
// what the login page redirects to. Parse the form first for a POST.
func (a *Auth[U]) RedirectTarget(r *http.Request) string { return a.redirectTarget(r) }

// redirectTarget is Django's get_redirect_url: the "next" value of the
// POST body, else of the query (the last one of each, as QueryDict.get
// takes), if it is safe for this request.
func (a *Auth[U]) redirectTarget(r *http.Request) string {
	next, ok := lastValueOK(r.PostForm, RedirectFieldName)
	if !ok {
		next = lastValue(r.URL.Query(), RedirectFieldName)
	}
	// The request's own host is a valid target only when it is one of
	// AllowedHosts (Django's get_host raises DisallowedHost otherwise).
	host, err := a.RequestHost(r)
	if err != nil {
		host = ""
	}
	return SafeRedirectURL(next, host, r.TLS != nil, a.redirectHosts)
}

// render executes t into a buffer first, so that a template error gives a
// clean 500 instead of half a page.
func (a *Auth[U]) render(w http.ResponseWriter, r *http.Request, code int, t *template.Template, data any) {
	t = a.pages.Template(a.Translator(r), t)
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		a.logger.ErrorContext(r.Context(), "auth: render page", "template", t.Name(), "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}
