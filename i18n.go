package auth

import (
	"net/http"
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
