package auth

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/djauth/auth/i18n"
)

// MsgIDInvalidLogin is Django's msgid of the login form's error, with the
// username field's verbose name as %(username)s; MsgInvalidLogin is its
// English text.
const MsgIDInvalidLogin = "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."

// I18n returns the languages and catalogs of Config.I18n. Pages of other
// packages localize their templates with it (Bundle.Localize) at start-up.
func (a *Auth[U]) I18n() *i18n.Bundle { return a.i18n }

// Translator returns the translator of the request's language, chosen
// as Django's LocaleMiddleware chooses it (the language cookie, then
// Accept-Language, then Config.I18n.Default) among the languages of
// Config.I18n. Every page translates its messages and picks its
// localized template with it.
func (a *Auth[U]) Translator(r *http.Request) *i18n.Translator { return a.i18n.FromRequest(r) }

// InvalidLoginMessage is MsgInvalidLogin as Django's msgid and argument,
// to translate: the username field's verbose name, translated with it.
func InvalidLoginMessage() i18n.Message {
	return i18n.Message{ID: MsgIDInvalidLogin, Args: map[string]any{"username": i18n.Message{ID: "username"}}}
}

// ThrottledMsg is ThrottledMessage as a message to translate: its
// English text is ThrottledMessage(wait).
func ThrottledMsg(wait time.Duration) i18n.Message {
	n := RetryAfterSeconds(wait)
	return i18n.Message{
		ID:     "Too many failed attempts. Please try again in %(seconds)d second.",
		Plural: "Too many failed attempts. Please try again in %(seconds)d seconds.",
		N:      n, Args: map[string]any{"seconds": n},
	}
}

// MaxLengthMsg is MaxLengthMessage as Django's msgid (ngettext on the
// limit) and arguments, to translate, or the zero Message when value
// fits.
func MaxLengthMsg(value string, limit int) i18n.Message {
	n := utf8.RuneCountInString(value)
	if n <= limit {
		return i18n.Message{}
	}
	return i18n.Message{
		ID:     "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
		Plural: "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
		N:      limit, Args: map[string]any{"limit_value": limit, "show_value": n},
	}
}

// formMessages are the msgids of the form errors that the login form and
// the forms of package accounts show as plain strings (MsgRequired and
// the others, from cleanUsername and InvalidTextMessage); listing them
// here marks them for i18n's extraction check, and loginText translates
// them.
var formMessages = []i18n.Message{
	{ID: MsgRequired}, {ID: MsgInactive}, {ID: MsgNullCharacters}, {ID: MsgInvalidUTF8},
}

// loginText returns a form error of the login form in tr's language: a
// msgid of formMessages (or a LoginRefusedError's reason, which its
// author's catalog may translate) through the catalog.
func loginText(tr *i18n.Translator, msg string) string { return tr.Gettext(msg) }

// LanguageFieldName is the form field of SetLanguageHandler that names
// the language (Django's LANGUAGE_QUERY_PARAMETER).
const LanguageFieldName = "language"

// SetLanguageHandler is Django's set_language view, the target of a
// language switcher: a POST with "language" (an offered code, or a
// variant of one) and "next" sets the language cookie
// (Config.I18n.CookieName, for the browser session, path "/") and
// redirects to next when it is safe, else to the Referer when that is
// safe, else to "/"; without a next, a client that does not accept HTML
// gets 204. An unknown language sets nothing. Other methods redirect
// without setting the cookie, as Django's view does. Cross-origin POSTs
// are refused (Protect) and anonymous users may use it
// (LoginNotRequired). Mount it where Django's is:
//
//	mux.Handle("/i18n/setlang/", a.SetLanguageHandler())
//
// with a form on any page:
//
//	<form method="post" action="/i18n/setlang/"><input type="hidden" name="next" value="{{.Path}}">
//	<select name="language"><option value="en">English</option><option value="fr">Français</option></select>
//	<button>{{t "Go"}}</button></form>
func (a *Auth[U]) SetLanguageHandler() http.Handler {
	return LoginNotRequired(a.Protect(http.HandlerFunc(a.serveSetLanguage)))
}

func (a *Auth[U]) serveSetLanguage(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
			return
		}
	}
	next := a.redirectTarget(r)
	if next == "" && (lastValue(r.PostForm, RedirectFieldName) != "" || lastValue(r.URL.Query(), RedirectFieldName) != "" ||
		acceptsHTML(r)) {
		host, err := a.RequestHost(r)
		if err != nil {
			host = ""
		}
		next = cmpOr(SafeRedirectURL(r.Referer(), host, r.TLS != nil, a.redirectHosts), "/")
	}
	if r.Method == http.MethodPost {
		if lang, ok := a.i18n.Match(lastValue(r.PostForm, LanguageFieldName)); ok {
			http.SetCookie(w, &http.Cookie{
				Name: a.i18n.CookieName(), Value: lang, Path: "/",
				Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
			})
		}
	}
	if next == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	redirect(w, r, next, http.StatusFound)
}

// acceptsHTML is Django's request.accepts("text/html"): an Accept header
// that is missing or names text/html, text/* or */*.
func acceptsHTML(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return true
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/html", "text/*", "*/*":
			return true
		}
	}
	return false
}
